#include "services/token/audit_log.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"

namespace cmcp::token {
namespace {

namespace pb = ::caspio_mcp::token::v1;

int64_t ToMicros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

google::protobuf::Timestamp FromMicros(int64_t micros) {
  google::protobuf::Timestamp ts;
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rest * 1000));
  return ts;
}

absl::string_view StatusName(pb::ToolCallStatus status) {
  switch (status) {
    case pb::TOOL_CALL_STATUS_OK:
      return "ok";
    case pb::TOOL_CALL_STATUS_TOOL_ERROR:
      return "tool_error";
    case pb::TOOL_CALL_STATUS_RPC_ERROR:
      return "rpc_error";
    default:
      return "";
  }
}

pb::ToolCallStatus StatusFromName(absl::string_view name) {
  if (name == "ok") return pb::TOOL_CALL_STATUS_OK;
  if (name == "tool_error") return pb::TOOL_CALL_STATUS_TOOL_ERROR;
  if (name == "rpc_error") return pb::TOOL_CALL_STATUS_RPC_ERROR;
  return pb::TOOL_CALL_STATUS_UNSPECIFIED;
}

// The cursor is the id of the last entry examined, base64url so callers
// treat it as opaque.
std::string EncodeCursor(const StreamId& id) { return Base64UrlEncode(absl::StrCat("a1:", id.ToString())); }

absl::StatusOr<StreamId> DecodeCursor(const std::string& cursor) {
  auto bad = [] {
    return InvalidFieldError("cursor", "cursor is not one this log issued",
                             "send back next_cursor exactly as received, or omit it for the newest entries");
  };
  auto raw = Base64UrlDecode(cursor);
  if (!raw.ok() || raw->rfind("a1:", 0) != 0) return bad();
  std::optional<StreamId> id = StreamId::Parse(absl::string_view(*raw).substr(3));
  if (!id.has_value()) return bad();
  return *id;
}

StreamId IdAtMillis(int64_t ms) { return StreamId{static_cast<uint64_t>(std::max<int64_t>(ms, 0)), 0}; }

}  // namespace

AuditFields AuditLog::Encode(const pb::ToolCallEntry& e) {
  AuditFields f;
  auto add = [&f](const char* name, const std::string& value) {
    if (!value.empty()) f.emplace_back(name, value);
  };
  auto add_int = [&f](const char* name, int64_t value) {
    if (value != 0) f.emplace_back(name, absl::StrCat(value));
  };
  add_int("created_at_us", ToMicros(e.created_at()));
  add("request_id", e.request_id());
  add("trace_id", e.trace_id());
  add("integrated_account_id", e.integrated_account_id());
  add("integration", e.integration());
  add("mcp_server_id", e.mcp_server_id());
  add("mcp_server_name", e.mcp_server_name());
  add("mcp_method", e.mcp_method());
  add("tool_name", e.tool_name());
  add("resource", e.resource());
  add("method", e.method());
  add("arguments", e.arguments_json());
  add("status", std::string(StatusName(e.status())));
  add("error_code", e.error_code());
  add_int("rpc_error_code", e.rpc_error_code());
  add_int("http_status_code", e.http_status_code());
  add_int("duration_us", e.duration_us());
  add_int("fetch_duration_us", e.fetch_duration_us());
  add("client_name", e.client_name());
  add("client_version", e.client_version());
  add("protocol_version", e.protocol_version());
  return f;
}

pb::ToolCallEntry AuditLog::Decode(const AuditRecord& record) {
  pb::ToolCallEntry e;
  e.set_id(record.id.ToString());
  for (const auto& [name, value] : record.fields) {
    int64_t n = 0;
    const bool numeric = absl::SimpleAtoi(value, &n);
    if (name == "created_at_us" && numeric) *e.mutable_created_at() = FromMicros(n);
    else if (name == "request_id") e.set_request_id(value);
    else if (name == "trace_id") e.set_trace_id(value);
    else if (name == "integrated_account_id") e.set_integrated_account_id(value);
    else if (name == "integration") e.set_integration(value);
    else if (name == "mcp_server_id") e.set_mcp_server_id(value);
    else if (name == "mcp_server_name") e.set_mcp_server_name(value);
    else if (name == "mcp_method") e.set_mcp_method(value);
    else if (name == "tool_name") e.set_tool_name(value);
    else if (name == "resource") e.set_resource(value);
    else if (name == "method") e.set_method(value);
    else if (name == "arguments") e.set_arguments_json(value);
    else if (name == "status") e.set_status(StatusFromName(value));
    else if (name == "error_code") e.set_error_code(value);
    else if (name == "rpc_error_code" && numeric) e.set_rpc_error_code(static_cast<int32_t>(n));
    else if (name == "http_status_code" && numeric) e.set_http_status_code(static_cast<int32_t>(n));
    else if (name == "duration_us" && numeric) e.set_duration_us(n);
    else if (name == "fetch_duration_us" && numeric) e.set_fetch_duration_us(n);
    else if (name == "client_name") e.set_client_name(value);
    else if (name == "client_version") e.set_client_version(value);
    else if (name == "protocol_version") e.set_protocol_version(value);
  }
  // Entries without a stored time fall back to their append time.
  if (!e.has_created_at()) *e.mutable_created_at() = FromMicros(static_cast<int64_t>(record.id.ms) * 1000);
  return e;
}

bool AuditLog::Matches(const pb::ToolCallFilter& f, const pb::ToolCallEntry& e) {
  auto same = [](const std::string& want, const std::string& have) { return want.empty() || want == have; };
  if (!same(f.integrated_account_id(), e.integrated_account_id()) || !same(f.mcp_server_id(), e.mcp_server_id()) ||
      !same(f.tool_name(), e.tool_name()) || !same(f.mcp_method(), e.mcp_method()) ||
      !same(f.resource(), e.resource()) || !same(f.method(), e.method()) ||
      !same(f.client_name(), e.client_name()) || !same(f.client_version(), e.client_version()) ||
      !same(f.request_id(), e.request_id()) || !same(f.integration(), e.integration())) {
    return false;
  }
  if (f.status() != pb::TOOL_CALL_STATUS_UNSPECIFIED && f.status() != e.status()) return false;
  const int64_t created = ToMicros(e.created_at());
  if (f.has_start_time() && created < ToMicros(f.start_time())) return false;
  if (f.has_end_time() && created >= ToMicros(f.end_time())) return false;
  return true;
}

absl::Status AuditLog::Check(const pb::ToolCallEntry& entry) const {
  if (entry.mcp_server_id().empty()) return MissingFieldError("entry.mcp_server_id", "entry.mcp_server_id is required");
  if (entry.integrated_account_id().empty()) {
    return MissingFieldError("entry.integrated_account_id", "entry.integrated_account_id is required");
  }
  if (!entry.has_created_at()) return MissingFieldError("entry.created_at", "entry.created_at is required");
  if (entry.status() == pb::TOOL_CALL_STATUS_UNSPECIFIED) {
    return MissingFieldError("entry.status", "entry.status is required");
  }
  if (entry.arguments_json().size() > settings_.max_arguments_bytes) {
    return InvalidFieldError("entry.arguments_json",
                             absl::StrCat("entry.arguments_json is larger than ", settings_.max_arguments_bytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> AuditLog::Record(const pb::ToolCallEntry& entry) {
  CMCP_RETURN_IF_ERROR(Check(entry));
  CMCP_ASSIGN_OR_RETURN(StreamId id, store_->Append(Encode(entry)));
  return id.ToString();
}

absl::StatusOr<pb::RecordToolCallsResponse> AuditLog::RecordMany(
    const google::protobuf::RepeatedPtrField<pb::ToolCallEntry>& entries) {
  if (entries.size() > settings_.max_batch) {
    return InvalidFieldError("entries", absl::StrCat("at most ", settings_.max_batch, " entries per call, got ",
                                                     entries.size()));
  }
  pb::RecordToolCallsResponse response;
  std::vector<AuditFields> valid;
  std::vector<int> valid_index;
  for (int i = 0; i < entries.size(); ++i) {
    response.add_ids();
    if (absl::Status s = Check(entries[i]); !s.ok()) {
      pb::RecordToolCallsResponse::Refused* refused = response.add_refused();
      refused->set_index(i);
      refused->set_message(std::string(s.message()));
      continue;
    }
    valid.push_back(Encode(entries[i]));
    valid_index.push_back(i);
  }
  CMCP_ASSIGN_OR_RETURN(std::vector<StreamId> ids, store_->AppendMany(valid));
  if (ids.size() != valid_index.size()) return InternalError("the audit store returned the wrong number of ids");
  for (size_t k = 0; k < ids.size(); ++k) response.set_ids(valid_index[k], ids[k].ToString());
  return response;
}

absl::StatusOr<pb::ListToolCallsResponse> AuditLog::List(const pb::ListToolCallsRequest& request) {
  const pb::ToolCallFilter& filter = request.filter();
  if (request.page_size() < 0 || request.page_size() > settings_.max_page_size) {
    return InvalidFieldError("page_size", absl::StrCat("page_size must be from 1 to ", settings_.max_page_size));
  }
  const int limit = request.page_size() == 0 ? settings_.default_page_size : request.page_size();
  if (filter.has_start_time() && filter.has_end_time() && ToMicros(filter.end_time()) <= ToMicros(filter.start_time())) {
    return InvalidFieldError("end_time", "end_time must be later than start_time");
  }
  const int64_t slack_ms = absl::ToInt64Milliseconds(settings_.clock_slack);
  std::optional<StreamId> before;
  if (!request.cursor().empty()) {
    CMCP_ASSIGN_OR_RETURN(before, DecodeCursor(request.cursor()));
  }
  if (filter.has_end_time()) {
    // Entries appended up to clock_slack after end_time may have started before it.
    const StreamId end = IdAtMillis(ToMicros(filter.end_time()) / 1000 + slack_ms + 1);
    if (!before.has_value() || end < *before) before = end;
  }
  std::optional<StreamId> oldest;
  if (filter.has_start_time()) oldest = IdAtMillis(ToMicros(filter.start_time()) / 1000 - slack_ms);

  pb::ListToolCallsResponse response;
  int scanned = 0;
  std::optional<StreamId> last;
  while (true) {
    if (before.has_value() && *before == StreamId{}) return response;  // nothing is older than 0-0
    const int want = std::min(settings_.batch_size, settings_.scan_limit - scanned);
    if (want <= 0) break;
    CMCP_ASSIGN_OR_RETURN(std::vector<AuditRecord> batch, store_->ReadNewestFirst(before, oldest, want));
    for (const AuditRecord& record : batch) {
      ++scanned;
      last = record.id;
      pb::ToolCallEntry entry = Decode(record);
      if (!Matches(filter, entry)) continue;
      *response.add_entries() = std::move(entry);
      if (response.entries_size() == limit) {
        response.set_next_cursor(EncodeCursor(record.id));
        return response;
      }
    }
    if (static_cast<int>(batch.size()) < want) return response;  // the log is exhausted
    before = last;
  }
  // The scan budget ran out: the caller continues from the last entry examined.
  if (last.has_value()) response.set_next_cursor(EncodeCursor(*last));
  return response;
}

}  // namespace cmcp::token
