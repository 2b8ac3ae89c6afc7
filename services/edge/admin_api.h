// File: admin_api.h
// The admin REST API of SPEC §3, modelled on Truto's: integrated accounts,
// MCP servers (token and url returned only on create), the tools preview,
// API tokens and the tool-call audit log (GET /log?log_type=mcp,
// log_query.h). Every route needs `Authorization: Bearer <admin API token>`.
// Handlers translate JSON <-> the token/toolgen contracts and nothing more:
// shape errors name the field, and all rules live in the token service.
#pragma once

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "caspio_mcp/token/v1/audit_service.grpc.pb.h"
#include "caspio_mcp/token/v1/token_service.grpc.pb.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.grpc.pb.h"
#include "common/grpc/client_queue.h"
#include "common/http/router.h"

namespace cmcp::edge {

struct AdminApiSettings {
  // Base of the MCP URLs handed out, e.g. "https://mcp.example.com".
  std::string public_url;
  absl::Duration rpc_timeout = absl::Seconds(10);
};

class AdminApi {
 public:
  // Calls complete on `queue`'s thread, which must outlive them.
  AdminApi(AdminApiSettings settings, ClientQueue* queue, caspio_mcp::token::v1::TokenService::Stub* token,
           caspio_mcp::toolgen::v1::ToolgenService::Stub* toolgen,
           caspio_mcp::token::v1::AuditService::Stub* audit);

  void Register(Router& router);
  void set_public_url(std::string url) { settings_.public_url = std::move(url); }

 private:
  class Exchange;
  AdminApiSettings settings_;
  ClientQueue* queue_;
  caspio_mcp::token::v1::TokenService::Stub* token_;
  caspio_mcp::toolgen::v1::ToolgenService::Stub* toolgen_;
  caspio_mcp::token::v1::AuditService::Stub* audit_;
};

// The MCP URL handed out for a token: <public_url>/mcp/<token>/mcp (the same
// endpoint as /mcp/<token>, with a path that names its transport).
std::string McpUrl(absl::string_view public_url, absl::string_view token);

}  // namespace cmcp::edge
