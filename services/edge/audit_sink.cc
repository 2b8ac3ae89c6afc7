#include "services/edge/audit_sink.h"

#include "common/grpc/async_unary.h"
#include "common/grpc/trace_metadata.h"
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

GrpcAuditSink::GrpcAuditSink(GrpcAuditSinkSettings settings, pb::AuditService::Stub* stub)
    : settings_(settings), stub_(stub) {
  // Every series exists from the start, so rate() and alerts see zeros.
  for (const char* result : {"ok", "error", "dropped"}) Writes(result);
}

void GrpcAuditSink::Record(pb::ToolCallEntry entry, const TraceContext& trace) {
  if (in_flight_->fetch_add(1) >= settings_.max_in_flight) {
    in_flight_->fetch_sub(1);
    Writes("dropped").Increment();
    LogWarning("audit entry dropped: too many writes in flight")
        .With("request_id", entry.request_id())
        .With("trace_id", trace.trace_id());
    return;
  }
  pb::RecordToolCallRequest request;
  const std::string request_id = entry.request_id();
  *request.mutable_entry() = std::move(entry);
  auto in_flight = in_flight_;
  AsyncUnary<pb::RecordToolCallResponse>(
      settings_.rpc_timeout, std::move(request),
      [stub = stub_](auto* ctx, auto* req, auto* resp, auto cb) { stub->async()->RecordToolCall(ctx, req, resp, std::move(cb)); },
      [in_flight, request_id, trace_id = trace.trace_id()](absl::StatusOr<pb::RecordToolCallResponse> r) {
        in_flight->fetch_sub(1);
        if (r.ok()) {
          Writes("ok").Increment();
          return;
        }
        Writes("error").Increment();
        LogWarning("audit write failed").With("request_id", request_id).With("trace_id", trace_id).With("status", r.status());
      },
      [trace](grpc::ClientContext& context) { AddTraceMetadata(context, trace); });
}

}  // namespace cmcp::edge
