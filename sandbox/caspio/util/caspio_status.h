// File: caspio_status.h
// Caspio's error vocabulary carried inside absl::Status, so stores and
// handlers return ordinary statuses and one place (ErrorResponse in the API
// layer) renders {Code, Message, Resource, RequestId} with the right HTTP
// status. A status without a Caspio code maps by its canonical code.
//
//   return SqlServerError("Invalid column name 'Nme'.");        // 400
//   return ObjectNotFound("Table 'Nope' was not found.");       // 404
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace cmcp::sandbox {

absl::Status CaspioError(int http_status, absl::string_view code, absl::string_view message);

absl::Status SqlServerError(absl::string_view message);           // 400
absl::Status IncorrectQueryParameter(absl::string_view message);  // 400
absl::Status IncorrectBodyParameter(absl::string_view message);   // 400
absl::Status ObjectNotFound(absl::string_view message);           // 404
absl::Status FieldNotFound(absl::string_view message);            // 404
absl::Status ConflictError(absl::string_view message);            // 409
absl::Status ContentTooLarge(absl::string_view message);          // 413

struct CaspioErrorInfo {
  int http_status = 500;
  std::string code;
};
CaspioErrorInfo ErrorInfoOf(const absl::Status& status);

}  // namespace cmcp::sandbox
