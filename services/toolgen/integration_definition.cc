#include "services/toolgen/integration_definition.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/crypto/crypto.h"
#include "common/status/status_macros.h"

namespace cmcp::toolgen {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

absl::Status Invalid(absl::string_view where, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", message));
}

// Refuses keys outside `allowed`, so a misspelt key ("query_shema") is an
// error instead of a silently missing schema.
template <typename J>
absl::Status OnlyKnownKeys(const J& obj, const std::set<std::string>& allowed, absl::string_view where) {
  for (const auto& [key, value] : obj.items()) {
    if (!allowed.contains(key)) {
      return Invalid(absl::StrCat(where, ".", key),
                     absl::StrCat("unknown key; expected one of: ", absl::StrJoin(allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

template <typename J>
absl::StatusOr<std::string> RequiredString(const J& obj, const std::string& key, absl::string_view where) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string() || it->template get<std::string>().empty()) {
    return Invalid(absl::StrCat(where, ".", key), "must be a non-empty string");
  }
  return it->template get<std::string>();
}

template <typename J>
absl::StatusOr<std::string> OptionalString(const J& obj, const std::string& key, absl::string_view where) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::string();
  if (!it->is_string()) return Invalid(absl::StrCat(where, ".", key), "must be a string");
  return it->template get<std::string>();
}

absl::StatusOr<std::vector<std::string>> StringList(const json& obj, const std::string& key, absl::string_view where) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end()) return out;
  const std::string field = absl::StrCat(where, ".", key);
  if (!it->is_array()) return Invalid(field, "must be an array of strings");
  for (const json& v : *it) {
    if (!v.is_string() || v.get<std::string>().empty()) return Invalid(field, "must be an array of non-empty strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// Names that end up inside tool names: lower-case snake_case.
absl::Status CheckSnakeCase(absl::string_view value, absl::string_view where) {
  const bool ok = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  return ok ? absl::OkStatus()
            : Invalid(where, absl::StrCat("\"", value, "\" must be lower-case snake_case (a-z, 0-9, _)"));
}

absl::Status CheckObjectSchema(const ordered_json& schema, absl::string_view where) {
  if (schema.is_null()) return absl::OkStatus();
  if (!schema.is_object() || !schema.contains("type") || schema["type"] != "object") {
    return Invalid(where, "must be a JSON Schema with \"type\": \"object\"");
  }
  if (schema.contains("properties") && !schema["properties"].is_object()) {
    return Invalid(absl::StrCat(where, ".properties"), "must be an object");
  }
  if (schema.contains("required") && !schema["required"].is_array()) {
    return Invalid(absl::StrCat(where, ".required"), "must be an array");
  }
  return absl::OkStatus();
}

// Parses with exceptions so a syntax error can name its line and column.
template <typename J>
absl::StatusOr<J> ParseJsonText(const std::string& text, absl::string_view where) {
  try {
    return J::parse(text);
  } catch (const typename J::parse_error& e) {  // nlohmann reports positions only this way
    return Invalid(where, absl::StrCat("is not valid JSON (", e.what(), ")"));
  }
}

template <typename J>
absl::StatusOr<J> ReadJsonFile(const std::filesystem::path& path, const std::string& display,
                                  std::string* all_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(display, ": cannot read ", path.string()));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  absl::StrAppend(all_bytes, display, "\n", text, "\n");
  return ParseJsonText<J>(text, display);
}

// Expands snippets in every "description" string of a record, in place.
absl::Status ExpandDescriptions(ordered_json& node, const json& snippets, const std::string& where) {
  if (node.is_object()) {
    for (auto& [key, value] : node.items()) {
      const std::string path = where.empty() ? key : absl::StrCat(where, ".", key);
      if (key == "description" && value.is_string()) {
        CMCP_ASSIGN_OR_RETURN(std::string expanded, ExpandSnippets(value.get<std::string>(), snippets, path));
        value = expanded;
      } else if (key != "examples") {
        CMCP_RETURN_IF_ERROR(ExpandDescriptions(value, snippets, path));
      }
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      CMCP_RETURN_IF_ERROR(ExpandDescriptions(node[i], snippets, absl::StrCat(where, "[", i, "]")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<MethodDefinition> ParseMethod(const std::string& resource, const std::string& name, const json& m) {
  const std::string where = absl::StrCat("integration.json resources.", resource, ".methods.", name);
  if (!m.is_object()) return Invalid(where, "must be an object");
  CMCP_RETURN_IF_ERROR(CheckSnakeCase(name, where));
  CMCP_RETURN_IF_ERROR(OnlyKnownKeys(
      m,
      {"operation_id", "http_method", "path", "response", "success_statuses", "pagination", "managed_query_parameters",
       "where", "bulk_write", "dry_run", "tags", "annotations", "multipart_files"},
      where));
  MethodDefinition method;
  method.resource = resource;
  method.name = name;
  method.kind = KindOfMethod(name);
  CMCP_ASSIGN_OR_RETURN(method.operation_id, RequiredString(m, "operation_id", where));
  CMCP_ASSIGN_OR_RETURN(method.http_method, RequiredString(m, "http_method", where));
  static const std::set<std::string> kVerbs = {"GET", "POST", "PUT", "DELETE", "PATCH"};
  if (!kVerbs.contains(method.http_method)) {
    return Invalid(absl::StrCat(where, ".http_method"),
                   absl::StrCat("must be one of GET, POST, PUT, DELETE, PATCH, got ", method.http_method));
  }
  CMCP_ASSIGN_OR_RETURN(method.path, RequiredString(m, "path", where));
  if (!absl::StartsWith(method.path, "/")) return Invalid(absl::StrCat(where, ".path"), "must start with /");
  CMCP_ASSIGN_OR_RETURN(method.response, OptionalString(m, "response", where));
  if (method.response.empty()) method.response = "json";
  if (method.response != "json" && method.response != "empty" && method.response != "binary") {
    return Invalid(absl::StrCat(where, ".response"), "must be json, empty or binary");
  }
  if (auto it = m.find("success_statuses"); it != m.end()) {
    if (!it->is_array()) return Invalid(absl::StrCat(where, ".success_statuses"), "must be an array of integers");
    for (const json& s : *it) {
      if (!s.is_number_integer() || s.get<int>() < 200 || s.get<int>() > 299) {
        return Invalid(absl::StrCat(where, ".success_statuses"), "must be HTTP 2xx status codes");
      }
      method.success_statuses.push_back(s.get<int>());
    }
  }
  if (method.success_statuses.empty()) method.success_statuses = {200};
  CMCP_ASSIGN_OR_RETURN(method.pagination, OptionalString(m, "pagination", where));
  if (!method.pagination.empty() && method.pagination != "query_pages" && method.pagination != "plain_pages" &&
      method.pagination != "client_slice") {
    return Invalid(absl::StrCat(where, ".pagination"), "must be query_pages, plain_pages or client_slice");
  }
  if (!method.pagination.empty() && method.kind != MethodKind::kList) {
    return Invalid(absl::StrCat(where, ".pagination"), "only list methods page");
  }
  CMCP_ASSIGN_OR_RETURN(method.managed_query_parameters, StringList(m, "managed_query_parameters", where));
  if (auto it = m.find("where"); it != m.end()) {
    const std::string field = absl::StrCat(where, ".where");
    if (!it->is_object()) return Invalid(field, "must be an object");
    CMCP_RETURN_IF_ERROR(OnlyKnownKeys(*it, {"argument", "use"}, field));
    CMCP_ASSIGN_OR_RETURN(method.where.argument, RequiredString(*it, "argument", field));
    const json use = it->value("use", json("read"));
    if (use != "read" && use != "write") return Invalid(absl::StrCat(field, ".use"), "must be read or write");
    method.where.write = use == "write";
  }
  if (auto it = m.find("bulk_write"); it != m.end()) {
    if (!it->is_boolean()) return Invalid(absl::StrCat(where, ".bulk_write"), "must be true or false");
    method.bulk_write = it->get<bool>();
  }
  if (method.bulk_write && !method.where.write) {
    return Invalid(absl::StrCat(where, ".bulk_write"), "a bulk_write method needs \"where\" with \"use\": \"write\"");
  }
  if (auto it = m.find("dry_run"); it != m.end()) {
    const std::string field = absl::StrCat(where, ".dry_run");
    if (!method.bulk_write) return Invalid(field, "only bulk_write methods have a dry_run preview");
    if (!it->is_object()) return Invalid(field, "must be an object");
    CMCP_RETURN_IF_ERROR(OnlyKnownKeys(*it, {"path", "where_parameter"}, field));
    CMCP_ASSIGN_OR_RETURN(method.dry_run.path, RequiredString(*it, "path", field));
    CMCP_ASSIGN_OR_RETURN(method.dry_run.where_parameter, RequiredString(*it, "where_parameter", field));
    if (!absl::StartsWith(method.dry_run.path, "/")) return Invalid(absl::StrCat(field, ".path"), "must start with /");
    const std::vector<std::string> own = PathTemplateParameters(method.path);
    for (const std::string& p : PathTemplateParameters(method.dry_run.path)) {
      if (std::find(own.begin(), own.end(), p) == own.end()) {
        return Invalid(absl::StrCat(field, ".path"), absl::StrCat("uses {", p, "}, which ", method.path, " does not have"));
      }
    }
  }
  CMCP_ASSIGN_OR_RETURN(method.tags, StringList(m, "tags", where));
  if (auto it = m.find("annotations"); it != m.end()) {
    const std::string field = absl::StrCat(where, ".annotations");
    if (!it->is_object()) return Invalid(field, "must be an object");
    CMCP_RETURN_IF_ERROR(OnlyKnownKeys(*it, {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"}, field));
    for (const auto& [key, value] : it->items()) {
      if (!value.is_boolean()) return Invalid(absl::StrCat(field, ".", key), "must be true or false");
    }
    method.annotations = *it;
  }
  if (auto it = m.find("multipart_files"); it != m.end()) {
    const std::string field = absl::StrCat(where, ".multipart_files");
    if (!it->is_object()) return Invalid(field, "must be an object");
    for (const auto& [arg, part] : it->items()) {
      if (!part.is_string() || part.get<std::string>().empty()) {
        return Invalid(absl::StrCat(field, ".", arg), "must name the multipart part, e.g. \"File\"");
      }
      method.multipart_files[arg] = part.get<std::string>();
    }
  }
  return method;
}

absl::StatusOr<DocumentationRecord> ParseRecord(ordered_json r, const json& snippets) {
  DocumentationRecord record;
  if (r.is_object() && r.contains("$source") && r["$source"].is_string()) {
    record.source_file = r["$source"].get<std::string>();
    r.erase("$source");
  }
  const std::string where = record.source_file.empty() ? "documentation record" : record.source_file;
  if (!r.is_object()) return Invalid(where, "must be a JSON object");
  CMCP_RETURN_IF_ERROR(OnlyKnownKeys(
      r,
      {"resource", "method", "title", "description", "path_schema", "query_schema", "body_schema", "body_argument",
       "response_schema", "response_count", "spec_deviations", "examples"},
      where));
  // Field paths below are relative to the file, e.g. "list.json query_schema".
  const std::string in = absl::StrCat(where, " ");
  CMCP_RETURN_IF_ERROR(ExpandDescriptions(r, snippets, ""));
  auto named = [&](absl::string_view field) { return absl::StrCat(in, field); };
  CMCP_ASSIGN_OR_RETURN(record.resource, RequiredString(r, "resource", where));
  CMCP_ASSIGN_OR_RETURN(record.method, RequiredString(r, "method", where));
  CMCP_ASSIGN_OR_RETURN(record.title, RequiredString(r, "title", where));
  CMCP_ASSIGN_OR_RETURN(record.description, RequiredString(r, "description", where));
  record.path_schema = r.value("path_schema", ordered_json());
  record.query_schema = r.value("query_schema", ordered_json());
  record.body_schema = r.value("body_schema", ordered_json());
  CMCP_ASSIGN_OR_RETURN(record.body_argument, OptionalString(r, "body_argument", where));
  record.response_schema = r.value("response_schema", ordered_json());
  CMCP_ASSIGN_OR_RETURN(record.response_count, OptionalString(r, "response_count", where));
  if (!record.response_count.empty() && record.response_count != "RecordsAffected" &&
      record.response_count != "UsersAffected") {
    return Invalid(named("response_count"), "must be RecordsAffected or UsersAffected");
  }
  if (auto it = r.find("spec_deviations"); it != r.end()) {
    if (!it->is_object()) return Invalid(named("spec_deviations"), "must be an object of argument -> reason");
    for (const auto& [arg, reason] : it->items()) {
      if (!reason.is_string() || reason.get<std::string>().empty()) {
        return Invalid(named(absl::StrCat("spec_deviations.", arg)), "must give the reason as text");
      }
      record.spec_deviations[arg] = reason.get<std::string>();
    }
  }
  record.examples = r.value("examples", ordered_json());
  if (!record.examples.is_null()) {
    if (!record.examples.is_object()) return Invalid(named("examples"), "must be an object");
    CMCP_RETURN_IF_ERROR(OnlyKnownKeys(record.examples, {"arguments", "result"}, named("examples")));
    if (record.examples.contains("arguments") && !record.examples["arguments"].is_object()) {
      return Invalid(named("examples.arguments"), "must be an object of argument -> value");
    }
  }
  CMCP_RETURN_IF_ERROR(CheckObjectSchema(record.path_schema, named("path_schema")));
  CMCP_RETURN_IF_ERROR(CheckObjectSchema(record.query_schema, named("query_schema")));
  if (record.body_argument.empty()) {
    CMCP_RETURN_IF_ERROR(CheckObjectSchema(record.body_schema, named("body_schema")));
  } else if (!record.body_schema.is_object()) {
    return Invalid(named("body_argument"), "needs a \"body_schema\" describing that argument");
  }
  if (!record.response_schema.is_null() && !record.response_schema.is_object()) {
    return Invalid(named("response_schema"), "must be a JSON Schema object");
  }
  return record;
}

}  // namespace

MethodKind KindOfMethod(absl::string_view method) {
  if (method == "list") return MethodKind::kList;
  if (method == "get") return MethodKind::kGet;
  if (method == "create") return MethodKind::kCreate;
  if (method == "update") return MethodKind::kUpdate;
  if (method == "delete") return MethodKind::kDelete;
  return MethodKind::kCustom;
}

std::vector<std::string> PathTemplateParameters(absl::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = path.find('{', pos)) != absl::string_view::npos) {
    const size_t end = path.find('}', pos);
    if (end == absl::string_view::npos) break;
    out.emplace_back(path.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return out;
}

absl::StatusOr<std::string> ExpandSnippets(absl::string_view text, const json& snippets, absl::string_view where) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == absl::string_view::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == absl::string_view::npos) return Invalid(where, "has a \"{{\" without a closing \"}}\"");
    const std::string name(text.substr(open + 2, close - open - 2));
    auto it = snippets.find(name);
    if (it == snippets.end() || !it->is_string()) {
      std::vector<std::string> known;
      for (const auto& [key, value] : snippets.items()) known.push_back(key);
      return Invalid(where, absl::StrCat("unknown snippet {{", name, "}}; snippets: ", absl::StrJoin(known, ", ")));
    }
    absl::StrAppend(&out, text.substr(pos, open - pos), it->template get<std::string>());
    pos = close + 2;
  }
  absl::StrAppend(&out, text.substr(pos));
  return out;
}

absl::StatusOr<Integration> ParseIntegration(const json& definition, const std::vector<json>& documentation,
                                             const json& snippets) {
  std::vector<ordered_json> ordered(documentation.begin(), documentation.end());
  return ParseIntegration(definition, ordered, snippets);
}

absl::StatusOr<Integration> ParseIntegration(const json& definition, const std::vector<ordered_json>& documentation,
                                             const json& snippets) {
  constexpr absl::string_view kFile = "integration.json";
  if (!definition.is_object()) return Invalid(kFile, "must be a JSON object");
  CMCP_RETURN_IF_ERROR(OnlyKnownKeys(
      definition, {"name", "label", "description", "base_path", "openapi", "snippets", "resources"}, kFile));
  if (!snippets.is_object()) return Invalid("snippets", "must be an object of name -> text");
  Integration integration;
  CMCP_ASSIGN_OR_RETURN(integration.name, RequiredString(definition, "name", kFile));
  CMCP_ASSIGN_OR_RETURN(integration.label, OptionalString(definition, "label", kFile));
  CMCP_ASSIGN_OR_RETURN(integration.base_path, RequiredString(definition, "base_path", kFile));
  CMCP_ASSIGN_OR_RETURN(integration.openapi, OptionalString(definition, "openapi", kFile));
  auto resources = definition.find("resources");
  if (resources == definition.end() || !resources->is_object() || resources->empty()) {
    return Invalid("integration.json resources", "must be a non-empty object");
  }
  std::set<std::string> operations;
  for (const auto& [name, r] : resources->items()) {
    const std::string where = absl::StrCat("integration.json resources.", name);
    if (!r.is_object()) return Invalid(where, "must be an object");
    CMCP_RETURN_IF_ERROR(CheckSnakeCase(name, where));
    CMCP_RETURN_IF_ERROR(OnlyKnownKeys(r, {"singular", "plural", "description", "tags", "methods"}, where));
    ResourceDefinition resource;
    resource.name = name;
    CMCP_ASSIGN_OR_RETURN(resource.singular, RequiredString(r, "singular", where));
    CMCP_ASSIGN_OR_RETURN(resource.plural, RequiredString(r, "plural", where));
    CMCP_RETURN_IF_ERROR(CheckSnakeCase(resource.singular, absl::StrCat(where, ".singular")));
    CMCP_RETURN_IF_ERROR(CheckSnakeCase(resource.plural, absl::StrCat(where, ".plural")));
    CMCP_ASSIGN_OR_RETURN(resource.description, OptionalString(r, "description", where));
    CMCP_ASSIGN_OR_RETURN(resource.tags, StringList(r, "tags", where));
    auto methods = r.find("methods");
    if (methods == r.end() || !methods->is_object() || methods->empty()) {
      return Invalid(absl::StrCat(where, ".methods"), "must be a non-empty object");
    }
    for (const auto& [method_name, m] : methods->items()) {
      CMCP_ASSIGN_OR_RETURN(MethodDefinition method, ParseMethod(name, method_name, m));
      if (!operations.insert(method.operation_id).second) {
        return Invalid(absl::StrCat(where, ".methods.", method_name, ".operation_id"),
                       absl::StrCat(method.operation_id, " is mapped by another method too; each operation has one"));
      }
      resource.methods.push_back(std::move(method));
    }
    integration.resources.push_back(std::move(resource));
  }
  for (const ordered_json& r : documentation) {
    CMCP_ASSIGN_OR_RETURN(DocumentationRecord record, ParseRecord(r, snippets));
    auto key = std::make_pair(record.resource, record.method);
    if (integration.documentation.contains(key)) {
      return Invalid(record.source_file,
                     absl::StrCat("second documentation record for ", record.resource, ".", record.method));
    }
    bool known = false;
    for (const ResourceDefinition& res : integration.resources) {
      for (const MethodDefinition& m : res.methods) {
        known = known || (res.name == record.resource && m.name == record.method);
      }
    }
    if (!known) {
      return Invalid(record.source_file, absl::StrCat("documents ", record.resource, ".", record.method,
                                                      ", which integration.json does not define"));
    }
    integration.documentation.emplace(std::move(key), std::move(record));
  }
  return integration;
}

absl::StatusOr<Integration> LoadIntegration(const std::string& dir) {
  namespace fs = std::filesystem;
  std::string all_bytes;
  CMCP_ASSIGN_OR_RETURN(json definition,
                        ReadJsonFile<json>(fs::path(dir) / "integration.json", "integration.json", &all_bytes));
  json snippets = json::object();
  if (definition.is_object() && definition.contains("snippets")) {
    if (!definition["snippets"].is_string()) return Invalid("integration.json snippets", "must name a file");
    const std::string name = definition["snippets"].get<std::string>();
    CMCP_ASSIGN_OR_RETURN(snippets, ReadJsonFile<json>(fs::path(dir) / name, name, &all_bytes));
    if (!snippets.is_object()) return Invalid(name, "must be an object of snippet name -> text");
    for (const auto& [key, value] : snippets.items()) {
      if (!value.is_string()) return Invalid(absl::StrCat(name, " ", key), "must be a string");
    }
  }
  std::vector<ordered_json> records;
  const fs::path doc_dir = fs::path(dir) / "documentation";
  std::error_code ec;
  if (fs::is_directory(doc_dir, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(doc_dir, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    }
    if (ec) return absl::NotFoundError(absl::StrCat("cannot list ", doc_dir.string(), ": ", ec.message()));
    std::sort(files.begin(), files.end());  // stable version hash
    for (const fs::path& file : files) {
      const std::string relative = fs::relative(file, dir, ec).generic_string();
      CMCP_ASSIGN_OR_RETURN(ordered_json record, ReadJsonFile<ordered_json>(file, relative, &all_bytes));
      if (record.is_object()) {
        // The layout is documentation/<resource>/<method>.json.
        auto text = [&record](const char* key) {
          auto it = record.find(key);
          return it != record.end() && it->is_string() ? it->template get<std::string>() : std::string();
        };
        const std::string expected = absl::StrCat("documentation/", text("resource"), "/", text("method"), ".json");
        if (relative != expected) {
          return Invalid(relative, absl::StrCat("documents resource \"", text("resource"), "\" method \"",
                                                text("method"), "\", so it belongs at ", expected));
        }
        record["$source"] = relative;
      }
      records.push_back(std::move(record));
    }
  }
  CMCP_ASSIGN_OR_RETURN(Integration integration, ParseIntegration(definition, records, snippets));
  integration.version = Hex(Sha256(all_bytes)).substr(0, 16);
  return integration;
}

}  // namespace cmcp::toolgen
