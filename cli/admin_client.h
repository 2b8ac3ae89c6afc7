// File: admin_client.h
// The admin REST API (SPEC §3) as the CLI uses it: one call = one request with
// the admin token as a bearer header, the JSON answer back. An API refusal
// becomes an absl::Status whose code follows the HTTP status and whose payload
// (ApiErrorOf) keeps the API's own error object, so the CLI can print it
// verbatim or as JSON. The token is only ever put in the Authorization header.
//
//   AdminClient api(&http, "http://127.0.0.1:8080", token);
//   absl::StatusOr<nlohmann::ordered_json> account = api.Call("GET", "/integrated-account/" + id);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/http/http_client.h"
#include "nlohmann/json.hpp"

namespace cmcp::cli {

using Json = nlohmann::ordered_json;

// What the API said when it refused a request.
struct ApiError {
  int http_status = 0;
  std::string code;
  std::string message;
  std::string field;
  std::string hint;
  std::string request_id;
  Json body;  // the API's {"error":{...}} object (null if it sent none)
};

// The ApiError carried by a status from AdminClient, if any (transport
// failures carry none).
std::optional<ApiError> ApiErrorOf(const absl::Status& status);

class AdminClient {
 public:
  AdminClient(HttpClient* http, std::string base_url, std::string admin_token);

  // `body` null = no body. 2xx -> the parsed JSON (null for an empty body).
  // Errors: the HTTP status mapped to a code (400 INVALID_ARGUMENT, 401
  // UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 409 ALREADY_EXISTS,
  // 429 RESOURCE_EXHAUSTED, 5xx UNAVAILABLE) with an ApiError payload; a
  // transport failure is UNAVAILABLE or DEADLINE_EXCEEDED without one.
  absl::StatusOr<Json> Call(absl::string_view method, absl::string_view path, const Json& body = nullptr) const;

  // Every item of a paged list ({result, next_cursor}), following next_cursor.
  absl::StatusOr<std::vector<Json>> ListAll(absl::string_view path) const;

  const std::string& base_url() const { return base_url_; }

 private:
  HttpClient* http_;
  std::string base_url_;
  std::string admin_token_;
};

}  // namespace cmcp::cli
