#include "common/http/router.h"

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace cmcp {

std::vector<absl::string_view> SplitPath(absl::string_view path) {
  std::vector<absl::string_view> out;
  for (absl::string_view s : absl::StrSplit(path, '/')) out.push_back(s);
  // Leading "/" yields an empty first segment; a trailing "/" an empty last one.
  if (!out.empty() && out.front().empty()) out.erase(out.begin());
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

void Router::Add(absl::string_view method, absl::string_view pattern, RouteHandler handler) {
  Route route;
  route.method = std::string(method);
  for (absl::string_view s : SplitPath(pattern)) {
    route.segments.emplace_back(s);
    if (!absl::StartsWith(s, "{")) ++route.literal_count;
  }
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

RouteMatch Router::Find(absl::string_view method, absl::string_view path) const {
  const std::vector<absl::string_view> parts = SplitPath(path);
  RouteMatch best;
  int best_literals = -1;
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    PathParams params;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& seg = route.segments[i];
      if (absl::StartsWith(seg, "{")) {
        absl::StatusOr<std::string> decoded = PercentDecode(parts[i], /*plus_as_space=*/false);
        if (!decoded.ok() || decoded->empty()) {
          ok = false;
          if (!decoded.ok()) {
            RouteMatch bad;
            bad.outcome = RouteMatch::kBadPath;
            return bad;
          }
        } else {
          params[seg.substr(1, seg.size() - 2)] = *std::move(decoded);
        }
      } else if (seg != parts[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    if (route.method != method) {
      allowed.push_back(route.method);
      continue;
    }
    if (route.literal_count > best_literals) {
      best_literals = route.literal_count;
      best.outcome = RouteMatch::kFound;
      best.handler = &route.handler;
      best.params = std::move(params);
    }
  }
  if (best.outcome == RouteMatch::kFound) return best;
  if (!allowed.empty()) {
    best.outcome = RouteMatch::kMethodNotAllowed;
    best.allowed = absl::StrJoin(allowed, ", ");
  }
  return best;
}

}  // namespace cmcp
