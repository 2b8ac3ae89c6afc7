#include "services/token/token_service.h"

#include <google/protobuf/util/time_util.h>

#include "common/grpc/unary.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"

namespace cmcp::token {
namespace {

namespace pb = ::caspio_mcp::token::v1;
using google::protobuf::Timestamp;

Timestamp ToProto(absl::Time t) {
  Timestamp ts;
  const int64_t micros = absl::ToUnixMicros(t);
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return ts;
}

absl::Time FromProto(const Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void ToProto(const AccountRecord& a, pb::Account* out) {
  out->set_id(a.id);
  out->set_integration(a.integration);
  out->set_name(a.name);
  out->set_base_url(a.base_url);
  out->set_client_id(a.client_id);
  *out->mutable_created_at() = ToProto(a.created_at);
  *out->mutable_updated_at() = ToProto(a.updated_at);
}

ServerConfig FromProto(const pb::McpServerConfig& c) {
  ServerConfig config;
  config.methods.assign(c.filter().methods().begin(), c.filter().methods().end());
  config.tags.assign(c.filter().tags().begin(), c.filter().tags().end());
  config.require_api_token_auth = c.require_api_token_auth();
  return config;
}

void ToProto(const ServerRecord& s, pb::McpServer* out) {
  out->set_id(s.id);
  out->set_name(s.name);
  out->set_integrated_account_id(s.account_id);
  for (const std::string& m : s.config.methods) out->mutable_config()->mutable_filter()->add_methods(m);
  for (const std::string& t : s.config.tags) out->mutable_config()->mutable_filter()->add_tags(t);
  out->mutable_config()->set_require_api_token_auth(s.config.require_api_token_auth);
  if (s.expires_at.has_value()) *out->mutable_expires_at() = ToProto(*s.expires_at);
  *out->mutable_created_at() = ToProto(s.created_at);
  *out->mutable_updated_at() = ToProto(s.updated_at);
}

ApiTokenScope FromProto(pb::ApiTokenScope scope) {
  return scope == pb::API_TOKEN_SCOPE_ADMIN ? ApiTokenScope::kAdmin : ApiTokenScope::kMcpClient;
}

void ToProto(const ApiTokenRecord& t, pb::ApiToken* out) {
  out->set_id(t.id);
  out->set_name(t.name);
  out->set_scope(t.scope == ApiTokenScope::kAdmin ? pb::API_TOKEN_SCOPE_ADMIN : pb::API_TOKEN_SCOPE_MCP_CLIENT);
  for (const std::string& a : t.account_ids) out->add_account_ids(a);
  if (t.expires_at.has_value()) *out->mutable_expires_at() = ToProto(*t.expires_at);
  *out->mutable_created_at() = ToProto(t.created_at);
}

}  // namespace

grpc::ServerUnaryReactor* TokenServiceImpl::CreateAccount(grpc::CallbackServerContext* context,
                                                          const pb::CreateAccountRequest* request,
                                                          pb::Account* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(AccountRecord account,
                          manager_->CreateAccount({request->integration(), request->name(), request->base_url(),
                                                   request->client_id(), request->client_secret()}));
    ToProto(account, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::GetAccount(grpc::CallbackServerContext* context,
                                                       const pb::GetAccountRequest* request, pb::Account* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(AccountRecord account, manager_->GetAccount(request->id()));
    ToProto(account, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::ListAccounts(grpc::CallbackServerContext* context,
                                                         const pb::ListAccountsRequest* request,
                                                         pb::ListAccountsResponse* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(Page<AccountRecord> page, manager_->ListAccounts(request->page_size(), request->cursor()));
    for (const AccountRecord& a : page.items) ToProto(a, response->add_accounts());
    response->set_next_cursor(page.next_cursor);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::DeleteAccount(grpc::CallbackServerContext* context,
                                                          const pb::DeleteAccountRequest* request,
                                                          pb::DeleteAccountResponse* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(int deleted, manager_->DeleteAccount(request->id()));
    response->set_deleted_servers(deleted);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::GetAccountCredentials(grpc::CallbackServerContext* context,
                                                                  const pb::GetAccountCredentialsRequest* request,
                                                                  pb::AccountCredentials* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(AccountCredentials c, manager_->GetCredentials(request->account_id()));
    response->set_account_id(c.account_id);
    response->set_base_url(c.base_url);
    response->set_client_id(c.client_id);
    response->set_client_secret(c.client_secret);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::CreateMcpServer(grpc::CallbackServerContext* context,
                                                            const pb::CreateMcpServerRequest* request,
                                                            pb::CreateMcpServerResponse* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    NewServer n;
    n.account_id = request->account_id();
    n.name = request->name();
    n.config = FromProto(request->config());
    if (request->has_expires_at()) n.expires_at = FromProto(request->expires_at());
    CMCP_ASSIGN_OR_RETURN(CreatedServer created, manager_->CreateServer(n));
    ToProto(created.server, response->mutable_server());
    response->set_token(created.token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::GetMcpServer(grpc::CallbackServerContext* context,
                                                         const pb::GetMcpServerRequest* request,
                                                         pb::McpServer* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(ServerRecord server, manager_->GetServer(request->account_id(), request->id()));
    ToProto(server, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::ListMcpServers(grpc::CallbackServerContext* context,
                                                           const pb::ListMcpServersRequest* request,
                                                           pb::ListMcpServersResponse* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(Page<ServerRecord> page,
                          manager_->ListServers(request->account_id(), request->page_size(), request->cursor()));
    for (const ServerRecord& s : page.items) ToProto(s, response->add_servers());
    response->set_next_cursor(page.next_cursor);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::UpdateMcpServer(grpc::CallbackServerContext* context,
                                                            const pb::UpdateMcpServerRequest* request,
                                                            pb::McpServer* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    ServerUpdate u;
    u.account_id = request->account_id();
    u.id = request->id();
    if (request->has_name()) u.name = request->name();
    if (request->has_config()) u.config = FromProto(request->config());
    if (request->has_expires_at()) {
      u.expiry = ServerUpdate::Expiry::kSet;
      u.expires_at = FromProto(request->expires_at());
    } else if (request->clear_expires_at()) {
      u.expiry = ServerUpdate::Expiry::kClear;
    }
    CMCP_ASSIGN_OR_RETURN(ServerRecord server, manager_->UpdateServer(u));
    ToProto(server, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::DeleteMcpServer(grpc::CallbackServerContext* context,
                                                            const pb::DeleteMcpServerRequest* request,
                                                            pb::DeleteMcpServerResponse*) {
  return RunOnPool(context, *pool_, [this, request]() -> absl::Status {
    return manager_->DeleteServer(request->account_id(), request->id());
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::ResolveMcpToken(grpc::CallbackServerContext* context,
                                                            const pb::ResolveMcpTokenRequest* request,
                                                            pb::ResolvedMcpServer* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(ResolvedServer resolved, manager_->Resolve(request->token()));
    ToProto(resolved.server, response->mutable_server());
    response->set_cache_ttl_ms(absl::ToInt64Milliseconds(resolved.cache_ttl));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::CreateApiToken(grpc::CallbackServerContext* context,
                                                           const pb::CreateApiTokenRequest* request,
                                                           pb::CreateApiTokenResponse* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    if (request->scope() == pb::API_TOKEN_SCOPE_UNSPECIFIED) {
      return InvalidFieldError("scope", "scope must be admin or mcp_client");
    }
    NewApiToken n;
    n.name = request->name();
    n.scope = FromProto(request->scope());
    n.account_ids.assign(request->account_ids().begin(), request->account_ids().end());
    if (request->has_expires_at()) n.expires_at = FromProto(request->expires_at());
    CMCP_ASSIGN_OR_RETURN(CreatedApiToken created, manager_->CreateApiToken(n));
    ToProto(created.record, response->mutable_api_token());
    response->set_token(created.token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenServiceImpl::DeleteApiToken(grpc::CallbackServerContext* context,
                                                           const pb::DeleteApiTokenRequest* request,
                                                           pb::DeleteApiTokenResponse*) {
  return RunOnPool(context, *pool_, [this, request]() -> absl::Status { return manager_->DeleteApiToken(request->id()); });
}

grpc::ServerUnaryReactor* TokenServiceImpl::VerifyApiToken(grpc::CallbackServerContext* context,
                                                           const pb::VerifyApiTokenRequest* request,
                                                           pb::ApiToken* response) {
  return RunOnPool(context, *pool_, [this, request, response]() -> absl::Status {
    CMCP_ASSIGN_OR_RETURN(ApiTokenRecord record,
                          manager_->VerifyApiToken(request->token(), FromProto(request->required_scope()),
                                                   request->account_id()));
    ToProto(record, response);
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<pb::Invalidation>* TokenServiceImpl::WatchInvalidations(
    grpc::CallbackServerContext*, const pb::WatchInvalidationsRequest*) {
  // Not built yet: edge bounds staleness with the resolve cache TTL instead.
  class Unimplemented final : public grpc::ServerWriteReactor<pb::Invalidation> {
   public:
    Unimplemented() {
      Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "invalidation stream is not available yet"));
    }
    void OnDone() override { delete this; }
  };
  return new Unimplemented();
}

}  // namespace cmcp::token
