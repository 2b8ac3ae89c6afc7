#include "services/toolgen/tool_catalog.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace cmcp::toolgen {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;
namespace pb = ::caspio_mcp::toolgen::v1;

absl::Status Invalid(absl::string_view where, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", message));
}

pb::HttpMethod ToHttpMethod(absl::string_view m) {
  if (m == "GET") return pb::HTTP_METHOD_GET;
  if (m == "POST") return pb::HTTP_METHOD_POST;
  if (m == "PUT") return pb::HTTP_METHOD_PUT;
  if (m == "DELETE") return pb::HTTP_METHOD_DELETE;
  return pb::HTTP_METHOD_PATCH;
}

caspio_mcp::common::v1::MethodKind ToProtoKind(MethodKind kind) {
  switch (kind) {
    case MethodKind::kList: return caspio_mcp::common::v1::METHOD_KIND_LIST;
    case MethodKind::kGet: return caspio_mcp::common::v1::METHOD_KIND_GET;
    case MethodKind::kCreate: return caspio_mcp::common::v1::METHOD_KIND_CREATE;
    case MethodKind::kUpdate: return caspio_mcp::common::v1::METHOD_KIND_UPDATE;
    case MethodKind::kDelete: return caspio_mcp::common::v1::METHOD_KIND_DELETE;
    case MethodKind::kCustom: return caspio_mcp::common::v1::METHOD_KIND_CUSTOM;
  }
  return caspio_mcp::common::v1::METHOD_KIND_UNSPECIFIED;
}

pb::PaginationStyle ToPagination(absl::string_view p) {
  if (p == "query_pages") return pb::PAGINATION_STYLE_QUERY_PAGES;
  if (p == "plain_pages") return pb::PAGINATION_STYLE_PLAIN_PAGES;
  if (p == "client_slice") return pb::PAGINATION_STYLE_CLIENT_SLICE;
  return pb::PAGINATION_STYLE_NONE;
}

pb::ResponseKind ToResponseKind(absl::string_view r) {
  if (r == "empty") return pb::RESPONSE_KIND_EMPTY;
  if (r == "binary") return pb::RESPONSE_KIND_BINARY;
  return pb::RESPONSE_KIND_JSON;
}

// Default annotations, overridable per method in integration.json. MCP calls a
// tool destructive unless its updates are only additive, so deletes, bulk
// writes and updates (which overwrite) are destructive; creates are not.
pb::ToolAnnotations Annotations(const MethodDefinition& m, const std::string& title) {
  pb::ToolAnnotations a;
  a.set_title(title);
  a.set_open_world_hint(true);
  switch (m.kind) {
    case MethodKind::kList:
    case MethodKind::kGet:
      a.set_read_only_hint(true);
      a.set_idempotent_hint(true);
      break;
    case MethodKind::kCreate:
      break;
    case MethodKind::kUpdate:
    case MethodKind::kDelete:
      a.set_idempotent_hint(true);
      a.set_destructive_hint(true);
      break;
    case MethodKind::kCustom:
      a.set_read_only_hint(m.http_method == "GET");
      a.set_idempotent_hint(m.http_method == "GET" || m.http_method == "PUT" || m.http_method == "DELETE");
      a.set_destructive_hint(m.bulk_write || m.http_method == "DELETE");
      break;
  }
  const json& o = m.annotations;
  if (o.contains("readOnlyHint")) a.set_read_only_hint(o["readOnlyHint"].get<bool>());
  if (o.contains("destructiveHint")) a.set_destructive_hint(o["destructiveHint"].get<bool>());
  if (o.contains("idempotentHint")) a.set_idempotent_hint(o["idempotentHint"].get<bool>());
  if (o.contains("openWorldHint")) a.set_open_world_hint(o["openWorldHint"].get<bool>());
  return a;
}

// The shape of an upload argument; the proxy turns it into one multipart part.
ordered_json FileObjectSchema(const std::string& description) {
  ordered_json schema = {{"type", "object"}};
  if (!description.empty()) schema["description"] = description;
  schema["properties"] = {
      {"file_name", {{"type", "string"}, {"minLength", 1}, {"description", "File name with its extension, e.g. report.pdf."}}},
      {"content_base64",
       {{"type", "string"},
        {"description", "The file's bytes, base64-encoded. Use it for binary files (PDF, images, Office documents)."}}},
      {"content_text",
       {{"type", "string"},
        {"description", "The file's content as UTF-8 text, for text files (txt, csv, json, ...). Use instead of content_base64."}}},
      {"mime_type",
       {{"type", "string"},
        {"description", "MIME type, e.g. application/pdf. Optional: derived from file_name's extension when omitted."}}}};
  schema["required"] = {"file_name"};
  schema["oneOf"] = ordered_json::array({{{"required", {"content_base64"}}}, {{"required", {"content_text"}}}});
  schema["additionalProperties"] = false;
  return schema;
}

// A multipart argument's schema: the contract shape plus the record's description.
absl::StatusOr<ordered_json> MultipartSchema(const ordered_json& documented, const std::string& part,
                                             const std::string& where) {
  if (!documented.is_object()) return Invalid(where, "must be an object with a description");
  for (const auto& [key, value] : documented.items()) {
    if (key != "description") {
      return Invalid(absl::StrCat(where, ".", key),
                     "upload arguments take only a description; toolgen supplies their shape "
                     "{file_name, content_base64 | content_text, mime_type}");
    }
  }
  const std::string description = documented.value("description", "");
  if (part == "Files") {
    return ordered_json{{"type", "array"},
                        {"description", description},
                        {"minItems", 1},
                        {"items", FileObjectSchema("One file.")}};
  }
  return FileObjectSchema(description);
}

struct BuiltSchema {
  ordered_json properties = ordered_json::object();
  std::vector<std::string> required;
  std::map<std::string, std::string> origin;  // argument -> "path_schema"/"query_schema"/"body_schema"/"controls"
};

absl::Status AddArgument(BuiltSchema& schema, pb::ToolBinding& binding, const std::string& name,
                         const ordered_json& property_schema, pb::ParameterLocation location,
                         const std::string& api_name, bool required, const std::string& origin,
                         absl::string_view where) {
  if (auto it = schema.origin.find(name); it != schema.origin.end()) {
    return Invalid(where, absl::StrCat("argument \"", name, "\" is defined both in ", it->second, " and in ", origin,
                                       "; rename one of them"));
  }
  schema.origin[name] = origin;
  schema.properties[name] = property_schema;
  if (required) schema.required.push_back(name);
  pb::ParameterBinding* p = binding.add_parameters();
  p->set_name(name);
  p->set_api_name(api_name);
  p->set_location(location);
  p->set_required(required);
  return absl::OkStatus();
}

std::set<std::string> RequiredSet(const ordered_json& schema) {
  std::set<std::string> out;
  if (schema.is_object() && schema.contains("required")) {
    for (const ordered_json& r : schema["required"]) {
      if (r.is_string()) out.insert(r.get<std::string>());
    }
  }
  return out;
}

const ordered_json& Properties(const ordered_json& schema) {
  static const ordered_json* empty = new ordered_json(ordered_json::object());
  if (schema.is_object() && schema.contains("properties")) return schema["properties"];
  return *empty;
}

absl::Status AddPathArguments(BuiltSchema& schema, pb::ToolBinding& b, const MethodDefinition& method,
                              const DocumentationRecord& doc, const std::string& where) {
  // Every {name} in the template needs a required schema entry; the
  // arguments follow the template's order.
  const std::vector<std::string> path_params = PathTemplateParameters(method.path);
  const std::set<std::string> required = RequiredSet(doc.path_schema);
  const ordered_json& props = Properties(doc.path_schema);
  for (const auto& [name, prop] : props.items()) {
    if (std::find(path_params.begin(), path_params.end(), name) == path_params.end()) {
      return Invalid(absl::StrCat(where, " path_schema.properties.", name),
                     absl::StrCat("the path ", method.path, " has no {", name, "}"));
    }
  }
  for (const std::string& p : path_params) {
    if (!props.contains(p) || !required.contains(p)) {
      return Invalid(absl::StrCat(where, " path_schema"),
                     absl::StrCat("path parameter \"", p, "\" needs a required entry in path_schema"));
    }
    CMCP_RETURN_IF_ERROR(AddArgument(schema, b, p, props[p], pb::PARAMETER_LOCATION_PATH, p, true, "path_schema", where));
  }
  return absl::OkStatus();
}

absl::Status AddQueryArguments(BuiltSchema& schema, pb::ToolBinding& b, const MethodDefinition& method,
                               const DocumentationRecord& doc, const std::string& where) {
  const std::set<std::string> required = RequiredSet(doc.query_schema);
  for (const auto& [name, prop] : Properties(doc.query_schema).items()) {
    if (std::find(method.managed_query_parameters.begin(), method.managed_query_parameters.end(), name) !=
        method.managed_query_parameters.end()) {
      return Invalid(absl::StrCat(where, " query_schema.properties.", name),
                     "is managed by caspio-mcp (managed_query_parameters) and must not be documented");
    }
    CMCP_RETURN_IF_ERROR(AddArgument(schema, b, name, prop, pb::PARAMETER_LOCATION_QUERY, name, required.contains(name),
                                     "query_schema", where));
  }
  if (!method.where.argument.empty()) {
    auto it = schema.origin.find(method.where.argument);
    if (it == schema.origin.end() || it->second != "query_schema") {
      return Invalid(absl::StrCat(where, " query_schema"),
                     absl::StrCat("the where argument \"", method.where.argument, "\" must be a query parameter"));
    }
    if (method.where.write && !required.contains(method.where.argument)) {
      return Invalid(absl::StrCat(where, " query_schema.required"),
                     absl::StrCat("a bulk write's where argument \"", method.where.argument, "\" must be required"));
    }
  }
  return absl::OkStatus();
}

absl::Status AddBodyArguments(BuiltSchema& schema, pb::ToolBinding& b, const MethodDefinition& method,
                              const DocumentationRecord& doc, const std::string& where) {
  bool any_multipart = false;
  if (!doc.body_argument.empty()) {
    // The whole body is one argument: a JSON object, or one upload whose
    // schema the record gives itself.
    auto part = method.multipart_files.find(doc.body_argument);
    any_multipart = part != method.multipart_files.end();
    CMCP_RETURN_IF_ERROR(AddArgument(
        schema, b, doc.body_argument, doc.body_schema,
        any_multipart ? pb::PARAMETER_LOCATION_MULTIPART_FILE : pb::PARAMETER_LOCATION_BODY_WHOLE,
        any_multipart ? part->second : doc.body_argument, /*required=*/true, "body_schema", where));
  } else if (doc.body_schema.is_object()) {
    const std::set<std::string> required = RequiredSet(doc.body_schema);
    for (const auto& [name, prop] : Properties(doc.body_schema).items()) {
      auto part = method.multipart_files.find(name);
      if (part != method.multipart_files.end()) {
        any_multipart = true;
        CMCP_ASSIGN_OR_RETURN(ordered_json file_schema,
                              MultipartSchema(prop, part->second, absl::StrCat(where, " body_schema.properties.", name)));
        CMCP_RETURN_IF_ERROR(AddArgument(schema, b, name, file_schema, pb::PARAMETER_LOCATION_MULTIPART_FILE,
                                         part->second, required.contains(name), "body_schema", where));
      } else {
        CMCP_RETURN_IF_ERROR(AddArgument(schema, b, name, prop, pb::PARAMETER_LOCATION_BODY, name,
                                         required.contains(name), "body_schema", where));
      }
    }
  } else {
    return absl::OkStatus();
  }
  for (const auto& [arg, part] : method.multipart_files) {
    if (!schema.origin.contains(arg)) {
      return Invalid(absl::StrCat("integration.json resources.", method.resource, ".methods.", method.name,
                                  ".multipart_files.", arg),
                     "names no body_schema property of the documentation record");
    }
  }
  b.set_body_kind(any_multipart ? pb::REQUEST_BODY_KIND_MULTIPART : pb::REQUEST_BODY_KIND_JSON);
  return absl::OkStatus();
}

absl::Status AddControls(BuiltSchema& schema, pb::ToolBinding& b, const MethodDefinition& method,
                         const std::string& where) {
  if (b.pagination() != pb::PAGINATION_STYLE_NONE) {
    CMCP_RETURN_IF_ERROR(AddArgument(
        schema, b, std::string(kLimitArgument),
        ordered_json{{"type", "integer"},
                     {"minimum", 1},
                     {"maximum", 1000},
                     {"description", "Maximum number of items to return in this call (1-1000, default 100)."}},
        pb::PARAMETER_LOCATION_CONTROL, std::string(kLimitArgument), false, "controls", where));
    CMCP_RETURN_IF_ERROR(AddArgument(
        schema, b, std::string(kNextCursorArgument),
        ordered_json{{"type", "string"},
                     {"description", absl::StrCat("Cursor for the next page: the next_cursor value returned by the "
                                                  "previous call with otherwise identical arguments. ",
                                                  kCursorInstruction)}},
        pb::PARAMETER_LOCATION_CONTROL, std::string(kNextCursorArgument), false, "controls", where));
  }
  if (method.bulk_write) {
    CMCP_RETURN_IF_ERROR(AddArgument(
        schema, b, std::string(kDryRunArgument),
        ordered_json{{"type", "boolean"},
                     {"description", absl::StrCat("true: change nothing; the result tells how many rows the where "
                                                  "clause matches (matched) and shows the first ",
                                                  kDryRunSampleRows,
                                                  " of them (first). Use it to check a bulk change before making it.")}},
        pb::PARAMETER_LOCATION_CONTROL, std::string(kDryRunArgument), false, "controls", where));
  }
  return absl::OkStatus();
}

// structuredContent shapes the proxy produces (see ToolBinding in the proto):
// success {result, next_cursor?, RecordsAffected?/UsersAffected?}; no body
// {status, result: null}; download {result: {uri, mime_type, size, file_name?}}
// beside the file content; dry run {dry_run, matched, first}; Caspio error
// {status, code, message, request_id?}; 429 {status, error, ratelimit, retry_after?}.
// MCP clients validate structuredContent against outputSchema even on isError
// results, so the schema admits every shape (anyOf of the required keys).
ordered_json OutputSchema(const MethodDefinition& method, const DocumentationRecord& doc) {
  if (method.response == "json" && !doc.response_schema.is_object()) return nullptr;  // unknown shape
  ordered_json properties = ordered_json::object();
  if (method.response == "binary") {
    properties["result"] = {
        {"type", "object"},
        {"description", "About the downloaded file; its content comes as image or resource content beside it."},
        {"properties",
         {{"uri", {{"type", "string"}, {"description", "caspio:// URI naming the file in this account."}}},
          {"mime_type", {{"type", "string"}, {"description", "The file's MIME type, e.g. application/pdf."}}},
          {"size", {{"type", "integer"}, {"description", "Size in bytes."}}},
          {"file_name", {{"type", "string"}, {"description", "The file's name, when Caspio gives it."}}}}}};
  } else if (method.response == "empty") {
    properties["result"] = {{"type", "null"}, {"description", "Caspio answers this call without a body."}};
  } else if (method.kind == MethodKind::kList) {
    properties["result"] = {{"type", "array"}, {"items", doc.response_schema}};
    if (!method.pagination.empty()) {
      properties["next_cursor"] = {{"type", "string"},
                                   {"description", absl::StrCat("Present when more items exist. ", kCursorInstruction)}};
    }
  } else {
    properties["result"] = doc.response_schema;
  }
  if (!doc.response_count.empty()) {
    properties[doc.response_count] = {
        {"type", "integer"},
        {"description", doc.response_count == "UsersAffected" ? "How many users Caspio changed." : "How many rows Caspio changed."}};
  }
  ordered_json any_of = ordered_json::array({{{"required", {"result"}}}, {{"required", {"status"}}}});
  if (method.bulk_write) {
    properties["dry_run"] = {{"type", "boolean"}, {"description", "true on a dry run: nothing was changed."}};
    properties["matched"] = {{"type", "integer"}, {"description", "Dry run: how many rows the where clause matches."}};
    properties["first"] = {{"type", "array"},
                           {"items", {{"type", "object"}}},
                           {"description", absl::StrCat("Dry run: the first ", kDryRunSampleRows, " matching rows.")}};
    any_of.push_back({{"required", {"dry_run"}}});
  }
  // Error members are declared without descriptions: the root description
  // says when they appear, once per tool instead of once per member.
  properties["status"] = {{"type", "integer"}};
  properties["code"] = {{"type", "string"}};
  properties["message"] = {{"type", "string"}};
  properties["request_id"] = {{"type", "string"}};
  properties["error"] = {{"type", "string"}};
  properties["ratelimit"] = {
      {"type", "object"},
      {"properties",
       {{"limit", {{"type", "integer"}}}, {"remaining", {{"type", "integer"}}}, {"reset", {{"type", "integer"}}}}}};
  properties["retry_after"] = {{"type", "integer"}};
  std::string description =
      method.response == "empty"    ? "Success: status (Caspio's HTTP status) and result null."
      : method.response == "binary" ? "Success: result describes the file; the file itself is in the content."
          : absl::StrCat("Success: result", properties.contains("next_cursor") ? " and, when more items exist, next_cursor" : "",
                         doc.response_count.empty() ? "" : absl::StrCat(", plus ", doc.response_count), ".");
  if (method.bulk_write) absl::StrAppend(&description, " Dry run: dry_run, matched and first.");
  absl::StrAppend(&description,
                  " Caspio error (isError): status, code, message, request_id. Rate limited (isError, HTTP 429): "
                  "status, error, ratelimit {limit, remaining, reset in seconds}, retry_after in seconds.");
  return ordered_json{{"type", "object"}, {"description", description}, {"properties", properties}, {"anyOf", any_of}};
}

absl::Status CheckExamples(const DocumentationRecord& doc, const BuiltSchema& schema, const std::string& where) {
  if (!doc.examples.is_object() || !doc.examples.contains("arguments")) return absl::OkStatus();
  const ordered_json& args = doc.examples["arguments"];
  for (const auto& [name, value] : args.items()) {
    if (!schema.origin.contains(name)) {
      return Invalid(absl::StrCat(where, " examples.arguments.", name), "is not an argument of this tool");
    }
  }
  for (const std::string& r : schema.required) {
    if (!args.contains(r)) {
      return Invalid(absl::StrCat(where, " examples.arguments"), absl::StrCat("misses the required argument \"", r, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Tool> BuildTool(const ResourceDefinition& resource, const MethodDefinition& method,
                               const DocumentationRecord& doc, const std::string& base_path) {
  const std::string where =
      doc.source_file.empty() ? absl::StrCat("documentation ", resource.name, ".", method.name) : doc.source_file;
  CMCP_RETURN_IF_ERROR(LintSchema(doc.path_schema, absl::StrCat(where, " path_schema")));
  CMCP_RETURN_IF_ERROR(LintSchema(doc.query_schema, absl::StrCat(where, " query_schema")));
  CMCP_RETURN_IF_ERROR(LintSchema(doc.body_schema, absl::StrCat(where, " body_schema")));
  CMCP_RETURN_IF_ERROR(LintSchema(doc.response_schema, absl::StrCat(where, " response_schema")));
  if (!doc.response_count.empty() && method.response != "json") {
    return Invalid(absl::StrCat(where, " response_count"), "only JSON responses carry a count");
  }

  Tool tool;
  tool.set_name(ToolName(resource, method));
  if (!IsValidToolName(tool.name())) {
    return Invalid(where, absl::StrCat("tool name \"", tool.name(), "\" breaks MCP's rule [A-Za-z0-9_.-]{1,128}"));
  }
  tool.set_title(doc.title);
  std::string description = doc.description;
  if (doc.examples.is_object() && doc.examples.contains("arguments") && !doc.examples["arguments"].empty()) {
    absl::StrAppend(&description, "\n\nExample arguments: ", doc.examples["arguments"].dump());
  }
  tool.set_description(description);
  *tool.mutable_annotations() = Annotations(method, doc.title);

  std::set<std::string> tags(resource.tags.begin(), resource.tags.end());
  tags.insert(method.tags.begin(), method.tags.end());
  for (const std::string& t : tags) tool.add_tags(t);

  pb::ToolBinding& b = *tool.mutable_binding();
  b.set_resource(resource.name);
  b.set_method(method.name);
  b.set_kind(ToProtoKind(method.kind));
  b.set_operation_id(method.operation_id);
  b.set_http_method(ToHttpMethod(method.http_method));
  b.set_path_template(absl::StrCat(base_path, method.path));
  b.set_response_kind(ToResponseKind(method.response));
  b.set_pagination(ToPagination(method.pagination));
  b.set_bulk_write(method.bulk_write);
  for (int s : method.success_statuses) b.add_success_statuses(s);
  if (!method.where.argument.empty()) {
    b.set_where_argument(method.where.argument);
    b.set_where_use(method.where.write ? pb::WHERE_USE_WRITE : pb::WHERE_USE_READ);
  }
  if (!method.dry_run.path.empty()) {
    b.mutable_dry_run()->set_path_template(absl::StrCat(base_path, method.dry_run.path));
    b.mutable_dry_run()->set_where_parameter(method.dry_run.where_parameter);
  }

  BuiltSchema schema;
  CMCP_RETURN_IF_ERROR(AddPathArguments(schema, b, method, doc, where));
  CMCP_RETURN_IF_ERROR(AddQueryArguments(schema, b, method, doc, where));
  CMCP_RETURN_IF_ERROR(AddBodyArguments(schema, b, method, doc, where));
  CMCP_RETURN_IF_ERROR(AddControls(schema, b, method, where));
  CMCP_RETURN_IF_ERROR(CheckExamples(doc, schema, where));

  ordered_json input = {{"type", "object"}, {"properties", schema.properties}};
  if (!schema.required.empty()) input["required"] = schema.required;
  input["additionalProperties"] = false;
  CMCP_RETURN_IF_ERROR(LintSchema(input, absl::StrCat(where, " (generated inputSchema)")));
  tool.set_input_schema_json(input.dump());

  const ordered_json output = OutputSchema(method, doc);
  if (!output.is_null()) {
    CMCP_RETURN_IF_ERROR(LintSchema(output, absl::StrCat(where, " (generated outputSchema)")));
    tool.set_output_schema_json(output.dump());
  }
  return tool;
}

void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// One length-delimited protobuf field (wire type 2).
void AppendBytesField(std::string& out, int field_number, absl::string_view bytes) {
  AppendVarint(out, (static_cast<uint64_t>(field_number) << 3) | 2);
  AppendVarint(out, bytes.size());
  out.append(bytes.data(), bytes.size());
}

// ListToolsResponse field numbers (toolgen_service.proto).
constexpr int kToolsField = 1;
constexpr int kNextCursorField = 2;
constexpr int kCatalogVersionField = 3;

// Filters that name the same entries share one memo slot.
std::string CanonicalKey(const ToolFilter& filter) {
  std::set<std::string> methods(filter.methods().begin(), filter.methods().end());
  std::set<std::string> tags(filter.tags().begin(), filter.tags().end());
  return absl::StrCat(absl::StrJoin(methods, "\x1f"), "\x1e", absl::StrJoin(tags, "\x1f"));
}

}  // namespace

std::string ToolName(const ResourceDefinition& resource, const MethodDefinition& method) {
  switch (method.kind) {
    case MethodKind::kList: return absl::StrCat("list_all_caspio_", resource.plural);
    case MethodKind::kGet: return absl::StrCat("get_single_caspio_", resource.singular, "_by_id");
    case MethodKind::kCreate: return absl::StrCat("create_a_caspio_", resource.singular);
    case MethodKind::kUpdate: return absl::StrCat("update_a_caspio_", resource.singular, "_by_id");
    case MethodKind::kDelete: return absl::StrCat("delete_a_caspio_", resource.singular, "_by_id");
    case MethodKind::kCustom: return absl::StrCat("caspio_", resource.name, "_", method.name);
  }
  return "";
}

bool IsValidToolName(absl::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  });
}

std::string ToolListing::Page(size_t begin, size_t end, absl::string_view next_cursor) const {
  end = std::min(end, tools.size());
  begin = std::min(begin, end);
  std::string out(response, offsets[begin], offsets[end] - offsets[begin]);
  if (!next_cursor.empty()) AppendBytesField(out, kNextCursorField, next_cursor);
  if (!catalog_version.empty()) AppendBytesField(out, kCatalogVersionField, catalog_version);
  return out;
}

absl::StatusOr<std::unique_ptr<ToolCatalog>> ToolCatalog::Build(Integration integration) {
  std::unique_ptr<ToolCatalog> catalog(new ToolCatalog(std::move(integration)));
  const Integration& in = catalog->integration_;
  for (const ResourceDefinition& resource : in.resources) {
    for (const MethodDefinition& method : resource.methods) {
      auto doc = in.documentation.find({resource.name, method.name});
      if (doc == in.documentation.end()) continue;  // no documentation record, no tool
      CMCP_ASSIGN_OR_RETURN(Tool tool, BuildTool(resource, method, doc->second, in.base_path));
      const std::string name = tool.name();
      if (catalog->tools_.contains(name)) {
        return Invalid(doc->second.source_file, absl::StrCat("tool name ", name, " is used twice"));
      }
      catalog->vocabulary_.methods.insert(method.name);
      Entry entry;
      entry.kind = method.kind;
      entry.tags.assign(tool.tags().begin(), tool.tags().end());
      for (const std::string& t : entry.tags) catalog->vocabulary_.tags.insert(t);
      entry.serialized = tool.SerializeAsString();
      entry.tool = std::move(tool);
      catalog->tools_.emplace(name, std::move(entry));
    }
  }
  if (catalog->tools_.empty()) {
    return absl::InvalidArgumentError("integration has no documented method, so no tool");
  }
  // The filters MCP servers use most are serialized before the first request.
  for (const char* group : {"", "read", "write", "custom"}) {
    ToolFilter filter;
    if (*group != '\0') filter.add_methods(group);
    CMCP_RETURN_IF_ERROR(catalog->Listing(filter).status());
  }
  return catalog;
}

std::shared_ptr<const ToolListing> ToolCatalog::MakeListing(const ToolFilterPredicate& predicate) const {
  auto listing = std::make_shared<ToolListing>();
  listing->catalog_version = integration_.version;
  for (const auto& [name, entry] : tools_) {
    if (!predicate.Matches(entry.tool.binding().method(), entry.kind, entry.tags)) continue;
    listing->offsets.push_back(listing->response.size());
    listing->tools.push_back(&entry.tool);
    AppendBytesField(listing->response, kToolsField, entry.serialized);
  }
  listing->offsets.push_back(listing->response.size());
  if (!listing->catalog_version.empty()) {
    AppendBytesField(listing->response, kCatalogVersionField, listing->catalog_version);
  }
  return listing;
}

absl::StatusOr<std::shared_ptr<const ToolListing>> ToolCatalog::Listing(const ToolFilter& filter) const {
  const std::string key = CanonicalKey(filter);
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto it = listings_.find(key); it != listings_.end()) return it->second;
  }
  CMCP_ASSIGN_OR_RETURN(ToolFilterPredicate predicate, ToolFilterPredicate::Create(filter, vocabulary_));
  std::shared_ptr<const ToolListing> listing = MakeListing(predicate);
  absl::MutexLock lock(&mu_);
  if (listings_.size() < kMaxMemoizedFilters) listings_.emplace(key, listing);
  return listing;
}

absl::StatusOr<std::vector<const Tool*>> ToolCatalog::List(const ToolFilter& filter) const {
  CMCP_ASSIGN_OR_RETURN(std::shared_ptr<const ToolListing> listing, Listing(filter));
  return listing->tools;
}

absl::StatusOr<std::shared_ptr<const std::string>> ToolCatalog::ListToolsResponse(
    const pb::ListToolsRequest& request) const {
  CMCP_ASSIGN_OR_RETURN(std::shared_ptr<const ToolListing> listing, Listing(request.filter()));
  size_t offset = 0;
  if (!request.cursor().empty() && (!absl::SimpleAtoi(request.cursor(), &offset) || offset > listing->tools.size())) {
    return MakeError(absl::StatusCode::kInvalidArgument, "cursor is not one this service issued",
                     caspio_mcp::common::v1::ERROR_REASON_INVALID_CURSOR, "cursor");
  }
  if (request.page_size() <= 0 && offset == 0) {
    // Aliasing: shares ownership of the listing, points at its bytes.
    return std::shared_ptr<const std::string>(listing, &listing->response);
  }
  const size_t page = request.page_size() > 0 ? static_cast<size_t>(request.page_size()) : listing->tools.size();
  const size_t end = std::min(listing->tools.size(), offset + page);
  return std::make_shared<const std::string>(
      listing->Page(offset, end, end < listing->tools.size() ? absl::StrCat(end) : std::string()));
}

absl::StatusOr<const ToolCatalog::Entry*> ToolCatalog::Find(absl::string_view name, const ToolFilter& filter) const {
  auto it = tools_.find(name);
  if (it == tools_.end()) {
    return MakeError(absl::StatusCode::kNotFound, absl::StrCat("Unknown tool: ", name),
                     caspio_mcp::common::v1::ERROR_REASON_NOT_FOUND, "name");
  }
  CMCP_ASSIGN_OR_RETURN(ToolFilterPredicate predicate, ToolFilterPredicate::Create(filter, vocabulary_));
  const Entry& entry = it->second;
  if (!predicate.Matches(entry.tool.binding().method(), entry.kind, entry.tags)) {
    return MakeError(absl::StatusCode::kPermissionDenied, absl::StrCat("tool ", name, " is not exposed by this MCP server"),
                     caspio_mcp::common::v1::ERROR_REASON_TOOL_NOT_ALLOWED, "name",
                     "the server's methods/tags filter hides it; use a tool from tools/list");
  }
  return &entry;
}

absl::StatusOr<const Tool*> ToolCatalog::Get(absl::string_view name, const ToolFilter& filter) const {
  CMCP_ASSIGN_OR_RETURN(const Entry* entry, Find(name, filter));
  return &entry->tool;
}

absl::StatusOr<const std::string*> ToolCatalog::GetSerialized(absl::string_view name, const ToolFilter& filter) const {
  CMCP_ASSIGN_OR_RETURN(const Entry* entry, Find(name, filter));
  return &entry->serialized;
}

absl::StatusOr<pb::Capabilities> ToolCatalog::Capabilities(const ToolFilter& filter) const {
  CMCP_ASSIGN_OR_RETURN(ToolFilterPredicate predicate, ToolFilterPredicate::Create(filter, vocabulary_));
  pb::Capabilities out;
  out.set_integration(integration_.name);
  out.set_catalog_version(integration_.version);
  std::map<std::string, pb::MethodCapability> by_name;
  for (const ResourceDefinition& resource : integration_.resources) {
    for (const MethodDefinition& method : resource.methods) {
      std::set<std::string> tag_set(resource.tags.begin(), resource.tags.end());
      tag_set.insert(method.tags.begin(), method.tags.end());
      const std::vector<std::string> tags(tag_set.begin(), tag_set.end());
      if (!predicate.Matches(method.name, method.kind, tags)) continue;
      pb::MethodCapability c;
      c.set_name(absl::StrCat(resource.name, "_", method.name));
      c.set_resource(resource.name);
      c.set_method(method.name);
      c.set_kind(ToProtoKind(method.kind));
      c.set_operation_id(method.operation_id);
      for (const std::string& t : tags) c.add_tags(t);
      auto doc = integration_.documentation.find({resource.name, method.name});
      if (doc != integration_.documentation.end()) {
        auto tool = tools_.find(ToolName(resource, method));
        c.set_described(true);
        c.set_tool_name(ToolName(resource, method));
        c.set_title(doc->second.title);
        c.set_description(doc->second.description);
        if (tool != tools_.end()) *c.mutable_annotations() = tool->second.tool.annotations();
      }
      by_name.emplace(c.name(), std::move(c));
    }
  }
  int described = 0;
  for (auto& [name, c] : by_name) {
    described += c.described() ? 1 : 0;
    *out.add_methods() = std::move(c);
  }
  pb::AiReadiness* readiness = out.mutable_ai_readiness();
  readiness->set_total_methods(static_cast<int32_t>(by_name.size()));
  readiness->set_described_methods(described);
  readiness->set_score(by_name.empty() ? 1.0 : static_cast<double>(described) / static_cast<double>(by_name.size()));
  return out;
}

}  // namespace cmcp::toolgen
