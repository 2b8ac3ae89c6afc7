// File: redis_server.h
// A real redis-server for integration tests: a fresh instance on a free port
// with its data directory in a temp dir (AOF on, so restart tests can check
// persistence), stopped with the object.
//
//   auto redis = RedisServer::Start();
//   ASSERT_THAT(redis, IsOk());
//   settings.redis_address = (*redis)->address();   // "127.0.0.1:<port>"
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/testing/child_process.h"

namespace cmcp::testing {

class RedisServer {
 public:
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start();

  std::string address() const;
  int port() const { return port_; }
  // kill -9 and start again on the same port and data dir.
  absl::Status Restart();
  // The two halves of Restart(), for tests that keep Redis down a while.
  void Kill();
  absl::Status StartAgain() { return Launch(); }

 private:
  absl::Status Launch();
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace cmcp::testing
