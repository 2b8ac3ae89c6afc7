#include "common/status/error.h"

#include <string>

#include "absl/strings/cord.h"

namespace cmcp {
namespace {

ErrorReason DefaultReasonFor(absl::StatusCode code) {
  using R = ::caspio_mcp::common::v1::ErrorReason;
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return R::ERROR_REASON_INVALID_FIELD;
    case absl::StatusCode::kNotFound:
      return R::ERROR_REASON_NOT_FOUND;
    case absl::StatusCode::kAlreadyExists:
      return R::ERROR_REASON_ALREADY_EXISTS;
    case absl::StatusCode::kUnauthenticated:
      return R::ERROR_REASON_UNAUTHENTICATED;
    case absl::StatusCode::kPermissionDenied:
      return R::ERROR_REASON_PERMISSION_DENIED;
    case absl::StatusCode::kResourceExhausted:
      return R::ERROR_REASON_RATE_LIMITED;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return R::ERROR_REASON_UPSTREAM_UNAVAILABLE;
    default:
      return R::ERROR_REASON_INTERNAL;
  }
}

}  // namespace

absl::Status MakeError(absl::StatusCode code, absl::string_view message, const ErrorDetail& detail) {
  return WithErrorDetail(absl::Status(code, message), detail);
}

absl::Status MakeError(absl::StatusCode code, absl::string_view message, ErrorReason reason,
                       absl::string_view field, absl::string_view hint) {
  ErrorDetail detail;
  detail.set_reason(reason);
  detail.set_field(std::string(field));
  detail.set_hint(std::string(hint));
  return MakeError(code, message, detail);
}

absl::Status InvalidFieldError(absl::string_view field, absl::string_view message,
                               absl::string_view hint) {
  return MakeError(absl::StatusCode::kInvalidArgument, message,
                   ::caspio_mcp::common::v1::ERROR_REASON_INVALID_FIELD, field, hint);
}

absl::Status MissingFieldError(absl::string_view field, absl::string_view message,
                               absl::string_view hint) {
  return MakeError(absl::StatusCode::kInvalidArgument, message,
                   ::caspio_mcp::common::v1::ERROR_REASON_MISSING_FIELD, field, hint);
}

absl::Status NotFoundError(absl::string_view message) {
  return MakeError(absl::StatusCode::kNotFound, message,
                   ::caspio_mcp::common::v1::ERROR_REASON_NOT_FOUND);
}

absl::Status InternalError(absl::string_view message) {
  return MakeError(absl::StatusCode::kInternal, message,
                   ::caspio_mcp::common::v1::ERROR_REASON_INTERNAL);
}

absl::Status StorageUnavailableError(absl::string_view message) {
  return MakeError(absl::StatusCode::kUnavailable, message,
                   ::caspio_mcp::common::v1::ERROR_REASON_STORAGE_UNAVAILABLE);
}

std::optional<ErrorDetail> GetErrorDetail(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorDetailTypeUrl);
  if (!payload.has_value()) return std::nullopt;
  ErrorDetail detail;
  if (!detail.ParseFromString(std::string(*payload))) return std::nullopt;
  return detail;
}

ErrorDetail ErrorDetailOrDefault(const absl::Status& status) {
  std::optional<ErrorDetail> detail = GetErrorDetail(status);
  if (detail.has_value()) return *std::move(detail);
  ErrorDetail synthesized;
  if (!status.ok()) synthesized.set_reason(DefaultReasonFor(status.code()));
  return synthesized;
}

absl::Status WithErrorDetail(absl::Status status, const ErrorDetail& detail) {
  if (status.ok()) return status;
  status.SetPayload(kErrorDetailTypeUrl, absl::Cord(detail.SerializeAsString()));
  return status;
}

}  // namespace cmcp
