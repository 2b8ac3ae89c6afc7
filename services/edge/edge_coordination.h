// File: edge_coordination.h
// The edge's side of the token service's CoordinationService: what replicas
// share. Session revocations are applied locally at once, stored in Redis and
// announced to the other replicas (which drop their short "not revoked" cache
// entry for it), and checked remotely with that short cache; messages for this replica (legacy SSE deliveries,
// cancellations) arrive on a subscription kept alive by a background thread
// that reconnects with backoff; quotas and stream logs are plain async calls.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "caspio_mcp/token/v1/coordination_service.grpc.pb.h"
#include "common/grpc/client_queue.h"
#include "nlohmann/json.hpp"

namespace cmcp::edge {

struct EdgeCoordinationSettings {
  absl::Duration rpc_timeout = absl::Seconds(5);
  // How long "not revoked" answers are cached per session.
  absl::Duration revocation_cache_ttl = absl::Milliseconds(500);
  size_t max_cache_entries = 100000;
};

class EdgeCoordination {
 public:
  // Receives every message published to this replica or to all replicas.
  using BusHandler = std::function<void(const nlohmann::json& message)>;

  virtual ~EdgeCoordination() = default;

  virtual const std::string& replica_id() const = 0;
  static std::string ReplicaChannel(absl::string_view replica_id) { return absl::StrCat("edge:", replica_id); }
  static constexpr char kBroadcastChannel[] = "edge:broadcast";

  // Starts receiving bus messages; `handler` runs on a background thread.
  virtual void Start(BusHandler handler) = 0;
  virtual void Stop() = 0;

  // Revokes here at once, then stores the revocation for every replica; `done`
  // (may be null) gets the outcome of storing it.
  virtual void RevokeSession(const std::string& digest, absl::Time until, std::function<void(absl::Status)> done) = 0;
  // Another replica revoked `digest`: refuse it here without asking Redis.
  virtual void NoteRevoked(const std::string& digest, absl::Time until) = 0;
  virtual void IsSessionRevoked(const std::string& digest, std::function<void(absl::StatusOr<bool>)> done) = 0;
  // `done` may be null.
  virtual void Publish(const std::string& channel, const nlohmann::json& message,
                       std::function<void(absl::StatusOr<int>)> done) = 0;
  virtual void ConsumeQuota(caspio_mcp::token::v1::ConsumeQuotaRequest request,
                            std::function<void(absl::StatusOr<caspio_mcp::token::v1::ConsumeQuotaResponse>)> done) = 0;
  virtual void AppendStreamEvents(caspio_mcp::token::v1::AppendStreamEventsRequest request) = 0;
  virtual void ReadStreamEvents(
      const std::string& stream_id, int64_t after_id,
      std::function<void(absl::StatusOr<caspio_mcp::token::v1::ReadStreamEventsResponse>)> done) = 0;
};

// The real one, over the token service's CoordinationService.
class GrpcEdgeCoordination final : public EdgeCoordination {
 public:
  using Stub = caspio_mcp::token::v1::CoordinationService::Stub;

  // Unary calls complete on `queue`'s thread, which must outlive them.
  GrpcEdgeCoordination(EdgeCoordinationSettings settings, ClientQueue* queue, Stub* stub, std::string replica_id);
  ~GrpcEdgeCoordination() override;

  const std::string& replica_id() const override { return replica_id_; }
  void Start(BusHandler handler) override;
  void Stop() override;
  // True once the subscription is active (messages to this replica arrive).
  bool subscribed() const { return subscribed_.load(); }

  void RevokeSession(const std::string& digest, absl::Time until, std::function<void(absl::Status)> done) override;
  void NoteRevoked(const std::string& digest, absl::Time until) override;
  void IsSessionRevoked(const std::string& digest, std::function<void(absl::StatusOr<bool>)> done) override;
  void Publish(const std::string& channel, const nlohmann::json& message,
               std::function<void(absl::StatusOr<int>)> done) override;
  void ConsumeQuota(caspio_mcp::token::v1::ConsumeQuotaRequest request,
                    std::function<void(absl::StatusOr<caspio_mcp::token::v1::ConsumeQuotaResponse>)> done) override;
  void AppendStreamEvents(caspio_mcp::token::v1::AppendStreamEventsRequest request) override;
  void ReadStreamEvents(const std::string& stream_id, int64_t after_id,
                        std::function<void(absl::StatusOr<caspio_mcp::token::v1::ReadStreamEventsResponse>)> done) override;

 private:
  class Subscription;

  EdgeCoordinationSettings settings_;
  ClientQueue* queue_;
  Stub* stub_;
  std::string replica_id_;
  absl::Mutex mu_;
  std::map<std::string, absl::Time> revoked_ ABSL_GUARDED_BY(mu_);      // digest -> until
  std::map<std::string, absl::Time> not_revoked_ ABSL_GUARDED_BY(mu_);  // digest -> cache expiry
  std::atomic<bool> subscribed_{false};
  std::unique_ptr<Subscription> subscription_;
};

}  // namespace cmcp::edge
