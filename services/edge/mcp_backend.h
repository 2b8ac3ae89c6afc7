// File: mcp_backend.h
// What the MCP handler needs from the cluster, asynchronously: resolve a URL
// token to its server, verify an API token (require_api_token_auth), the
// filtered tool list, and one tool call. GrpcMcpBackend is the real one
// (token, toolgen and proxy over gRPC, with bounded caches); unit tests use a
// fake. Callbacks may run on any thread, synchronously on a cache hit.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caspio_mcp/proxy/v1/proxy_service.grpc.pb.h"
#include "caspio_mcp/token/v1/token_service.grpc.pb.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.grpc.pb.h"
#include "common/grpc/client_queue.h"
#include "common/tracing/trace_context.h"

namespace cmcp::edge {

template <typename T>
using Callback = std::function<void(absl::StatusOr<T>)>;

// The parts of an MCP server the edge acts on.
struct ServerView {
  std::string id;
  std::string name;
  std::string account_id;
  caspio_mcp::common::v1::ToolFilter filter;
  bool require_api_token_auth = false;
  std::optional<absl::Time> expires_at;
};

// A server's tools, as toolgen filtered them, plus their tools/list JSON
// rendered once per cache fill.
struct ToolList {
  std::vector<caspio_mcp::toolgen::v1::Tool> tools;
  std::map<std::string, size_t, std::less<>> by_name;
  // JSON array of MCP Tool objects.
  std::string tools_json;
  const caspio_mcp::toolgen::v1::Tool* Find(absl::string_view name) const;
};

// A key identifying a filter (cache key; change detection).
std::string FilterKey(const caspio_mcp::common::v1::ToolFilter& filter);

// Renders `tools` (sets by_name and tools_json).
std::shared_ptr<const ToolList> MakeToolList(std::vector<caspio_mcp::toolgen::v1::Tool> tools);

class McpBackend {
 public:
  virtual ~McpBackend() = default;
  // NOT_FOUND for unknown, deleted and expired tokens.
  virtual void ResolveServer(const std::string& token, Callback<ServerView> done) = 0;
  // OK, UNAUTHENTICATED or PERMISSION_DENIED.
  virtual void VerifyApiToken(const std::string& api_token, const std::string& account_id,
                              std::function<void(absl::Status)> done) = 0;
  virtual void ListTools(const caspio_mcp::common::v1::ToolFilter& filter,
                         Callback<std::shared_ptr<const ToolList>> done) = 0;
  // Returns a canceller that aborts the call (done then gets CANCELLED).
  // `trace` is the edge's span: the proxy continues it (gRPC metadata).
  virtual std::function<void()> CallTool(const ServerView& server, const caspio_mcp::toolgen::v1::Tool& tool,
                                         std::string arguments_json, std::string request_id, const TraceContext& trace,
                                         Callback<caspio_mcp::proxy::v1::CallToolResponse> done) = 0;
};

struct GrpcMcpBackendSettings {
  // Upper bound; the token service may ask for less (and never past expiry).
  absl::Duration resolve_cache_ttl = absl::Milliseconds(500);
  absl::Duration tools_cache_ttl = absl::Seconds(30);
  size_t max_cache_entries = 100000;
  absl::Duration rpc_timeout = absl::Seconds(5);
  absl::Duration tool_call_timeout = absl::Seconds(120);
};

class GrpcMcpBackend final : public McpBackend {
 public:
  // Calls complete on `queue`'s thread, which must outlive the calls.
  GrpcMcpBackend(GrpcMcpBackendSettings settings, ClientQueue* queue,
                 caspio_mcp::token::v1::TokenService::Stub* token,
                 caspio_mcp::toolgen::v1::ToolgenService::Stub* toolgen,
                 caspio_mcp::proxy::v1::ProxyService::Stub* proxy);

  void ResolveServer(const std::string& token, Callback<ServerView> done) override;
  void VerifyApiToken(const std::string& api_token, const std::string& account_id,
                      std::function<void(absl::Status)> done) override;
  void ListTools(const caspio_mcp::common::v1::ToolFilter& filter,
                 Callback<std::shared_ptr<const ToolList>> done) override;
  std::function<void()> CallTool(const ServerView& server, const caspio_mcp::toolgen::v1::Tool& tool,
                                 std::string arguments_json, std::string request_id, const TraceContext& trace,
                                 Callback<caspio_mcp::proxy::v1::CallToolResponse> done) override;

 private:
  struct ResolveEntry {
    absl::StatusOr<ServerView> server;
    absl::Time expires;
  };
  struct ToolsEntry {
    std::shared_ptr<const ToolList> tools;
    absl::Time expires;
  };

  GrpcMcpBackendSettings settings_;
  ClientQueue* queue_;
  caspio_mcp::token::v1::TokenService::Stub* token_;
  caspio_mcp::toolgen::v1::ToolgenService::Stub* toolgen_;
  caspio_mcp::proxy::v1::ProxyService::Stub* proxy_;
  absl::Mutex mu_;
  std::map<std::string, ResolveEntry> resolve_cache_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> api_token_cache_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, ToolsEntry> tools_cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmcp::edge
