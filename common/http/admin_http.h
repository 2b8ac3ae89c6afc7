// File: admin_http.h
// The small HTTP listener every internal service runs beside its gRPC port:
// GET /metrics (Prometheus text from MetricsRegistry::Default()), GET /healthz
// (process alive) and GET /readyz (the service's own readiness check). Edge
// serves the same routes on its public port instead.
//
//   auto admin = StartAdminHttp(settings.admin_http, [&] { return store.Ping(); });
#pragma once

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/http/http_server.h"

namespace cmcp {

using ReadinessCheck = std::function<absl::Status()>;

// Answers /metrics, /healthz and /readyz; nullopt for any other path, so a
// server with more routes (edge) can fall through to its own.
std::optional<HttpResponse> HandleAdminRequest(const HttpRequest& request, const ReadinessCheck& ready);

// A server answering only the admin routes (404 otherwise).
absl::StatusOr<std::unique_ptr<HttpServer>> StartAdminHttp(HttpServerSettings settings, ReadinessCheck ready);

}  // namespace cmcp
