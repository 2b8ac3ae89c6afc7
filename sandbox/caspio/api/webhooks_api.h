// File: webhooks_api.h
// Outgoing webhooks and their events. Unlike the rest of v3 these answer
// with bare objects and arrays (no "Result" envelope), as Caspio's spec says.
// The webhook's Secret appears only in the POST answer. The sandbox stores
// webhooks but never calls the URLs.
#pragma once

#include "sandbox/caspio/api/api_common.h"
#include "sandbox/caspio/store/sandbox_store.h"

namespace cmcp::sandbox {

class WebhooksApi {
 public:
  explicit WebhooksApi(SandboxStore* store) : store_(store) {}
  void Register(ApiRoutes& routes);

  // The highest CallThrottling the emulated plan allows (also the default).
  static constexpr int kPlanMaxCallThrottling = 25;

 private:
  absl::StatusOr<nlohmann::json> Webhook(const ApiRequest& r);
  absl::StatusOr<std::vector<nlohmann::json>> Events(const nlohmann::json& webhook);
  absl::StatusOr<nlohmann::json> Event(const ApiRequest& r, const nlohmann::json& webhook);
  absl::Status ApplyWebhook(const nlohmann::json& body, bool creating, const std::string& self_id,
                            nlohmann::json* webhook);
  absl::Status ApplyEvent(const nlohmann::json& body, const nlohmann::json& webhook, const std::string& self_id,
                          nlohmann::json* event);

  absl::StatusOr<HttpResponse> List(const ApiRequest& r);
  absl::StatusOr<HttpResponse> Create(const ApiRequest& r);
  absl::StatusOr<HttpResponse> Get(const ApiRequest& r);
  absl::StatusOr<HttpResponse> Update(const ApiRequest& r);
  absl::StatusOr<HttpResponse> Delete(const ApiRequest& r);
  absl::StatusOr<HttpResponse> ListEvents(const ApiRequest& r);
  absl::StatusOr<HttpResponse> CreateEvent(const ApiRequest& r);
  absl::StatusOr<HttpResponse> GetEvent(const ApiRequest& r);
  absl::StatusOr<HttpResponse> UpdateEvent(const ApiRequest& r);
  absl::StatusOr<HttpResponse> DeleteEvent(const ApiRequest& r);

  SandboxStore* store_;
};

}  // namespace cmcp::sandbox
