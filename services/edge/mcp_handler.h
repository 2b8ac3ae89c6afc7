// File: mcp_handler.h
// MCP over Streamable HTTP at /mcp/{token} (SPEC §4): Host/Origin checks
// (403), token resolution (404 for unknown, deleted or expired tokens, never
// 401), the require_api_token_auth second factor (401 with
// WWW-Authenticate), sealed sessions (Mcp-Session-Id; 400 without one, 404
// for an unknown one), protocol-version negotiation and header checks, JSON-
// RPC 2.0 with batches, and the methods initialize, ping, tools/list,
// tools/call, logging/setLevel and completion/complete. tools/list and
// tools/call use the same filtered tool list, so a hidden tool cannot be
// called. Answers are JSON, or one SSE event when the client accepts only
// text/event-stream.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/http/http_server.h"
#include "services/edge/mcp_backend.h"
#include "services/edge/mcp_session.h"

namespace cmcp::edge {

// Newest first; initialize answers with the client's version when listed
// here, otherwise with the first.
inline const std::vector<std::string>& SupportedProtocolVersions() {
  static const std::vector<std::string> kVersions = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
  return kVersions;
}

struct McpHandlerSettings {
  // Host names (no port) the edge answers to; "*" allows any. Guards against
  // DNS rebinding.
  std::vector<std::string> allowed_hosts;
  // Extra allowed Origin values ("https://app.example.com"); an Origin whose
  // host is in allowed_hosts is always allowed.
  std::vector<std::string> allowed_origins;
  std::string server_version = "0.1.0";
};

class McpHandler {
 public:
  McpHandler(McpHandlerSettings settings, McpBackend* backend, const McpSessionCodec* sessions);

  // `token` is the decoded {token} path segment.
  void Handle(HttpRequest request, std::string token, std::shared_ptr<HttpResponder> responder);

 private:
  friend class McpExchange;
  McpHandlerSettings settings_;
  McpBackend* backend_;
  const McpSessionCodec* sessions_;
};

// Host/Origin validation used by every MCP route (exposed for tests).
bool HostAllowed(absl::string_view host_header, const std::vector<std::string>& allowed_hosts);
bool OriginAllowed(absl::string_view origin, const std::vector<std::string>& allowed_hosts,
                   const std::vector<std::string>& allowed_origins);

}  // namespace cmcp::edge
