// File: edge_server.h
// The edge process minus main: the public HTTP listener routing /healthz,
// /readyz, /metrics, the admin API, the console and every MCP transport,
// with gRPC channels to token (and its coordination service), toolgen and
// proxy, and an optional separate admin listener.
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "services/edge/edge_settings.h"

namespace cmcp::edge {

class EdgeServer {
 public:
  explicit EdgeServer(EdgeSettings settings);
  ~EdgeServer();
  absl::Status Start();
  int port() const;
  // Graceful stop: not ready, streams ended, requests in flight answered
  // (up to drain_timeout), then stopped.
  void Drain();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cmcp::edge
