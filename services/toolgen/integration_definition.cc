#include "services/toolgen/integration_definition.h"

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

absl::Status Invalid(absl::string_view where, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", message));
}

absl::StatusOr<std::string> RequiredString(const json& obj, const std::string& key,
                                           absl::string_view where) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string() || it->get<std::string>().empty()) {
    return Invalid(where, absl::StrCat("\"", key, "\" must be a non-empty string"));
  }
  return it->get<std::string>();
}

std::string OptionalString(const json& obj, const std::string& key) {
  auto it = obj.find(key);
  return (it != obj.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

absl::StatusOr<std::vector<std::string>> StringList(const json& obj, const std::string& key,
                                                    absl::string_view where) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end()) return out;
  if (!it->is_array()) return Invalid(where, absl::StrCat("\"", key, "\" must be an array of strings"));
  for (const json& v : *it) {
    if (!v.is_string()) return Invalid(where, absl::StrCat("\"", key, "\" must be an array of strings"));
    out.push_back(v.get<std::string>());
  }
  return out;
}

absl::Status CheckObjectSchema(const json& schema, absl::string_view where) {
  if (schema.is_null()) return absl::OkStatus();
  if (!schema.is_object() || schema.value("type", "") != "object") {
    return Invalid(where, "must be a JSON Schema with \"type\": \"object\"");
  }
  if (schema.contains("properties") && !schema["properties"].is_object()) {
    return Invalid(where, "\"properties\" must be an object");
  }
  if (schema.contains("required") && !schema["required"].is_array()) {
    return Invalid(where, "\"required\" must be an array");
  }
  return absl::OkStatus();
}

absl::StatusOr<json> ReadJsonFile(const std::filesystem::path& path, std::string* all_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  absl::StrAppend(all_bytes, path.filename().string(), "\n", text, "\n");
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Invalid(path.string(), "is not valid JSON");
  return parsed;
}

absl::StatusOr<MethodDefinition> ParseMethod(const std::string& resource, const std::string& name,
                                             const json& m) {
  const std::string where = absl::StrCat("integration.json resources.", resource, ".methods.", name);
  if (!m.is_object()) return Invalid(where, "must be an object");
  MethodDefinition method;
  method.resource = resource;
  method.name = name;
  method.kind = KindOfMethod(name);
  CMCP_ASSIGN_OR_RETURN(method.operation_id, RequiredString(m, "operation_id", where));
  CMCP_ASSIGN_OR_RETURN(method.http_method, RequiredString(m, "http_method", where));
  static const std::set<std::string> kVerbs = {"GET", "POST", "PUT", "DELETE", "PATCH"};
  if (!kVerbs.contains(method.http_method)) {
    return Invalid(where, absl::StrCat("\"http_method\" must be one of GET, POST, PUT, DELETE, PATCH, got ",
                                       method.http_method));
  }
  CMCP_ASSIGN_OR_RETURN(method.path, RequiredString(m, "path", where));
  if (!absl::StartsWith(method.path, "/")) return Invalid(where, "\"path\" must start with /");
  method.response = m.value("response", "json");
  if (method.response != "json" && method.response != "empty" && method.response != "binary") {
    return Invalid(where, "\"response\" must be json, empty or binary");
  }
  if (auto it = m.find("success_statuses"); it != m.end()) {
    if (!it->is_array()) return Invalid(where, "\"success_statuses\" must be an array of integers");
    for (const json& s : *it) {
      if (!s.is_number_integer()) return Invalid(where, "\"success_statuses\" must be integers");
      method.success_statuses.push_back(s.get<int>());
    }
  }
  if (method.success_statuses.empty()) method.success_statuses = {200};
  method.pagination = m.value("pagination", "");
  if (!method.pagination.empty() && method.pagination != "query_pages" &&
      method.pagination != "plain_pages" && method.pagination != "client_slice") {
    return Invalid(where, "\"pagination\" must be query_pages, plain_pages or client_slice");
  }
  if (!method.pagination.empty() && method.kind != MethodKind::kList) {
    return Invalid(where, "only list methods page");
  }
  CMCP_ASSIGN_OR_RETURN(method.managed_query_parameters,
                        StringList(m, "managed_query_parameters", where));
  if (auto it = m.find("where"); it != m.end()) {
    if (!it->is_object()) return Invalid(where, "\"where\" must be an object");
    CMCP_ASSIGN_OR_RETURN(method.where.argument, RequiredString(*it, "argument", where + ".where"));
    const std::string use = it->value("use", "read");
    if (use != "read" && use != "write") return Invalid(where, "\"where.use\" must be read or write");
    method.where.write = use == "write";
  }
  method.bulk_write = m.value("bulk_write", false);
  if (method.bulk_write && !method.where.write) {
    return Invalid(where, "a bulk_write method needs \"where\" with \"use\": \"write\"");
  }
  CMCP_ASSIGN_OR_RETURN(method.tags, StringList(m, "tags", where));
  if (auto it = m.find("annotations"); it != m.end()) {
    if (!it->is_object()) return Invalid(where, "\"annotations\" must be an object");
    method.annotations = *it;
  }
  if (auto it = m.find("multipart_files"); it != m.end()) {
    if (!it->is_object()) return Invalid(where, "\"multipart_files\" must be an object");
    for (const auto& [arg, part] : it->items()) {
      if (!part.is_string()) return Invalid(where, "\"multipart_files\" values must be part names");
      method.multipart_files[arg] = part.get<std::string>();
    }
  }
  return method;
}

absl::StatusOr<DocumentationRecord> ParseRecord(const json& r) {
  DocumentationRecord record;
  record.source_file = OptionalString(r, "$source");
  const std::string where = record.source_file.empty() ? "documentation record" : record.source_file;
  if (!r.is_object()) return Invalid(where, "must be a JSON object");
  CMCP_ASSIGN_OR_RETURN(record.resource, RequiredString(r, "resource", where));
  CMCP_ASSIGN_OR_RETURN(record.method, RequiredString(r, "method", where));
  CMCP_ASSIGN_OR_RETURN(record.title, RequiredString(r, "title", where));
  CMCP_ASSIGN_OR_RETURN(record.description, RequiredString(r, "description", where));
  record.path_schema = r.value("path_schema", json());
  record.query_schema = r.value("query_schema", json());
  record.body_schema = r.value("body_schema", json());
  record.body_argument = OptionalString(r, "body_argument");
  record.response_schema = r.value("response_schema", json());
  record.examples = r.value("examples", json());
  CMCP_RETURN_IF_ERROR(CheckObjectSchema(record.path_schema, where + " path_schema"));
  CMCP_RETURN_IF_ERROR(CheckObjectSchema(record.query_schema, where + " query_schema"));
  if (record.body_argument.empty()) {
    CMCP_RETURN_IF_ERROR(CheckObjectSchema(record.body_schema, where + " body_schema"));
  } else if (!record.body_schema.is_object()) {
    return Invalid(where, "\"body_argument\" needs a \"body_schema\" describing that argument");
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

absl::StatusOr<Integration> ParseIntegration(const json& definition,
                                             const std::vector<json>& documentation) {
  if (!definition.is_object()) return Invalid("integration.json", "must be a JSON object");
  Integration integration;
  CMCP_ASSIGN_OR_RETURN(integration.name, RequiredString(definition, "name", "integration.json"));
  CMCP_ASSIGN_OR_RETURN(integration.base_path,
                        RequiredString(definition, "base_path", "integration.json"));
  auto resources = definition.find("resources");
  if (resources == definition.end() || !resources->is_object() || resources->empty()) {
    return Invalid("integration.json", "\"resources\" must be a non-empty object");
  }
  for (const auto& [name, r] : resources->items()) {
    const std::string where = absl::StrCat("integration.json resources.", name);
    ResourceDefinition resource;
    resource.name = name;
    CMCP_ASSIGN_OR_RETURN(resource.singular, RequiredString(r, "singular", where));
    CMCP_ASSIGN_OR_RETURN(resource.plural, RequiredString(r, "plural", where));
    CMCP_ASSIGN_OR_RETURN(resource.tags, StringList(r, "tags", where));
    auto methods = r.find("methods");
    if (methods == r.end() || !methods->is_object() || methods->empty()) {
      return Invalid(where, "\"methods\" must be a non-empty object");
    }
    for (const auto& [method_name, m] : methods->items()) {
      CMCP_ASSIGN_OR_RETURN(MethodDefinition method, ParseMethod(name, method_name, m));
      resource.methods.push_back(std::move(method));
    }
    integration.resources.push_back(std::move(resource));
  }
  for (const json& r : documentation) {
    CMCP_ASSIGN_OR_RETURN(DocumentationRecord record, ParseRecord(r));
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
  CMCP_ASSIGN_OR_RETURN(json definition, ReadJsonFile(fs::path(dir) / "integration.json", &all_bytes));
  std::vector<json> records;
  const fs::path doc_dir = fs::path(dir) / "documentation";
  std::error_code ec;
  if (fs::is_directory(doc_dir, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(doc_dir, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // stable version hash
    for (const fs::path& file : files) {
      CMCP_ASSIGN_OR_RETURN(json record, ReadJsonFile(file, &all_bytes));
      if (record.is_object()) record["$source"] = fs::relative(file, dir, ec).string();
      records.push_back(std::move(record));
    }
  }
  CMCP_ASSIGN_OR_RETURN(Integration integration, ParseIntegration(definition, records));
  integration.version = Hex(Sha256(all_bytes)).substr(0, 16);
  return integration;
}

}  // namespace cmcp::toolgen
