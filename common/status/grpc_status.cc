#include "common/status/grpc_status.h"

#include <string>

#include "common/status/error.h"

namespace cmcp {

// absl::StatusCode values are the canonical gRPC codes, one for one.
grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const ErrorDetail detail = ErrorDetailOrDefault(status);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      detail.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  ErrorDetail detail;
  if (!status.error_details().empty() && detail.ParseFromString(status.error_details())) {
    return WithErrorDetail(std::move(result), detail);
  }
  return result;
}

}  // namespace cmcp
