#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"
#include "services/token/audit_store.h"

namespace cmcp::token {

std::string StreamId::ToString() const { return absl::StrCat(ms, "-", seq); }

std::optional<StreamId> StreamId::Parse(absl::string_view text) {
  const size_t dash = text.find('-');
  if (dash == absl::string_view::npos || dash == 0 || dash + 1 == text.size()) return std::nullopt;
  StreamId id;
  for (char c : text) {
    if (c != '-' && (c < '0' || c > '9')) return std::nullopt;
  }
  if (!absl::SimpleAtoi(text.substr(0, dash), &id.ms) || !absl::SimpleAtoi(text.substr(dash + 1), &id.seq)) {
    return std::nullopt;
  }
  return id;
}

RedisAuditStore::RedisAuditStore(std::shared_ptr<RedisClient> redis, std::string prefix, int64_t max_entries)
    : redis_(std::move(redis)), key_(absl::StrCat(prefix, ":audit:mcp")), max_entries_(max_entries) {}

std::vector<std::string> RedisAuditStore::XaddArgs(const AuditFields& fields) const {
  std::vector<std::string> args = {"XADD", key_, "MAXLEN", "~", absl::StrCat(max_entries_), "*"};
  args.reserve(args.size() + 2 * fields.size());
  for (const auto& [name, value] : fields) {
    args.push_back(name);
    args.push_back(value);
  }
  return args;
}

absl::StatusOr<StreamId> RedisAuditStore::Append(const AuditFields& fields) {
  CMCP_ASSIGN_OR_RETURN(std::vector<StreamId> ids, AppendMany({fields}));
  return ids.front();
}

absl::StatusOr<std::vector<StreamId>> RedisAuditStore::AppendMany(const std::vector<AuditFields>& entries) {
  if (entries.empty()) return std::vector<StreamId>{};
  std::vector<std::vector<std::string>> commands;
  commands.reserve(entries.size());
  for (const AuditFields& fields : entries) commands.push_back(XaddArgs(fields));
  CMCP_ASSIGN_OR_RETURN(std::vector<RedisReply> replies, redis_->Pipeline(commands));
  std::vector<StreamId> ids;
  ids.reserve(replies.size());
  for (const RedisReply& reply : replies) {
    std::optional<StreamId> id = StreamId::Parse(reply.str);
    if (!id.has_value()) return InternalError("Redis XADD answered without an entry id");
    ids.push_back(*id);
  }
  return ids;
}

absl::StatusOr<std::vector<AuditRecord>> RedisAuditStore::ReadNewestFirst(std::optional<StreamId> before,
                                                                          std::optional<StreamId> oldest,
                                                                          int count) {
  const std::string max = before.has_value() ? absl::StrCat("(", before->ToString()) : "+";
  const std::string min = oldest.has_value() ? oldest->ToString() : "-";
  CMCP_ASSIGN_OR_RETURN(RedisReply reply, redis_->Command({"XREVRANGE", key_, max, min, "COUNT", absl::StrCat(count)}));
  std::vector<AuditRecord> out;
  for (const RedisReply& entry : reply.elements) {
    if (entry.elements.size() != 2) continue;
    std::optional<StreamId> id = StreamId::Parse(entry.elements[0].str);
    if (!id.has_value()) continue;
    AuditRecord record;
    record.id = *id;
    const auto& values = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < values.size(); i += 2) record.fields.emplace_back(values[i].str, values[i + 1].str);
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace cmcp::token
