// File: log_query.h
// `GET /log?log_type=mcp` of the admin API (SPEC §3; Truto's log API,
// reference peers.md §1.1): the query string -> AuditService.ListToolCalls
// request, and an audit entry -> its JSON. Plain functions, unit-tested.
//
// Query parameters (all optional but log_type):
//   log_type=mcp (required; the only log kept), integrated_account_id,
//   mcp_server_id, tool_name, mcp_method, resource, method, client_name,
//   client_version, request_id, integration (Truto's filters; exact match),
//   status=ok|tool_error|rpc_error, start_time / end_time (RFC 3339; created_at
//   >= start_time and < end_time), limit (1..100, default 20), next_cursor.
// environment_id (Truto has several environments; caspio-mcp has one) and
// any other parameter are refused with 400 naming it, so a typo never reads
// as "no filter".
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "caspio_mcp/token/v1/audit_service.pb.h"
#include "nlohmann/json.hpp"

namespace cmcp::edge {

// INVALID_ARGUMENT naming the parameter at fault.
absl::StatusOr<caspio_mcp::token::v1::ListToolCallsRequest> ParseLogQuery(const std::string& query);

// One entry as the admin API shows it (docs/openapi.json LogEntry): Truto's
// field names (duration and fetch_duration in milliseconds), absent values
// as null, arguments as the redacted JSON object.
nlohmann::ordered_json LogEntryJson(const caspio_mcp::token::v1::ToolCallEntry& entry);

}  // namespace cmcp::edge
