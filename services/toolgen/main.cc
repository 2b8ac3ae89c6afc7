// toolgen: serves MCP tool definitions built from integrations/caspio/.
#include <iostream>

#include "common/process/signals.h"
#include "common/service/service_runner.h"
#include "services/toolgen/tool_catalog.h"
#include "services/toolgen/toolgen_service.h"
#include "services/toolgen/toolgen_settings.h"

int main(int argc, char** argv) {
  cmcp::BlockTerminationSignals();
  const cmcp::toolgen::ToolgenSettings settings = cmcp::toolgen::LoadToolgenSettings(argc, argv);
  cmcp::InitLogging("toolgen", settings.service.log_level);

  auto integration = cmcp::toolgen::LoadIntegration(settings.integration_dir);
  if (!integration.ok()) {
    std::cerr << "toolgen: cannot load " << settings.integration_dir << ": " << integration.status().message() << "\n";
    return 2;
  }
  auto catalog = cmcp::toolgen::ToolCatalog::Build(*std::move(integration));
  if (!catalog.ok()) {
    std::cerr << "toolgen: " << catalog.status().message() << "\n";
    return 2;
  }
  cmcp::LogInfo("catalog loaded").With("tools", static_cast<int64_t>((*catalog)->size())).With("version", (*catalog)->version());
  cmcp::toolgen::ToolgenServiceImpl service(std::shared_ptr<const cmcp::toolgen::ToolCatalog>(*std::move(catalog)));
  return cmcp::RunGrpcService("toolgen", settings.service, {&service}, nullptr);
}
