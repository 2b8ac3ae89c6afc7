// File: trace_metadata.h
// Carries W3C traceparent (common/tracing/trace_context.h) in gRPC metadata
// under the same key as the HTTP header, "traceparent".
//
//   AddTraceMetadata(client_context, trace);              // caller: its span is the parent
//   TraceContext trace = TraceFromMetadata(*server_context); // callee: a child span (or a new trace)
#pragma once

#include "common/tracing/trace_context.h"
#include <grpcpp/grpcpp.h>

namespace cmcp {

// Adds `trace`'s header; does nothing when the trace is empty.
void AddTraceMetadata(grpc::ClientContext& context, const TraceContext& trace);

// A new span continuing the caller's trace, or a new trace when the caller
// sent none (or a malformed one).
TraceContext TraceFromMetadata(const grpc::ServerContextBase& context);

}  // namespace cmcp
