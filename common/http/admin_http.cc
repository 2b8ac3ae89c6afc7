#include "common/http/admin_http.h"

#include "absl/strings/str_cat.h"
#include "common/logging/logger.h"
#include "common/metrics/metrics.h"

namespace cmcp {

std::optional<HttpResponse> HandleAdminRequest(const HttpRequest& request, const ReadinessCheck& ready) {
  if (request.method != "GET") return std::nullopt;
  if (request.path == "/metrics") {
    HttpResponse r;
    r.headers.Add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    r.body = MetricsRegistry::Default().Render();
    return r;
  }
  if (request.path == "/healthz") return HttpResponse::Json(200, "{\"status\":\"ok\"}");
  if (request.path == "/readyz") {
    const absl::Status status = ready ? ready() : absl::OkStatus();
    if (status.ok()) return HttpResponse::Json(200, "{\"status\":\"ready\"}");
    return HttpResponse::Json(
        503, absl::StrCat("{\"status\":\"not_ready\",\"reason\":", JsonQuote(status.message()), "}"));
  }
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<HttpServer>> StartAdminHttp(HttpServerSettings settings, ReadinessCheck ready) {
  settings.threads = 1;
  auto server = std::make_unique<HttpServer>(
      std::move(settings), [ready = std::move(ready)](HttpRequest request, std::shared_ptr<HttpResponder> r) {
        std::optional<HttpResponse> response = HandleAdminRequest(request, ready);
        r->Respond(response.has_value()
                       ? *std::move(response)
                       : HttpResponse::Json(404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no such path\"}}"));
      });
  absl::Status status = server->Start();
  if (!status.ok()) return status;
  return server;
}

}  // namespace cmcp
