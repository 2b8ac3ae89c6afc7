// File: trace_context.h
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent`
// header "00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>". The edge
// continues the trace an MCP client sends (or starts one), every hop gets its
// own span id, and the header goes on through gRPC metadata and onto the
// upstream Caspio requests, so one trace id ties together the JSON log lines
// of edge, token and proxy and the request Caspio saw.
//
//   TraceContext trace = TraceContext::ContinueOrStart(request.headers.Get("traceparent"));
//   LogInfo("...").With("request_id", id).With("trace_id", trace.trace_id());
//   outgoing.headers.Add("traceparent", trace.Header());   // this span as the parent
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace cmcp {

inline constexpr char kTraceparentHeader[] = "traceparent";

class TraceContext {
 public:
  // An empty context (no trace); Header() is "" and trace_id() is "".
  TraceContext() = default;

  // A header this code accepts: version 00 (or a later version, read as 00,
  // as the spec asks), lower-case hex, trace id and parent id not all zeros.
  static std::optional<TraceContext> Parse(absl::string_view traceparent);
  // A new trace with a random trace id (sampled flag set).
  static TraceContext Start();
  // A child span of `traceparent` when it parses, otherwise a new trace.
  static TraceContext ContinueOrStart(std::optional<absl::string_view> traceparent);

  // Same trace and flags, a new span id (this hop's own span).
  TraceContext NewSpan() const;

  bool valid() const { return !trace_id_.empty(); }
  const std::string& trace_id() const { return trace_id_; }
  const std::string& span_id() const { return span_id_; }
  // The header to send downstream: this span as the parent. "" when !valid().
  std::string Header() const;

 private:
  TraceContext(std::string trace_id, std::string span_id, std::string flags)
      : trace_id_(std::move(trace_id)), span_id_(std::move(span_id)), flags_(std::move(flags)) {}

  std::string trace_id_;  // 32 lower-case hex
  std::string span_id_;   // 16 lower-case hex
  std::string flags_ = "01";
};

}  // namespace cmcp
