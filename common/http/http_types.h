// File: http_types.h
// Plain HTTP request/response values shared by the server (http_server.h),
// the router (router.h) and the client (http_client.h), plus URL helpers.
#pragma once

#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace cmcp {

// Ordered header list with case-insensitive lookup.
class Headers {
 public:
  struct Entry {
    std::string name;
    std::string value;
  };

  void Add(std::string name, std::string value);
  // Replaces every header with this name.
  void Set(std::string name, std::string value);
  void Remove(absl::string_view name);
  std::optional<absl::string_view> Get(absl::string_view name) const;
  std::vector<absl::string_view> GetAll(absl::string_view name) const;
  bool empty() const { return entries_.empty(); }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, e.g. "/mcp/abc?x=1"
  std::string path;    // target up to '?', still percent-encoded
  std::string query;   // after '?', still percent-encoded
  Headers headers;
  std::string body;
  std::string remote_address;
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;

  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body);
  static HttpResponse Empty(int status);
};

// "OK", "Not Found", ... for status lines.
absl::string_view StatusReason(int status);

// Decodes %XX escapes (and '+' as space when `plus_as_space`). Fails on a
// malformed escape.
absl::StatusOr<std::string> PercentDecode(absl::string_view text, bool plus_as_space);

// Encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
// Safe for one path segment or one query component.
std::string PercentEncode(absl::string_view text);

// Decoded name/value pairs of a query string or form body, in order. Malformed
// escapes fail with INVALID_ARGUMENT naming the parameter.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQuery(absl::string_view query);

}  // namespace cmcp
