// File: proxy_sandbox_harness.h
// Drives the real proxy over its gRPC interface (ProxyService.CallTool)
// against the real Caspio sandbox over HTTP: a LocalCluster (redis-server,
// sandbox with its control API, toolgen, token, proxy, edge), one integrated
// account for the sandbox, the tool catalog as toolgen serves it, and the
// sandbox's control API (faults, reset, request log) so tests can prove what
// reached "Caspio". Every call has a deadline.
//
//   auto h = ProxySandboxHarness::Start({});
//   ToolOutcome r = (*h)->Call("list_all_caspio_tables", {{"limit", 5}});
//   EXPECT_TRUE(r.ok()) << r.Describe();
// Call/CallRaw may be used from several threads at once; the rest may not.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "caspio_mcp/proxy/v1/proxy_service.grpc.pb.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/testing/local_cluster.h"

namespace cmcp::proxy_it {

// One CallTool exchange.
struct ToolOutcome {
  grpc::Status status;
  caspio_mcp::proxy::v1::CallToolResponse response;
  // structured_content_json parsed; null when there is none.
  nlohmann::json structured;
  // Trailing metadata (ratelimit-* on a 429).
  std::multimap<std::string, std::string> trailers;
  absl::Duration elapsed;

  // The gRPC call worked and the tool result is not an error.
  bool ok() const { return status.ok() && !response.is_error(); }
  // All text blocks, joined by newlines.
  std::string Text() const;
  // gRPC status, is_error, error reason/field and text, for failure messages
  // (never the structured content, which may carry sandbox-made secrets).
  std::string Describe() const;
  std::string Trailer(const std::string& key) const;
};

// GET /__sandbox/requests.
struct SandboxLog {
  int64_t api_calls = 0;
  int64_t token_calls = 0;
  // [{method, target, status}]
  nlohmann::json requests = nlohmann::json::array();
};

struct HarnessOptions {
  std::vector<std::string> sandbox_flags;
  std::vector<std::string> proxy_flags;
};

class ProxySandboxHarness {
 public:
  // The sandbox always runs with --enable-faults.
  static absl::StatusOr<std::unique_ptr<ProxySandboxHarness>> Start(HarnessOptions options);

  testing::LocalCluster& cluster() { return *cluster_; }
  const std::string& account_id() const { return account_id_; }
  // Every tool toolgen serves (no filter), by name.
  const std::map<std::string, caspio_mcp::toolgen::v1::Tool>& catalog() const { return catalog_; }

  ToolOutcome Call(const std::string& tool, const nlohmann::json& arguments);
  // Arguments exactly as given (for malformed JSON); `account_id` empty for
  // the harness's own account.
  ToolOutcome CallRaw(const std::string& tool, const std::string& arguments_json, const std::string& account_id = "");

  // The sandbox's control API.
  testing::HttpResult Control(const std::string& method, const std::string& path,
                              const nlohmann::json& body = nullptr);
  // Seed data back, no faults, empty request log. Fails the test on error.
  void ResetSandbox();
  void SetFaults(const nlohmann::json& config);
  void ClearFaults();
  void ClearLog();
  SandboxLog Log();

  // A Caspio REST call straight to the sandbox with the harness's own token
  // (for independent read-backs), e.g. Caspio("GET", "/v3/tables/T/records?q.pageSize=1000");
  // signs in again once if the sandbox answers 401. These calls show up in
  // the request log.
  testing::HttpResult Caspio(const std::string& method, const std::string& path_and_query,
                             const std::string& body = "", const std::string& content_type = "");
  // A fresh access token from the sandbox's /oauth/token.
  absl::StatusOr<std::string> IssueToken();
  // GET with the given token, no retry.
  testing::HttpResult CaspioWithToken(const std::string& token, const std::string& path_and_query);

 private:
  ProxySandboxHarness() = default;
  testing::HttpResult Send(const std::string& method, const std::string& url, const std::string& body,
                           const Headers& headers);

  std::unique_ptr<testing::LocalCluster> cluster_;
  std::string account_id_;
  std::unique_ptr<caspio_mcp::proxy::v1::ProxyService::Stub> proxy_;
  std::map<std::string, caspio_mcp::toolgen::v1::Tool> catalog_;
  std::string direct_token_;
  CurlHttpClient http_;
  std::atomic<int> next_request_{1};
};

}  // namespace cmcp::proxy_it
