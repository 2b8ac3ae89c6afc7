#include "services/token/tool_checker.h"

#include "common/grpc/grpc_client.h"
#include "common/status/grpc_status.h"

namespace cmcp::token {

absl::StatusOr<int> GrpcToolChecker::CountTools(const ServerConfig& config) {
  caspio_mcp::toolgen::v1::CountToolsRequest request;
  for (const std::string& m : config.methods) request.mutable_filter()->add_methods(m);
  for (const std::string& t : config.tags) request.mutable_filter()->add_tags(t);
  caspio_mcp::toolgen::v1::CountToolsResponse response;
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(5));
  const grpc::Status status = stub_->CountTools(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.count();
}

}  // namespace cmcp::token
