// File: audit_log.h
// The audit log's rules (audit_service.proto), independent of Redis: checks
// and encodes an entry as flat fields for the AuditStore, and answers a
// filtered, paged read newest first. A read examines at most `scan_limit`
// entries, so a selective filter over a long log costs a bounded amount per
// page and pages on with a cursor (the id of the last entry examined).
// Time ranges select on the entry's created_at (when the edge received the
// call); the store is searched by append time with `clock_slack` of margin
// either side (calls last a while, and edge and token clocks differ).
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "caspio_mcp/token/v1/audit_service.pb.h"
#include "services/token/audit_store.h"

namespace cmcp::token {

struct AuditLogSettings {
  int default_page_size = 20;
  int max_page_size = 100;
  // Entries examined per ListToolCalls call at most.
  int scan_limit = 10000;
  // Entries read from the store per round trip.
  int batch_size = 200;
  absl::Duration clock_slack = absl::Hours(1);
  // Largest arguments_json accepted (the edge caps it well below).
  size_t max_arguments_bytes = 64 * 1024;
  // Most entries one RecordToolCalls may carry.
  int max_batch = 1000;
};

class AuditLog {
 public:
  AuditLog(AuditLogSettings settings, AuditStore* store) : settings_(settings), store_(store) {}

  absl::StatusOr<std::string> Record(const caspio_mcp::token::v1::ToolCallEntry& entry);
  // Appends the valid entries in one round trip and lists the refused ones
  // (each checked as Record checks it). INVALID_ARGUMENT (field "entries")
  // for more than max_batch entries; the store's error when it fails.
  absl::StatusOr<caspio_mcp::token::v1::RecordToolCallsResponse> RecordMany(
      const google::protobuf::RepeatedPtrField<caspio_mcp::token::v1::ToolCallEntry>& entries);
  absl::StatusOr<caspio_mcp::token::v1::ListToolCallsResponse> List(
      const caspio_mcp::token::v1::ListToolCallsRequest& request);

  // Entry <-> stream fields (exposed for tests).
  static AuditFields Encode(const caspio_mcp::token::v1::ToolCallEntry& entry);
  static caspio_mcp::token::v1::ToolCallEntry Decode(const AuditRecord& record);
  // True when `entry` passes every set field of `filter`.
  static bool Matches(const caspio_mcp::token::v1::ToolCallFilter& filter,
                      const caspio_mcp::token::v1::ToolCallEntry& entry);

 private:
  absl::Status Check(const caspio_mcp::token::v1::ToolCallEntry& entry) const;

  AuditLogSettings settings_;
  AuditStore* store_;
};

}  // namespace cmcp::token
