// File: mcp_handler.h
// Every MCP transport on one token URL (SPEC §4, mcp-protocol.md):
//  - Streamable HTTP at /mcp/{token}[/mcp]: POST/GET/DELETE for legacy
//    sessions (2024-11-05 … 2025-11-25: sealed Mcp-Session-Id, batches for
//    2025-03-26, a standalone GET stream with list_changed notifications,
//    resumable SSE responses for 2025-11-25 via GET + Last-Event-ID, DELETE)
//    and the stateless 2026-07-28 form on the same URL (per-request _meta,
//    MCP-Protocol-Version / Mcp-Method / Mcp-Name validation, its errors).
//  - HTTP+SSE (2024-11-05) at /mcp/{token}/sse + /mcp/{token}/messages; the
//    stream lives on one replica, POSTs may land on any (relayed by bus).
// Common to all: Host/Origin checks (403), 404 for unknown/expired/deleted
// tokens (never 401), the API-token second factor (401 + WWW-Authenticate),
// streams-per-server limit.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/http/http_server.h"
#include "nlohmann/json.hpp"
#include "services/edge/edge_coordination.h"
#include "services/edge/mcp_backend.h"
#include "services/edge/mcp_core.h"
#include "services/edge/mcp_session.h"
#include "services/edge/stream_registry.h"

namespace cmcp::edge {

struct McpHandlerSettings {
  // Host names (no port) the edge answers to; "*" allows any. DNS-rebinding guard.
  std::vector<std::string> allowed_hosts;
  // Extra allowed Origin values; an Origin whose host is allowed always is.
  std::vector<std::string> allowed_origins;
  // Open SSE streams per MCP server on one replica.
  int max_streams_per_server = 100;
  // How long a resumable response is kept, and how long a resume waits.
  absl::Duration stream_log_ttl = absl::Minutes(10);
  absl::Duration resume_wait = absl::Seconds(120);
};

enum class McpRoute { kStreamable, kLegacySse, kLegacyMessages };

class McpHandler {
 public:
  McpHandler(McpHandlerSettings settings, McpBackend* backend, const McpSessionCodec* sessions, McpCore* core,
             EdgeCoordination* coordination, StreamRegistry* streams);

  void Handle(HttpRequest request, std::string token, McpRoute route, std::shared_ptr<HttpResponder> responder);
  // Messages relayed to this replica (legacy SSE deliveries, cancellations).
  void OnBusMessage(const nlohmann::json& message);
  // Waits (bounded) until no exchange is alive: call after the HTTP server
  // stopped and streams were ended, before destroying what exchanges use.
  bool WaitIdle(absl::Duration timeout);

 private:
  friend class McpExchange;
  std::atomic<int> live_exchanges_{0};
  McpHandlerSettings settings_;
  McpBackend* backend_;
  const McpSessionCodec* sessions_;
  McpCore* core_;
  EdgeCoordination* coordination_;
  StreamRegistry* streams_;
};

// Host/Origin validation (exposed for tests).
bool HostAllowed(absl::string_view host_header, const std::vector<std::string>& allowed_hosts);
bool OriginAllowed(absl::string_view origin, const std::vector<std::string>& allowed_hosts,
                   const std::vector<std::string>& allowed_origins);
// Decodes an Mcp-Name / Mcp-Param value: trims, and unwraps "=?base64?…?="
// strictly. nullopt for a malformed encoding.
std::optional<std::string> DecodeHeaderValue(absl::string_view value);

}  // namespace cmcp::edge
