#include "services/proxy/proxy_service.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/trace_metadata.h"
#include "common/grpc/unary.h"
#include "common/logging/logger.h"
#include "common/metrics/metrics.h"
#include "common/status/status_macros.h"

namespace cmcp::proxy {

namespace pb = ::caspio_mcp::proxy::v1;

void ToProto(const ToolResult& result, pb::CallToolResponse* out) {
  out->set_is_error(result.is_error);
  for (const ContentBlock& block : result.content) {
    pb::Content* c = out->add_content();
    switch (block.type) {
      case ContentBlock::Type::kText:
        c->mutable_text()->set_text(block.text);
        break;
      case ContentBlock::Type::kImage:
        c->mutable_image()->set_data(block.data);
        c->mutable_image()->set_mime_type(block.mime_type);
        break;
      case ContentBlock::Type::kResource:
        c->mutable_resource()->set_uri(block.uri);
        c->mutable_resource()->set_mime_type(block.mime_type);
        if (block.data.empty()) c->mutable_resource()->set_text(block.text);
        else c->mutable_resource()->set_blob(block.data);
        break;
    }
  }
  if (!result.structured.is_null()) {
    out->set_structured_content_json(result.structured.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  pb::UpstreamInfo* up = out->mutable_upstream();
  up->set_http_status(result.http_status);
  up->set_request_id(result.upstream_request_id);
  up->set_duration_us(absl::ToInt64Microseconds(result.upstream_time));
  up->set_attempts(result.attempts);
  const RateLimitInfo& rl = result.rate_limit;
  if (rl.limit) up->mutable_rate_limit()->set_limit(*rl.limit);
  if (rl.remaining) up->mutable_rate_limit()->set_remaining(*rl.remaining);
  if (rl.reset_seconds) up->mutable_rate_limit()->set_reset_seconds(*rl.reset_seconds);
  if (rl.retry_after_seconds) up->mutable_rate_limit()->set_retry_after_seconds(*rl.retry_after_seconds);
  if (rl.window_seconds) up->mutable_rate_limit()->set_window_seconds(*rl.window_seconds);
  if (result.is_error) *out->mutable_error() = result.error;
}

grpc::ServerUnaryReactor* ProxyServiceImpl::CallTool(grpc::CallbackServerContext* context,
                                                     const pb::CallToolRequest* request,
                                                     pb::CallToolResponse* response) {
  return RunOnPool(context, *pool_, [this, context, request, response]() -> absl::Status {
    ToolCall call;
    call.account_id = request->account_id();
    call.server_id = request->mcp_server_id();
    call.tool = &request->tool();
    call.arguments_json = request->arguments_json();
    call.request_id = request->request_id();
    call.trace = TraceFromMetadata(*context);
    call.cancelled = [context] { return context->IsCancelled(); };
    const absl::Time start = absl::Now();
    CMCP_ASSIGN_OR_RETURN(ToolResult result, executor_->Execute(call));
    ToProto(result, response);
    if (result.http_status == 429) {
      const RateLimitInfo& rl = result.rate_limit;
      if (rl.limit) context->AddTrailingMetadata("ratelimit-limit", absl::StrCat(*rl.limit));
      if (rl.remaining) context->AddTrailingMetadata("ratelimit-remaining", absl::StrCat(*rl.remaining));
      if (rl.reset_seconds) context->AddTrailingMetadata("ratelimit-reset", absl::StrCat(*rl.reset_seconds));
    }
    const std::string outcome = !result.is_error ? "ok" : result.http_status == 429 ? "rate_limited"
                                : result.http_status == 0                           ? "refused"
                                                                                    : "upstream_error";
    MetricsRegistry::Default()
        .GetCounter("cmcp_proxy_tool_calls_total", "Tool calls executed by the proxy",
                    {{"tool", request->tool().name()}, {"outcome", outcome}})
        .Increment();
    LogInfo("tool call")
        .With("request_id", request->request_id())
        .With("trace_id", call.trace.trace_id())
        .With("server_id", request->mcp_server_id())
        .With("tool", request->tool().name())
        .With("outcome", outcome)
        .With("upstream_status", result.http_status)
        .With("duration_ms", absl::ToDoubleMilliseconds(absl::Now() - start));
    return absl::OkStatus();
  });
}

}  // namespace cmcp::proxy
