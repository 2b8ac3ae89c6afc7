// File: audit_sink.h
// Where the edge sends one audit entry per tools/call (audit_service.proto).
// Recording happens after the client has its answer and never waits or
// fails: GrpcAuditSink fires an asynchronous AuditService.RecordToolCall at
// the token service, caps the writes in flight (beyond the cap an entry is
// dropped), and counts every outcome in cmcp_audit_writes_total{result}
// (ok, error, dropped), so a broken audit path shows on the dashboard
// instead of in tool-call latency or errors. Unit tests use a fake sink.
#pragma once

#include <atomic>
#include <memory>

#include "absl/time/time.h"
#include "caspio_mcp/token/v1/audit_service.grpc.pb.h"
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
  // Writes in flight at most; more are dropped (and counted).
  int max_in_flight = 1000;
};

class GrpcAuditSink final : public AuditSink {
 public:
  GrpcAuditSink(GrpcAuditSinkSettings settings, caspio_mcp::token::v1::AuditService::Stub* stub);
  void Record(caspio_mcp::token::v1::ToolCallEntry entry, const TraceContext& trace) override;

 private:
  GrpcAuditSinkSettings settings_;
  caspio_mcp::token::v1::AuditService::Stub* stub_;
  // Shared with callbacks still running after the sink is gone.
  std::shared_ptr<std::atomic<int>> in_flight_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace cmcp::edge
