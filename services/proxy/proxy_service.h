// File: proxy_service.h
// The gRPC face of the proxy: translates CallToolRequest into a ToolCall for
// ToolExecutor on a worker pool (libcurl calls block) and the ToolResult back,
// adding ratelimit-* trailing metadata when Caspio answered 429.
#pragma once

#include "caspio_mcp/proxy/v1/proxy_service.grpc.pb.h"
#include "common/concurrency/thread_pool.h"
#include "services/proxy/tool_executor.h"

namespace cmcp::proxy {

class ProxyServiceImpl final : public caspio_mcp::proxy::v1::ProxyService::CallbackService {
 public:
  ProxyServiceImpl(ToolExecutor* executor, ThreadPool* pool) : executor_(executor), pool_(pool) {}

  // caspio_mcp::proxy::v1::ProxyService::CallbackService
  grpc::ServerUnaryReactor* CallTool(grpc::CallbackServerContext* context,
                                     const caspio_mcp::proxy::v1::CallToolRequest* request,
                                     caspio_mcp::proxy::v1::CallToolResponse* response) override;

 private:
  ToolExecutor* executor_;
  ThreadPool* pool_;
};

// ToolResult -> proto (exposed for tests).
void ToProto(const ToolResult& result, caspio_mcp::proxy::v1::CallToolResponse* out);

}  // namespace cmcp::proxy
