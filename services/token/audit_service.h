// File: audit_service.h
// The gRPC face of the audit log (audit_service.proto): handlers run AuditLog
// on the worker pool (Redis round trips block).
#pragma once

#include "caspio_mcp/token/v1/audit_service.grpc.pb.h"
#include "common/concurrency/thread_pool.h"
#include "services/token/audit_log.h"

namespace cmcp::token {

class AuditServiceImpl final : public caspio_mcp::token::v1::AuditService::CallbackService {
 public:
  AuditServiceImpl(AuditLog* log, ThreadPool* pool) : log_(log), pool_(pool) {}

  // caspio_mcp::token::v1::AuditService::CallbackService
  grpc::ServerUnaryReactor* RecordToolCall(grpc::CallbackServerContext* context,
                                           const caspio_mcp::token::v1::RecordToolCallRequest* request,
                                           caspio_mcp::token::v1::RecordToolCallResponse* response) override;
  grpc::ServerUnaryReactor* RecordToolCalls(grpc::CallbackServerContext* context,
                                            const caspio_mcp::token::v1::RecordToolCallsRequest* request,
                                            caspio_mcp::token::v1::RecordToolCallsResponse* response) override;
  grpc::ServerUnaryReactor* ListToolCalls(grpc::CallbackServerContext* context,
                                          const caspio_mcp::token::v1::ListToolCallsRequest* request,
                                          caspio_mcp::token::v1::ListToolCallsResponse* response) override;

 private:
  AuditLog* log_;
  ThreadPool* pool_;
};

}  // namespace cmcp::token
