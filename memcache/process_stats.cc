#include "memcache/process_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace memcache {

namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::string();
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "btime <unix seconds>" from /proc/stat: the boot time start times count from.
uint64_t BootTime() {
  std::istringstream in(ReadFile("/proc/stat"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("btime ", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

uint64_t CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  uint64_t n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n > 0 ? n - 1 : 0;  // minus the descriptor of the listing itself
}

}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats st;
  const std::string stat = ReadFile("/proc/self/stat");
  // The command name (field 2) is in parentheses and may hold spaces, so
  // fields are counted from the last ')'.
  const size_t paren = stat.rfind(')');
  if (paren != std::string::npos) {
    std::istringstream in(stat.substr(paren + 1));
    std::vector<std::string> f;  // f[0] is field 3 (state)
    std::string token;
    while (in >> token) f.push_back(token);
    if (f.size() >= 22) {
      const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
      const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
      auto field = [&f](int n) { return std::strtoull(f[n - 3].c_str(), nullptr, 10); };
      st.user_seconds = static_cast<double>(field(14)) / ticks;
      st.system_seconds = static_cast<double>(field(15)) / ticks;
      st.threads = field(20);
      st.start_time_seconds =
          static_cast<double>(BootTime()) + static_cast<double>(field(22)) / ticks;
      st.virtual_bytes = field(23);
      st.resident_bytes = static_cast<uint64_t>(static_cast<double>(field(24)) * page);
      st.ok = true;
    }
  }
  // /proc/self/status has the same numbers in kB and thread count; prefer it
  // for RSS and threads as its values are documented units.
  std::istringstream status(ReadFile("/proc/self/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      st.resident_bytes = std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
    } else if (line.rfind("Threads:", 0) == 0) {
      st.threads = std::strtoull(line.c_str() + 8, nullptr, 10);
    }
  }
  st.open_fds = CountOpenFds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) st.max_fds = limit.rlim_cur;
  return st;
}

}  // namespace memcache
