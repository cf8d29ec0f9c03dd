// RingQueue: a FIFO on one growable array (power-of-two ring), so the steady
// state of a session's in-flight queue allocates nothing; std::deque would
// allocate a node every few large elements. Not thread-safe.
#ifndef CLIENT_RING_QUEUE_H_
#define CLIENT_RING_QUEUE_H_

#include <cstddef>
#include <utility>
#include <vector>

namespace client {

template <typename T>
class RingQueue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  T& front() { return slots_[head_]; }
  T& operator[](size_t i) { return slots_[(head_ + i) & (slots_.size() - 1)]; }

  void push_back(T&& value) {
    if (size_ == slots_.size()) Grow();
    slots_[(head_ + size_) & (slots_.size() - 1)] = std::move(value);
    ++size_;
  }
  void pop_front() {
    slots_[head_] = T();  // release what the element holds now
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
  }
  // Moves every element out, in order, leaving the queue empty.
  template <typename F>
  void DrainTo(F&& sink) {
    while (size_ > 0) {
      sink(std::move(front()));
      pop_front();
    }
  }

 private:
  void Grow() {
    std::vector<T> bigger(slots_.empty() ? 16 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) bigger[i] = std::move((*this)[i]);
    slots_.swap(bigger);
    head_ = 0;
  }

  std::vector<T> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace client

#endif  // CLIENT_RING_QUEUE_H_
