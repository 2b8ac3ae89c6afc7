#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"
#include "services/token/coordination_store.h"

namespace cmcp::token {

RedisCoordinationStore::RedisCoordinationStore(std::shared_ptr<RedisClient> redis, std::string prefix)
    : redis_(std::move(redis)), prefix_(std::move(prefix)) {}

absl::Status RedisCoordinationStore::RevokeSession(const std::string& digest, absl::Time until) {
  const int64_t ms = std::max<int64_t>(absl::ToInt64Milliseconds(until - absl::Now()), 1000);
  return redis_->Command({"SET", absl::StrCat(prefix_, ":revoked:", digest), "1", "PX", absl::StrCat(ms)}).status();
}

absl::StatusOr<bool> RedisCoordinationStore::IsSessionRevoked(const std::string& digest) {
  CMCP_ASSIGN_OR_RETURN(RedisReply r, redis_->Command({"EXISTS", absl::StrCat(prefix_, ":revoked:", digest)}));
  return r.integer > 0;
}

absl::StatusOr<int> RedisCoordinationStore::Publish(const std::string& channel, const std::string& payload) {
  CMCP_ASSIGN_OR_RETURN(RedisReply r, redis_->Command({"PUBLISH", absl::StrCat(prefix_, ":bus:", channel), payload}));
  return static_cast<int>(r.integer);
}

absl::StatusOr<std::unique_ptr<RedisSubscriber>> RedisCoordinationStore::Subscribe(
    const std::vector<std::string>& channels) {
  std::vector<std::string> keys;
  for (const std::string& c : channels) keys.push_back(absl::StrCat(prefix_, ":bus:", c));
  return redis_->Subscribe(keys);
}

absl::Status RedisCoordinationStore::AppendStreamEvents(const std::string& stream_id,
                                                        const std::vector<StreamEventRecord>& events, bool complete,
                                                        absl::Duration ttl) {
  const std::string key = absl::StrCat(prefix_, ":stream:", stream_id);
  const std::string ms = absl::StrCat(std::max<int64_t>(absl::ToInt64Milliseconds(ttl), 1000));
  std::vector<std::vector<std::string>> commands;
  if (!events.empty()) {
    std::vector<std::string> push = {"RPUSH", key};
    for (const StreamEventRecord& e : events) push.push_back(absl::StrCat(e.id, "\t", e.data));
    commands.push_back(std::move(push));
    commands.push_back({"LTRIM", key, absl::StrCat(-kMaxStreamEvents), "-1"});
  }
  commands.push_back({"PEXPIRE", key, ms});
  if (complete) commands.push_back({"SET", key + ":done", "1", "PX", ms});
  CMCP_ASSIGN_OR_RETURN(auto replies, redis_->Pipeline(commands));
  for (const RedisReply& r : replies) {
    if (r.type == RedisReply::Type::kError) return InternalError(absl::StrCat("Redis error: ", r.str));
  }
  return absl::OkStatus();
}

absl::StatusOr<StreamLog> RedisCoordinationStore::ReadStreamEvents(const std::string& stream_id, int64_t after_id) {
  const std::string key = absl::StrCat(prefix_, ":stream:", stream_id);
  CMCP_ASSIGN_OR_RETURN(auto replies, redis_->Pipeline({{"LRANGE", key, "0", "-1"}, {"EXISTS", key + ":done"}}));
  StreamLog log;
  log.complete = replies[1].integer > 0;
  log.found = !replies[0].elements.empty() || log.complete;
  for (const RedisReply& e : replies[0].elements) {
    const size_t tab = e.str.find('\t');
    int64_t id = 0;
    if (tab == std::string::npos || !absl::SimpleAtoi(e.str.substr(0, tab), &id)) continue;
    if (id > after_id) log.events.push_back({id, e.str.substr(tab + 1)});
  }
  return log;
}

absl::StatusOr<QuotaDecision> RedisCoordinationStore::ConsumeQuota(const std::vector<QuotaBucketSpec>& buckets,
                                                                   absl::Time now) {
  const int64_t now_ms = absl::ToUnixMillis(now);
  std::vector<std::vector<std::string>> commands;
  for (const QuotaBucketSpec& b : buckets) {
    const int64_t window_ms = std::max<int64_t>(absl::ToInt64Milliseconds(b.window), 1);
    const std::string key = absl::StrCat(prefix_, ":quota:", b.key, ":", now_ms / window_ms);
    commands.push_back({"SET", key, "0", "PX", absl::StrCat(window_ms * 2), "NX"});
    commands.push_back({"INCRBY", key, absl::StrCat(std::max<int64_t>(b.permits, 1))});
  }
  CMCP_ASSIGN_OR_RETURN(auto replies, redis_->Pipeline(commands));
  QuotaDecision decision;
  for (size_t i = 0; i < buckets.size(); ++i) {
    const QuotaBucketSpec& b = buckets[i];
    const RedisReply& count = replies[2 * i + 1];
    if (count.type != RedisReply::Type::kInteger) return InternalError(absl::StrCat("Redis error: ", count.str));
    const int64_t window_ms = std::max<int64_t>(absl::ToInt64Milliseconds(b.window), 1);
    const int64_t permits = std::max<int64_t>(b.permits, 1);
    QuotaStateRecord state;
    state.key = b.key;
    state.limit = b.limit;
    state.remaining = std::max<int64_t>(b.limit - count.integer, 0);
    state.reset = absl::Milliseconds(window_ms - now_ms % window_ms);
    // The counter went from count - permits to count; only what stays within
    // the limit is granted, so grants never add up past it.
    state.granted = std::clamp<int64_t>(b.limit - (count.integer - permits), 0, permits);
    if (state.granted == 0) decision.allowed = false;
    decision.states.push_back(state);
  }
  return decision;
}

}  // namespace cmcp::token
