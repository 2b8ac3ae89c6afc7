#include "services/token/audit_service.h"

#include "common/grpc/trace_metadata.h"
#include "common/grpc/unary.h"
#include "common/logging/logger.h"
#include "common/status/status_macros.h"

namespace cmcp::token {

namespace pb = ::caspio_mcp::token::v1;

grpc::ServerUnaryReactor* AuditServiceImpl::RecordToolCall(grpc::CallbackServerContext* context,
                                                           const pb::RecordToolCallRequest* request,
                                                           pb::RecordToolCallResponse* response) {
  return RunOnPool(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<std::string> id = log_->Record(request->entry());
    if (!id.ok()) {
      LogWarning("audit write failed")
          .With("request_id", request->entry().request_id())
          .With("trace_id", TraceFromMetadata(*context).trace_id())
          .With("status", id.status());
      return id.status();
    }
    response->set_id(*id);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditServiceImpl::RecordToolCalls(grpc::CallbackServerContext* context,
                                                            const pb::RecordToolCallsRequest* request,
                                                            pb::RecordToolCallsResponse* response) {
  return RunOnPool(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<pb::RecordToolCallsResponse> written = log_->RecordMany(request->entries());
    if (!written.ok()) {
      LogWarning("audit batch write failed")
          .With("entries", request->entries_size())
          .With("trace_id", TraceFromMetadata(*context).trace_id())
          .With("status", written.status());
      return written.status();
    }
    for (const pb::RecordToolCallsResponse::Refused& refused : written->refused()) {
      LogWarning("audit entry refused")
          .With("request_id", request->entries(refused.index()).request_id())
          .With("reason", refused.message());
    }
    *response = *std::move(written);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListToolCalls(grpc::CallbackServerContext* context,
                                                          const pb::ListToolCallsRequest* request,
                                                          pb::ListToolCallsResponse* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(*response, log_->List(*request));
    return absl::OkStatus();
  });
}

}  // namespace cmcp::token
