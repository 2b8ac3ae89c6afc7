// File: integration_definition.h
// The integration definition and its documentation records (the data in
// integrations/caspio/, format in its README.md), parsed and checked into
// plain structs. Loading fails with a message naming the file and the field at
// fault (unknown keys, wrong types, unknown snippets, JSON syntax with line and
// column), so a broken record never produces a half-documented tool.
//
//   absl::StatusOr<Integration> integration = LoadIntegration("integrations/caspio");
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace cmcp::toolgen {

enum class MethodKind { kList, kGet, kCreate, kUpdate, kDelete, kCustom };

// "list" -> kList ...; anything else is a custom method.
MethodKind KindOfMethod(absl::string_view method);

struct WhereRule {
  std::string argument;  // "q.where", "Where"; empty when the method has none
  bool write = false;    // true: bulk-write rules (non-empty, no system fields)
};

// How dry_run previews a bulk write: the paged read of the rows its where
// clause would touch.
struct DryRunPreview {
  std::string path;             // "/v3/tables/{table_name}/records"; empty = none
  std::string where_parameter;  // "q.where"
};

struct MethodDefinition {
  std::string resource;
  std::string name;  // "list", "bulk_update", ...
  MethodKind kind = MethodKind::kCustom;
  std::string operation_id;
  std::string http_method;  // "GET", "POST", "PUT", "DELETE", "PATCH"
  std::string path;         // "/v3/tables/{table_name}/records"
  std::string response;     // "json", "empty", "binary"
  std::vector<int> success_statuses;
  std::string pagination;  // "", "query_pages", "plain_pages", "client_slice"
  std::vector<std::string> managed_query_parameters;
  WhereRule where;
  bool bulk_write = false;
  DryRunPreview dry_run;
  std::vector<std::string> tags;
  // Optional overrides of the default annotations for the method kind.
  nlohmann::json annotations = nlohmann::json::object();
  // Multipart parts: argument name -> part name ("File" / "Files").
  std::map<std::string, std::string> multipart_files;
};

struct ResourceDefinition {
  std::string name;  // "records"
  std::string singular;
  std::string plural;
  std::string description;
  std::vector<std::string> tags;
  std::vector<MethodDefinition> methods;
};

struct DocumentationRecord {
  std::string resource;
  std::string method;
  std::string title;
  std::string description;  // snippets already expanded
  // Schemas keep the file's key order: it becomes the order of the arguments.
  nlohmann::ordered_json path_schema;   // object schema or null
  nlohmann::ordered_json query_schema;  // object schema or null
  nlohmann::ordered_json body_schema;   // object schema or null
  std::string body_argument;            // when set, the body is this one argument
  nlohmann::ordered_json response_schema;
  // "RecordsAffected" / "UsersAffected": the count Caspio returns beside Result.
  std::string response_count;
  // Argument -> why the record is deliberately stricter than Caspio's spec.
  std::map<std::string, std::string> spec_deviations;
  nlohmann::ordered_json examples;  // {"arguments": {...}, "result": {...}} or null
  std::string source_file;  // for error messages
};

struct Integration {
  std::string name;
  std::string label;
  std::string base_path;  // "/integrations/rest"
  std::string openapi;    // path of the upstream OpenAPI spec, relative to the integration dir
  std::vector<ResourceDefinition> resources;
  // Keyed by (resource, method).
  std::map<std::pair<std::string, std::string>, DocumentationRecord> documentation;
  // SHA-256 (hex) over every file read; changes whenever the data changes.
  std::string version;
};

// Reads `<dir>/integration.json`, its snippets file, and
// `<dir>/documentation/<resource>/<method>.json`.
absl::StatusOr<Integration> LoadIntegration(const std::string& dir);

// Same, from already-parsed JSON (for unit tests). `documentation` holds the
// records' JSON objects (a "$source" member names the file in errors);
// `snippets` maps snippet names to text for "{{name}}" in descriptions.
absl::StatusOr<Integration> ParseIntegration(const nlohmann::json& definition,
                                             const std::vector<nlohmann::json>& documentation,
                                             const nlohmann::json& snippets = nlohmann::json::object());
absl::StatusOr<Integration> ParseIntegration(const nlohmann::json& definition,
                                             const std::vector<nlohmann::ordered_json>& documentation,
                                             const nlohmann::json& snippets);

// Path parameter names of a template, in order: "/a/{x}/b/{y}" -> {"x","y"}.
std::vector<std::string> PathTemplateParameters(absl::string_view path);

// Replaces every "{{name}}" in `text` by snippets[name]; INVALID_ARGUMENT
// naming `where` for an unknown or unterminated snippet reference.
absl::StatusOr<std::string> ExpandSnippets(absl::string_view text, const nlohmann::json& snippets,
                                           absl::string_view where);

}  // namespace cmcp::toolgen
