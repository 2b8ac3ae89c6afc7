#include "sandbox/caspio/server/sandbox_app.h"

#include <exception>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/logging/logger.h"
#include "sandbox/caspio/util/caspio_status.h"
#include "sandbox/caspio/util/request_id.h"

namespace cmcp::sandbox {
namespace {

constexpr absl::string_view kApiPrefix = "/integrations/rest";
constexpr size_t kMaxUriLength = 2047;

// Router::Find hands back the matched handler; calling it records which
// route matched, so the sandbox can run its own (synchronous) handler.
thread_local const ApiRoute* t_matched = nullptr;

}  // namespace

HttpResponse ErrorResponse(const absl::Status& status, const HttpRequest& request, const std::string& request_id) {
  const CaspioErrorInfo info = ErrorInfoOf(status);
  ojson body;
  body["Code"] = info.code;
  body["Message"] = std::string(status.message());
  const std::string host(request.headers.Get("Host").value_or("localhost"));
  body["Resource"] = absl::StrCat("http://", host, request.target);
  body["RequestId"] = request_id;
  HttpResponse response = JsonResponse(info.http_status, body);
  if (info.http_status == 401) {
    response.headers.Add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  }
  return response;
}

SandboxApp::SandboxApp(SandboxStore* store, TokenService* tokens, FaultInjector* faults, ApiRoutes routes)
    : store_(store), tokens_(tokens), faults_(faults), routes_(std::move(routes)) {
  for (const ApiRoute& route : routes_.routes()) {
    const ApiRoute* target = &route;
    router_.Add(route.method, absl::StrCat(kApiPrefix, route.pattern),
                [target](HttpRequest, const PathParams&, std::shared_ptr<HttpResponder>) { t_matched = target; });
  }
}

SandboxApp::Outcome SandboxApp::Handle(HttpRequest request) {
  Outcome outcome;
  const std::string request_id = NewRequestId();
  Headers extra;
  if (request.target.size() > kMaxUriLength) {
    outcome.response = ErrorResponse(
        CaspioError(414, "RequestUriTooLong",
                    absl::StrCat("The request URI is ", request.target.size(),
                                 " characters long; the maximum is 2047.")),
        request, request_id);
  } else if (request.path == "/oauth/token") {
    if (request.method != "POST") {
      outcome.response = ErrorResponse(CaspioError(405, "MethodNotAllowed", "Use POST for /oauth/token."), request,
                                       request_id);
      outcome.response.headers.Add("Allow", "POST");
    } else {
      outcome.response = tokens_->HandleTokenRequest(request);
    }
    Record(request, /*token_call=*/true, outcome.response.status);
  } else if (request.path == "/healthz") {
    outcome.response = HttpResponse::Text(200, "ok\n");
  } else if (absl::StartsWith(request.path, "/__sandbox/")) {
    outcome.response = HandleControl(request, request_id);
  } else if (absl::StartsWith(request.path, absl::StrCat(kApiPrefix, "/"))) {
    outcome.response = HandleApi(request, request_id, &extra, &outcome.delay);
    Record(request, /*token_call=*/false, outcome.response.status);
  } else {
    outcome.response = ErrorResponse(ObjectNotFound("The requested resource does not exist."), request, request_id);
  }
  for (const auto& h : extra) outcome.response.headers.Add(h.name, h.value);
  outcome.response.headers.Set("X-Caspio-Request-ID", request_id);
  return outcome;
}

HttpResponse SandboxApp::HandleApi(HttpRequest& request, const std::string& request_id, Headers* extra,
                                   absl::Duration* delay) {
  if (absl::Status auth = tokens_->CheckBearer(request.headers); !auth.ok()) {
    return ErrorResponse(auth, request, request_id);
  }
  if (faults_ != nullptr) {
    FaultInjector::Decision decision = faults_->Decide();
    *delay = decision.delay;
    *extra = std::move(decision.headers);
    if (decision.fail_status.has_value()) {
      const int status = *decision.fail_status;
      return ErrorResponse(
          CaspioError(status, status == 429 ? "TooManyRequests" : "InternalError", decision.fail_message), request,
          request_id);
    }
  }
  RouteMatch match = router_.Find(request.method, request.path);
  switch (match.outcome) {
    case RouteMatch::kNotFound:
      return ErrorResponse(ObjectNotFound("The requested resource does not exist."), request, request_id);
    case RouteMatch::kBadPath:
      return ErrorResponse(IncorrectQueryParameter("The request path is not correctly percent-encoded."), request,
                           request_id);
    case RouteMatch::kMethodNotAllowed: {
      HttpResponse r = ErrorResponse(
          CaspioError(405, "MethodNotAllowed", absl::StrCat("The method ", request.method, " is not allowed here.")),
          request, request_id);
      r.headers.Add("Allow", match.allowed);
      return r;
    }
    case RouteMatch::kFound:
      break;
  }
  t_matched = nullptr;
  (*match.handler)(HttpRequest(), match.params, nullptr);
  const ApiRoute* route = t_matched;
  if (route == nullptr) return ErrorResponse(absl::InternalError("route lost"), request, request_id);
  auto query = QueryParams::Parse(request.query);
  if (!query.ok()) return ErrorResponse(query.status(), request, request_id);
  ApiRequest api{&request, &match.params, *std::move(query)};
  absl::StatusOr<HttpResponse> result = absl::InternalError("handler did not run");
  try {
    absl::MutexLock lock(&store_->mu());
    result = route->handler(api);
  } catch (const nlohmann::json::exception& e) {
    result = IncorrectBodyParameter(absl::StrCat("The request body has an unexpected shape: ", e.what()));
  } catch (const std::exception& e) {
    LogError("handler failed").With("operation", route->operation_id).With("error", e.what());
    result = absl::InternalError("Internal error.");
  }
  if (!result.ok()) {
    const CaspioErrorInfo info = ErrorInfoOf(result.status());
    if (info.http_status >= 500) {
      LogError("request failed").With("operation", route->operation_id).With("status", result.status());
    }
    return ErrorResponse(result.status(), request, request_id);
  }
  return *std::move(result);
}

void SandboxApp::Record(const HttpRequest& request, bool token_call, int status) {
  if (faults_ == nullptr) return;  // the log is part of the control API
  LoggedRequest entry{request.method, token_call ? request.path : request.target, status,
                      std::string(request.headers.Get("traceparent").value_or(""))};
  absl::MutexLock lock(&log_mu_);
  ++(token_call ? token_calls_ : api_calls_);
  log_.push_back(std::move(entry));
  if (log_.size() > kMaxLoggedRequests) log_.pop_front();
}

HttpResponse SandboxApp::DescribeRequests() {
  ojson body;
  absl::MutexLock lock(&log_mu_);
  body["api_calls"] = api_calls_;
  body["token_calls"] = token_calls_;
  ojson requests = ojson::array();
  for (const LoggedRequest& r : log_) {
    requests.push_back({{"method", r.method}, {"target", r.target}, {"status", r.status}, {"traceparent", r.traceparent}});
  }
  body["requests"] = std::move(requests);
  return JsonResponse(200, body);
}

HttpResponse SandboxApp::HandleControl(const HttpRequest& request, const std::string& request_id) {
  if (faults_ == nullptr) {
    return ErrorResponse(ObjectNotFound("The /__sandbox/ control API is disabled; start with --enable-faults."),
                         request, request_id);
  }
  const std::string& path = request.path;
  if (path == "/__sandbox/faults") {
    if (request.method == "GET") return JsonResponse(200, faults_->Describe());
    if (request.method == "DELETE") {
      faults_->Clear();
      return NoContent(204);
    }
    if (request.method == "POST" || request.method == "PUT") {
      nlohmann::json config = nlohmann::json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
      if (config.is_discarded()) {
        return ErrorResponse(IncorrectBodyParameter("The fault configuration is not valid JSON."), request, request_id);
      }
      if (absl::Status s = faults_->Configure(config); !s.ok()) {
        return ErrorResponse(IncorrectBodyParameter(s.message()), request, request_id);
      }
      LogInfo("faults configured").With("config", DumpJson(faults_->Describe()));
      return JsonResponse(200, faults_->Describe());
    }
  } else if (path == "/__sandbox/reset" && request.method == "POST") {
    faults_->Clear();
    absl::Status status;
    {
      absl::MutexLock lock(&store_->mu());
      status = store_->Reset();
    }
    if (!status.ok()) return ErrorResponse(status, request, request_id);
    LogInfo("sandbox reset to seed");
    return NoContent(204);
  } else if (path == "/__sandbox/requests") {
    if (request.method == "GET") return DescribeRequests();
    if (request.method == "DELETE") {
      absl::MutexLock lock(&log_mu_);
      api_calls_ = 0;
      token_calls_ = 0;
      log_.clear();
      return NoContent(204);
    }
  } else if (path == "/__sandbox/tokens/revoke" && request.method == "POST") {
    tokens_->RevokeAccessTokens();
    return NoContent(204);
  } else {
    return ErrorResponse(ObjectNotFound("Unknown sandbox control endpoint."), request, request_id);
  }
  return ErrorResponse(CaspioError(405, "MethodNotAllowed", "Method not allowed."), request, request_id);
}

}  // namespace cmcp::sandbox
