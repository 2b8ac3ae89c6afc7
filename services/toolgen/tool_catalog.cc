#include "services/toolgen/tool_catalog.h"

#include <set>

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

// Rejects $ref (records must be self-contained, so no cycles) and nesting
// deeper than kMaxSchemaDepth.
absl::Status CheckSchemaShape(const json& schema, absl::string_view where, int depth) {
  if (depth > kMaxSchemaDepth) {
    return Invalid(where, absl::StrCat("schema nests deeper than ", kMaxSchemaDepth, " levels"));
  }
  if (schema.is_object()) {
    if (schema.contains("$ref")) return Invalid(where, "schemas must not use $ref");
    for (const auto& [key, value] : schema.items()) {
      CMCP_RETURN_IF_ERROR(CheckSchemaShape(value, where, depth + 1));
    }
  } else if (schema.is_array()) {
    for (const json& value : schema) CMCP_RETURN_IF_ERROR(CheckSchemaShape(value, where, depth));
  }
  return absl::OkStatus();
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

// Default annotations per SPEC §5, overridable in the definition.
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
      a.set_idempotent_hint(true);
      a.set_destructive_hint(m.bulk_write);
      break;
    case MethodKind::kDelete:
      a.set_idempotent_hint(true);
      a.set_destructive_hint(true);
      break;
    case MethodKind::kCustom:
      a.set_read_only_hint(m.http_method == "GET");
      a.set_idempotent_hint(m.http_method == "GET" || m.http_method == "PUT");
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

struct BuiltSchema {
  ordered_json properties = ordered_json::object();
  std::vector<std::string> required;
  std::map<std::string, std::string> origin;  // argument -> "path"/"query"/"body"/"control"
};

absl::Status AddArgument(BuiltSchema& schema, pb::ToolBinding& binding, const std::string& name,
                         const json& property_schema, pb::ParameterLocation location,
                         const std::string& api_name, bool required, const std::string& origin,
                         absl::string_view where) {
  if (auto it = schema.origin.find(name); it != schema.origin.end()) {
    return Invalid(where, absl::StrCat("argument \"", name, "\" is defined both in ", it->second,
                                       " and in ", origin, "; rename one of them"));
  }
  schema.origin[name] = origin;
  schema.properties[name] = ordered_json::parse(property_schema.dump());
  if (required) schema.required.push_back(name);
  pb::ParameterBinding* p = binding.add_parameters();
  p->set_name(name);
  p->set_api_name(api_name);
  p->set_location(location);
  p->set_required(required);
  return absl::OkStatus();
}

std::set<std::string> RequiredSet(const json& schema) {
  std::set<std::string> out;
  if (schema.is_object() && schema.contains("required")) {
    for (const json& r : schema["required"]) {
      if (r.is_string()) out.insert(r.get<std::string>());
    }
  }
  return out;
}

absl::Status AddSchemaArguments(BuiltSchema& schema, pb::ToolBinding& binding, const json& object_schema,
                                pb::ParameterLocation location, const std::string& origin,
                                absl::string_view where) {
  if (!object_schema.is_object() || !object_schema.contains("properties")) return absl::OkStatus();
  const std::set<std::string> required = RequiredSet(object_schema);
  for (const auto& [name, prop] : object_schema["properties"].items()) {
    CMCP_RETURN_IF_ERROR(AddArgument(schema, binding, name, prop, location, name,
                                     required.contains(name), origin, where));
  }
  for (const std::string& r : required) {
    if (!object_schema["properties"].contains(r)) {
      return Invalid(where, absl::StrCat(origin, " schema requires \"", r, "\" but does not define it"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Tool> BuildTool(const ResourceDefinition& resource, const MethodDefinition& method,
                               const DocumentationRecord& doc, const std::string& base_path) {
  const std::string where = doc.source_file.empty()
                                ? absl::StrCat("documentation ", resource.name, ".", method.name)
                                : doc.source_file;
  for (const json* s : {&doc.path_schema, &doc.query_schema, &doc.body_schema, &doc.response_schema}) {
    CMCP_RETURN_IF_ERROR(CheckSchemaShape(*s, where, 0));
  }
  Tool tool;
  tool.set_name(ToolName(resource, method));
  tool.set_title(doc.title);
  tool.set_description(doc.description);
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

  BuiltSchema schema;
  // Path parameters: every {name} in the template needs a required schema entry.
  const std::vector<std::string> path_params = PathTemplateParameters(method.path);
  const std::set<std::string> path_required = RequiredSet(doc.path_schema);
  for (const std::string& p : path_params) {
    if (!doc.path_schema.is_object() || !doc.path_schema.contains("properties") ||
        !doc.path_schema["properties"].contains(p) || !path_required.contains(p)) {
      return Invalid(where, absl::StrCat("path parameter \"", p,
                                         "\" needs a required entry in path_schema"));
    }
  }
  if (doc.path_schema.is_object() && doc.path_schema.contains("properties")) {
    for (const auto& [name, prop] : doc.path_schema["properties"].items()) {
      if (std::find(path_params.begin(), path_params.end(), name) == path_params.end()) {
        return Invalid(where, absl::StrCat("path_schema defines \"", name, "\" but the path ",
                                           method.path, " has no {", name, "}"));
      }
    }
  }
  CMCP_RETURN_IF_ERROR(AddSchemaArguments(schema, b, doc.path_schema, pb::PARAMETER_LOCATION_PATH,
                                          "path_schema", where));
  CMCP_RETURN_IF_ERROR(AddSchemaArguments(schema, b, doc.query_schema, pb::PARAMETER_LOCATION_QUERY,
                                          "query_schema", where));
  for (const std::string& managed : method.managed_query_parameters) {
    if (schema.origin.contains(managed)) {
      return Invalid(where, absl::StrCat("\"", managed,
                                         "\" is managed by caspio-mcp and must not be documented"));
    }
  }
  if (!doc.body_argument.empty()) {
    const bool multipart = method.multipart_files.contains(doc.body_argument);
    CMCP_RETURN_IF_ERROR(AddArgument(
        schema, b, doc.body_argument, doc.body_schema,
        multipart ? pb::PARAMETER_LOCATION_MULTIPART_FILE : pb::PARAMETER_LOCATION_BODY_WHOLE,
        multipart ? method.multipart_files.at(doc.body_argument) : doc.body_argument,
        /*required=*/true, "body_schema", where));
    b.set_body_kind(multipart ? pb::REQUEST_BODY_KIND_MULTIPART : pb::REQUEST_BODY_KIND_JSON);
  } else if (doc.body_schema.is_object()) {
    const std::set<std::string> required = RequiredSet(doc.body_schema);
    bool any_multipart = false;
    if (doc.body_schema.contains("properties")) {
      for (const auto& [name, prop] : doc.body_schema["properties"].items()) {
        const bool multipart = method.multipart_files.contains(name);
        any_multipart = any_multipart || multipart;
        CMCP_RETURN_IF_ERROR(AddArgument(
            schema, b, name, prop,
            multipart ? pb::PARAMETER_LOCATION_MULTIPART_FILE : pb::PARAMETER_LOCATION_BODY,
            multipart ? method.multipart_files.at(name) : name, required.contains(name),
            "body_schema", where));
      }
    }
    b.set_body_kind(any_multipart ? pb::REQUEST_BODY_KIND_MULTIPART : pb::REQUEST_BODY_KIND_JSON);
  }

  // Controls consumed by caspio-mcp itself.
  if (b.pagination() != pb::PAGINATION_STYLE_NONE) {
    CMCP_RETURN_IF_ERROR(AddArgument(
        schema, b, std::string(kLimitArgument),
        json{{"type", "integer"}, {"minimum", 1}, {"maximum", 1000},
             {"description", "Maximum number of items to return in this call (1-1000, default 100)."}},
        pb::PARAMETER_LOCATION_CONTROL, std::string(kLimitArgument), false, "controls", where));
    CMCP_RETURN_IF_ERROR(AddArgument(
        schema, b, std::string(kNextCursorArgument),
        json{{"type", "string"},
             {"description",
              absl::StrCat("Cursor for the next page: the next_cursor value returned by the previous "
                           "call with otherwise identical arguments. ",
                           kCursorInstruction)}},
        pb::PARAMETER_LOCATION_CONTROL, std::string(kNextCursorArgument), false, "controls", where));
  }
  if (method.bulk_write) {
    CMCP_RETURN_IF_ERROR(AddArgument(
        schema, b, std::string(kDryRunArgument),
        json{{"type", "boolean"},
             {"description",
              "true: change nothing and return how many rows the where clause matches plus the first "
              "20 of them. Use it to check a bulk change before making it."}},
        pb::PARAMETER_LOCATION_CONTROL, std::string(kDryRunArgument), false, "controls", where));
  }

  ordered_json input = {{"type", "object"}, {"properties", schema.properties}};
  if (!schema.required.empty()) input["required"] = schema.required;
  input["additionalProperties"] = false;
  tool.set_input_schema_json(input.dump());

  if (method.response == "json" && doc.response_schema.is_object()) {
    ordered_json item = ordered_json::parse(doc.response_schema.dump());
    ordered_json properties = ordered_json::object();
    if (method.kind == MethodKind::kList) {
      properties["result"] = {{"type", "array"}, {"items", item}};
      properties["next_cursor"] = {{"type", "string"},
                                   {"description", absl::StrCat("Present when more items exist. ", kCursorInstruction)}};
    } else {
      properties["result"] = item;
    }
    // Error results carry structuredContent too (Caspio's answer, or the
    // normalized rate limit of a 429), so the schema admits both shapes.
    properties["status"] = {{"type", "integer"}, {"description", "Caspio's HTTP status, on errors."}};
    properties["code"] = {{"type", "string"}, {"description", "Caspio's error Code, e.g. SqlServerError."}};
    properties["message"] = {{"type", "string"}, {"description", "Caspio's error Message."}};
    properties["request_id"] = {{"type", "string"}};
    properties["error"] = {{"type", "string"}};
    properties["ratelimit"] = {{"type", "object"},
                               {"description", "On HTTP 429: limit, remaining, and reset (seconds until the window resets)."},
                               {"properties",
                                {{"limit", {{"type", "integer"}}},
                                 {"remaining", {{"type", "integer"}}},
                                 {"reset", {{"type", "integer"}}}}}};
    properties["retry_after"] = {{"type", "integer"}, {"description", "On HTTP 429: seconds to wait before retrying."}};
    ordered_json output = {{"type", "object"},
                           {"properties", properties},
                           {"anyOf", ordered_json::array({{{"required", {"result"}}}, {{"required", {"status"}}}})}};
    tool.set_output_schema_json(output.dump());
  }
  return tool;
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
      for (const std::string& t : tool.tags()) catalog->vocabulary_.tags.insert(t);
      catalog->tools_.emplace(name, std::move(tool));
    }
  }
  if (catalog->tools_.empty()) {
    return absl::InvalidArgumentError("integration has no documented method, so no tool");
  }
  return catalog;
}

absl::StatusOr<std::vector<const Tool*>> ToolCatalog::List(const ToolFilter& filter) const {
  CMCP_ASSIGN_OR_RETURN(ToolFilterPredicate predicate, ToolFilterPredicate::Create(filter, vocabulary_));
  std::vector<const Tool*> out;
  for (const auto& [name, tool] : tools_) {
    const std::vector<std::string> tags(tool.tags().begin(), tool.tags().end());
    if (predicate.Matches(tool.binding().method(),
                          KindOfMethod(tool.binding().method()), tags)) {
      out.push_back(&tool);
    }
  }
  return out;
}

absl::StatusOr<const Tool*> ToolCatalog::Get(absl::string_view name, const ToolFilter& filter) const {
  auto it = tools_.find(name);
  if (it == tools_.end()) {
    return MakeError(absl::StatusCode::kNotFound, absl::StrCat("Unknown tool: ", name),
                     caspio_mcp::common::v1::ERROR_REASON_NOT_FOUND, "name");
  }
  CMCP_ASSIGN_OR_RETURN(ToolFilterPredicate predicate, ToolFilterPredicate::Create(filter, vocabulary_));
  const Tool& tool = it->second;
  const std::vector<std::string> tags(tool.tags().begin(), tool.tags().end());
  if (!predicate.Matches(tool.binding().method(), KindOfMethod(tool.binding().method()), tags)) {
    return MakeError(absl::StatusCode::kPermissionDenied,
                     absl::StrCat("tool ", name, " is not exposed by this MCP server"),
                     caspio_mcp::common::v1::ERROR_REASON_TOOL_NOT_ALLOWED, "name",
                     "the server's methods/tags filter hides it; use a tool from tools/list");
  }
  return &tool;
}

}  // namespace cmcp::toolgen
