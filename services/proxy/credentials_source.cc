#include "services/proxy/credentials_source.h"

#include "common/grpc/grpc_client.h"
#include "common/status/grpc_status.h"

namespace cmcp::proxy {

absl::StatusOr<Credentials> GrpcCredentialsSource::Get(const std::string& account_id) {
  caspio_mcp::token::v1::GetAccountCredentialsRequest request;
  request.set_account_id(account_id);
  caspio_mcp::token::v1::AccountCredentials response;
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(5));
  const grpc::Status status = stub_->GetAccountCredentials(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return Credentials{response.base_url(), response.client_id(), response.client_secret()};
}

}  // namespace cmcp::proxy
