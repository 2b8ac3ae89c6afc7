// File: edge_server.h
// The edge process minus main: one HTTP listener routing /healthz, /readyz,
// /metrics, the admin API and /mcp/{token} to their handlers, with gRPC
// channels to token, toolgen and proxy.
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
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cmcp::edge
