// File: audit_store.h
// Where the audit log of tool calls lives (audit_service.proto): an append-only
// log capped at about `max_entries`, read newest first by entry id. The real
// one is a Redis stream (XADD MAXLEN ~ / XREVRANGE); tests use a fake. Entries
// are flat field/value pairs; AuditLog (audit_log.h) owns their meaning.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/redis/redis_client.h"

namespace cmcp::token {

// A Redis stream entry id "<ms>-<seq>": the append time and a sequence.
struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamId&) const = default;
  std::string ToString() const;
  // Only the full "<ms>-<seq>" form.
  static std::optional<StreamId> Parse(absl::string_view text);
};

using AuditFields = std::vector<std::pair<std::string, std::string>>;

struct AuditRecord {
  StreamId id;
  AuditFields fields;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Appends one entry and trims the log to about max_entries (Redis trims in
  // whole stream nodes, so it may briefly hold a little more). Returns its id.
  virtual absl::StatusOr<StreamId> Append(const AuditFields& fields) = 0;
  // Appends several in order, in one round trip; their ids, in order.
  virtual absl::StatusOr<std::vector<StreamId>> AppendMany(const std::vector<AuditFields>& entries) = 0;
  // Up to `count` entries with before > id >= oldest, newest first; no bound
  // when unset.
  virtual absl::StatusOr<std::vector<AuditRecord>> ReadNewestFirst(std::optional<StreamId> before,
                                                                   std::optional<StreamId> oldest, int count) = 0;
};

// Key: <prefix>:audit:mcp (a stream).
class RedisAuditStore final : public AuditStore {
 public:
  RedisAuditStore(std::shared_ptr<RedisClient> redis, std::string prefix, int64_t max_entries);

  absl::StatusOr<StreamId> Append(const AuditFields& fields) override;
  // One pipeline of XADDs.
  absl::StatusOr<std::vector<StreamId>> AppendMany(const std::vector<AuditFields>& entries) override;
  absl::StatusOr<std::vector<AuditRecord>> ReadNewestFirst(std::optional<StreamId> before,
                                                           std::optional<StreamId> oldest, int count) override;
  const std::string& key() const { return key_; }

 private:
  std::vector<std::string> XaddArgs(const AuditFields& fields) const;

  std::shared_ptr<RedisClient> redis_;
  std::string key_;
  int64_t max_entries_;
};

}  // namespace cmcp::token
