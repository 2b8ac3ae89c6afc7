#include "tests/sandbox/openapi_checker.h"

#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cmcp::sandbox::testing {

using json = nlohmann::json;

absl::StatusOr<OpenApiSpec> OpenApiSpec::Load(const std::string& file) {
  std::ifstream in(file);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", file));
  std::stringstream text;
  text << in.rdbuf();
  OpenApiSpec spec;
  spec.document_ = json::parse(text.str(), nullptr, false);
  if (spec.document_.is_discarded() || !spec.document_.contains("paths")) {
    return absl::InvalidArgumentError(absl::StrCat(file, " is not an OpenAPI document"));
  }
  // Walk the paths in document order (json sorts keys; ordered_json keeps them).
  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(text.str(), nullptr, false);
  for (auto path = ordered["paths"].begin(); path != ordered["paths"].end(); ++path) {
    for (auto op = path->begin(); op != path->end(); ++op) {
      if (op.key() == "parameters") continue;
      spec.operations_.push_back({absl::AsciiStrToUpper(op.key()), path.key(), op->value("operationId", ""),
                                  spec.document_["paths"][path.key()][op.key()]});
    }
  }
  return spec;
}

std::vector<int> OpenApiSpec::DocumentedStatuses(const Operation& op) const {
  std::vector<int> out;
  for (auto it = op.definition["responses"].begin(); it != op.definition["responses"].end(); ++it) {
    int code = 0;
    if (absl::SimpleAtoi(it.key(), &code)) out.push_back(code);
  }
  return out;
}

json OpenApiSpec::ResponseSchema(const Operation& op, int status) const {
  const json& responses = op.definition["responses"];
  const std::string key = absl::StrCat(status);
  if (!responses.contains(key) || !responses[key].contains("content")) return nullptr;
  const json& content = responses[key]["content"];
  if (content.contains("application/json")) return content["application/json"].value("schema", json());
  return content.begin()->value("schema", json());
}

const json& OpenApiSpec::Resolve(const json& schema) const {
  if (schema.is_object() && schema.contains("$ref")) {
    const std::string ref = schema["$ref"].get<std::string>();
    const std::string prefix = "#/components/schemas/";
    if (absl::StartsWith(ref, prefix)) return document_["components"]["schemas"][ref.substr(prefix.size())];
  }
  return schema;
}

std::vector<std::string> OpenApiSpec::Validate(const json& schema, const json& value) const {
  std::vector<std::string> problems;
  ValidateAt(schema, value, "$", &problems, 0);
  return problems;
}

namespace {

bool IsAnyObject(const json& schema) {
  // Swashbuckle writes .NET `object` as {"type":"object"} with nothing else.
  return schema.is_object() && schema.size() == 1 && schema.contains("type") && schema["type"] == "object";
}

bool MatchesFormat(const std::string& format, const json& value) {
  if (format == "int32") {
    return !value.is_number_integer() ||
           (value.get<int64_t>() >= -2147483648LL && value.get<int64_t>() <= 2147483647LL);
  }
  if (!value.is_string()) return true;
  const std::string text = value.get<std::string>();
  if (format == "uuid") {
    static const std::regex kUuid("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    return std::regex_match(text, kUuid);
  }
  if (format == "date-time") {
    // ISO 8601; Caspio writes no offset ("2024-01-01T00:00:00").
    static const std::regex kDateTime(
        "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})?$");
    return std::regex_match(text, kDateTime);
  }
  return true;
}

}  // namespace

void OpenApiSpec::ValidateAt(const json& raw_schema, const json& value, const std::string& path,
                             std::vector<std::string>* problems, int depth) const {
  if (depth > 32) return;
  const json& schema = Resolve(raw_schema);
  if (!schema.is_object()) return;
  if (value.is_null()) {
    if (schema.value("nullable", false) || schema.empty() || (!schema.contains("type") && !schema.contains("$ref") &&
                                                              !schema.contains("allOf") && !schema.contains("oneOf"))) {
      return;
    }
    problems->push_back(absl::StrCat(path, ": null is not allowed"));
    return;
  }
  if (schema.contains("allOf")) {
    for (const json& part : schema["allOf"]) ValidateAt(part, value, path, problems, depth + 1);
  }
  if (schema.contains("oneOf")) {
    int matches = 0;
    for (const json& part : schema["oneOf"]) {
      std::vector<std::string> sub;
      ValidateAt(part, value, path, &sub, depth + 1);
      if (sub.empty()) ++matches;
    }
    if (matches != 1) problems->push_back(absl::StrCat(path, ": matches ", matches, " oneOf alternatives"));
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const json& e : schema["enum"]) found = found || e == value;
    if (!found) problems->push_back(absl::StrCat(path, ": ", value.dump(), " is not in the enum"));
  }
  if (!schema.contains("type")) return;
  const std::string type = schema["type"].get<std::string>();
  const std::string format = schema.value("format", "");
  bool type_ok = true;
  if (type == "object") type_ok = value.is_object();
  else if (type == "array") type_ok = value.is_array();
  else if (type == "string") type_ok = value.is_string();
  else if (type == "integer") type_ok = value.is_number_integer();
  else if (type == "number") type_ok = value.is_number();
  else if (type == "boolean") type_ok = value.is_boolean();
  if (!type_ok) {
    problems->push_back(absl::StrCat(path, ": expected ", type, ", got ", value.type_name(), " ", value.dump()));
    return;
  }
  if (!format.empty() && !MatchesFormat(format, value)) {
    problems->push_back(absl::StrCat(path, ": ", value.dump(), " is not a valid ", format));
  }
  if (type == "string" && schema.contains("minLength") &&
      value.get<std::string>().size() < schema["minLength"].get<size_t>()) {
    problems->push_back(absl::StrCat(path, ": shorter than minLength"));
  }
  if (type == "array" && schema.contains("items")) {
    for (size_t i = 0; i < value.size(); ++i) {
      ValidateAt(schema["items"], value[i], absl::StrCat(path, "[", i, "]"), problems, depth + 1);
    }
  }
  if (type == "object") {
    const json properties = schema.value("properties", json::object());
    for (const json& name : schema.value("required", json::array())) {
      if (!value.contains(name.get<std::string>())) {
        problems->push_back(absl::StrCat(path, ": required property ", name.get<std::string>(), " is missing"));
      }
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string child = absl::StrCat(path, ".", it.key());
      if (properties.contains(it.key())) {
        ValidateAt(properties[it.key()], *it, child, problems, depth + 1);
        continue;
      }
      if (!schema.contains("additionalProperties")) continue;
      const json& extra = schema["additionalProperties"];
      if (extra.is_boolean()) {
        if (!extra.get<bool>()) problems->push_back(absl::StrCat(child, ": property is not in the schema"));
      } else if (!IsAnyObject(extra)) {
        ValidateAt(extra, *it, child, problems, depth + 1);
      }
    }
  }
}

}  // namespace cmcp::sandbox::testing
