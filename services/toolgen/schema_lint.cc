#include "services/toolgen/schema_lint.h"

#include <map>
#include <regex>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace cmcp::toolgen {
namespace {

using json = nlohmann::json;

// What a keyword's value must be (JSON Schema 2020-12 meta-schema, vocabularies
// core/applicator/validation/meta-data/format-annotation).
enum class Value {
  kSchema,         // a schema (object or boolean)
  kSchemaMap,      // object of name -> schema (properties)
  kSchemaArray,    // non-empty array of schemas (anyOf, oneOf, allOf)
  kTypes,          // a type name or a non-empty array of unique type names
  kString,         // string
  kPattern,        // string holding an ECMA-262 regular expression
  kStringArray,    // array of unique strings (required)
  kNonNegative,    // non-negative integer (minLength, maxItems, ...)
  kNumber,         // number (minimum, maximum, ...)
  kPositive,       // number > 0 (multipleOf)
  kBoolean,        // boolean (uniqueItems, readOnly, ...)
  kArray,          // any array (enum, examples)
  kAny,            // any JSON value (const, default)
};

const std::map<std::string, Value, std::less<>>& Keywords() {
  static const auto* keywords = new std::map<std::string, Value, std::less<>>{
      {"type", Value::kTypes},
      {"properties", Value::kSchemaMap},
      {"additionalProperties", Value::kSchema},
      {"required", Value::kStringArray},
      {"items", Value::kSchema},
      {"anyOf", Value::kSchemaArray},
      {"oneOf", Value::kSchemaArray},
      {"allOf", Value::kSchemaArray},
      {"not", Value::kSchema},
      {"enum", Value::kArray},
      {"const", Value::kAny},
      {"minLength", Value::kNonNegative},
      {"maxLength", Value::kNonNegative},
      {"pattern", Value::kPattern},
      {"format", Value::kString},
      {"minimum", Value::kNumber},
      {"maximum", Value::kNumber},
      {"exclusiveMinimum", Value::kNumber},
      {"exclusiveMaximum", Value::kNumber},
      {"multipleOf", Value::kPositive},
      {"minItems", Value::kNonNegative},
      {"maxItems", Value::kNonNegative},
      {"uniqueItems", Value::kBoolean},
      {"minProperties", Value::kNonNegative},
      {"maxProperties", Value::kNonNegative},
      {"title", Value::kString},
      {"description", Value::kString},
      {"default", Value::kAny},
      {"examples", Value::kArray},
      {"readOnly", Value::kBoolean},
      {"writeOnly", Value::kBoolean},
      {"deprecated", Value::kBoolean},
  };
  return *keywords;
}

// Keywords refused with a reason, rather than as unknown.
const std::map<std::string, std::string, std::less<>>& Refused() {
  static const auto* refused = new std::map<std::string, std::string, std::less<>>{
      {"$ref", "schemas must be self-contained: no $ref (so no reference cycles)"},
      {"$dynamicRef", "schemas must be self-contained: no $dynamicRef"},
      {"$defs", "schemas must be self-contained: no $defs"},
      {"definitions", "schemas must be self-contained: no definitions"},
      {"$schema", "leave $schema out: 2020-12 is MCP's default dialect, and draft-07 validators in MCP clients "
                  "cannot load the 2020-12 meta-schema URI"},
      {"$id", "schemas must not set $id"},
      {"nullable", "\"nullable\" is OpenAPI, not JSON Schema; write \"type\": [\"string\", \"null\"]"},
  };
  return *refused;
}

bool IsTypeName(const json& v) {
  static const std::set<std::string> kTypes = {"null", "boolean", "object", "array", "number", "string", "integer"};
  return v.is_string() && kTypes.contains(v.get<std::string>());
}

absl::Status Invalid(absl::string_view where, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", message));
}

absl::Status Lint(const json& schema, const std::string& where, int depth, int max_depth);

absl::Status LintValue(Value kind, const json& value, const std::string& where, int depth, int max_depth) {
  switch (kind) {
    case Value::kSchema:
      return Lint(value, where, depth + 1, max_depth);
    case Value::kSchemaMap:
      if (!value.is_object()) return Invalid(where, "must be an object of schemas");
      for (const auto& [name, sub] : value.items()) {
        CMCP_RETURN_IF_ERROR(Lint(sub, absl::StrCat(where, ".", name), depth + 1, max_depth));
      }
      return absl::OkStatus();
    case Value::kSchemaArray:
      if (!value.is_array() || value.empty()) return Invalid(where, "must be a non-empty array of schemas");
      for (size_t i = 0; i < value.size(); ++i) {
        CMCP_RETURN_IF_ERROR(Lint(value[i], absl::StrCat(where, "[", i, "]"), depth + 1, max_depth));
      }
      return absl::OkStatus();
    case Value::kTypes:
      if (IsTypeName(value)) return absl::OkStatus();
      if (value.is_array() && !value.empty()) {
        std::set<std::string> seen;
        for (const json& t : value) {
          if (!IsTypeName(t) || !seen.insert(t.get<std::string>()).second) {
            return Invalid(where, "must list distinct type names");
          }
        }
        return absl::OkStatus();
      }
      return Invalid(where, "must be one of null, boolean, object, array, number, string, integer, or an array of them");
    case Value::kString:
      return value.is_string() ? absl::OkStatus() : Invalid(where, "must be a string");
    case Value::kPattern: {
      if (!value.is_string()) return Invalid(where, "must be a string");
      try {
        std::regex compiled(value.get<std::string>(), std::regex::ECMAScript);
      } catch (const std::regex_error&) {  // std::regex reports only by exception
        return Invalid(where, "is not a valid regular expression");
      }
      return absl::OkStatus();
    }
    case Value::kStringArray: {
      if (!value.is_array()) return Invalid(where, "must be an array of strings");
      std::set<std::string> seen;
      for (const json& s : value) {
        if (!s.is_string()) return Invalid(where, "must be an array of strings");
        if (!seen.insert(s.get<std::string>()).second) {
          return Invalid(where, absl::StrCat("lists \"", s.get<std::string>(), "\" twice"));
        }
      }
      return absl::OkStatus();
    }
    case Value::kNonNegative:
      return value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0)
                 ? absl::OkStatus()
                 : Invalid(where, "must be a non-negative integer");
    case Value::kNumber:
      return value.is_number() ? absl::OkStatus() : Invalid(where, "must be a number");
    case Value::kPositive:
      return value.is_number() && value.get<double>() > 0 ? absl::OkStatus() : Invalid(where, "must be a number above 0");
    case Value::kBoolean:
      return value.is_boolean() ? absl::OkStatus() : Invalid(where, "must be true or false");
    case Value::kArray:
      return value.is_array() && !value.empty() ? absl::OkStatus() : Invalid(where, "must be a non-empty array");
    case Value::kAny:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status Lint(const json& schema, const std::string& where, int depth, int max_depth) {
  if (depth > max_depth) {
    return Invalid(where, absl::StrCat("schema nests deeper than ", max_depth, " levels"));
  }
  if (schema.is_boolean()) return absl::OkStatus();
  if (!schema.is_object()) return Invalid(where, "must be a JSON Schema (an object or a boolean)");
  for (const auto& [keyword, value] : schema.items()) {
    const std::string path = absl::StrCat(where, ".", keyword);
    if (auto refused = Refused().find(keyword); refused != Refused().end()) return Invalid(path, refused->second);
    auto known = Keywords().find(keyword);
    if (known == Keywords().end()) {
      return Invalid(path, absl::StrCat("unknown JSON Schema 2020-12 keyword \"", keyword, "\""));
    }
    CMCP_RETURN_IF_ERROR(LintValue(known->second, value, path, depth, max_depth));
  }
  if (schema.contains("required") && schema.contains("properties") && schema["properties"].is_object()) {
    for (const json& r : schema["required"]) {
      if (!schema["properties"].contains(r.get<std::string>())) {
        return Invalid(absl::StrCat(where, ".required"),
                       absl::StrCat("requires \"", r.get<std::string>(), "\" but \"properties\" does not define it"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LintSchema(const json& schema, absl::string_view where, int max_depth) {
  if (schema.is_null()) return absl::OkStatus();  // an absent schema
  return Lint(schema, std::string(where), 0, max_depth);
}

}  // namespace cmcp::toolgen
