#include "tests/testing/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"

namespace cmcp::testing {
namespace {

// True once Redis answers PING with PONG. It opens its port before it has
// loaded its AOF and answers "-LOADING ..." until then, so a restarted server
// that only accepts connections may still refuse every command.
bool AnswersPing(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  timeval timeout{.tv_sec = 1, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool pong = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const char ping[] = "PING\r\n";
    char reply[64] = {};
    if (send(fd, ping, sizeof(ping) - 1, 0) == static_cast<ssize_t>(sizeof(ping) - 1)) {
      const ssize_t n = recv(fd, reply, sizeof(reply) - 1, 0);
      pong = n > 0 && absl::StartsWith(reply, "+PONG");
    }
  }
  close(fd);
  return pong;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start() {
  std::unique_ptr<RedisServer> server(new RedisServer());
  // A port picked here could be taken before redis binds it; retry a few times.
  absl::Status status;
  for (int attempt = 0; attempt < 5; ++attempt) {
    server->port_ = PickFreePort();
    status = server->Launch();
    if (status.ok()) return server;
  }
  return status;
}

absl::Status RedisServer::Launch() {
  auto process = ChildProcess::Start(
      {"/usr/bin/redis-server", "--port", absl::StrCat(port_), "--bind", "127.0.0.1", "--dir",
       dir_.path(), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
       "--daemonize", "no", "--protected-mode", "yes"},
      {.wait_for_tcp_port = port_, .startup_timeout = absl::Seconds(10),
       .log_file = dir_.File("redis.log")});
  if (!process.ok()) return process.status();
  process_ = *std::move(process);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!AnswersPing(port_)) {
    if (absl::Now() >= deadline) return absl::DeadlineExceededError("redis-server did not answer PING within 10 s");
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::OkStatus();
}

std::string RedisServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

void RedisServer::Kill() { process_->Kill(); }

absl::Status RedisServer::Restart() {
  Kill();
  return Launch();
}

}  // namespace cmcp::testing
