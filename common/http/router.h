// File: router.h
// Matches a method and a percent-encoded path against patterns such as
// "/integrated-account/{id}/mcp/{mcp_id}". Path parameters are decoded per
// segment, so an encoded "/" in a parameter can never split it. The caller
// decides how to answer "no route" and "wrong method", since the edge and the
// sandbox format errors differently.
//
//   router.Add("GET", "/v3/tables/{tableName}/records", ListRecords);
//   RouteMatch m = router.Find(req.method, req.path);
//   if (m.outcome == RouteMatch::kFound) (*m.handler)(std::move(req), m.params, responder);
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "common/http/http_server.h"

namespace cmcp {

using PathParams = std::map<std::string, std::string, std::less<>>;
using RouteHandler =
    std::function<void(HttpRequest request, const PathParams& params, std::shared_ptr<HttpResponder> responder)>;

struct RouteMatch {
  enum Outcome { kFound, kNotFound, kMethodNotAllowed, kBadPath };
  Outcome outcome = kNotFound;
  const RouteHandler* handler = nullptr;
  PathParams params;
  // For kMethodNotAllowed: the methods the path does accept ("GET, POST").
  std::string allowed;
};

class Router {
 public:
  // Patterns are matched segment by segment; "{name}" captures one segment.
  // Literal segments win over captures when both match.
  void Add(absl::string_view method, absl::string_view pattern, RouteHandler handler);
  RouteMatch Find(absl::string_view method, absl::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{x}" for captures
    int literal_count = 0;
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

// Splits "/a/b/c" into {"a","b","c"} (no decoding). "/" gives {}.
std::vector<absl::string_view> SplitPath(absl::string_view path);

}  // namespace cmcp
