#include "sandbox/caspio/util/caspio_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cmcp::sandbox {
namespace {

constexpr char kPayloadUrl[] = "type.cmcp.dev/sandbox.CaspioError";

absl::StatusCode CanonicalFor(int http_status) {
  switch (http_status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 413:
    case 414:
    case 429:
      return absl::StatusCode::kResourceExhausted;
    default:
      return http_status >= 500 ? absl::StatusCode::kInternal : absl::StatusCode::kInvalidArgument;
  }
}

}  // namespace

absl::Status CaspioError(int http_status, absl::string_view code, absl::string_view message) {
  absl::Status status(CanonicalFor(http_status), message);
  status.SetPayload(kPayloadUrl, absl::Cord(absl::StrCat(http_status, " ", code)));
  return status;
}

absl::Status SqlServerError(absl::string_view m) { return CaspioError(400, "SqlServerError", m); }
absl::Status IncorrectQueryParameter(absl::string_view m) {
  return CaspioError(400, "IncorrectQueryParameter", m);
}
absl::Status IncorrectBodyParameter(absl::string_view m) {
  return CaspioError(400, "IncorrectBodyParameter", m);
}
absl::Status ObjectNotFound(absl::string_view m) { return CaspioError(404, "ObjectNotFound", m); }
absl::Status FieldNotFound(absl::string_view m) { return CaspioError(404, "FieldNotFound", m); }
absl::Status ConflictError(absl::string_view m) { return CaspioError(409, "Conflict", m); }
absl::Status ContentTooLarge(absl::string_view m) { return CaspioError(413, "ContentTooLarge", m); }

CaspioErrorInfo ErrorInfoOf(const absl::Status& status) {
  if (auto payload = status.GetPayload(kPayloadUrl); payload.has_value()) {
    const std::string text(*payload);
    const size_t space = text.find(' ');
    CaspioErrorInfo info;
    if (space != std::string::npos && absl::SimpleAtoi(text.substr(0, space), &info.http_status)) {
      info.code = text.substr(space + 1);
      return info;
    }
  }
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return {400, "IncorrectQueryParameter"};
    case absl::StatusCode::kNotFound:
      return {404, "ObjectNotFound"};
    case absl::StatusCode::kAlreadyExists:
      return {409, "Conflict"};
    case absl::StatusCode::kUnauthenticated:
      return {401, "Unauthorized"};
    case absl::StatusCode::kPermissionDenied:
      return {403, "UnsufficientPrivileges"};
    case absl::StatusCode::kResourceExhausted:
      return {413, "ContentTooLarge"};
    case absl::StatusCode::kFailedPrecondition:
      return {400, "IncorrectBodyParameter"};
    default:
      return {500, "InternalError"};
  }
}

}  // namespace cmcp::sandbox
