#include "services/toolgen/toolgen_service.h"

#include <vector>

#include "common/grpc/unary.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"

namespace cmcp::toolgen {
namespace {

namespace pb = ::caspio_mcp::toolgen::v1;

// Parses a raw request; INVALID_ARGUMENT when the bytes are not `Message`.
template <typename Message>
absl::StatusOr<Message> ParseRequest(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  Message message;
  if (!buffer.Dump(&slices).ok()) return absl::InvalidArgumentError("unreadable request");
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  if (!message.ParseFromString(bytes)) {
    return MakeError(absl::StatusCode::kInvalidArgument, "request is not a valid protobuf message",
                     caspio_mcp::common::v1::ERROR_REASON_INVALID_FIELD);
  }
  return message;
}

void ReleaseShared(void* owner) { delete static_cast<std::shared_ptr<const std::string>*>(owner); }

}  // namespace

grpc::ByteBuffer SharedByteBuffer(std::shared_ptr<const std::string> bytes) {
  auto* owner = new std::shared_ptr<const std::string>(std::move(bytes));
  grpc::Slice slice(const_cast<char*>((*owner)->data()), (*owner)->size(), &ReleaseShared, owner);
  return grpc::ByteBuffer(&slice, 1);
}

absl::StatusOr<grpc::ByteBuffer> AnswerListTools(const CatalogHolder& catalogs, const grpc::ByteBuffer& request) {
  CMCP_ASSIGN_OR_RETURN(pb::ListToolsRequest parsed, ParseRequest<pb::ListToolsRequest>(request));
  const std::shared_ptr<const ToolCatalog> catalog = catalogs.Current();
  CMCP_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> bytes, catalog->ListToolsResponse(parsed));
  return SharedByteBuffer(std::move(bytes));
}

absl::StatusOr<grpc::ByteBuffer> AnswerGetTool(const CatalogHolder& catalogs, const grpc::ByteBuffer& request) {
  CMCP_ASSIGN_OR_RETURN(pb::GetToolRequest parsed, ParseRequest<pb::GetToolRequest>(request));
  std::shared_ptr<const ToolCatalog> catalog = catalogs.Current();
  CMCP_ASSIGN_OR_RETURN(const std::string* bytes, catalog->GetSerialized(parsed.name(), parsed.filter()));
  // The bytes live in the catalog; the aliasing pointer keeps that catalog alive.
  return SharedByteBuffer(std::shared_ptr<const std::string>(std::move(catalog), bytes));
}

grpc::ServerUnaryReactor* ToolgenServiceImpl::ListTools(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
  return RunInline(context, [&]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(*response, AnswerListTools(*catalogs_, *request));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ToolgenServiceImpl::GetTool(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
  return RunInline(context, [&]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(*response, AnswerGetTool(*catalogs_, *request));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ToolgenServiceImpl::CountTools(grpc::CallbackServerContext* context,
                                                         const pb::CountToolsRequest* request,
                                                         pb::CountToolsResponse* response) {
  return RunInline(context, [&]() -> absl::Status {
    const std::shared_ptr<const ToolCatalog> catalog = catalogs_->Current();
    CMCP_ASSIGN_OR_RETURN(std::shared_ptr<const ToolListing> listing, catalog->Listing(request->filter()));
    response->set_count(static_cast<int32_t>(listing->tools.size()));
    for (const Tool* tool : listing->tools) response->add_names(tool->name());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ToolgenServiceImpl::DescribeIntegration(grpc::CallbackServerContext* context,
                                                                  const pb::DescribeIntegrationRequest*,
                                                                  pb::IntegrationSummary* response) {
  return RunInline(context, [&]() -> absl::Status {
    const std::shared_ptr<const ToolCatalog> catalog = catalogs_->Current();
    response->set_integration(catalog->integration_name());
    for (const std::string& tag : catalog->vocabulary().tags) response->add_tags(tag);
    for (const std::string& method : catalog->vocabulary().methods) response->add_methods(method);
    response->set_tool_count(static_cast<int32_t>(catalog->size()));
    response->set_catalog_version(catalog->version());
    response->set_last_reload_error(catalogs_->last_reload_error());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ToolgenServiceImpl::GetCapabilities(grpc::CallbackServerContext* context,
                                                              const pb::GetCapabilitiesRequest* request,
                                                              pb::Capabilities* response) {
  return RunInline(context, [&]() -> absl::Status {
    const std::shared_ptr<const ToolCatalog> catalog = catalogs_->Current();
    CMCP_ASSIGN_OR_RETURN(*response, catalog->Capabilities(request->filter()));
    return absl::OkStatus();
  });
}

}  // namespace cmcp::toolgen
