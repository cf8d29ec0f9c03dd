// Small POSIX socket helpers shared by the acceptor, the connector and both
// engines. All functions are thread-safe (they only touch the given fd).
#ifndef SOCK_SOCKET_UTIL_H_
#define SOCK_SOCKET_UTIL_H_

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace sock {

// strerror_r as a std::string.
std::string ErrnoText(int err);

// socket + SO_REUSEADDR + bind + listen, non-blocking and close-on-exec.
// Returns the fd, or -1 with *error set ("bind 127.0.0.1:11211: Address
// already in use").
int CreateListenSocket(const std::string& address, uint16_t port, int backlog,
                       std::string* error);

// Resolves host:port and connects within `timeout`. Returns a non-blocking,
// close-on-exec fd, or -1 with *error set.
int ConnectTcp(const std::string& host, uint16_t port,
               std::chrono::milliseconds timeout, std::string* error);

// Resolves host:port to its first TCP address. Blocks for name lookups
// (numeric addresses are immediate). Returns false with *error set.
bool ResolveTcp(const std::string& host, uint16_t port, sockaddr_storage* addr,
                socklen_t* addr_len, std::string* error);

bool SetNonBlocking(int fd, bool on);
void SetTcpNoDelay(int fd, bool on);
// Makes the next close() send a reset and drop unsent data.
void SetLingerZero(int fd);
uint16_t LocalPort(int fd);
// "ip:port" of the peer, or "?" if unknown.
std::string PeerName(int fd);

// Writing to a closed socket must be an error, not a signal. Idempotent.
void IgnoreSigPipe();

}  // namespace sock

#endif  // SOCK_SOCKET_UTIL_H_
