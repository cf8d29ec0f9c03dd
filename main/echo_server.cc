// echo_server: the smallest complete server built on sock/ and codec/.
// Every line received ("\r\n" or "\n" terminated) is sent back with "\r\n".
// A template for new servers: see doc/echo_server.md.
//
//   build/bin/echo_server --port 11212 --engine event --threads 4
//   printf 'hello\r\nworld\n' | nc -q1 127.0.0.1 11212
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <signal.h>
#include <string.h>

#include <memory>
#include <string>

#include "codec/line_codec.h"
#include "sock/codec_handler.h"
#include "sock/server.h"

DEFINE_string(listen, "127.0.0.1", "address to listen on");
DEFINE_int32(port, 11212, "TCP port (0: any free port)");
DEFINE_string(engine, "event", "connection engine: event | threaded");
DEFINE_int32(threads, 4, "I/O threads (event engine)");
DEFINE_int32(max_connections, 1024, "connections beyond this are refused");
DEFINE_int32(idle_timeout_ms, 0, "close connections idle this long (0: never)");
DEFINE_bool(io_uring, true,
            "event engine: batch each loop iteration's socket reads and writes into one "
            "io_uring system call each");
DEFINE_int32(busy_poll_us, 0,
             "I/O threads poll this many microseconds before sleeping (0: off)");
DEFINE_int32(max_line, 8192, "longest accepted line, in bytes");

namespace {

// One per connection; may keep per-connection state in members.
class EchoHandler {
 public:
  sock::HandleResult OnMessage(sock::Connection* /*conn*/,
                               codec::LineMessage& message, sock::Buffer* out) {
    out->Append(message.line);
    out->Append("\r\n");
    return sock::HandleResult::kContinue;
  }

  sock::HandleResult OnDecodeError(sock::Connection* /*conn*/,
                                   codec::LineMessage& message,
                                   sock::Buffer* out) {
    out->Append("CLIENT_ERROR ");
    out->Append(message.error);
    out->Append("\r\n");
    return sock::HandleResult::kClose;  // flush the error, then close
  }
};

using EchoConnection =
    sock::CodecHandler<codec::LineMessage, codec::LineCodec, EchoHandler>;

}  // namespace

int main(int argc, char** argv) {
  FLAGS_logtostderr = true;
  gflags::SetUsageMessage("line echo server");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);

  sock::ServerOptions options;
  options.address = FLAGS_listen;
  options.port = static_cast<uint16_t>(FLAGS_port);
  if (!sock::ParseEngine(FLAGS_engine, &options.engine)) {
    LOG(ERROR) << "--engine must be event or threaded, not " << FLAGS_engine;
    return 2;
  }
  options.io_threads = FLAGS_threads;
  options.max_connections = FLAGS_max_connections;
  options.idle_timeout = std::chrono::milliseconds(FLAGS_idle_timeout_ms);
  options.busy_poll = std::chrono::microseconds(FLAGS_busy_poll_us);
  options.io_batching = FLAGS_io_uring;
  const size_t max_line = static_cast<size_t>(FLAGS_max_line);

  // Block the stop signals before any thread starts (threads inherit the
  // mask), so only the sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  sock::Server server(options, [max_line] {
    return std::make_unique<EchoConnection>(codec::LineCodec(max_line),
                                            EchoHandler());
  });
  std::string error;
  if (!server.Start(&error)) {
    LOG(ERROR) << error;
    return 1;
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LOG(INFO) << "got " << strsignal(signal_number) << ", stopping";
  server.Stop();
  return 0;
}
