// File: sandbox_server.h
// Builds and runs the whole emulator from its settings: clock, store (seeded),
// token service, optional fault injector, the REST handlers, and the HTTP
// server whose responses may be delayed by injected latency. main() only
// reads settings, calls Start and waits for a signal.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "common/http/http_server.h"
#include "sandbox/caspio/server/delay_queue.h"
#include "sandbox/caspio/server/sandbox_app.h"
#include "sandbox/caspio/server/sandbox_settings.h"
#include "sandbox/caspio/util/clock.h"

namespace cmcp::sandbox {

class SandboxServer {
 public:
  static absl::StatusOr<std::unique_ptr<SandboxServer>> Start(const SandboxSettings& settings);
  ~SandboxServer();

  int port() const { return http_->port(); }
  void Stop();

 private:
  SandboxServer() = default;

  RealClock clock_;
  std::unique_ptr<SandboxStore> store_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<FaultInjector> faults_;
  std::unique_ptr<SandboxApp> app_;
  std::unique_ptr<DelayQueue> delays_;
  std::unique_ptr<HttpServer> http_;
};

// Every Caspio v3 route of the sandbox, bound to `store`.
ApiRoutes BuildApiRoutes(SandboxStore* store, const SandboxSettings& settings);

}  // namespace cmcp::sandbox
