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

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.pb.h"
#include "nlohmann/json.hpp"

namespace cmcp::proxy {

// One file of a multipart upload, decoded from the MCP file argument
// {file_name, content_base64 | content_text, mime_type?}.
struct FilePart {
  std::string part_name;  // "File" or "Files"
  std::string file_name;
  std::string content;
  std::string mime_type;
};

struct UpstreamLimits {
  // Largest decoded upload, all files together.
  size_t max_upload_bytes = 10 * 1024 * 1024;
};

struct UpstreamCall {
  std::string http_method;  // "GET", ...
  // Path with parameters substituted and percent-encoded; relative to the
  // account base URL, always starting with "/".
  std::string path;
  // API name -> value, in binding order (not yet encoded).
  std::vector<std::pair<std::string, std::string>> query;
  std::optional<nlohmann::json> json_body;
  std::vector<FilePart> files;
  // Path argument name -> its percent-encoded value (for derived reads).
  std::map<std::string, std::string> path_values;
  // Controls.
  std::optional<int64_t> limit;
  std::string next_cursor;
  bool dry_run = false;
};

// `arguments` must be a JSON object (or null for none).
absl::StatusOr<UpstreamCall> BuildUpstreamCall(const caspio_mcp::toolgen::v1::Tool& tool,
                                               const nlohmann::json& arguments, const UpstreamLimits& limits = {});

// multipart/form-data body for `files` with the given boundary.
std::string MultipartBody(const std::vector<FilePart>& files, absl::string_view boundary);

// "a=1&q.where=x%3D1": encoded with PercentEncode for names and values.
std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& query);

}  // namespace cmcp::proxy
