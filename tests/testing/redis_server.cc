#include "tests/testing/redis_server.h"

#include "absl/strings/str_cat.h"

namespace cmcp::testing {

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
  return absl::OkStatus();
}

std::string RedisServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

void RedisServer::Kill() { process_->Kill(); }

absl::Status RedisServer::Restart() {
  Kill();
  return Launch();
}

}  // namespace cmcp::testing
