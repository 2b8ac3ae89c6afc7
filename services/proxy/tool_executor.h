// File: tool_executor.h
// Executes one tool call against Caspio (SPEC §5–6): validates and splits the
// arguments (upstream_call.h), signs in (caspio_auth.h), pages list tools with
// signed cursors in PK_ID order, retries once after a 401, and turns every
// answer into an MCP tool result. Tool-level failures — bad arguments, Caspio
// errors, 429 — are results with is_error set, carrying Caspio's Code and
// Message, a hint, and normalized rate-limit data; never retried or absorbed.
// A non-OK status means the call could not be attempted at all.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "caspio_mcp/common/v1/common.pb.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.pb.h"
#include "common/http/http_client.h"
#include "common/tracing/trace_context.h"
#include "nlohmann/json.hpp"
#include "services/proxy/argument_validator.h"
#include "services/proxy/caspio_auth.h"
#include "services/proxy/cursor_codec.h"
#include "services/proxy/rate_limit.h"
#include "services/proxy/upstream_call.h"

namespace cmcp::proxy {

struct ContentBlock {
  enum class Type { kText, kImage, kResource };
  Type type = Type::kText;
  std::string text;       // kText, or text resources
  std::string data;       // raw bytes for images and blob resources
  std::string mime_type;
  std::string uri;
};

struct ToolResult {
  bool is_error = false;
  std::vector<ContentBlock> content;
  // structuredContent; null when none.
  nlohmann::json structured;
  int http_status = 0;
  RateLimitInfo rate_limit;
  std::string upstream_request_id;
  absl::Duration upstream_time;
  int attempts = 0;
  // Set when is_error.
  caspio_mcp::common::v1::ErrorDetail error;
};

struct ToolCall {
  std::string account_id;
  std::string server_id;
  const caspio_mcp::toolgen::v1::Tool* tool = nullptr;
  std::string arguments_json;
  std::string request_id;
  // This call's span; its traceparent goes on every upstream API request.
  TraceContext trace;
  // True once the caller gave up (MCP cancellation): abort the upstream call.
  std::function<bool()> cancelled;
};

struct ToolExecutorSettings {
  absl::Duration upstream_timeout = absl::Seconds(30);
  size_t max_response_bytes = 16 * 1024 * 1024;
  // Largest file returned to the model from a download tool.
  size_t max_download_bytes = 5 * 1024 * 1024;
  // Largest upload accepted from the model (decoded bytes).
  size_t max_upload_bytes = 10 * 1024 * 1024;
  // Rows per page when the caller sends no limit.
  int64_t default_limit = 100;
};

class ToolExecutor {
 public:
  ToolExecutor(ToolExecutorSettings settings, HttpClient* http, CaspioAuthenticator* auth,
               const CursorCodec* cursors);

  absl::StatusOr<ToolResult> Execute(const ToolCall& call);

 private:
  struct Paging {
    caspio_mcp::toolgen::v1::PaginationStyle style = caspio_mcp::toolgen::v1::PAGINATION_STYLE_NONE;
    int64_t offset = 0;
    // Upstream page size (unused for client slices).
    int64_t page_size = 0;
    int64_t limit = 0;
    std::string digest;
  };
  // Adds paging to `upstream` for the tool's pagination style; an error
  // result (bad cursor) when the cursor does not belong to this query.
  absl::StatusOr<std::optional<Paging>> PlanPaging(const caspio_mcp::toolgen::v1::Tool& tool, UpstreamCall& upstream);
  // One request to Caspio, relative to the account's base URL.
  struct Request {
    std::string method;
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    std::string body;
    std::string content_type;
  };

  // Signs in, sends, and retries once with a fresh token after a 401 (or the
  // stale-token 400 quirk). Fills the upstream fields of `meta`. A non-OK
  // status is a call that got no usable answer, already shaped for the model
  // when it is the model's business (unreachable Caspio, refused credentials).
  absl::StatusOr<HttpClientResponse> Send(const ToolCall& call, const Request& request, ToolResult& meta);
  ToolResult Success(const ToolCall& call, const HttpClientResponse& response, const Paging* paging);
  ToolResult Download(const ToolCall& call, const Request& request, const HttpClientResponse& response);
  ToolResult UpstreamError(const HttpClientResponse& response, ToolResult result);
  absl::StatusOr<ToolResult> DryRun(const ToolCall& call, const UpstreamCall& upstream);

  ToolExecutorSettings settings_;
  HttpClient* http_;
  CaspioAuthenticator* auth_;
  const CursorCodec* cursors_;
  ArgumentValidator validator_;
};

// An is_error result for a refused call (bad arguments, bad cursor), from
// the status's message and ErrorDetail.
ToolResult ErrorResult(const absl::Status& status);

}  // namespace cmcp::proxy
