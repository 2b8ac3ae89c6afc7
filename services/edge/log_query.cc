#include "services/edge/log_query.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/http/http_types.h"
#include "common/status/error.h"

namespace cmcp::edge {
namespace {

namespace pb = ::caspio_mcp::token::v1;
using ojson = nlohmann::ordered_json;

absl::StatusOr<google::protobuf::Timestamp> ParseTimeParam(const std::string& name, const std::string& value) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, value, &t, &err)) {
    return InvalidFieldError(name, absl::StrCat(name, " must be an RFC 3339 date-time such as 2026-12-31T23:59:59Z"));
  }
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(ts.seconds())) / absl::Nanoseconds(1)));
  return ts;
}

ojson OrNull(const std::string& value) { return value.empty() ? ojson(nullptr) : ojson(value); }

}  // namespace

absl::StatusOr<pb::ListToolCallsRequest> ParseLogQuery(const std::string& query) {
  auto params = ParseQuery(query);
  if (!params.ok()) return InvalidFieldError("query", "the query string is not correctly percent-encoded");
  pb::ListToolCallsRequest request;
  pb::ToolCallFilter* f = request.mutable_filter();
  std::set<std::string> seen;
  bool has_log_type = false;
  for (const auto& [name, value] : *params) {
    if (!seen.insert(name).second) return InvalidFieldError(name, absl::StrCat(name, " is given more than once"));
    if (name == "log_type") {
      if (value != "mcp") {
        return InvalidFieldError("log_type", "log_type must be \"mcp\" (caspio-mcp keeps the MCP tool-call log only)");
      }
      has_log_type = true;
    } else if (name == "integrated_account_id") f->set_integrated_account_id(value);
    else if (name == "mcp_server_id") f->set_mcp_server_id(value);
    else if (name == "tool_name") f->set_tool_name(value);
    else if (name == "mcp_method") f->set_mcp_method(value);
    else if (name == "resource") f->set_resource(value);
    else if (name == "method") f->set_method(value);
    else if (name == "client_name") f->set_client_name(value);
    else if (name == "client_version") f->set_client_version(value);
    else if (name == "request_id") f->set_request_id(value);
    else if (name == "integration") f->set_integration(value);
    else if (name == "status") {
      if (value == "ok") f->set_status(pb::TOOL_CALL_STATUS_OK);
      else if (value == "tool_error") f->set_status(pb::TOOL_CALL_STATUS_TOOL_ERROR);
      else if (value == "rpc_error") f->set_status(pb::TOOL_CALL_STATUS_RPC_ERROR);
      else return InvalidFieldError("status", "status must be ok, tool_error or rpc_error");
    } else if (name == "start_time" || name == "end_time") {
      auto ts = ParseTimeParam(name, value);
      if (!ts.ok()) return ts.status();
      *(name == "start_time" ? f->mutable_start_time() : f->mutable_end_time()) = *ts;
    } else if (name == "limit") {
      int limit = 0;
      if (!absl::SimpleAtoi(value, &limit) || limit < 1 || limit > 100) {
        return InvalidFieldError("limit", "limit must be an integer from 1 to 100");
      }
      request.set_page_size(limit);
    } else if (name == "next_cursor") {
      request.set_cursor(value);
    } else if (name == "environment_id") {
      return InvalidFieldError("environment_id", "environment_id is not supported: caspio-mcp has one environment",
                               "omit environment_id");
    } else {
      return InvalidFieldError(name, absl::StrCat("unknown query parameter ", name));
    }
  }
  if (!has_log_type) return MissingFieldError("log_type", "log_type is required; use log_type=mcp");
  if (f->has_start_time() && f->has_end_time() &&
      (f->end_time().seconds() < f->start_time().seconds() ||
       (f->end_time().seconds() == f->start_time().seconds() && f->end_time().nanos() <= f->start_time().nanos()))) {
    return InvalidFieldError("end_time", "end_time must be later than start_time");
  }
  return request;
}

ojson LogEntryJson(const pb::ToolCallEntry& e) {
  const absl::Time created = absl::FromUnixSeconds(e.created_at().seconds()) + absl::Nanoseconds(e.created_at().nanos());
  ojson arguments = ojson::parse(e.arguments_json(), nullptr, false);
  if (arguments.is_discarded() || !arguments.is_object()) arguments = ojson::object();
  const char* status = e.status() == pb::TOOL_CALL_STATUS_OK           ? "ok"
                       : e.status() == pb::TOOL_CALL_STATUS_TOOL_ERROR ? "tool_error"
                                                                       : "rpc_error";
  return {{"id", e.id()},
          {"log_type", "mcp"},
          {"created_at", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", created, absl::UTCTimeZone())},
          {"request_id", OrNull(e.request_id())},
          {"trace_id", OrNull(e.trace_id())},
          {"integrated_account_id", e.integrated_account_id()},
          {"integration", OrNull(e.integration())},
          {"mcp_server_id", e.mcp_server_id()},
          {"mcp_server_name", OrNull(e.mcp_server_name())},
          {"mcp_method", OrNull(e.mcp_method())},
          {"tool_name", e.tool_name()},
          {"resource", OrNull(e.resource())},
          {"method", OrNull(e.method())},
          {"arguments", arguments},
          {"status", status},
          {"error_code", OrNull(e.error_code())},
          {"rpc_error_code", e.rpc_error_code() == 0 ? ojson(nullptr) : ojson(e.rpc_error_code())},
          {"http_status_code", e.http_status_code() == 0 ? ojson(nullptr) : ojson(e.http_status_code())},
          {"duration", static_cast<double>(e.duration_us()) / 1000.0},
          {"fetch_duration", e.http_status_code() == 0 && e.fetch_duration_us() == 0
                                 ? ojson(nullptr)
                                 : ojson(static_cast<double>(e.fetch_duration_us()) / 1000.0)},
          {"client_name", OrNull(e.client_name())},
          {"client_version", OrNull(e.client_version())},
          {"protocol_version", OrNull(e.protocol_version())}};
}

}  // namespace cmcp::edge
