// File: integration_definition.h
// The integration definition and its documentation records (the data in
// integrations/caspio/), parsed and checked into plain structs. Loading fails
// with a message naming the file and the field at fault, so a broken record
// stops toolgen at start instead of producing a half-documented tool.
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
  std::vector<std::string> tags;
  std::vector<MethodDefinition> methods;
};

struct DocumentationRecord {
  std::string resource;
  std::string method;
  std::string title;
  std::string description;
  nlohmann::json path_schema;   // object schema or null
  nlohmann::json query_schema;  // object schema or null
  nlohmann::json body_schema;   // object schema or null
  std::string body_argument;    // when set, the body is this one argument
  nlohmann::json response_schema;
  nlohmann::json examples;
  std::string source_file;  // for error messages
};

struct Integration {
  std::string name;
  std::string base_path;  // "/integrations/rest"
  std::vector<ResourceDefinition> resources;
  // Keyed by (resource, method).
  std::map<std::pair<std::string, std::string>, DocumentationRecord> documentation;
  // SHA-256 (hex) over every file read; changes whenever the data changes.
  std::string version;
};

// Reads `<dir>/integration.json` and `<dir>/documentation/<resource>/<method>.json`.
absl::StatusOr<Integration> LoadIntegration(const std::string& dir);

// Same, from already-parsed JSON (for unit tests). `documentation` holds the
// records' JSON objects.
absl::StatusOr<Integration> ParseIntegration(const nlohmann::json& definition,
                                             const std::vector<nlohmann::json>& documentation);

// Path parameter names of a template, in order: "/a/{x}/b/{y}" -> {"x","y"}.
std::vector<std::string> PathTemplateParameters(absl::string_view path);

}  // namespace cmcp::toolgen
