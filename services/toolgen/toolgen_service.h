// File: toolgen_service.h
// The gRPC face of toolgen: translates ToolgenService requests into
// ToolCatalog lookups and back. All work is in-memory, so handlers run inline.
#pragma once

#include <memory>

#include "caspio_mcp/toolgen/v1/toolgen_service.grpc.pb.h"
#include "services/toolgen/tool_catalog.h"

namespace cmcp::toolgen {

class ToolgenServiceImpl final : public caspio_mcp::toolgen::v1::ToolgenService::CallbackService {
 public:
  explicit ToolgenServiceImpl(std::shared_ptr<const ToolCatalog> catalog) : catalog_(std::move(catalog)) {}

  // caspio_mcp::toolgen::v1::ToolgenService::CallbackService
  grpc::ServerUnaryReactor* ListTools(grpc::CallbackServerContext* context,
                                      const caspio_mcp::toolgen::v1::ListToolsRequest* request,
                                      caspio_mcp::toolgen::v1::ListToolsResponse* response) override;
  grpc::ServerUnaryReactor* GetTool(grpc::CallbackServerContext* context,
                                    const caspio_mcp::toolgen::v1::GetToolRequest* request,
                                    caspio_mcp::toolgen::v1::Tool* response) override;
  grpc::ServerUnaryReactor* CountTools(grpc::CallbackServerContext* context,
                                       const caspio_mcp::toolgen::v1::CountToolsRequest* request,
                                       caspio_mcp::toolgen::v1::CountToolsResponse* response) override;
  grpc::ServerUnaryReactor* DescribeIntegration(
      grpc::CallbackServerContext* context, const caspio_mcp::toolgen::v1::DescribeIntegrationRequest* request,
      caspio_mcp::toolgen::v1::IntegrationSummary* response) override;

 private:
  std::shared_ptr<const ToolCatalog> catalog_;
};

}  // namespace cmcp::toolgen
