// toolgen: serves MCP tool definitions built from integrations/caspio/;
// SIGHUP reloads them (an invalid file is refused, the last good set stays).
#include <iostream>

#include "common/process/runtime.h"
#include "common/process/signals.h"
#include "common/service/service_runner.h"
#include "services/toolgen/catalog_holder.h"
#include "services/toolgen/reload_signal.h"
#include "services/toolgen/toolgen_service.h"
#include "services/toolgen/toolgen_settings.h"

int main(int argc, char** argv) {
  cmcp::ApplyReleaseRuntimeDefaults();
  cmcp::BlockTerminationSignals();
  cmcp::toolgen::BlockReloadSignal();
  const cmcp::toolgen::ToolgenSettings settings = cmcp::toolgen::LoadToolgenSettings(argc, argv);
  cmcp::InitLogging("toolgen", settings.service.log_level);

  auto catalog = cmcp::toolgen::LoadCatalog(settings.integration_dir);
  if (!catalog.ok()) {
    std::cerr << "toolgen: cannot load " << settings.integration_dir << ": " << catalog.status().message() << "\n";
    return 2;
  }
  cmcp::LogInfo("catalog loaded").With("tools", static_cast<int64_t>((*catalog)->size())).With("version", (*catalog)->version());
  cmcp::toolgen::CatalogHolder catalogs(std::shared_ptr<const cmcp::toolgen::ToolCatalog>(*std::move(catalog)));
  cmcp::toolgen::ReloadSignalWatcher reloader([&] {
    if (absl::Status s = catalogs.Reload(settings.integration_dir); !s.ok()) {
      cmcp::LogError("reload refused; the previous catalog stays in service").With("error", s.message());
      return;
    }
    const auto current = catalogs.Current();
    cmcp::LogInfo("catalog reloaded").With("tools", static_cast<int64_t>(current->size())).With("version", current->version());
  });
  cmcp::toolgen::ToolgenServiceImpl service(&catalogs);
  const int code = cmcp::RunGrpcService("toolgen", settings.service, {&service}, nullptr);
  reloader.Stop();
  return code;
}
