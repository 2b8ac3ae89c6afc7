// File: token_service.h
// The gRPC face of the token service: each handler translates the proto
// request into TokenManager calls on a worker pool (Redis round trips block)
// and the result back into proto.
#pragma once

#include "caspio_mcp/token/v1/token_service.grpc.pb.h"
#include "common/concurrency/thread_pool.h"
#include "services/token/token_manager.h"

namespace cmcp::token {

class TokenServiceImpl final : public caspio_mcp::token::v1::TokenService::CallbackService {
 public:
  TokenServiceImpl(TokenManager* manager, ThreadPool* pool) : manager_(manager), pool_(pool) {}

  // caspio_mcp::token::v1::TokenService::CallbackService
  grpc::ServerUnaryReactor* CreateAccount(grpc::CallbackServerContext* context,
                                          const caspio_mcp::token::v1::CreateAccountRequest* request,
                                          caspio_mcp::token::v1::Account* response) override;
  grpc::ServerUnaryReactor* GetAccount(grpc::CallbackServerContext* context,
                                       const caspio_mcp::token::v1::GetAccountRequest* request,
                                       caspio_mcp::token::v1::Account* response) override;
  grpc::ServerUnaryReactor* ListAccounts(grpc::CallbackServerContext* context,
                                         const caspio_mcp::token::v1::ListAccountsRequest* request,
                                         caspio_mcp::token::v1::ListAccountsResponse* response) override;
  grpc::ServerUnaryReactor* DeleteAccount(grpc::CallbackServerContext* context,
                                          const caspio_mcp::token::v1::DeleteAccountRequest* request,
                                          caspio_mcp::token::v1::DeleteAccountResponse* response) override;
  grpc::ServerUnaryReactor* GetAccountCredentials(
      grpc::CallbackServerContext* context, const caspio_mcp::token::v1::GetAccountCredentialsRequest* request,
      caspio_mcp::token::v1::AccountCredentials* response) override;
  grpc::ServerUnaryReactor* CreateMcpServer(grpc::CallbackServerContext* context,
                                            const caspio_mcp::token::v1::CreateMcpServerRequest* request,
                                            caspio_mcp::token::v1::CreateMcpServerResponse* response) override;
  grpc::ServerUnaryReactor* GetMcpServer(grpc::CallbackServerContext* context,
                                         const caspio_mcp::token::v1::GetMcpServerRequest* request,
                                         caspio_mcp::token::v1::McpServer* response) override;
  grpc::ServerUnaryReactor* ListMcpServers(grpc::CallbackServerContext* context,
                                           const caspio_mcp::token::v1::ListMcpServersRequest* request,
                                           caspio_mcp::token::v1::ListMcpServersResponse* response) override;
  grpc::ServerUnaryReactor* UpdateMcpServer(grpc::CallbackServerContext* context,
                                            const caspio_mcp::token::v1::UpdateMcpServerRequest* request,
                                            caspio_mcp::token::v1::McpServer* response) override;
  grpc::ServerUnaryReactor* DeleteMcpServer(grpc::CallbackServerContext* context,
                                            const caspio_mcp::token::v1::DeleteMcpServerRequest* request,
                                            caspio_mcp::token::v1::DeleteMcpServerResponse* response) override;
  grpc::ServerUnaryReactor* ResolveMcpToken(grpc::CallbackServerContext* context,
                                            const caspio_mcp::token::v1::ResolveMcpTokenRequest* request,
                                            caspio_mcp::token::v1::ResolvedMcpServer* response) override;
  grpc::ServerUnaryReactor* CreateApiToken(grpc::CallbackServerContext* context,
                                           const caspio_mcp::token::v1::CreateApiTokenRequest* request,
                                           caspio_mcp::token::v1::CreateApiTokenResponse* response) override;
  grpc::ServerUnaryReactor* DeleteApiToken(grpc::CallbackServerContext* context,
                                           const caspio_mcp::token::v1::DeleteApiTokenRequest* request,
                                           caspio_mcp::token::v1::DeleteApiTokenResponse* response) override;
  grpc::ServerUnaryReactor* VerifyApiToken(grpc::CallbackServerContext* context,
                                           const caspio_mcp::token::v1::VerifyApiTokenRequest* request,
                                           caspio_mcp::token::v1::ApiToken* response) override;
  grpc::ServerWriteReactor<caspio_mcp::token::v1::Invalidation>* WatchInvalidations(
      grpc::CallbackServerContext* context,
      const caspio_mcp::token::v1::WatchInvalidationsRequest* request) override;

 private:
  TokenManager* manager_;
  ThreadPool* pool_;
};

}  // namespace cmcp::token
