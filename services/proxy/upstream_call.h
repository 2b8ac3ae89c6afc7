// File: upstream_call.h
// Turns a tool's flat arguments into the pieces of one Caspio request, by the
// tool's binding (never by guessing from names): path parameters
// percent-encoded into the template, query parameters by their API names, the
// JSON body, and the controls caspio-mcp consumes itself (limit,
// next_cursor, dry_run). Everything is checked first — unknown or missing
// arguments, wrong JSON types, path values that could escape their segment,
// and the where-clause linter — and refused with a message naming the
// argument, before anything is sent.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.pb.h"
#include "nlohmann/json.hpp"

namespace cmcp::proxy {

struct UpstreamCall {
  std::string http_method;  // "GET", ...
  // Path with parameters substituted and percent-encoded; relative to the
  // account base URL, always starting with "/".
  std::string path;
  // API name -> value, in binding order (not yet encoded).
  std::vector<std::pair<std::string, std::string>> query;
  std::optional<nlohmann::json> json_body;
  // Controls.
  std::optional<int64_t> limit;
  std::string next_cursor;
  bool dry_run = false;
};

// `arguments` must be a JSON object (or null for none).
absl::StatusOr<UpstreamCall> BuildUpstreamCall(const caspio_mcp::toolgen::v1::Tool& tool,
                                               const nlohmann::json& arguments);

// "a=1&q.where=x%3D1": encoded with PercentEncode for names and values.
std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& query);

}  // namespace cmcp::proxy
