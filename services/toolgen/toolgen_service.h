// File: toolgen_service.h
// The gRPC face of toolgen: translates ToolgenService requests into lookups
// on the catalog in service (CatalogHolder) and back. ListTools and GetTool
// are raw methods answered with the catalog's pre-serialized bytes (zero
// copy), so tools/list costs a lookup, not a re-encoding of ~70 tools. All
// work is in memory, so handlers run inline; each request uses one catalog
// snapshot, so a SIGHUP reload never changes the answer mid-request.
#pragma once

#include "caspio_mcp/toolgen/v1/toolgen_service.grpc.pb.h"
#include "services/toolgen/catalog_holder.h"

namespace cmcp::toolgen {

using ToolgenServiceBase = caspio_mcp::toolgen::v1::ToolgenService::WithRawCallbackMethod_ListTools<
    caspio_mcp::toolgen::v1::ToolgenService::WithRawCallbackMethod_GetTool<
        caspio_mcp::toolgen::v1::ToolgenService::CallbackService>>;

class ToolgenServiceImpl final : public ToolgenServiceBase {
 public:
  // `catalogs` must outlive the service.
  explicit ToolgenServiceImpl(const CatalogHolder* catalogs) : catalogs_(catalogs) {}

  // caspio_mcp::toolgen::v1::ToolgenService (raw: ListToolsRequest/GetToolRequest in,
  // pre-serialized ListToolsResponse/Tool out)
  grpc::ServerUnaryReactor* ListTools(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetTool(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;
  // caspio_mcp::toolgen::v1::ToolgenService
  grpc::ServerUnaryReactor* CountTools(grpc::CallbackServerContext* context,
                                       const caspio_mcp::toolgen::v1::CountToolsRequest* request,
                                       caspio_mcp::toolgen::v1::CountToolsResponse* response) override;
  grpc::ServerUnaryReactor* DescribeIntegration(grpc::CallbackServerContext* context,
                                                const caspio_mcp::toolgen::v1::DescribeIntegrationRequest* request,
                                                caspio_mcp::toolgen::v1::IntegrationSummary* response) override;
  grpc::ServerUnaryReactor* GetCapabilities(grpc::CallbackServerContext* context,
                                            const caspio_mcp::toolgen::v1::GetCapabilitiesRequest* request,
                                            caspio_mcp::toolgen::v1::Capabilities* response) override;

 private:
  const CatalogHolder* catalogs_;
};

// Wraps shared bytes in a ByteBuffer without copying; the buffer keeps them alive.
grpc::ByteBuffer SharedByteBuffer(std::shared_ptr<const std::string> bytes);

// The whole work of the raw handlers, callable in-process (benchmarks): parse
// the request bytes, look up the catalog in service, answer its pre-serialized bytes.
absl::StatusOr<grpc::ByteBuffer> AnswerListTools(const CatalogHolder& catalogs, const grpc::ByteBuffer& request);
absl::StatusOr<grpc::ByteBuffer> AnswerGetTool(const CatalogHolder& catalogs, const grpc::ByteBuffer& request);

}  // namespace cmcp::toolgen
