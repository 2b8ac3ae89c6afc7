// File: error.h
// Builds absl::Status values that carry the project's typed ErrorDetail
// (proto caspio_mcp.common.v1.ErrorDetail) as a payload, and reads it back.
// Every layer returns these; grpc_status.h and the edge's HTTP table are the
// only places that translate them for the wire.
//
//   return InvalidFieldError("expires_at", "must be at least 60 s in the future",
//                            "send a later timestamp or omit expires_at");
#pragma once

#include <optional>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "caspio_mcp/common/v1/common.pb.h"

namespace cmcp {

using ErrorDetail = ::caspio_mcp::common::v1::ErrorDetail;
using ErrorReason = ::caspio_mcp::common::v1::ErrorReason;

// The payload type URL under which ErrorDetail is attached to an absl::Status.
inline constexpr absl::string_view kErrorDetailTypeUrl =
    "type.googleapis.com/caspio_mcp.common.v1.ErrorDetail";

// A status with `code`, `message` and the given detail attached.
absl::Status MakeError(absl::StatusCode code, absl::string_view message, const ErrorDetail& detail);

// A status with `code`, `message` and a detail holding only `reason`.
absl::Status MakeError(absl::StatusCode code, absl::string_view message, ErrorReason reason,
                       absl::string_view field = {}, absl::string_view hint = {});

// INVALID_ARGUMENT naming the field at fault.
absl::Status InvalidFieldError(absl::string_view field, absl::string_view message,
                               absl::string_view hint = {});
// INVALID_ARGUMENT for a required field that is absent.
absl::Status MissingFieldError(absl::string_view field, absl::string_view message,
                               absl::string_view hint = {});
// NOT_FOUND with reason NOT_FOUND.
absl::Status NotFoundError(absl::string_view message);
// INTERNAL with reason INTERNAL.
absl::Status InternalError(absl::string_view message);
// UNAVAILABLE with reason STORAGE_UNAVAILABLE.
absl::Status StorageUnavailableError(absl::string_view message);

// The detail attached to `status`, if any.
std::optional<ErrorDetail> GetErrorDetail(const absl::Status& status);

// The detail attached to `status`, or one synthesized from its code (never empty
// reason for non-OK statuses).
ErrorDetail ErrorDetailOrDefault(const absl::Status& status);

// Returns `status` with `detail` attached (replacing any previous one).
absl::Status WithErrorDetail(absl::Status status, const ErrorDetail& detail);

}  // namespace cmcp
