// File: sandbox_app.h
// The emulator's request pipeline, independent of sockets so unit tests can
// call it directly: URI length check (414), /oauth/token, the /__sandbox/
// control API (only with faults enabled), bearer auth (401), injected faults,
// routing of the 70 Caspio v3 operations under /integrations/rest, Caspio's
// error body {Code, Message, Resource, RequestId}, and X-Caspio-Request-ID on
// every response. With the control API on, it also keeps a request log (counts
// and the latest requests) so client tests can prove what reached "Caspio".
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/http/http_types.h"
#include "common/http/router.h"
#include "sandbox/caspio/api/api_common.h"
#include "sandbox/caspio/auth/token_service.h"
#include "sandbox/caspio/faults/fault_injector.h"
#include "sandbox/caspio/store/sandbox_store.h"

namespace cmcp::sandbox {

class SandboxApp {
 public:
  // `faults` may be null: the /__sandbox/ API then answers 404.
  SandboxApp(SandboxStore* store, TokenService* tokens, FaultInjector* faults, ApiRoutes routes);

  struct Outcome {
    HttpResponse response;
    // Injected latency to wait before sending.
    absl::Duration delay = absl::ZeroDuration();
  };
  Outcome Handle(HttpRequest request);

  const std::vector<ApiRoute>& routes() const { return routes_.routes(); }

 private:
  HttpResponse HandleApi(HttpRequest& request, const std::string& request_id, Headers* extra, absl::Duration* delay);
  HttpResponse HandleControl(const HttpRequest& request, const std::string& request_id);
  // Request log (control API only): every /oauth/token and /integrations/rest
  // call, however it was answered.
  void Record(const HttpRequest& request, bool token_call, int status);
  HttpResponse DescribeRequests();

  struct LoggedRequest {
    std::string method;
    std::string target;  // path and query; /oauth/token without its query
    int status = 0;
    // The W3C traceparent header the client sent ("" when none), so tests
    // can follow a trace into "Caspio".
    std::string traceparent;
  };
  static constexpr size_t kMaxLoggedRequests = 500;

  SandboxStore* store_;
  TokenService* tokens_;
  FaultInjector* faults_;
  ApiRoutes routes_;
  Router router_;
  absl::Mutex log_mu_;
  int64_t api_calls_ ABSL_GUARDED_BY(log_mu_) = 0;
  int64_t token_calls_ ABSL_GUARDED_BY(log_mu_) = 0;
  std::deque<LoggedRequest> log_ ABSL_GUARDED_BY(log_mu_);
};

// Caspio's error body for `status`.
HttpResponse ErrorResponse(const absl::Status& status, const HttpRequest& request, const std::string& request_id);

}  // namespace cmcp::sandbox
