#include "tests/services/proxy/proxy_sandbox_harness.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/grpc/grpc_client.h"

namespace cmcp::proxy_it {
namespace {

using json = nlohmann::json;
namespace proxypb = ::caspio_mcp::proxy::v1;
namespace toolpb = ::caspio_mcp::toolgen::v1;

constexpr absl::Duration kCallDeadline = absl::Seconds(30);

std::string Truncated(const std::string& s, size_t max = 2000) {
  return s.size() <= max ? s : absl::StrCat(s.substr(0, max), "…");
}

}  // namespace

std::string ToolOutcome::Text() const {
  std::vector<std::string> parts;
  for (const proxypb::Content& c : response.content()) {
    if (c.has_text()) parts.push_back(c.text().text());
  }
  return absl::StrJoin(parts, "\n");
}

std::string ToolOutcome::Describe() const {
  if (!status.ok()) return absl::StrCat("gRPC ", status.error_code(), ": ", status.error_message());
  return absl::StrCat("is_error=", response.is_error(), " http_status=", response.upstream().http_status(),
                      " reason=", caspio_mcp::common::v1::ErrorReason_Name(response.error().reason()),
                      " field=", response.error().field(), " text: ", Truncated(Text()));
}

std::string ToolOutcome::Trailer(const std::string& key) const {
  auto it = trailers.find(key);
  return it == trailers.end() ? "" : it->second;
}

absl::StatusOr<std::unique_ptr<ProxySandboxHarness>> ProxySandboxHarness::Start(HarnessOptions options) {
  std::unique_ptr<ProxySandboxHarness> h(new ProxySandboxHarness());
  testing::LocalClusterOptions cluster_options;
  cluster_options.sandbox_flags = {"--enable-faults", "--log-level=warning"};
  cluster_options.sandbox_flags.insert(cluster_options.sandbox_flags.end(), options.sandbox_flags.begin(),
                                       options.sandbox_flags.end());
  cluster_options.proxy_flags = options.proxy_flags;
  auto cluster = testing::LocalCluster::Start(cluster_options);
  if (!cluster.ok()) return cluster.status();
  h->cluster_ = *std::move(cluster);
  auto account = h->cluster_->CreateSandboxAccount();
  if (!account.ok()) return account.status();
  h->account_id_ = *account;

  const std::string localhost = "127.0.0.1:";
  h->proxy_ = proxypb::ProxyService::NewStub(MakeChannel(absl::StrCat(localhost, h->cluster_->process("proxy").port())));
  auto toolgen = toolpb::ToolgenService::NewStub(MakeChannel(absl::StrCat(localhost, h->cluster_->process("toolgen").port())));
  grpc::ClientContext context;
  SetDeadline(context, kCallDeadline);
  toolpb::ListToolsResponse listed;
  grpc::Status status = toolgen->ListTools(&context, toolpb::ListToolsRequest(), &listed);
  if (!status.ok()) return absl::UnavailableError(absl::StrCat("toolgen ListTools: ", status.error_message()));
  if (!listed.next_cursor().empty()) return absl::InternalError("ListTools paged without a page size");
  for (const toolpb::Tool& tool : listed.tools()) h->catalog_[tool.name()] = tool;

  // A token of the harness's own for direct read-backs.
  auto token = h->IssueToken();
  if (!token.ok()) return token.status();
  h->direct_token_ = *token;
  return h;
}

ToolOutcome ProxySandboxHarness::Call(const std::string& tool, const json& arguments) {
  return CallRaw(tool, arguments.dump());
}

ToolOutcome ProxySandboxHarness::CallRaw(const std::string& tool, const std::string& arguments_json,
                                         const std::string& account_id) {
  ToolOutcome out;
  auto it = catalog_.find(tool);
  if (it == catalog_.end()) {
    out.status = grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no tool ", tool, " in the catalog"));
    return out;
  }
  proxypb::CallToolRequest request;
  request.set_account_id(account_id.empty() ? account_id_ : account_id);
  request.set_mcp_server_id("proxy-sandbox-it");
  *request.mutable_tool() = it->second;
  request.set_arguments_json(arguments_json);
  request.set_request_id(absl::StrCat("it-", next_request_++));
  grpc::ClientContext context;
  SetDeadline(context, kCallDeadline);
  const absl::Time start = absl::Now();
  out.status = proxy_->CallTool(&context, request, &out.response);
  out.elapsed = absl::Now() - start;
  for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
    out.trailers.emplace(std::string(key.data(), key.size()), std::string(value.data(), value.size()));
  }
  if (out.status.ok() && !out.response.structured_content_json().empty()) {
    out.structured = json::parse(out.response.structured_content_json(), nullptr, false);
    if (out.structured.is_discarded()) out.structured = nullptr;
  }
  return out;
}

testing::HttpResult ProxySandboxHarness::Send(const std::string& method, const std::string& url,
                                              const std::string& body, const Headers& headers) {
  HttpClientRequest r;
  r.method = method;
  r.url = url;
  r.body = body;
  r.headers = headers;
  r.timeout = absl::Seconds(20);
  auto sent = http_.Send(r);
  testing::HttpResult out;
  if (!sent.ok()) {
    out.status = -1;
    out.raw = std::string(sent.status().message());
    return out;
  }
  out.status = sent->status;
  out.raw = sent->body;
  out.headers = sent->headers;
  out.body = json::parse(sent->body, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  return out;
}

testing::HttpResult ProxySandboxHarness::Control(const std::string& method, const std::string& path,
                                                 const json& body) {
  Headers headers;
  if (!body.is_null()) headers.Add("Content-Type", "application/json");
  return Send(method, absl::StrCat(cluster_->sandbox_url(), path), body.is_null() ? "" : body.dump(), headers);
}

void ProxySandboxHarness::ResetSandbox() {
  testing::HttpResult reset = Control("POST", "/__sandbox/reset");
  ASSERT_EQ(reset.status, 204) << reset.raw;
  ClearLog();
}

void ProxySandboxHarness::SetFaults(const json& config) {
  testing::HttpResult r = Control("POST", "/__sandbox/faults", config);
  ASSERT_EQ(r.status, 200) << r.raw;
}

void ProxySandboxHarness::ClearFaults() {
  testing::HttpResult r = Control("DELETE", "/__sandbox/faults");
  ASSERT_EQ(r.status, 204) << r.raw;
}

void ProxySandboxHarness::ClearLog() {
  testing::HttpResult r = Control("DELETE", "/__sandbox/requests");
  ASSERT_EQ(r.status, 204) << r.raw;
}

SandboxLog ProxySandboxHarness::Log() {
  SandboxLog log;
  testing::HttpResult r = Control("GET", "/__sandbox/requests");
  EXPECT_EQ(r.status, 200) << r.raw;
  if (r.status != 200 || !r.body.is_object()) {
    log.api_calls = log.token_calls = -1;
    return log;
  }
  log.api_calls = r.body.value("api_calls", int64_t{-1});
  log.token_calls = r.body.value("token_calls", int64_t{-1});
  log.requests = r.body.value("requests", json::array());
  return log;
}

absl::StatusOr<std::string> ProxySandboxHarness::IssueToken() {
  Headers headers;
  headers.Add("Content-Type", "application/x-www-form-urlencoded");
  testing::HttpResult r = Send("POST", absl::StrCat(cluster_->sandbox_url(), "/oauth/token"),
                               "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret",
                               headers);
  if (r.status != 200 || !r.body.is_object() || !r.body.contains("access_token") || !r.body["access_token"].is_string()) {
    return absl::InternalError(absl::StrCat("sandbox /oauth/token: HTTP ", r.status));
  }
  return r.body["access_token"].get<std::string>();
}

testing::HttpResult ProxySandboxHarness::CaspioWithToken(const std::string& token, const std::string& path_and_query) {
  Headers headers;
  headers.Add("Authorization", absl::StrCat("Bearer ", token));
  headers.Add("Accept", "application/json");
  return Send("GET", absl::StrCat(cluster_->sandbox_url(), "/integrations/rest", path_and_query), "", headers);
}

testing::HttpResult ProxySandboxHarness::Caspio(const std::string& method, const std::string& path_and_query,
                                                const std::string& body, const std::string& content_type) {
  testing::HttpResult r;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Headers headers;
    headers.Add("Authorization", absl::StrCat("Bearer ", direct_token_));
    headers.Add("Accept", "application/json");
    if (!content_type.empty()) headers.Add("Content-Type", content_type);
    r = Send(method, absl::StrCat(cluster_->sandbox_url(), "/integrations/rest", path_and_query), body, headers);
    if (r.status != 401 || attempt > 0) break;
    auto token = IssueToken();
    if (!token.ok()) break;
    direct_token_ = *token;
  }
  return r;
}

}  // namespace cmcp::proxy_it
