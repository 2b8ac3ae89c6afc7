// File: local_cluster.h
// A whole caspio-mcp cluster of real processes for integration tests: a real
// redis-server (TCP, AOF), the Caspio sandbox, toolgen, token, proxy and edge,
// each on a free port reported through a port file, with fresh secrets. Also
// small HTTP helpers for the admin API and for MCP sessions. Everything stops
// when the object goes away; every wait is bounded.
//
//   auto cluster = LocalCluster::Start({.token_flags = {"--min-expiry-lead=1s"}});
//   ASSERT_THAT(cluster, IsOk());
//   auto account = (*cluster)->CreateSandboxAccount();
//   AdminResponse r = (*cluster)->Admin("POST", "/integrated-account/" + *account + "/mcp", {{"name", "x"}});
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http/http_client.h"
#include "nlohmann/json.hpp"
#include "tests/testing/child_process.h"
#include "tests/testing/redis_server.h"

namespace cmcp::testing {

struct LocalClusterOptions {
  bool sandbox = true;
  std::vector<std::string> token_flags;
  std::vector<std::string> proxy_flags;
  std::vector<std::string> edge_flags;
  std::vector<std::string> sandbox_flags;
};

struct HttpResult {
  int status = 0;
  nlohmann::json body;  // null when the body is empty or not JSON
  std::string raw;
  Headers headers;
};

class LocalCluster {
 public:
  static absl::StatusOr<std::unique_ptr<LocalCluster>> Start(LocalClusterOptions options = {});
  ~LocalCluster();

  std::string edge_url() const;
  std::string sandbox_url() const;
  const std::string& admin_token() const { return admin_token_; }
  RedisServer& redis() { return *redis_; }
  // "sandbox", "toolgen", "token", "proxy", "edge".
  ChildProcess& process(const std::string& name) { return *processes_.at(name); }
  // Restarts one service with the same settings and port (after Kill()/Stop()).
  absl::Status Restart(const std::string& name);

  // An admin API call with the bootstrap admin token (or `token` if given;
  // pass "-" for no Authorization header).
  HttpResult Admin(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr,
                   const std::string& token = "");
  // Registers the sandbox as an integrated account; returns its id.
  absl::StatusOr<std::string> CreateSandboxAccount();
  // Mints an MCP server; returns the create response (with token and url).
  absl::StatusOr<nlohmann::json> CreateServer(const std::string& account_id, nlohmann::json body);

 private:
  LocalCluster() = default;
  absl::Status Launch(const std::string& name);

  TempDir dir_;
  std::unique_ptr<RedisServer> redis_;
  std::map<std::string, std::vector<std::string>> argv_;
  std::map<std::string, std::unique_ptr<ChildProcess>> processes_;
  std::map<std::string, int> ports_;
  std::string admin_token_;
  CurlHttpClient http_;
};

// A minimal MCP client over Streamable HTTP (JSON responses), for tests that
// need to look at the wire; end-to-end tests use the official SDK instead.
class McpTestClient {
 public:
  explicit McpTestClient(std::string url, Headers extra_headers = {});
  // initialize + notifications/initialized; returns the initialize response.
  HttpResult Initialize(const std::string& protocol_version = "2025-06-18");
  // One JSON-RPC request on the session.
  HttpResult Request(const std::string& method, const nlohmann::json& params = nlohmann::json::object());
  HttpResult Post(const std::string& body, const Headers& headers);
  const std::string& session_id() const { return session_id_; }

 private:
  std::string url_;
  Headers extra_;
  std::string session_id_;
  std::string version_;
  int next_id_ = 1;
  CurlHttpClient http_;
};

}  // namespace cmcp::testing
