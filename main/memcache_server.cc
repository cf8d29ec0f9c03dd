// memcache_server: a memcached-compatible cache server (text protocol).
//
// Accepts memcached's common short options (-p -l -m -c -t -I -v -vv -U -A
// -h -V) by translating them to the long gflags before parsing, so scripts
// written for memcached start us unchanged. Runs until SIGINT/SIGTERM/SIGUSR1
// (or "shutdown" when started with -A), then stops gracefully.
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "memcache/auth_file.h"
#include "memcache/memcache_server.h"
#include "sock/server.h"

DEFINE_int32(port, 11211, "TCP port to listen on (-p)");
DEFINE_string(listen, "127.0.0.1", "interface to listen on (-l)");
DEFINE_int64(memory_mb, 64, "item memory in megabytes (-m)");
DEFINE_int32(max_connections, 1024, "max simultaneous connections (-c)");
DEFINE_int32(threads, 4, "I/O threads (-t)");
DEFINE_string(max_item_size, "1m",
              "max size of one item, bytes with optional k/m suffix (-I)");
DEFINE_int32(udp_port, 0, "UDP port (-U); only 0 (off) is supported");
DEFINE_bool(enable_shutdown, false, "allow the shutdown command (-A)");
DEFINE_string(engine, "event", "connection engine: event | threaded");
DEFINE_int32(idle_timeout, 0, "close connections idle this many seconds (0: never)");
DEFINE_int32(busy_poll_us, 0,
             "event engine: I/O threads poll this many microseconds after their last event "
             "before sleeping (0: off; for I/O threads with a core each)");
DEFINE_bool(io_uring, true,
            "event engine: batch each loop iteration's socket reads and writes into one "
            "io_uring system call each (false: one system call per read and write)");
DEFINE_int32(backlog, 1024, "listen backlog (-b)");
DEFINE_bool(disable_cas, false, "disable CAS (-C)");
DEFINE_bool(disable_flush_all, false, "refuse the flush_all command (-F)");
DEFINE_string(auth_file, "",
              "require memcached's ASCII authentication against this "
              "user:password file (-Y)");
DEFINE_int32(metrics_port, 0,
             "serve Prometheus metrics on http://<metrics_listen>:<port>/metrics (0: off)");
DEFINE_string(metrics_listen, "127.0.0.1", "interface of the metrics endpoint");

namespace {

constexpr char kVersionLine[] = "memcache_server 1.6.18 (memcached 1.6.18 compatible)";

void PrintUsage() {
  std::printf(
      "%s\n"
      "-p, --port=<num>          TCP port to listen on (default: 11211)\n"
      "-l, --listen=<addr>       interface to listen on (default: 127.0.0.1)\n"
      "-m, --memory-limit=<mb>   item memory in megabytes (default: 64)\n"
      "-c, --conn-limit=<num>    max simultaneous connections (default: 1024)\n"
      "-t, --threads=<num>       number of I/O threads (default: 4)\n"
      "-I, --max-item-size=<num> max item size, k/m suffix allowed (default: 1m)\n"
      "-U, --udp-port=<num>      UDP port; only 0 (off) is supported\n"
      "-A, --enable-shutdown     enable the ascii \"shutdown\" command\n"
      "-b, --listen-backlog=<n>  listen backlog (default: 1024)\n"
      "-C, --disable-cas         disable use of CAS\n"
      "-F, --disable-flush-all   disable the flush_all command\n"
      "-Y, --auth-file=<file>    require ASCII authentication (user:password lines)\n"
      "-v, --verbose             verbose logging (-vv: more)\n"
      "-h, --help                print this help and exit\n"
      "-V, --version             print version and exit\n"
      "    --engine=event|threaded   connection engine (default: event)\n"
      "    --idle_timeout=<secs>     close idle connections (default: 0, off)\n"
      "    --busy_poll_us=<usecs>    I/O threads poll this long before sleeping;\n"
      "                              for threads with a core each (default: 0, off)\n"
      "    --io_uring=false          one system call per socket read and write instead\n"
      "                              of one io_uring call per loop iteration\n"
      "    --metrics_port=<num>      Prometheus /metrics port (default: 0, off)\n"
      "    --metrics_listen=<addr>   metrics interface (default: 127.0.0.1)\n",
      kVersionLine);
}

struct ShortOption {
  char letter;
  const char* flag;   // gflags name
  bool takes_value;
};

const ShortOption kShortOptions[] = {
    {'p', "port", true},          {'l', "listen", true},
    {'m', "memory_mb", true},     {'c', "max_connections", true},
    {'t', "threads", true},       {'I', "max_item_size", true},
    {'U', "udp_port", true},      {'b', "backlog", true},
    {'A', "enable_shutdown", false}, {'C', "disable_cas", false},
    {'F', "disable_flush_all", false}, {'Y', "auth_file", true},
};

struct LongAlias {
  const char* memcached_name;
  const char* flag;
};

const LongAlias kLongAliases[] = {
    {"memory-limit", "memory_mb"},   {"conn-limit", "max_connections"},
    {"max-item-size", "max_item_size"}, {"udp-port", "udp_port"},
    {"enable-shutdown", "enable_shutdown"}, {"listen-backlog", "backlog"},
    {"disable-cas", "disable_cas"}, {"disable-flush-all", "disable_flush_all"},
    {"auth-file", "auth_file"},
};

// Rewrites memcached-style arguments into gflags form. Returns false (after
// printing why) on an unknown short option or a missing value; sets *exit_now
// for -h / -V.
bool TranslateArgs(int argc, char** argv, std::vector<std::string>* out,
                   bool* exit_now) {
  out->push_back(argv[0]);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      PrintUsage();
      *exit_now = true;
      return true;
    }
    if (arg == "-V" || arg == "--version") {
      std::printf("%s\n", kVersionLine);
      *exit_now = true;
      return true;
    }
    if (arg == "-v" || arg == "--verbose") {
      out->push_back("--v=1");
      continue;
    }
    if (arg == "-vv" || arg == "-vvv") {
      out->push_back("--v=" + std::to_string(arg.size() - 1));
      continue;
    }
    if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-') {
      const ShortOption* opt = nullptr;
      for (const ShortOption& o : kShortOptions) {
        if (o.letter == arg[1]) opt = &o;
      }
      if (opt == nullptr) {
        std::fprintf(stderr, "%s: unknown option '%s' (see -h)\n", argv[0], arg.c_str());
        return false;
      }
      if (!opt->takes_value) {
        out->push_back(std::string("--") + opt->flag);
        continue;
      }
      std::string value;
      if (arg.size() > 2) {
        value = arg.substr(2);  // glued: -p11211
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        std::fprintf(stderr, "%s: option '%s' needs a value\n", argv[0], arg.c_str());
        return false;
      }
      out->push_back(std::string("--") + opt->flag + "=" + value);
      continue;
    }
    if (arg.rfind("--", 0) == 0) {
      for (const LongAlias& a : kLongAliases) {
        std::string name = std::string("--") + a.memcached_name;
        if (arg == name || arg.rfind(name + "=", 0) == 0) {
          arg = std::string("--") + a.flag + arg.substr(name.size());
          break;
        }
      }
    }
    out->push_back(arg);
  }
  return true;
}

// "1m", "512k", "2097152" -> bytes; false if malformed.
bool ParseSize(const std::string& text, size_t* bytes) {
  if (text.empty()) return false;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (end == text.c_str()) return false;
  std::string suffix(end);
  if (suffix == "k" || suffix == "K") {
    v <<= 10;
  } else if (suffix == "m" || suffix == "M") {
    v <<= 20;
  } else if (suffix == "g" || suffix == "G") {
    v <<= 30;
  } else if (!suffix.empty()) {
    return false;
  }
  *bytes = v;
  return true;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "memcache_server: %s\n", message.c_str());
  return EXIT_FAILURE;
}

// Validates the flags into options; returns an error message or "".
std::string BuildOptions(memcache::MemcacheServerOptions* options) {
  if (FLAGS_port < 0 || FLAGS_port > 65535) return "port must be 0..65535";
  if (FLAGS_udp_port != 0) return "UDP not supported (use -U 0)";
  if (FLAGS_memory_mb <= 0) return "memory limit (-m) must be positive";
  if (FLAGS_max_connections <= 0) return "connection limit (-c) must be positive";
  if (FLAGS_threads <= 0 || FLAGS_threads > 256) return "threads (-t) must be 1..256";
  if (FLAGS_idle_timeout < 0) return "idle_timeout must be >= 0";
  if (FLAGS_busy_poll_us < 0 || FLAGS_busy_poll_us > 1000000) {
    return "busy_poll_us must be 0..1000000";
  }
  if (FLAGS_backlog <= 0) return "listen backlog (-b) must be positive";
  if (FLAGS_metrics_port < 0 || FLAGS_metrics_port > 65535) {
    return "metrics_port must be 0..65535";
  }
  size_t item_size = 0;
  if (!ParseSize(FLAGS_max_item_size, &item_size)) {
    return "bad max item size (-I): " + FLAGS_max_item_size;
  }
  // memcached's bounds: at least 1k, at most 1g and half the memory limit.
  if (item_size < 1024) return "item size limit (-I) must be at least 1024 bytes";
  if (item_size > (size_t{1} << 30)) return "item size limit (-I) cannot exceed 1GB";
  const size_t memory = static_cast<size_t>(FLAGS_memory_mb) << 20;
  if (item_size > memory / 2) {
    return "item size limit (-I) cannot be more than half the memory limit (-m)";
  }
  sock::Engine engine;
  if (!sock::ParseEngine(FLAGS_engine, &engine)) {
    return "unknown engine '" + FLAGS_engine + "' (event | threaded)";
  }
  options->server.address = FLAGS_listen;
  options->server.port = static_cast<uint16_t>(FLAGS_port);
  options->server.engine = engine;
  options->server.io_threads = FLAGS_threads;
  options->server.max_connections = FLAGS_max_connections;
  options->server.backlog = FLAGS_backlog;
  options->server.idle_timeout = std::chrono::seconds(FLAGS_idle_timeout);
  options->server.busy_poll = std::chrono::microseconds(FLAGS_busy_poll_us);
  options->server.io_batching = FLAGS_io_uring;
  options->store.memory_limit = memory;
  options->store.max_item_size = item_size;
  options->store.use_cas = !FLAGS_disable_cas;
  options->enable_shutdown = FLAGS_enable_shutdown;
  options->flush_enabled = !FLAGS_disable_flush_all;
  if (!FLAGS_auth_file.empty()) {
    std::string error;
    options->auth = memcache::AuthFile::Load(FLAGS_auth_file, &error);
    if (options->auth == nullptr) return error;
    options->auth_file = FLAGS_auth_file;
  }
  options->verbosity = FLAGS_v;
  options->metrics_enabled = FLAGS_metrics_port > 0;
  options->metrics_address = FLAGS_metrics_listen;
  options->metrics_port = static_cast<uint16_t>(FLAGS_metrics_port);
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  FLAGS_logtostderr = true;
  // A fixed mmap threshold: values of 128 KiB and more get their own
  // mapping, returned to the kernel when the item dies. glibc's default
  // raises the threshold after such frees, so big values of random sizes
  // then fragment the heap: with -m 64 under a random-size write load that
  // took RSS from ~85 to ~140 MiB (doc/reliability.md).
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
  std::vector<std::string> args;
  bool exit_now = false;
  if (!TranslateArgs(argc, argv, &args, &exit_now)) return EXIT_FAILURE;
  if (exit_now) return EXIT_SUCCESS;
  std::vector<char*> cargs;
  for (std::string& a : args) cargs.push_back(a.data());
  int cargc = static_cast<int>(cargs.size());
  char** cargv = cargs.data();
  gflags::SetUsageMessage("memcached-compatible cache server (see -h)");
  gflags::ParseCommandLineFlags(&cargc, &cargv, true);
  if (cargc > 1) return Fail(std::string("unexpected argument '") + cargv[1] + "'");
  google::InitGoogleLogging(argv[0]);

  memcache::MemcacheServerOptions options;
  std::string error = BuildOptions(&options);
  if (!error.empty()) return Fail(error);
  const unsigned cpus = std::thread::hardware_concurrency();
  if (FLAGS_busy_poll_us > 0 && cpus > 0 && static_cast<unsigned>(FLAGS_threads) >= cpus) {
    // Polling threads that share cores take turns instead of polling.
    LOG(WARNING) << "--busy_poll_us with " << FLAGS_threads << " I/O threads on " << cpus
                 << " CPUs: polling threads will compete for cores; use -t "
                 << std::max(1u, cpus - 1)
                 << " or fewer";
  }

  // Signals: ignore SIGPIPE (writes to closed sockets report EPIPE), and
  // take the stop signals on one thread via sigwait; blocking them before
  // any thread starts keeps them away from the I/O threads. SIGINT, SIGTERM
  // and (as in memcached) SIGUSR1 stop gracefully. SIGUSR2 is our own
  // wake-up for that thread when a "shutdown" command stopped us instead.
  signal(SIGPIPE, SIG_IGN);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  sigaddset(&signals, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  memcache::MemcacheServer server(options);
  if (!server.Start(&error)) return Fail(error);

  std::atomic<bool> stopping{false};
  std::thread signal_thread([&server, &stopping, signals] {
    while (true) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGUSR2) {
        if (stopping.load()) return;
        continue;  // not ours
      }
      LOG(INFO) << "signal " << sig << " (" << strsignal(sig)
                << ") received, shutting down";
      server.RequestShutdown();
      return;
    }
  });

  server.WaitForShutdown();
  // Joined, not detached: it must not touch `server` once main destroys it.
  stopping.store(true);
  pthread_kill(signal_thread.native_handle(), SIGUSR2);
  signal_thread.join();
  server.Stop();
  return EXIT_SUCCESS;
}
