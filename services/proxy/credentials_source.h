// File: credentials_source.h
// Where the proxy gets an account's Caspio credentials: the token service
// (GrpcCredentialsSource) in production, a fake in unit tests.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "caspio_mcp/token/v1/token_service.grpc.pb.h"

namespace cmcp::proxy {

struct Credentials {
  std::string base_url;
  std::string client_id;
  std::string client_secret;
};

class CredentialsSource {
 public:
  virtual ~CredentialsSource() = default;
  virtual absl::StatusOr<Credentials> Get(const std::string& account_id) = 0;
};

class GrpcCredentialsSource final : public CredentialsSource {
 public:
  explicit GrpcCredentialsSource(std::unique_ptr<caspio_mcp::token::v1::TokenService::StubInterface> stub)
      : stub_(std::move(stub)) {}
  absl::StatusOr<Credentials> Get(const std::string& account_id) override;

 private:
  std::unique_ptr<caspio_mcp::token::v1::TokenService::StubInterface> stub_;
};

}  // namespace cmcp::proxy
