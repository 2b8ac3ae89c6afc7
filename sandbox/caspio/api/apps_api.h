// File: apps_api.h
// Bridge applications and their DataPages: list and get, the deployment code
// for a method (iFrame, URL, Embedded, .NET or their letters), and deploying
// or undeploying one DataPage or all DataPages of an application.
#pragma once

#include "sandbox/caspio/api/api_common.h"
#include "sandbox/caspio/store/sandbox_store.h"

namespace cmcp::sandbox {

class AppsApi {
 public:
  explicit AppsApi(SandboxStore* store) : store_(store) {}
  void Register(ApiRoutes& routes);

 private:
  absl::StatusOr<nlohmann::json> App(const ApiRequest& r);
  absl::StatusOr<std::vector<nlohmann::json>> DataPages(const nlohmann::json& app);
  absl::StatusOr<nlohmann::json> DataPage(const ApiRequest& r, const nlohmann::json& app);
  absl::StatusOr<bool> DeployedFlag(const ApiRequest& r);

  absl::StatusOr<HttpResponse> ListApps(const ApiRequest& r);
  absl::StatusOr<HttpResponse> GetApp(const ApiRequest& r);
  absl::StatusOr<HttpResponse> ListDataPages(const ApiRequest& r);
  absl::StatusOr<HttpResponse> GetDataPage(const ApiRequest& r);
  absl::StatusOr<HttpResponse> GetDeploymentCode(const ApiRequest& r);
  absl::StatusOr<HttpResponse> SetDeployment(const ApiRequest& r);
  absl::StatusOr<HttpResponse> SetAllDeployments(const ApiRequest& r);

  SandboxStore* store_;
};

}  // namespace cmcp::sandbox
