// File: coordination_store.h
// Shared state for edge replicas (see coordination_service.proto): session
// revocations, a publish/subscribe relay, resumable stream logs and quota
// counters. RedisCoordinationStore is the real one; tests use a fake.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"

namespace cmcp::token {

struct StreamEventRecord {
  int64_t id = 0;
  std::string data;
};

struct StreamLog {
  bool found = false;
  std::vector<StreamEventRecord> events;
  bool complete = false;
};

struct QuotaBucketSpec {
  std::string key;
  int64_t limit = 0;
  absl::Duration window;
  // Permits wanted at once (>= 1).
  int64_t permits = 1;
};

struct QuotaStateRecord {
  std::string key;
  int64_t limit = 0;
  int64_t remaining = 0;
  absl::Duration reset;
  // 0..permits: what this caller may use until the window resets.
  int64_t granted = 0;
};

struct QuotaDecision {
  bool allowed = true;
  std::vector<QuotaStateRecord> states;
};

class CoordinationStore {
 public:
  virtual ~CoordinationStore() = default;
  virtual absl::Status RevokeSession(const std::string& digest, absl::Time until) = 0;
  virtual absl::StatusOr<bool> IsSessionRevoked(const std::string& digest) = 0;
  virtual absl::StatusOr<int> Publish(const std::string& channel, const std::string& payload) = 0;
  virtual absl::StatusOr<std::unique_ptr<RedisSubscriber>> Subscribe(const std::vector<std::string>& channels) = 0;
  virtual absl::Status AppendStreamEvents(const std::string& stream_id, const std::vector<StreamEventRecord>& events,
                                          bool complete, absl::Duration ttl) = 0;
  virtual absl::StatusOr<StreamLog> ReadStreamEvents(const std::string& stream_id, int64_t after_id) = 0;
  virtual absl::StatusOr<QuotaDecision> ConsumeQuota(const std::vector<QuotaBucketSpec>& buckets, absl::Time now) = 0;
};

// Keys: <p>:revoked:<digest>, <p>:bus:<channel> (pub/sub), <p>:stream:<id>
// (list of "id\tdata") with <p>:stream:<id>:done, <p>:quota:<key>:<window>.
class RedisCoordinationStore final : public CoordinationStore {
 public:
  // Stream logs keep at most this many events.
  static constexpr int kMaxStreamEvents = 1000;

  RedisCoordinationStore(std::shared_ptr<RedisClient> redis, std::string prefix = "cmcp");

  absl::Status RevokeSession(const std::string& digest, absl::Time until) override;
  absl::StatusOr<bool> IsSessionRevoked(const std::string& digest) override;
  absl::StatusOr<int> Publish(const std::string& channel, const std::string& payload) override;
  absl::StatusOr<std::unique_ptr<RedisSubscriber>> Subscribe(const std::vector<std::string>& channels) override;
  absl::Status AppendStreamEvents(const std::string& stream_id, const std::vector<StreamEventRecord>& events,
                                  bool complete, absl::Duration ttl) override;
  absl::StatusOr<StreamLog> ReadStreamEvents(const std::string& stream_id, int64_t after_id) override;
  absl::StatusOr<QuotaDecision> ConsumeQuota(const std::vector<QuotaBucketSpec>& buckets, absl::Time now) override;

 private:
  std::shared_ptr<RedisClient> redis_;
  std::string prefix_;
};

}  // namespace cmcp::token
