// File: tool_checker.h
// Asks toolgen how many tools a server config's filter exposes, so a server
// whose filter matches nothing is refused at create/update time (Truto's
// "AI-ready" check). GrpcToolChecker is the real one; tests use a fake.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.grpc.pb.h"
#include "services/token/token_types.h"

namespace cmcp::token {

class ToolChecker {
 public:
  virtual ~ToolChecker() = default;
  // Number of matching tools, or INVALID_ARGUMENT naming the bad entry.
  virtual absl::StatusOr<int> CountTools(const ServerConfig& config) = 0;
};

class GrpcToolChecker final : public ToolChecker {
 public:
  explicit GrpcToolChecker(std::unique_ptr<caspio_mcp::toolgen::v1::ToolgenService::StubInterface> stub)
      : stub_(std::move(stub)) {}
  absl::StatusOr<int> CountTools(const ServerConfig& config) override;

 private:
  std::unique_ptr<caspio_mcp::toolgen::v1::ToolgenService::StubInterface> stub_;
};

}  // namespace cmcp::token
