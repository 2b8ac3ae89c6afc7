#include "services/edge/http_errors.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "common/logging/logger.h"
#include "common/status/error.h"
#include "nlohmann/json.hpp"

namespace cmcp::edge {

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

std::string ErrorCodeFor(const absl::Status& status) {
  const ErrorDetail detail = ErrorDetailOrDefault(status);
  std::string name = caspio_mcp::common::v1::ErrorReason_Name(detail.reason());
  absl::string_view view = name;
  if (absl::ConsumePrefix(&view, "ERROR_REASON_")) return absl::AsciiStrToLower(view);
  return "internal";
}

std::string PublicMessage(const absl::Status& status) {
  if (GetErrorDetail(status).has_value()) return std::string(status.message());
  switch (status.code()) {
    case absl::StatusCode::kUnavailable: return "a backend service is unavailable; retry shortly";
    case absl::StatusCode::kDeadlineExceeded: return "the request took too long";
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated: return std::string(status.message());
    default: return "internal error";
  }
}

HttpResponse AdminErrorResponse(const absl::Status& status, const std::string& request_id) {
  const ErrorDetail detail = ErrorDetailOrDefault(status);
  nlohmann::json error = {{"code", ErrorCodeFor(status)}, {"message", PublicMessage(status)}};
  if (!detail.field().empty()) error["field"] = detail.field();
  if (!detail.hint().empty()) error["hint"] = detail.hint();
  if (!GetErrorDetail(status).has_value() && HttpStatusFor(status) >= 500) {
    LogError("backend error").With("request_id", request_id).With("status", status);
  }
  HttpResponse r = HttpResponse::Json(HttpStatusFor(status), nlohmann::json{{"error", error}}.dump());
  r.headers.Add("X-Request-ID", request_id);
  return r;
}

}  // namespace cmcp::edge
