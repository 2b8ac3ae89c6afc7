// File: api_common.h
// Shared pieces of the sandbox's REST handlers: the handler signature, the
// route table they register into, and response builders for Caspio's shapes
// ({"Result": ...}, counts, 201/204 without a body).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/http/http_types.h"
#include "common/http/router.h"
#include "nlohmann/json.hpp"
#include "sandbox/caspio/api/api_request.h"

namespace cmcp::sandbox {

using ojson = nlohmann::ordered_json;
using ApiHandler = std::function<absl::StatusOr<HttpResponse>(const ApiRequest&)>;

// Routes relative to /integrations/rest (e.g. "/v3/tables/{tableName}").
struct ApiRoute {
  std::string method;
  std::string pattern;
  std::string operation_id;
  ApiHandler handler;
};

class ApiRoutes {
 public:
  void Add(absl::string_view method, absl::string_view pattern, absl::string_view operation_id, ApiHandler handler) {
    routes_.push_back({std::string(method), std::string(pattern), std::string(operation_id), std::move(handler)});
  }
  const std::vector<ApiRoute>& routes() const { return routes_; }
  // Keeps an API object whose methods the handlers call alive with the routes.
  void Own(std::shared_ptr<void> object) { owned_.push_back(std::move(object)); }

 private:
  std::vector<ApiRoute> routes_;
  std::vector<std::shared_ptr<void>> owned_;
};

// JSON text with invalid UTF-8 replaced (never throws).
std::string DumpJson(const ojson& value);
HttpResponse JsonResponse(int status, const ojson& body);
// {"Result": result}
HttpResponse ResultResponse(const ojson& result, int status = 200);
// A pre-rendered JSON body.
HttpResponse RawJsonResponse(int status, std::string body);
HttpResponse NoContent(int status);

// A JSON body's member by exact or case-insensitive name (ASP.NET binds
// body properties case-insensitively); nullptr when absent.
const nlohmann::json* Member(const nlohmann::json& object, absl::string_view name);

}  // namespace cmcp::sandbox
