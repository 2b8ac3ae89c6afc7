// File: edge_settings.h
// Typed settings of the edge, read once in main (env prefix EDGE_).
#pragma once

#include <string>
#include <vector>

#include "common/http/http_server.h"
#include "common/logging/logger.h"
#include "services/edge/mcp_backend.h"

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
  std::vector<std::string> allowed_hosts;
  std::vector<std::string> allowed_origins;
  GrpcMcpBackendSettings backend;
  // Built operator console served at /console ("" = not served).
  std::string console_dir;
  // OpenAPI document of the admin API served at /openapi.json ("" = not served).
  std::string openapi_file;
  LogLevel log_level = LogLevel::kInfo;
};

// Exits with a message naming the setting when something is wrong.
EdgeSettings LoadEdgeSettings(int argc, char** argv);

}  // namespace cmcp::edge
