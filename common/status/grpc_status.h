// File: grpc_status.h
// The single mapping between absl::Status and grpc::Status. The ErrorDetail
// payload travels in grpc::Status::error_details (the grpc-status-details-bin
// trailer) as a serialized caspio_mcp.common.v1.ErrorDetail.
//
//   reactor->Finish(ToGrpcStatus(status));           // server side
//   absl::Status s = FromGrpcStatus(grpc_status);    // client side
#pragma once

#include "absl/status/status.h"
#include <grpcpp/support/status.h>

namespace cmcp {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace cmcp
