// caspio-sandbox: a local emulator of Caspio's REST API v3 (README.md).
#include <cstdio>

#include "common/config/settings_reader.h"
#include "common/logging/logger.h"
#include "common/process/runtime.h"
#include "common/process/signals.h"
#include "sandbox/caspio/server/sandbox_server.h"

int main(int argc, char** argv) {
  cmcp::ApplyReleaseRuntimeDefaults();
  cmcp::BlockTerminationSignals();
  cmcp::SettingsReader reader = cmcp::SettingsReader::FromMain(argc, argv, "SANDBOX_");
  const cmcp::sandbox::SandboxSettings settings = cmcp::sandbox::ReadSandboxSettings(reader);
  cmcp::ExitIfInvalid("caspio-sandbox", reader.Finish());
  cmcp::InitLogging("caspio-sandbox", settings.log_level);

  auto server = cmcp::sandbox::SandboxServer::Start(settings);
  if (!server.ok()) {
    cmcp::LogError("cannot start").With("status", server.status());
    return 1;
  }
  std::printf("caspio-sandbox listening on port %d\n", (*server)->port());
  std::fflush(stdout);
  cmcp::WaitForTerminationSignal();
  cmcp::LogInfo("stopping");
  (*server)->Stop();
  return 0;
}
