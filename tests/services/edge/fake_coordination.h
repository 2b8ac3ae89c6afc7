// File: fake_coordination.h
// EdgeCoordination in memory, for unit tests: one replica whose published
// messages come straight back to its own bus handler.
#pragma once

#include <algorithm>
#include <map>
#include <string>

#include "absl/synchronization/mutex.h"
#include "services/edge/edge_coordination.h"

namespace cmcp::edge {

class FakeCoordination final : public EdgeCoordination {
 public:
  const std::string& replica_id() const override { return replica_; }
  void Start(BusHandler handler) override {
    absl::MutexLock lock(&mu_);
    handler_ = std::move(handler);
  }
  void Stop() override {}
  void RevokeSession(const std::string& digest, absl::Time until, std::function<void(absl::Status)> done) override {
    NoteRevoked(digest, until);
    bool fail;
    {
      absl::MutexLock lock(&mu_);
      fail = fail_revocations_;
    }
    if (done) done(fail ? absl::UnavailableError("redis is down") : absl::OkStatus());
  }
  // Makes storing revocations fail (Redis unreachable).
  void FailRevocations(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_revocations_ = fail;
  }
  void NoteRevoked(const std::string& digest, absl::Time) override {
    absl::MutexLock lock(&mu_);
    revoked_[digest] = true;
  }
  void IsSessionRevoked(const std::string& digest, std::function<void(absl::StatusOr<bool>)> done) override {
    bool revoked;
    {
      absl::MutexLock lock(&mu_);
      revoked = revoked_.contains(digest);
    }
    done(revoked);
  }
  void Publish(const std::string& channel, const nlohmann::json& message,
               std::function<void(absl::StatusOr<int>)> done) override {
    BusHandler handler;
    {
      absl::MutexLock lock(&mu_);
      published_.push_back({channel, message});
      handler = handler_;
    }
    const bool ours = channel == kBroadcastChannel || channel == ReplicaChannel(replica_);
    if (ours && handler) handler(message);
    if (done) done(ours ? 1 : 0);
  }
  void ConsumeQuota(caspio_mcp::token::v1::ConsumeQuotaRequest request,
                    std::function<void(absl::StatusOr<caspio_mcp::token::v1::ConsumeQuotaResponse>)> done) override {
    caspio_mcp::token::v1::ConsumeQuotaResponse response;
    response.set_allowed(true);
    {
      absl::MutexLock lock(&mu_);
      ++quota_requests_;
      for (const auto& b : request.buckets()) {
        // As RedisCoordinationStore: take `permits`, grant what fits the limit.
        const int64_t permits = std::max<int64_t>(b.permits(), 1);
        const int64_t used = quota_[b.key()] += permits;
        auto* s = response.add_states();
        s->set_key(b.key());
        s->set_limit(b.limit());
        s->set_remaining(std::max<int64_t>(b.limit() - used, 0));
        s->set_reset_ms(30000);
        s->set_granted(std::clamp<int64_t>(b.limit() - (used - permits), 0, permits));
        if (s->granted() == 0) response.set_allowed(false);
      }
    }
    done(response);
  }
  void AppendStreamEvents(caspio_mcp::token::v1::AppendStreamEventsRequest request) override {
    absl::MutexLock lock(&mu_);
    auto& log = logs_[request.stream_id()];
    for (const auto& e : request.events()) *log.add_events() = e;
    log.set_found(true);
    if (request.complete()) log.set_complete(true);
  }
  void ReadStreamEvents(const std::string& stream_id, int64_t after_id,
                        std::function<void(absl::StatusOr<caspio_mcp::token::v1::ReadStreamEventsResponse>)> done) override {
    caspio_mcp::token::v1::ReadStreamEventsResponse out;
    {
      absl::MutexLock lock(&mu_);
      auto it = logs_.find(stream_id);
      if (it != logs_.end()) {
        out.set_found(true);
        out.set_complete(it->second.complete());
        for (const auto& e : it->second.events()) {
          if (e.id() > after_id) *out.add_events() = e;
        }
      }
    }
    done(out);
  }

  int quota_requests() {
    absl::MutexLock lock(&mu_);
    return quota_requests_;
  }
  std::vector<std::pair<std::string, nlohmann::json>> published() {
    absl::MutexLock lock(&mu_);
    return published_;
  }

 private:
  std::string replica_ = "replica-a";
  absl::Mutex mu_;
  BusHandler handler_;
  std::map<std::string, bool> revoked_;
  bool fail_revocations_ = false;
  std::map<std::string, int64_t> quota_;
  int quota_requests_ = 0;
  std::map<std::string, caspio_mcp::token::v1::ReadStreamEventsResponse> logs_;
  std::vector<std::pair<std::string, nlohmann::json>> published_;
};

}  // namespace cmcp::edge
