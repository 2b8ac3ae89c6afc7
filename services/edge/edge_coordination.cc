#include "services/edge/edge_coordination.h"

#include <grpcpp/alarm.h>

#include "common/grpc/async_unary.h"
#include "common/grpc/grpc_client.h"
#include "common/logging/logger.h"

namespace cmcp::edge {

namespace pb = ::caspio_mcp::token::v1;
using json = nlohmann::json;

GrpcEdgeCoordination::GrpcEdgeCoordination(EdgeCoordinationSettings settings, ClientQueue* queue, Stub* stub,
                                           std::string replica_id)
    : settings_(settings), queue_(queue), stub_(stub), replica_id_(std::move(replica_id)) {}

// The bus subscription, as a state machine on the ClientQueue (no thread of
// its own): open the stream, read messages until it ends, finish it, wait out
// a backoff (an Alarm on the queue), open it again; until Stop(). One
// operation is pending at a time, so this object is the tag for each.
class GrpcEdgeCoordination::Subscription final : public ClientQueue::Op {
 public:
  Subscription(GrpcEdgeCoordination* owner, BusHandler handler) : owner_(owner), handler_(std::move(handler)) {}

  void Connect() {
    reader_.reset();  // lives in the old call's arena: before its context goes
    grpc::ClientContext* context = nullptr;
    {
      absl::MutexLock lock(&mu_);
      context_ = std::make_unique<grpc::ClientContext>();
      context = context_.get();
    }
    pb::SubscribeRequest request;
    request.add_channels(ReplicaChannel(owner_->replica_id_));
    request.add_channels(kBroadcastChannel);
    // Prepared, then started: the start may complete on the queue's thread
    // before StartCall returns, and that step reads reader_.
    reader_ = owner_->stub_->PrepareAsyncSubscribe(context, request, owner_->queue_->cq());
    if (!Begin(Step::kStart, /*even_if_stopping=*/false)) return;
    reader_->StartCall(this);
  }

  void Complete(bool ok) override {
    switch (step_) {
      case Step::kStart:
        if (ok) return Read();
        return Finish();
      case Step::kRead:
        if (!ok) return Finish();
        if (message_.channel().empty()) {  // the server's "subscribed" marker
          owner_->subscribed_.store(true);
          backoff_ = absl::Milliseconds(100);
        } else if (json parsed = json::parse(message_.payload(), nullptr, false); parsed.is_object()) {
          handler_(parsed);
        }
        return Read();
      case Step::kFinish:
        owner_->subscribed_.store(false);
        if (Stopping()) return End();
        LogWarning("coordination subscription lost; reconnecting")
            .With("code", static_cast<int>(status_.error_code()))
            .With("backoff_ms", static_cast<int64_t>(absl::ToInt64Milliseconds(backoff_)));
        if (!Begin(Step::kBackoff, /*even_if_stopping=*/false)) return;
        alarm_.Set(owner_->queue_->cq(), absl::ToChronoTime(absl::Now() + backoff_), this);
        backoff_ = std::min(backoff_ * 2, absl::Seconds(5));
        return;
      case Step::kBackoff:
        if (Stopping()) return End();
        return Connect();
    }
  }

  void Cancel() override {
    {
      absl::MutexLock lock(&mu_);
      if (context_ != nullptr) context_->TryCancel();
    }
    alarm_.Cancel();
  }

  // From any thread but the queue's: ends the subscription and waits for it.
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    Cancel();
    ended_.WaitForNotification();
  }

 private:
  enum class Step { kStart, kRead, kFinish, kBackoff };

  bool Stopping() {
    absl::MutexLock lock(&mu_);
    return stopping_;
  }
  // Registers the next operation with the queue; false (and the end) when
  // stopping or when the queue is shut down.
  bool Begin(Step step, bool even_if_stopping) {
    if ((!even_if_stopping && Stopping()) || !owner_->queue_->Begin(this)) {
      End();
      return false;
    }
    step_ = step;
    return true;
  }
  void Read() {
    if (Begin(Step::kRead, /*even_if_stopping=*/true)) reader_->Read(&message_, this);
  }
  void Finish() {
    if (Begin(Step::kFinish, /*even_if_stopping=*/true)) reader_->Finish(&status_, this);
  }
  void End() {
    owner_->subscribed_.store(false);
    ended_.Notify();
  }

  GrpcEdgeCoordination* const owner_;
  const BusHandler handler_;
  Step step_ = Step::kStart;
  absl::Mutex mu_;
  // A context cancelled before its call starts cancels the call as it starts.
  std::unique_ptr<grpc::ClientContext> context_ ABSL_GUARDED_BY(mu_);
  // After the context, so destroyed before it (it lives in the call's arena).
  std::unique_ptr<grpc::ClientAsyncReader<pb::BusMessage>> reader_;
  pb::BusMessage message_;
  grpc::Status status_;
  grpc::Alarm alarm_;
  absl::Duration backoff_ = absl::Milliseconds(100);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Notification ended_;
};

GrpcEdgeCoordination::~GrpcEdgeCoordination() { Stop(); }

void GrpcEdgeCoordination::Start(BusHandler handler) {
  subscription_ = std::make_unique<Subscription>(this, std::move(handler));
  subscription_->Connect();
}

void GrpcEdgeCoordination::Stop() {
  if (subscription_ != nullptr) subscription_->Stop();
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
      *queue_, settings_.rpc_timeout, std::move(request),
      [this](auto* c, const auto& q, grpc::CompletionQueue* cq) { return stub_->AsyncRevokeSession(c, q, cq); },
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
      *queue_, settings_.rpc_timeout, std::move(request),
      [this](auto* c, const auto& q, grpc::CompletionQueue* cq) { return stub_->AsyncIsSessionRevoked(c, q, cq); },
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
      *queue_, settings_.rpc_timeout, std::move(request),
      [this](auto* c, const auto& q, grpc::CompletionQueue* cq) { return stub_->AsyncPublish(c, q, cq); },
      [done = std::move(done)](absl::StatusOr<pb::PublishResponse> r) {
        if (done) done(r.ok() ? absl::StatusOr<int>(r->receivers()) : r.status());
      });
}

void GrpcEdgeCoordination::ConsumeQuota(pb::ConsumeQuotaRequest request,
                                    std::function<void(absl::StatusOr<pb::ConsumeQuotaResponse>)> done) {
  AsyncUnary<pb::ConsumeQuotaResponse>(
      *queue_, settings_.rpc_timeout, std::move(request),
      [this](auto* c, const auto& q, grpc::CompletionQueue* cq) { return stub_->AsyncConsumeQuota(c, q, cq); },
      std::move(done));
}

void GrpcEdgeCoordination::AppendStreamEvents(pb::AppendStreamEventsRequest request) {
  AsyncUnary<pb::AppendStreamEventsResponse>(
      *queue_, settings_.rpc_timeout, std::move(request),
      [this](auto* c, const auto& q, grpc::CompletionQueue* cq) { return stub_->AsyncAppendStreamEvents(c, q, cq); },
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
      *queue_, settings_.rpc_timeout, std::move(request),
      [this](auto* c, const auto& q, grpc::CompletionQueue* cq) { return stub_->AsyncReadStreamEvents(c, q, cq); },
      std::move(done));
}

}  // namespace cmcp::edge
