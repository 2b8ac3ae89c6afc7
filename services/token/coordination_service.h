// File: coordination_service.h
// The gRPC face of the coordination store (coordination_service.proto):
// unary calls run on the worker pool; Subscribe is a server-streaming reactor
// fed by one dedicated thread reading its Redis subscription.
#pragma once

#include "caspio_mcp/token/v1/coordination_service.grpc.pb.h"
#include "common/concurrency/thread_pool.h"
#include "services/token/coordination_store.h"

namespace cmcp::token {

class CoordinationServiceImpl final : public caspio_mcp::token::v1::CoordinationService::CallbackService {
 public:
  CoordinationServiceImpl(CoordinationStore* store, ThreadPool* pool) : store_(store), pool_(pool) {}

  // caspio_mcp::token::v1::CoordinationService::CallbackService
  grpc::ServerUnaryReactor* RevokeSession(grpc::CallbackServerContext* context,
                                          const caspio_mcp::token::v1::RevokeSessionRequest* request,
                                          caspio_mcp::token::v1::RevokeSessionResponse* response) override;
  grpc::ServerUnaryReactor* IsSessionRevoked(grpc::CallbackServerContext* context,
                                             const caspio_mcp::token::v1::IsSessionRevokedRequest* request,
                                             caspio_mcp::token::v1::IsSessionRevokedResponse* response) override;
  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* context,
                                    const caspio_mcp::token::v1::PublishRequest* request,
                                    caspio_mcp::token::v1::PublishResponse* response) override;
  grpc::ServerWriteReactor<caspio_mcp::token::v1::BusMessage>* Subscribe(
      grpc::CallbackServerContext* context, const caspio_mcp::token::v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* AppendStreamEvents(grpc::CallbackServerContext* context,
                                               const caspio_mcp::token::v1::AppendStreamEventsRequest* request,
                                               caspio_mcp::token::v1::AppendStreamEventsResponse* response) override;
  grpc::ServerUnaryReactor* ReadStreamEvents(grpc::CallbackServerContext* context,
                                             const caspio_mcp::token::v1::ReadStreamEventsRequest* request,
                                             caspio_mcp::token::v1::ReadStreamEventsResponse* response) override;
  grpc::ServerUnaryReactor* ConsumeQuota(grpc::CallbackServerContext* context,
                                         const caspio_mcp::token::v1::ConsumeQuotaRequest* request,
                                         caspio_mcp::token::v1::ConsumeQuotaResponse* response) override;

 private:
  CoordinationStore* store_;
  ThreadPool* pool_;
};

// Names the edge may use for channels and streams: [A-Za-z0-9:._-]{1,128}.
bool ValidCoordinationName(absl::string_view name);

}  // namespace cmcp::token
