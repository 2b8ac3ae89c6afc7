#include "services/toolgen/catalog_holder.h"

#include "common/status/status_macros.h"

namespace cmcp::toolgen {

absl::StatusOr<std::unique_ptr<ToolCatalog>> LoadCatalog(const std::string& dir) {
  CMCP_ASSIGN_OR_RETURN(Integration integration, LoadIntegration(dir));
  return ToolCatalog::Build(std::move(integration));
}

absl::Status CatalogHolder::Reload(const std::string& dir) {
  absl::MutexLock reload(&reload_mu_);
  absl::StatusOr<std::unique_ptr<ToolCatalog>> built = LoadCatalog(dir);
  absl::MutexLock lock(&mu_);
  if (!built.ok()) {
    last_reload_error_ = std::string(built.status().message());
    return built.status();
  }
  current_ = std::shared_ptr<const ToolCatalog>(*std::move(built));
  last_reload_error_.clear();
  return absl::OkStatus();
}

}  // namespace cmcp::toolgen
