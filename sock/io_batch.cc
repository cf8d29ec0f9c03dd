#include "sock/io_batch.h"

#include <glog/logging.h>

#include <algorithm>
#include <string>

#include "sock/event_connection.h"

namespace sock {

bool IoBatch::RingReady() {
  if (!ring_tried_) {
    ring_tried_ = true;
    std::string error;
    if (!ring_.Init(kRingEntries, &error)) {
      LOG_FIRST_N(WARNING, 1) << "batched socket I/O off, one system call per read and "
                                 "write: " << error;
    }
  }
  return ring_.ready();
}

void IoBatch::Clear() {
  reads_.clear();
  writes_.clear();
}

void IoBatch::Run() {
  // Handlers run by the reads queue writes; closing connections in the
  // writes may queue writes on others. Each round makes progress.
  while (!empty()) {
    if (!reads_.empty()) RunReads();
    if (!writes_.empty()) RunWrites();
  }
}

void IoBatch::PrepareSlots(size_t n) {
  if (slots_.size() < n) slots_.resize(n);
}

void IoBatch::SubmitQueued(size_t queued) {
  batched_ops_ += queued;
  // Completions come in any order; the connections run in queue order.
  results_.assign(queued, 0);
  ring_.SubmitAndWait([this](uint64_t tag, int32_t res) { results_[tag] = res; });
}

template <typename Direct, typename QueueOne, typename Finish>
void IoBatch::RunQueued(std::vector<std::shared_ptr<EventConnection>>* queue, Direct direct,
                        QueueOne queue_one, Finish finish) {
  running_.swap(*queue);
  if (running_.size() == 1 || !RingReady()) {
    for (auto& conn : running_) direct(conn.get());
    running_.clear();
    return;
  }
  const size_t chunk = std::min<size_t>(ring_.capacity(), kRingEntries);
  for (size_t begin = 0; begin < running_.size(); begin += chunk) {
    const size_t end = std::min(running_.size(), begin + chunk);
    PrepareSlots(end - begin);
    size_t queued = 0;
    for (size_t i = begin; i < end; ++i) {
      Slot& slot = slots_[queued];
      slot.conn = running_[i].get();
      slot.msg = msghdr{};
      slot.msg.msg_iov = slot.iov;
      if (queue_one(&slot, queued)) ++queued;
    }
    SubmitQueued(queued);
    for (size_t i = 0; i < queued; ++i) finish(slots_[i], results_[i]);
  }
  running_.clear();
}

void IoBatch::RunReads() {
  // Space for a ring's worth of reads, kept across iterations.
  const size_t slots = std::min<size_t>(reads_.size(), kRingEntries);
  if (slots > 1 && read_space_.size() < slots * kReadSlot) read_space_.resize(slots * kReadSlot);
  RunQueued(
      &reads_, [](EventConnection* conn) { conn->ReadQueued(/*direct=*/true); },
      [this](Slot* slot, size_t index) {
        if (!slot->conn->ReadQueued(/*direct=*/false)) return false;
        slot->iov[0].iov_base = read_space_.data() + index * kReadSlot;
        slot->iov[0].iov_len = kReadSlot;
        slot->msg.msg_iovlen = 1;
        ring_.QueueRecvMsg(slot->conn->fd(), &slot->msg, index);
        return true;
      },
      [](Slot& slot, int32_t res) {
        slot.conn->FinishBatchedRead(static_cast<const char*>(slot.iov[0].iov_base), res,
                                     kReadSlot);
      });
}

void IoBatch::RunWrites() {
  RunQueued(
      &writes_, [](EventConnection* conn) { conn->WriteQueued(nullptr, 0, nullptr); },
      [this](Slot* slot, size_t index) {
        int iovcnt = slot->conn->WriteQueued(slot->iov, kWriteIovecs, &slot->bytes);
        if (iovcnt == 0) return false;
        slot->msg.msg_iovlen = static_cast<size_t>(iovcnt);
        ring_.QueueSendMsg(slot->conn->fd(), &slot->msg, index);
        return true;
      },
      [](Slot& slot, int32_t res) { slot.conn->FinishBatchedWrite(res, slot.bytes); });
}

}  // namespace sock
