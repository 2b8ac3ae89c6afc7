// File: audit_sink.h
// Where the edge sends one audit entry per tools/call (audit_service.proto).
// Recording happens after the client has its answer and never waits or
// fails. GrpcAuditSink buffers entries and a flusher thread sends them to
// the token service in batches (AuditService.RecordToolCalls, one Redis
// pipeline each), one batch in flight at a time so the log keeps the calls'
// order: a batch leaves when it holds `batch_size` entries or its oldest
// entry has waited `flush_interval`. One RPC per call cost as much CPU
// as the tool call's own upstream work (bench/README.md); batched, the audit
// trails a call by at most flush_interval plus one round trip. Entries
// buffered or in flight are capped (beyond the cap an entry is dropped), and
// every outcome is counted in cmcp_audit_writes_total{result} (ok, error,
// dropped), so a broken audit path shows on the dashboard instead of in
// tool-call latency or errors. The destructor sends what is buffered.
// Unit tests use a fake sink.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "caspio_mcp/token/v1/audit_service.grpc.pb.h"
#include "common/grpc/client_queue.h"
#include "common/tracing/trace_context.h"

namespace cmcp::edge {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Non-blocking; `entry.arguments_json` must already be redacted.
  virtual void Record(caspio_mcp::token::v1::ToolCallEntry entry, const TraceContext& trace) = 0;
};

struct GrpcAuditSinkSettings {
  absl::Duration rpc_timeout = absl::Seconds(5);
  // Entries buffered or in flight at most; more are dropped (and counted).
  int max_in_flight = 1000;
  // Entries per RecordToolCalls, and how long the first of a batch may wait.
  int batch_size = 100;
  absl::Duration flush_interval = absl::Milliseconds(50);
};

class GrpcAuditSink final : public AuditSink {
 public:
  // Writes complete on `queue`'s thread, which must outlive the sink.
  GrpcAuditSink(GrpcAuditSinkSettings settings, ClientQueue* queue, caspio_mcp::token::v1::AuditService::Stub* stub);
  // Stop()s.
  ~GrpcAuditSink() override;
  // Sends what is buffered and stops the flusher; entries recorded after
  // are dropped. Idempotent. The last writes may still be in flight on the
  // queue (ClientQueue::Shutdown gives them time to land).
  void Stop();
  void Record(caspio_mcp::token::v1::ToolCallEntry entry, const TraceContext& trace) override;

 private:
  void FlushLoop();
  void Send(std::vector<caspio_mcp::token::v1::ToolCallEntry> batch, std::shared_ptr<absl::Notification> sent);

  const GrpcAuditSinkSettings settings_;
  ClientQueue* queue_;
  caspio_mcp::token::v1::AuditService::Stub* stub_;
  // Buffered plus in flight; shared with callbacks still running after the
  // sink is gone.
  std::shared_ptr<std::atomic<int>> pending_ = std::make_shared<std::atomic<int>>(0);
  absl::Mutex mu_;
  absl::CondVar wake_;
  std::vector<caspio_mcp::token::v1::ToolCallEntry> buffer_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread flusher_;
};

}  // namespace cmcp::edge
