// edge: the only public listener (MCP endpoints and the admin API).
#include <iostream>

#include "common/logging/logger.h"
#include "common/process/runtime.h"
#include "common/process/signals.h"
#include "services/edge/edge_server.h"
#include "services/edge/edge_settings.h"

int main(int argc, char** argv) {
  cmcp::ApplyReleaseRuntimeDefaults();
  cmcp::BlockTerminationSignals();
  cmcp::edge::EdgeSettings settings = cmcp::edge::LoadEdgeSettings(argc, argv);
  cmcp::InitLogging("edge", settings.log_level);
  cmcp::edge::EdgeServer server(std::move(settings));
  if (absl::Status status = server.Start(); !status.ok()) {
    std::cerr << "edge: " << status.message() << "\n";
    return 1;
  }
  cmcp::LogInfo("edge started").With("port", server.port());
  const int sig = cmcp::WaitForTerminationSignal();
  cmcp::LogInfo("shutting down").With("signal", sig);
  server.Drain();
  return 0;
}
