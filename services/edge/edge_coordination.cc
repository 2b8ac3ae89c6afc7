#include "services/edge/edge_coordination.h"

#include "common/grpc/async_unary.h"
#include "common/grpc/grpc_client.h"
#include "common/logging/logger.h"

namespace cmcp::edge {

namespace pb = ::caspio_mcp::token::v1;
using json = nlohmann::json;

GrpcEdgeCoordination::GrpcEdgeCoordination(EdgeCoordinationSettings settings, Stub* stub, std::string replica_id)
    : settings_(settings), stub_(stub), replica_id_(std::move(replica_id)) {}

GrpcEdgeCoordination::~GrpcEdgeCoordination() { Stop(); }

void GrpcEdgeCoordination::Start(BusHandler handler) {
  thread_ = std::thread([this, handler = std::move(handler)] { SubscribeLoop(handler); });
}

void GrpcEdgeCoordination::Stop() {
  if (!thread_.joinable()) return;
  stop_.Notify();
  {
    absl::MutexLock lock(&mu_);
    if (subscribe_context_ != nullptr) subscribe_context_->TryCancel();
  }
  thread_.join();
}

void GrpcEdgeCoordination::SubscribeLoop(BusHandler handler) {
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stop_.HasBeenNotified()) {
    grpc::ClientContext context;
    {
      absl::MutexLock lock(&mu_);
      subscribe_context_ = &context;
    }
    pb::SubscribeRequest request;
    request.add_channels(ReplicaChannel(replica_id_));
    request.add_channels(kBroadcastChannel);
    auto reader = stub_->Subscribe(&context, request);
    pb::BusMessage message;
    while (reader->Read(&message)) {
      if (message.channel().empty()) {
        subscribed_.store(true);
        backoff = absl::Milliseconds(100);
        continue;
      }
      json parsed = json::parse(message.payload(), nullptr, false);
      if (parsed.is_object()) handler(parsed);
    }
    const grpc::Status status = reader->Finish();
    subscribed_.store(false);
    {
      absl::MutexLock lock(&mu_);
      subscribe_context_ = nullptr;
    }
    if (stop_.HasBeenNotified()) return;
    LogWarning("coordination subscription lost; reconnecting")
        .With("code", static_cast<int>(status.error_code()))
        .With("backoff_ms", static_cast<int64_t>(absl::ToInt64Milliseconds(backoff)));
    stop_.WaitForNotificationWithTimeout(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

void GrpcEdgeCoordination::NoteRevoked(const std::string& digest, absl::Time until) {
  absl::MutexLock lock(&mu_);
  if (revoked_.size() >= settings_.max_cache_entries) {
    const absl::Time now = absl::Now();
    std::erase_if(revoked_, [now](const auto& e) { return e.second < now; });
  }
  revoked_[digest] = until;
  not_revoked_.erase(digest);
}

void GrpcEdgeCoordination::RevokeSession(const std::string& digest, absl::Time until,
                                         std::function<void(absl::Status)> done) {
  NoteRevoked(digest, until);
  pb::RevokeSessionRequest request;
  request.set_session_digest(digest);
  request.mutable_until()->set_seconds(absl::ToUnixSeconds(until));
  AsyncUnary<pb::RevokeSessionResponse>(
      settings_.rpc_timeout, std::move(request),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->RevokeSession(c, q, r, std::move(cb)); },
      [done = std::move(done)](absl::StatusOr<pb::RevokeSessionResponse> r) {
        if (!r.ok()) LogWarning("session revocation not stored").With("status", r.status());
        if (done) done(r.status());
      });
}

void GrpcEdgeCoordination::IsSessionRevoked(const std::string& digest, std::function<void(absl::StatusOr<bool>)> done) {
  const absl::Time now = absl::Now();
  std::optional<bool> cached;
  {
    absl::MutexLock lock(&mu_);
    if (auto it = revoked_.find(digest); it != revoked_.end() && it->second > now) {
      cached = true;
    } else if (auto it = not_revoked_.find(digest); it != not_revoked_.end() && it->second > now) {
      cached = false;
    }
  }
  if (cached.has_value()) {
    done(*cached);
    return;
  }
  pb::IsSessionRevokedRequest request;
  request.set_session_digest(digest);
  AsyncUnary<pb::IsSessionRevokedResponse>(
      settings_.rpc_timeout, std::move(request),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->IsSessionRevoked(c, q, r, std::move(cb)); },
      [this, digest, done = std::move(done)](absl::StatusOr<pb::IsSessionRevokedResponse> r) {
        if (!r.ok()) return done(r.status());
        if (!r->revoked()) {
          absl::MutexLock lock(&mu_);
          if (not_revoked_.size() >= settings_.max_cache_entries) not_revoked_.clear();
          not_revoked_[digest] = absl::Now() + settings_.revocation_cache_ttl;
        }
        done(r->revoked());
      });
}

void GrpcEdgeCoordination::Publish(const std::string& channel, const json& message,
                               std::function<void(absl::StatusOr<int>)> done) {
  pb::PublishRequest request;
  request.set_channel(channel);
  request.set_payload(message.dump(-1, ' ', false, json::error_handler_t::replace));
  AsyncUnary<pb::PublishResponse>(
      settings_.rpc_timeout, std::move(request),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->Publish(c, q, r, std::move(cb)); },
      [done = std::move(done)](absl::StatusOr<pb::PublishResponse> r) {
        if (done) done(r.ok() ? absl::StatusOr<int>(r->receivers()) : r.status());
      });
}

void GrpcEdgeCoordination::ConsumeQuota(pb::ConsumeQuotaRequest request,
                                    std::function<void(absl::StatusOr<pb::ConsumeQuotaResponse>)> done) {
  AsyncUnary<pb::ConsumeQuotaResponse>(
      settings_.rpc_timeout, std::move(request),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->ConsumeQuota(c, q, r, std::move(cb)); },
      std::move(done));
}

void GrpcEdgeCoordination::AppendStreamEvents(pb::AppendStreamEventsRequest request) {
  AsyncUnary<pb::AppendStreamEventsResponse>(
      settings_.rpc_timeout, std::move(request),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->AppendStreamEvents(c, q, r, std::move(cb)); },
      [](absl::StatusOr<pb::AppendStreamEventsResponse> r) {
        if (!r.ok()) LogWarning("stream events not stored").With("status", r.status());
      });
}

void GrpcEdgeCoordination::ReadStreamEvents(const std::string& stream_id, int64_t after_id,
                                        std::function<void(absl::StatusOr<pb::ReadStreamEventsResponse>)> done) {
  pb::ReadStreamEventsRequest request;
  request.set_stream_id(stream_id);
  request.set_after_id(after_id);
  AsyncUnary<pb::ReadStreamEventsResponse>(
      settings_.rpc_timeout, std::move(request),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->ReadStreamEvents(c, q, r, std::move(cb)); },
      std::move(done));
}

}  // namespace cmcp::edge
