// File: http_errors.h
// The edge's one table from absl::Status to HTTP: status code, and the admin
// API's error body {"error":{"code","message","field?","hint?"}}. Errors that
// carry no project ErrorDetail (a peer's transport failure, a bug) are shown
// with a generic message and logged in full, so internal text never leaks.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/http/http_types.h"

namespace cmcp::edge {

int HttpStatusFor(const absl::Status& status);

// "invalid_field", "not_found", "no_matching_tools", ... from the ErrorDetail.
std::string ErrorCodeFor(const absl::Status& status);

// The JSON error response for the admin API.
HttpResponse AdminErrorResponse(const absl::Status& status, const std::string& request_id);

// The message safe to show a client for `status`.
std::string PublicMessage(const absl::Status& status);

}  // namespace cmcp::edge
