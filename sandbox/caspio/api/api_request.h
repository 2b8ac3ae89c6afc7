// File: api_request.h
// What a sandbox handler sees of a request: the HTTP request, its path
// parameters, and query parameters bound the way Caspio's ASP.NET binder
// does: names case-insensitive, with or without the "q." prefix
// ("q.where", "where", "Where" and "Q.WHERE" are one parameter). Typed
// getters fail with 400 IncorrectQueryParameter naming the parameter.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/http/http_types.h"
#include "common/http/router.h"
#include "nlohmann/json.hpp"

namespace cmcp::sandbox {

class QueryParams {
 public:
  static absl::StatusOr<QueryParams> Parse(absl::string_view query);

  // The value of `name` ("q.where", "Where", "externalKey"...). When a client
  // sends both "q.x" and "x", the prefixed one wins.
  std::optional<std::string> Get(absl::string_view name) const;
  // Present and not blank.
  absl::StatusOr<std::string> Required(absl::string_view name) const;
  absl::StatusOr<std::optional<int64_t>> Int(absl::string_view name) const;
  absl::StatusOr<bool> Bool(absl::string_view name, bool default_value) const;

 private:
  struct Entry {
    bool prefixed = false;
    std::string value;
  };
  // Lower-case name without "q." -> values in request order.
  std::map<std::string, std::vector<Entry>, std::less<>> values_;
};

struct ApiRequest {
  const HttpRequest* http = nullptr;
  const PathParams* path = nullptr;
  QueryParams query;

  const std::string& Path(absl::string_view name) const;
  // The body as a JSON value; 400 IncorrectBodyParameter when it is not JSON.
  absl::StatusOr<nlohmann::json> JsonBody() const;
};

}  // namespace cmcp::sandbox
