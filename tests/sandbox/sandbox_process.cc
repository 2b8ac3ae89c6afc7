#include "tests/sandbox/sandbox_process.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace cmcp::sandbox::testing {

absl::StatusOr<std::unique_ptr<SandboxProcess>> SandboxProcess::Start(std::vector<std::string> extra_args) {
  std::unique_ptr<SandboxProcess> p(new SandboxProcess());
  const std::string port_file = p->dir_.File("sandbox.port");
  std::vector<std::string> argv = {cmcp::testing::BinPath("caspio-sandbox"), "--listen=127.0.0.1:0",
                                   "--port-file=" + port_file, "--log-level=warning"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  CMCP_ASSIGN_OR_RETURN(p->child_, cmcp::testing::ChildProcess::Start(
                                       argv, {.port_file = port_file, .log_file = p->dir_.File("sandbox.log")}));
  return p;
}

std::string SandboxProcess::Url(const std::string& path_and_query) const {
  return absl::StrCat("http://127.0.0.1:", port(), path_and_query);
}

absl::StatusOr<std::string> SandboxProcess::FetchToken() {
  Headers headers;
  headers.Add("Content-Type", "application/x-www-form-urlencoded");
  CMCP_ASSIGN_OR_RETURN(HttpClientResponse r,
                        Raw("POST", "/oauth/token",
                            "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret",
                            headers));
  if (r.status != 200) return absl::InternalError(absl::StrCat("token request failed: ", r.status, " ", r.body));
  nlohmann::json body = Json(r);
  if (!body.is_object() || !body.contains("access_token")) return absl::InternalError("no access_token");
  return body["access_token"].get<std::string>();
}

absl::StatusOr<HttpClientResponse> SandboxProcess::Call(const std::string& method, const std::string& path_and_query,
                                                        const std::string& body, Headers headers) {
  if (token_.empty()) {
    CMCP_ASSIGN_OR_RETURN(token_, FetchToken());
  }
  if (!headers.Get("Authorization").has_value()) headers.Add("Authorization", "Bearer " + token_);
  if (!body.empty() && !headers.Get("Content-Type").has_value()) headers.Add("Content-Type", "application/json");
  return Raw(method, path_and_query, body, std::move(headers));
}

absl::StatusOr<HttpClientResponse> SandboxProcess::Raw(const std::string& method, const std::string& path_and_query,
                                                       const std::string& body, Headers headers) {
  HttpClientRequest request;
  request.method = method;
  request.url = Url(path_and_query);
  request.headers = std::move(headers);
  request.body = body;
  return http_.Send(request);
}

std::string Q(const std::string& value) { return PercentEncode(value); }

nlohmann::json Json(const HttpClientResponse& response) {
  return nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
}

}  // namespace cmcp::sandbox::testing
