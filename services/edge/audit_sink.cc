#include "services/edge/audit_sink.h"

#include <algorithm>
#include <utility>

#include "common/grpc/async_unary.h"
#include "common/logging/logger.h"
#include "common/metrics/metrics.h"

namespace cmcp::edge {
namespace {

namespace pb = ::caspio_mcp::token::v1;

Counter& Writes(const char* result) {
  return MetricsRegistry::Default().GetCounter(
      "cmcp_audit_writes_total", "Tool-call audit entries sent to the token service, by result (ok, error, dropped)",
      {{"result", result}});
}

}  // namespace

GrpcAuditSink::GrpcAuditSink(GrpcAuditSinkSettings settings, ClientQueue* queue, pb::AuditService::Stub* stub)
    : settings_(settings), queue_(queue), stub_(stub) {
  // Every series exists from the start, so rate() and alerts see zeros.
  for (const char* result : {"ok", "error", "dropped"}) Writes(result);
  flusher_ = std::thread([this] { FlushLoop(); });
}

GrpcAuditSink::~GrpcAuditSink() { Stop(); }

void GrpcAuditSink::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.Signal();
  if (flusher_.joinable()) flusher_.join();
}

void GrpcAuditSink::Record(pb::ToolCallEntry entry, const TraceContext& trace) {
  if (pending_->fetch_add(1) >= settings_.max_in_flight) {
    pending_->fetch_sub(1);
    Writes("dropped").Increment();
    LogWarning("audit entry dropped: too many writes pending")
        .With("request_id", entry.request_id())
        .With("trace_id", trace.trace_id());
    return;
  }
  // The entry carries its trace id; a batch RPC has no single trace.
  bool wake = false;
  {
    absl::MutexLock lock(&mu_);
    buffer_.push_back(std::move(entry));
    // The flusher sleeps until the first entry, then until the batch is full.
    wake = buffer_.size() == 1 || static_cast<int>(buffer_.size()) == settings_.batch_size;
  }
  if (wake) wake_.Signal();
}

void GrpcAuditSink::FlushLoop() {
  absl::MutexLock lock(&mu_);
  while (true) {
    while (!stopping_ && buffer_.empty()) wake_.Wait(&mu_);
    if (buffer_.empty()) return;  // stopping, nothing left
    const absl::Time deadline = absl::Now() + settings_.flush_interval;
    while (!stopping_ && static_cast<int>(buffer_.size()) < settings_.batch_size &&
           !wake_.WaitWithDeadline(&mu_, deadline)) {
    }
    const size_t n = std::min(buffer_.size(), static_cast<size_t>(settings_.batch_size));
    std::vector<pb::ToolCallEntry> batch(std::make_move_iterator(buffer_.begin()),
                                         std::make_move_iterator(buffer_.begin() + n));
    buffer_.erase(buffer_.begin(), buffer_.begin() + n);
    const bool stopping = stopping_;
    mu_.Unlock();
    // One batch in flight at a time, so entries reach the log in the order
    // the calls ended (concurrent batches could land out of order). When
    // stopping, the rest leave at once rather than hold up the shutdown.
    auto sent = std::make_shared<absl::Notification>();
    Send(std::move(batch), sent);
    if (!stopping) sent->WaitForNotificationWithTimeout(settings_.rpc_timeout + absl::Seconds(1));
    mu_.Lock();
  }
}

void GrpcAuditSink::Send(std::vector<pb::ToolCallEntry> batch, std::shared_ptr<absl::Notification> sent) {
  const int count = static_cast<int>(batch.size());
  pb::RecordToolCallsRequest request;
  request.mutable_entries()->Reserve(count);
  std::vector<std::string> request_ids;  // for the log lines of a failed write
  request_ids.reserve(count);
  for (pb::ToolCallEntry& entry : batch) {
    request_ids.push_back(entry.request_id());
    *request.add_entries() = std::move(entry);
  }
  AsyncUnary<pb::RecordToolCallsResponse>(
      *queue_, settings_.rpc_timeout, std::move(request),
      [stub = stub_](auto* ctx, const auto& req, grpc::CompletionQueue* cq) { return stub->AsyncRecordToolCalls(ctx, req, cq); },
      [pending = pending_, count, request_ids = std::move(request_ids),
       sent = std::move(sent)](absl::StatusOr<pb::RecordToolCallsResponse> r) {
        pending->fetch_sub(count);
        sent->Notify();
        if (!r.ok()) {
          Writes("error").Increment(count);
          LogWarning("audit write failed")
              .With("entries", count)
              .With("first_request_id", request_ids.front())
              .With("status", r.status());
          return;
        }
        Writes("ok").Increment(count - r->refused_size());
        if (r->refused_size() > 0) Writes("error").Increment(r->refused_size());
        for (const pb::RecordToolCallsResponse::Refused& refused : r->refused()) {
          const bool known = refused.index() >= 0 && refused.index() < count;
          LogWarning("audit entry refused")
              .With("request_id", known ? request_ids[refused.index()] : std::string())
              .With("reason", refused.message());
        }
      });
}

}  // namespace cmcp::edge
