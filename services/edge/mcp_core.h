// File: mcp_core.h
// The MCP methods, independent of transport: given a resolved server and one
// JSON-RPC request, produce the response (JSON text plus the HTTP status and
// headers a transport should use when the request stands alone). Legacy
// sessions (2024-11-05 … 2025-11-25) get initialize, ping, tools/list,
// tools/call, logging/setLevel and completion/complete; modern stateless
// requests (2026-07-28) get server/discover, tools/list and tools/call with
// resultType/ttlMs/cacheScope, and 404 + -32601 for everything else.
// tools/call also enforces the edge's per-server and per-account quotas (our
// own 429 with ratelimit-* headers), reports progress when the client asked
// for it, and registers itself so notifications/cancelled can abort it. Every
// tools/call, answered or refused, is counted per tool
// (cmcp_tool_calls_total{tool,status}, cmcp_tool_call_seconds{tool}) and,
// once the client has its answer, recorded in the audit log with its
// arguments redacted (audit_redaction.h, audit_sink.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/http/http_types.h"
#include "common/tracing/trace_context.h"
#include "nlohmann/json.hpp"
#include "services/edge/audit_sink.h"
#include "services/edge/edge_coordination.h"
#include "services/edge/mcp_backend.h"
#include "services/edge/quota_leases.h"
#include "services/edge/stream_registry.h"

namespace cmcp::edge {

inline constexpr char kModernVersion[] = "2026-07-28";

// Legacy versions, newest first (initialize answers with the client's version
// when listed, otherwise with the first).
const std::vector<std::string>& LegacyProtocolVersions();
bool IsLegacyVersion(absl::string_view version);

struct QuotaRule {
  int64_t limit = 0;  // 0 = no limit
  absl::Duration window = absl::Minutes(1);
};

struct McpCoreSettings {
  std::string server_version = "0.1.0";
  QuotaRule server_quota;
  QuotaRule account_quota;
  // Most permits one quota request takes at once (quota_leases.h); 1 asks
  // token for every call.
  int64_t quota_lease = 20;
};

struct McpContext {
  ServerView server;
  std::string protocol_version;
  bool modern = false;
  // Legacy sessions: the session id digest (cancellation keys); "" when modern.
  std::string session_digest;
  std::string request_id;  // for logs and the proxy
  // This request's span: its trace id goes in logs and the audit entry, its
  // traceparent to the proxy (and on to Caspio) and to the token service.
  TraceContext trace;
  // From the client's clientInfo (initialize, sealed into the session, or a
  // modern request's _meta), when known.
  std::string client_name;
  std::string client_version;
  // Sends a notification on the request's open SSE stream; null when the
  // transport cannot (JSON response), which turns progress off.
  std::function<void(const std::string& json)> notify;
  // Registered with the call's canceller for the transport (modern: stream
  // close cancels); may be null.
  std::function<void(std::function<void()> cancel)> on_cancellable;
};

struct McpReply {
  std::string json;  // "" for notifications
  int http_status = 200;
  Headers headers;
  std::string outcome = "ok";  // metrics label
  std::string tool;            // for logs
  // The JSON-RPC error code when `json` is an error (for the audit log).
  int rpc_error_code = 0;
  // initialize: the version agreed on (the transport seals it into the session).
  std::string negotiated_version;
};

struct ToolCallDraft;

class McpCore {
 public:
  // `audit` may be null (no audit log).
  McpCore(McpCoreSettings settings, McpBackend* backend, EdgeCoordination* coordination, StreamRegistry* streams,
          AuditSink* audit = nullptr);

  // `message` is a JSON-RPC request (has "method" and "id").
  void HandleRequest(const McpContext& context, const nlohmann::json& message, std::function<void(McpReply)> done);
  // notifications/cancelled and the like.
  void HandleNotification(const McpContext& context, const nlohmann::json& message);

  // Renders a JSON-RPC response/error (exposed for transports).
  static std::string Result(const nlohmann::json& id, absl::string_view result_json);
  static std::string Error(const nlohmann::json& id, int code, absl::string_view message,
                           const nlohmann::json& data = nullptr);
  // The key under which a legacy session's call is registered for cancellation.
  static std::string CallKey(absl::string_view session_digest, const nlohmann::json& id);

 private:
  void ToolsCall(const McpContext& context, const nlohmann::json& id, const nlohmann::json& params,
                 std::function<void(McpReply)> done);
  void RunTool(const McpContext& context, const nlohmann::json& id, const std::string& name, std::string arguments,
               nlohmann::json progress_token, std::shared_ptr<ToolCallDraft> draft, std::function<void(McpReply)> done);
  // Counts the call and sends its audit entry; runs after the client's answer.
  void FinishToolCall(ToolCallDraft& draft, const McpReply& reply, const TraceContext& trace);
  std::string Initialize(const McpContext& context, const nlohmann::json& params);
  std::string Discover() const;

  McpCoreSettings settings_;
  QuotaLeases leases_{settings_.quota_lease};
  McpBackend* backend_;
  EdgeCoordination* coordination_;
  StreamRegistry* streams_;
  AuditSink* audit_;
};

}  // namespace cmcp::edge
