#include "services/toolgen/toolgen_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/unary.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"

namespace cmcp::toolgen {

namespace pb = ::caspio_mcp::toolgen::v1;

grpc::ServerUnaryReactor* ToolgenServiceImpl::ListTools(grpc::CallbackServerContext* context,
                                                        const pb::ListToolsRequest* request,
                                                        pb::ListToolsResponse* response) {
  return RunInline(context, [&]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(std::vector<const Tool*> tools, catalog_->List(request->filter()));
    size_t offset = 0;
    if (!request->cursor().empty() && !absl::SimpleAtoi(request->cursor(), &offset)) {
      return MakeError(absl::StatusCode::kInvalidArgument, "cursor is not one this service issued",
                       caspio_mcp::common::v1::ERROR_REASON_INVALID_CURSOR, "cursor");
    }
    const size_t page = request->page_size() > 0 ? static_cast<size_t>(request->page_size()) : tools.size();
    for (size_t i = offset; i < tools.size() && i < offset + page; ++i) *response->add_tools() = *tools[i];
    if (offset + page < tools.size()) response->set_next_cursor(absl::StrCat(offset + page));
    response->set_catalog_version(catalog_->version());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ToolgenServiceImpl::GetTool(grpc::CallbackServerContext* context,
                                                      const pb::GetToolRequest* request, pb::Tool* response) {
  return RunInline(context, [&]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(const Tool* tool, catalog_->Get(request->name(), request->filter()));
    *response = *tool;
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ToolgenServiceImpl::CountTools(grpc::CallbackServerContext* context,
                                                         const pb::CountToolsRequest* request,
                                                         pb::CountToolsResponse* response) {
  return RunInline(context, [&]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(std::vector<const Tool*> tools, catalog_->List(request->filter()));
    response->set_count(static_cast<int32_t>(tools.size()));
    for (const Tool* tool : tools) response->add_names(tool->name());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ToolgenServiceImpl::DescribeIntegration(grpc::CallbackServerContext* context,
                                                                  const pb::DescribeIntegrationRequest*,
                                                                  pb::IntegrationSummary* response) {
  return RunInline(context, [&]() -> absl::Status {
    response->set_integration(catalog_->integration_name());
    for (const std::string& tag : catalog_->vocabulary().tags) response->add_tags(tag);
    for (const std::string& method : catalog_->vocabulary().methods) response->add_methods(method);
    response->set_tool_count(static_cast<int32_t>(catalog_->size()));
    response->set_catalog_version(catalog_->version());
    return absl::OkStatus();
  });
}

}  // namespace cmcp::toolgen
