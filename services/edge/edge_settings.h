// File: edge_settings.h
// Typed settings of the edge, read once in main (env prefix EDGE_).
#pragma once

#include <string>
#include <vector>

#include "common/http/http_server.h"
#include "common/logging/logger.h"
#include "services/edge/audit_sink.h"
#include "services/edge/edge_coordination.h"
#include "services/edge/mcp_backend.h"
#include "services/edge/mcp_core.h"
#include "services/edge/mcp_handler.h"

namespace cmcp::edge {

struct EdgeSettings {
  HttpServerSettings http;
  // Public base URL of the MCP URLs handed out; default http://<listen host>:<bound port>.
  std::string public_url;
  std::string token_address;
  std::string toolgen_address;
  std::string proxy_address;
  // HMAC key sealing Mcp-Session-Id; every edge replica needs the same one.
  std::string session_key;
  // Host/Origin allow-lists, stream limits and resumability.
  McpHandlerSettings mcp;
  GrpcMcpBackendSettings backend;
  EdgeCoordinationSettings coordination;
  // Per-server and per-account tools/call quotas (0 = off).
  McpCoreSettings core;
  // The tool-call audit log (writes to the token service).
  GrpcAuditSinkSettings audit;
  // Sessions older than this are refused (404; clients re-initialize).
  absl::Duration session_max_age = absl::Hours(24);
  // How often open streams are checked for expiry/deletion/config changes,
  // and how often they get a keep-alive comment.
  absl::Duration stream_watch_interval = absl::Milliseconds(250);
  absl::Duration stream_keepalive = absl::Seconds(15);
  // Separate listener for /metrics, /healthz, /readyz ("" = on the main port).
  HttpServerSettings admin_http;
  // Time in-flight requests get on SIGTERM.
  absl::Duration drain_timeout = absl::Seconds(20);
  // Built operator console served at /console ("" = not served).
  std::string console_dir;
  // OpenAPI document of the admin API served at /openapi.json ("" = not served).
  std::string openapi_file;
  LogLevel log_level = LogLevel::kInfo;
};

// Exits with a message naming the setting when something is wrong.
EdgeSettings LoadEdgeSettings(int argc, char** argv);

}  // namespace cmcp::edge
