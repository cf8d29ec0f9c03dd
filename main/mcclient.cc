// mcclient: a command-line memcached client on the client library.
//
//   mcclient -s 127.0.0.1:11211 get key
//   mcclient -s host1:11211,host2:11212:3 set key value [flags [exptime]]
//   mcclient -s 127.0.0.1:11211            (interactive: one command per line)
//
// One server uses a Session; several (host:port[:weight], comma separated)
// use a Cluster with libmemcached-compatible ketama placement.
// Exit status: 0 success, 1 the server said no (miss, NOT_STORED, an error
// reply), 2 usage or connection problems.
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "client/cluster.h"
#include "client/session.h"

DEFINE_string(s, "127.0.0.1:11211",
              "server(s): host:port[:weight], comma separated");
DEFINE_int32(timeout_ms, 2000, "per-request deadline in milliseconds");
DEFINE_int32(connect_timeout_ms, 1000, "connect timeout in milliseconds");

namespace {

using client::Request;
using client::Result;
using client::Status;

constexpr int kOk = 0;
constexpr int kNo = 1;
constexpr int kTrouble = 2;

const char kHelp[] =
    "commands:\n"
    "  get|gets <key>...            gat|gats <exptime> <key>...\n"
    "  set|add|replace <key> <value> [flags [exptime]]\n"
    "  append|prepend <key> <value> cas <key> <value> <cas> [flags [exptime]]\n"
    "  delete <key>   incr|decr <key> <n>   touch <key> <exptime>\n"
    "  flush_all [delay]   version   stats [args]   verbosity <n>\n"
    "  mg <key> [flags]   ms <key> <value> [flags]   md <key> [flags]\n"
    "  ma <key> [flags]   mn   help   quit\n";

bool ParseU64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  errno = 0;
  *out = std::strtoull(s.c_str(), nullptr, 10);
  return errno == 0;
}

bool ParseI64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

std::string Join(const std::vector<std::string>& args, size_t from) {
  std::string s;
  for (size_t i = from; i < args.size(); ++i) {
    if (!s.empty()) s += ' ';
    s += args[i];
  }
  return s;
}

// Prints a failed result the way memcached would say it; returns the exit code.
int Report(const Result& r) {
  switch (r.status) {
    case Status::kOk:
      return kOk;
    case Status::kNotFound: case Status::kNotStored: case Status::kExists:
      std::cout << client::StatusName(r.status) << "\n";
      return kNo;
    case Status::kError:
      std::cerr << "ERROR\n";
      return kNo;
    case Status::kClientError: case Status::kServerError:
      std::cerr << client::StatusName(r.status) << " " << r.message << "\n";
      return kNo;
    default:
      std::cerr << "mcclient: " << r.Describe() << "\n";
      return kTrouble;
  }
}

void PrintValue(std::string_view key, const client::ItemView& item, bool with_cas) {
  std::cout << "VALUE " << key << " " << item.flags << " " << item.value.size();
  if (with_cas) std::cout << " " << item.cas;
  std::cout << "\n" << item.value << "\n";
}

int Usage(const std::string& message) {
  std::cerr << "mcclient: " << message << "\n" << kHelp;
  return kTrouble;
}

// Runs one command; returns the exit code.
int Run(client::Client* c, const std::vector<std::string>& a) {
  const std::string& cmd = a[0];
  const size_t n = a.size();
  uint64_t u = 0;
  int64_t i64 = 0;
  if (cmd == "help") {
    std::cout << kHelp;
    return kOk;
  }
  if (cmd == "get" || cmd == "gets") {
    if (n < 2) return Usage(cmd + " needs a key");
    bool gets = cmd == "gets";
    if (n == 2 && !gets) {
      Result r = c->Get(a[1]);
      if (r.ok()) std::cout << r.value << "\n";
      return Report(r);
    }
    std::vector<std::string_view> keys(a.begin() + 1, a.end());
    Result r = gets ? c->MultiGets(keys) : c->MultiGet(keys);
    if (!r.ok()) return Report(r);
    for (const client::ItemView& item : r.items) PrintValue(item.key, item, gets);
    std::cout << "END\n";
    return r.items.empty() ? kNo : kOk;
  }
  if (cmd == "gat" || cmd == "gats") {
    if (n < 3 || !ParseI64(a[1], &i64)) return Usage(cmd + " <exptime> <key>...");
    bool gats = cmd == "gats";
    if (n == 3) {
      Result r = gats ? c->Gats(i64, a[2]) : c->Gat(i64, a[2]);
      if (r.ok()) PrintValue(a[2], client::ItemView{a[2], r.value, r.flags, r.cas}, gats);
      return Report(r);
    }
    std::vector<std::string_view> keys(a.begin() + 2, a.end());
    Result r = gats ? c->MultiGats(i64, keys) : c->MultiGat(i64, keys);
    if (!r.ok()) return Report(r);
    for (const client::ItemView& item : r.items) PrintValue(item.key, item, gats);
    std::cout << "END\n";
    return r.items.empty() ? kNo : kOk;
  }
  if (cmd == "set" || cmd == "add" || cmd == "replace" || cmd == "cas") {
    bool cas = cmd == "cas";
    size_t base = cas ? 4 : 3;
    if (n < base || n > base + 2) return Usage("bad arguments to " + cmd);
    uint64_t cas_unique = 0, flags = 0;
    int64_t exptime = 0;
    if (cas && !ParseU64(a[3], &cas_unique)) return Usage("bad cas value");
    if (n > base && (!ParseU64(a[base], &flags) || flags > UINT32_MAX)) {
      return Usage("bad flags");
    }
    if (n > base + 1 && !ParseI64(a[base + 1], &exptime)) return Usage("bad exptime");
    auto f = static_cast<uint32_t>(flags);
    Result r = cmd == "set"     ? c->Set(a[1], a[2], f, exptime)
               : cmd == "add"   ? c->Add(a[1], a[2], f, exptime)
               : cmd == "replace" ? c->Replace(a[1], a[2], f, exptime)
                                  : c->Cas(a[1], a[2], cas_unique, f, exptime);
    if (r.ok()) std::cout << "STORED\n";
    return Report(r);
  }
  if (cmd == "append" || cmd == "prepend") {
    if (n != 3) return Usage(cmd + " <key> <value>");
    Result r = cmd == "append" ? c->Append(a[1], a[2]) : c->Prepend(a[1], a[2]);
    if (r.ok()) std::cout << "STORED\n";
    return Report(r);
  }
  if (cmd == "delete") {
    if (n != 2) return Usage("delete <key>");
    Result r = c->Delete(a[1]);
    if (r.ok()) std::cout << "DELETED\n";
    return Report(r);
  }
  if (cmd == "incr" || cmd == "decr") {
    if (n != 3 || !ParseU64(a[2], &u)) return Usage(cmd + " <key> <number>");
    Result r = cmd == "incr" ? c->Incr(a[1], u) : c->Decr(a[1], u);
    if (r.ok()) std::cout << r.number << "\n";
    return Report(r);
  }
  if (cmd == "touch") {
    if (n != 3 || !ParseI64(a[2], &i64)) return Usage("touch <key> <exptime>");
    Result r = c->Touch(a[1], i64);
    if (r.ok()) std::cout << "TOUCHED\n";
    return Report(r);
  }
  if (cmd == "flush_all") {
    if (n > 2 || (n == 2 && !ParseI64(a[1], &i64))) return Usage("flush_all [delay]");
    Result r = c->Call(n == 2 ? Request::FlushAll(i64) : Request::FlushAll());
    if (r.ok()) std::cout << "OK\n";
    return Report(r);
  }
  if (cmd == "version") {
    Result r = c->Version();
    if (r.ok()) std::cout << r.message << "\n";
    return Report(r);
  }
  if (cmd == "stats") {
    std::string sub = Join(a, 1);
    Result r = c->Stats(sub);
    if (r.ok()) {
      for (const auto& kv : r.stats) {
        if (kv.second.empty()) {
          std::cout << kv.first << "\n";
        } else {
          std::cout << "STAT " << kv.first << " " << kv.second << "\n";
        }
      }
    }
    return Report(r);
  }
  if (cmd == "verbosity") {
    if (n != 2 || !ParseU64(a[1], &u)) return Usage("verbosity <level>");
    Result r = c->Call(Request::Verbosity(u));
    if (r.ok()) std::cout << "OK\n";
    return Report(r);
  }
  if (cmd == "mg" || cmd == "md" || cmd == "ma") {
    if (n < 2) return Usage(cmd + " <key> [flags]");
    std::string flags = Join(a, 2);
    Result r = cmd == "mg"   ? c->MetaGet(a[1], flags)
               : cmd == "md" ? c->MetaDelete(a[1], flags)
                             : c->MetaArithmetic(a[1], flags);
    if (r.ok()) {
      bool value = (cmd == "mg" || cmd == "ma") &&
                   (flags == "v" || flags.rfind("v ", 0) == 0 ||
                    flags.find(" v") != std::string::npos);
      if (value) {
        std::cout << "VA " << r.value.size() << (r.meta_flags.empty() ? "" : " ")
                  << r.meta_flags << "\n" << r.value << "\n";
      } else {
        std::cout << "HD" << (r.meta_flags.empty() ? "" : " ") << r.meta_flags << "\n";
      }
    } else if (r.status == Status::kNotFound) {
      std::cout << (cmd == "mg" ? "EN" : "NF") << "\n";
      return kNo;
    }
    return Report(r);
  }
  if (cmd == "ms") {
    if (n < 3) return Usage("ms <key> <value> [flags]");
    Result r = c->MetaSet(a[1], a[2], Join(a, 3));
    if (r.ok()) std::cout << "HD" << (r.meta_flags.empty() ? "" : " ") << r.meta_flags << "\n";
    return Report(r);
  }
  if (cmd == "mn") {
    Result r = c->MetaNoop();
    if (r.ok()) std::cout << "MN\n";
    return Report(r);
  }
  return Usage("unknown command '" + cmd + "'");
}

std::vector<std::string> Split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

int Interactive(client::Client* c) {
  const bool tty = isatty(STDIN_FILENO) != 0;
  std::string line;
  int last = kOk;
  while (true) {
    if (tty) {
      std::cout << "mc> " << std::flush;
    }
    if (!std::getline(std::cin, line)) break;
    std::vector<std::string> words = Split(line);
    if (words.empty()) continue;
    if (words[0] == "quit" || words[0] == "exit") break;
    last = Run(c, words);
    std::cout << std::flush;
  }
  if (tty) std::cout << "\n";
  return last == kTrouble ? kTrouble : kOk;
}

}  // namespace

int main(int argc, char** argv) {
  // gflags' --help lists every flag of glog too; ours is short.
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      std::cout << "usage: mcclient [-s host:port[:weight][,...]] [--timeout_ms N]\n"
                   "                [--connect_timeout_ms N] [command args...]\n"
                   "With no command, reads commands from stdin, one per line.\n\n"
                << kHelp;
      return kOk;
    }
    if (arg.empty() || arg[0] != '-') break;  // the command starts here
  }
  gflags::SetUsageMessage("mcclient [-s host:port[,host:port...]] [command args...]");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  FLAGS_minloglevel = 2;  // the tool reports errors itself
  google::InitGoogleLogging(argv[0]);

  std::vector<client::ServerAddress> servers;
  std::string error;
  if (!client::ParseServerList(FLAGS_s, &servers, &error)) {
    std::cerr << "mcclient: " << error << "\n";
    return kTrouble;
  }
  client::SessionOptions so;
  so.request_timeout = std::chrono::milliseconds(FLAGS_timeout_ms);
  so.connect_timeout = std::chrono::milliseconds(FLAGS_connect_timeout_ms);

  std::unique_ptr<client::Client> c;
  if (servers.size() == 1) {
    so.server = servers[0];
    auto session = std::make_unique<client::Session>(so);
    if (!session->connected()) {
      std::cerr << "mcclient: " << session->last_error() << "\n";
      return kTrouble;
    }
    c = std::move(session);
  } else {
    client::ClusterOptions co;
    co.servers = servers;
    co.session = so;
    auto cluster = std::make_unique<client::Cluster>(co);
    size_t up = 0;
    for (size_t i = 0; i < cluster->server_count(); ++i) {
      if (cluster->session(i).connected()) {
        ++up;
      } else {
        std::cerr << "mcclient: " << cluster->session(i).last_error() << "\n";
      }
    }
    if (up == 0) return kTrouble;
    c = std::move(cluster);
  }

  if (argc <= 1) return Interactive(c.get());
  std::vector<std::string> words(argv + 1, argv + argc);
  return Run(c.get(), words);
}
