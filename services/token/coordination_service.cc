#include "services/token/coordination_service.h"

#include <algorithm>
#include <deque>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc/unary.h"
#include "common/logging/logger.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"

namespace cmcp::token {
namespace {

namespace pb = ::caspio_mcp::token::v1;

constexpr size_t kMaxQueuedMessages = 10000;
constexpr size_t kMaxBuckets = 8;

absl::Status CheckName(absl::string_view name, absl::string_view field) {
  if (!ValidCoordinationName(name)) {
    return InvalidFieldError(field, absl::StrCat(field, " must match [A-Za-z0-9:._-]{1,128}"));
  }
  return absl::OkStatus();
}

// Streams messages of one Redis subscription to one gRPC client. A dedicated
// thread blocks on the subscription; writes go out one at a time.
class SubscribeReactor final : public grpc::ServerWriteReactor<pb::BusMessage> {
 public:
  SubscribeReactor(CoordinationStore* store, std::vector<std::string> channels)
      : store_(store), channels_(std::move(channels)), thread_([this] { Run(); }) {}

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    queue_.pop_front();
    if (!ok) {
      CloseLocked();
      writing_ = false;
      return;
    }
    if (!queue_.empty()) {
      StartWrite(&queue_.front());
    } else {
      writing_ = false;
      if (pending_finish_.has_value()) Finish(*pending_finish_);
    }
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    CloseLocked();
  }

  void OnDone() override {
    thread_.join();
    delete this;
  }

 private:
  void Run() {
    auto subscription = store_->Subscribe(channels_);
    {
      absl::MutexLock lock(&mu_);
      if (!subscription.ok()) {
        FinishLocked(ToGrpcStatus(subscription.status()));
        return;
      }
      subscription_ = *std::move(subscription);
      if (cancelled_) subscription_->Close();
      EnqueueLocked(pb::BusMessage());  // "subscribed"
    }
    while (true) {
      auto message = subscription_->Next();
      absl::MutexLock lock(&mu_);
      if (!message.ok()) {
        FinishLocked(cancelled_ ? grpc::Status::CANCELLED
                                : grpc::Status(grpc::StatusCode::UNAVAILABLE, "subscription lost; subscribe again"));
        return;
      }
      if (queue_.size() >= kMaxQueuedMessages) {
        subscription_->Close();
        FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "subscriber is not reading"));
        return;
      }
      pb::BusMessage out;
      const std::string prefix_end = ":bus:";
      const size_t at = message->channel.find(prefix_end);
      out.set_channel(at == std::string::npos ? message->channel : message->channel.substr(at + prefix_end.size()));
      out.set_payload(std::move(message->payload));
      EnqueueLocked(std::move(out));
    }
  }

  void EnqueueLocked(pb::BusMessage message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    queue_.push_back(std::move(message));
    if (!writing_) {
      writing_ = true;
      StartWrite(&queue_.front());
    }
  }

  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    if (writing_) {
      pending_finish_ = status;  // after the queued writes
    } else {
      Finish(status);
    }
  }

  void CloseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (subscription_ != nullptr) subscription_->Close();
  }

  CoordinationStore* store_;
  std::vector<std::string> channels_;
  absl::Mutex mu_;
  std::unique_ptr<RedisSubscriber> subscription_;
  std::deque<pb::BusMessage> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> pending_finish_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: starts after every other member exists
};

class RefusedSubscription final : public grpc::ServerWriteReactor<pb::BusMessage> {
 public:
  explicit RefusedSubscription(const absl::Status& status) { Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

bool ValidCoordinationName(absl::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != ':' && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

grpc::ServerUnaryReactor* CoordinationServiceImpl::RevokeSession(grpc::CallbackServerContext* context,
                                                                  const pb::RevokeSessionRequest* request,
                                                                  pb::RevokeSessionResponse*) {
  return RunOnPool(context, *pool_, [this, request]() -> absl::Status {
    CMCP_RETURN_IF_ERROR(CheckName(request->session_digest(), "session_digest"));
    const absl::Time until = absl::FromUnixSeconds(request->until().seconds());
    return store_->RevokeSession(request->session_digest(), until);
  });
}

grpc::ServerUnaryReactor* CoordinationServiceImpl::IsSessionRevoked(grpc::CallbackServerContext* context,
                                                                     const pb::IsSessionRevokedRequest* request,
                                                                     pb::IsSessionRevokedResponse* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_RETURN_IF_ERROR(CheckName(request->session_digest(), "session_digest"));
    CMCP_ASSIGN_OR_RETURN(bool revoked, store_->IsSessionRevoked(request->session_digest()));
    response->set_revoked(revoked);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinationServiceImpl::Publish(grpc::CallbackServerContext* context,
                                                           const pb::PublishRequest* request,
                                                           pb::PublishResponse* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_RETURN_IF_ERROR(CheckName(request->channel(), "channel"));
    CMCP_ASSIGN_OR_RETURN(int receivers, store_->Publish(request->channel(), request->payload()));
    response->set_receivers(receivers);
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<pb::BusMessage>* CoordinationServiceImpl::Subscribe(grpc::CallbackServerContext*,
                                                                             const pb::SubscribeRequest* request) {
  if (request->channels().empty() || request->channels_size() > 16) {
    return new RefusedSubscription(InvalidFieldError("channels", "subscribe to 1 to 16 channels"));
  }
  std::vector<std::string> channels;
  for (const std::string& c : request->channels()) {
    if (!ValidCoordinationName(c)) {
      return new RefusedSubscription(InvalidFieldError("channels", "channel names must match [A-Za-z0-9:._-]{1,128}"));
    }
    channels.push_back(c);
  }
  return new SubscribeReactor(store_, std::move(channels));
}

grpc::ServerUnaryReactor* CoordinationServiceImpl::AppendStreamEvents(grpc::CallbackServerContext* context,
                                                                      const pb::AppendStreamEventsRequest* request,
                                                                      pb::AppendStreamEventsResponse*) {
  return RunOnPool(context, *pool_, [this, request]() -> absl::Status {
    CMCP_RETURN_IF_ERROR(CheckName(request->stream_id(), "stream_id"));
    std::vector<StreamEventRecord> events;
    for (const pb::StreamEvent& e : request->events()) events.push_back({e.id(), e.data()});
    return store_->AppendStreamEvents(request->stream_id(), events, request->complete(),
                                      absl::Milliseconds(std::clamp<int64_t>(request->ttl_ms(), 1000, 3600 * 1000)));
  });
}

grpc::ServerUnaryReactor* CoordinationServiceImpl::ReadStreamEvents(grpc::CallbackServerContext* context,
                                                                    const pb::ReadStreamEventsRequest* request,
                                                                    pb::ReadStreamEventsResponse* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_RETURN_IF_ERROR(CheckName(request->stream_id(), "stream_id"));
    CMCP_ASSIGN_OR_RETURN(StreamLog log, store_->ReadStreamEvents(request->stream_id(), request->after_id()));
    response->set_found(log.found);
    response->set_complete(log.complete);
    for (const StreamEventRecord& e : log.events) {
      pb::StreamEvent* out = response->add_events();
      out->set_id(e.id);
      out->set_data(e.data);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinationServiceImpl::ConsumeQuota(grpc::CallbackServerContext* context,
                                                                const pb::ConsumeQuotaRequest* request,
                                                                pb::ConsumeQuotaResponse* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    if (request->buckets().empty() || static_cast<size_t>(request->buckets_size()) > kMaxBuckets) {
      return InvalidFieldError("buckets", "send 1 to 8 buckets");
    }
    std::vector<QuotaBucketSpec> buckets;
    for (const pb::QuotaBucket& b : request->buckets()) {
      CMCP_RETURN_IF_ERROR(CheckName(b.key(), "buckets.key"));
      if (b.limit() <= 0 || b.window_ms() <= 0) return InvalidFieldError("buckets", "limit and window_ms must be positive");
      if (b.permits() < 0 || b.permits() > b.limit()) {
        return InvalidFieldError("buckets.permits", "permits must be between 0 and the bucket's limit");
      }
      buckets.push_back({b.key(), b.limit(), absl::Milliseconds(b.window_ms()), std::max<int64_t>(b.permits(), 1)});
    }
    CMCP_ASSIGN_OR_RETURN(QuotaDecision decision, store_->ConsumeQuota(buckets, absl::Now()));
    response->set_allowed(decision.allowed);
    for (const QuotaStateRecord& s : decision.states) {
      pb::QuotaState* out = response->add_states();
      out->set_key(s.key);
      out->set_limit(s.limit);
      out->set_remaining(s.remaining);
      out->set_reset_ms(absl::ToInt64Milliseconds(s.reset));
      out->set_granted(s.granted);
    }
    return absl::OkStatus();
  });
}

}  // namespace cmcp::token
