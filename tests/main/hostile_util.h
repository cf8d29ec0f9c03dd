// Helpers for the hostile-client, memory-bound and security tests: raw
// loopback sockets that misbehave on purpose, and a view of a server
// process's resident memory.
#ifndef TESTS_MAIN_HOSTILE_UTIL_H_
#define TESTS_MAIN_HOSTILE_UTIL_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>


namespace testing_util {

// True when this binary was built with ASan or TSan: the server binary next
// to it is too, and its memory use says nothing about ours.
bool UnderSanitizer();

// VmRSS of `pid` in KiB (0 if unreadable).
long VmRssKb(pid_t pid);

// Raises the soft RLIMIT_NOFILE towards `want` (never above the hard
// limit) and returns the soft limit in force afterwards.
long RaiseFdLimit(long want);

void SetNonBlocking(int fd);

// Writes all of `bytes` (blocking fd); false on error.
bool SendAll(int fd, const std::string& bytes);
// Reads what arrives within `ms` (stops early at EOF; *eof says so).
std::string ReadFor(int fd, int ms, bool* eof = nullptr);
// Reads what arrives within `first_ms`, then on while more keeps coming
// with gaps under `gap_ms`. *eof says whether the peer closed.
std::string ReadQuiet(int fd, int first_ms, int gap_ms, bool* eof);
// Reads until EOF, at most `ms`; true if EOF (or a reset) came.
bool WaitForEof(int fd, int ms, std::string* data = nullptr);

// Sends each part as its own write, reading replies for up to `settle_ms`
// after each (less once a reply arrived and went quiet), and returns
// everything read, "<eof>" marking a close (so each command is its own read on the
// server, as memcached's t/ tests do).
std::string Converse(uint16_t port, const std::vector<std::string>& parts,
                     int settle_ms = 150);

// memcached speaking ASCII only (-B ascii): the reference for how a
// text-only server treats binary-protocol packets.
std::vector<std::string> MemcachedAsciiArgv(std::vector<std::string> extra = {});

// A deterministic pseudo-random byte string.
std::string PseudoRandomBytes(uint64_t seed, size_t n);

}  // namespace testing_util

#endif  // TESTS_MAIN_HOSTILE_UTIL_H_
