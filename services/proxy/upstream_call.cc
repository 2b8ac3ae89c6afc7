#include "services/proxy/upstream_call.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/http/http_types.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"
#include "services/proxy/where_linter.h"

namespace cmcp::proxy {
namespace {

namespace pb = ::caspio_mcp::toolgen::v1;
using json = nlohmann::json;

const char* HttpMethodName(pb::HttpMethod m) {
  switch (m) {
    case pb::HTTP_METHOD_GET: return "GET";
    case pb::HTTP_METHOD_POST: return "POST";
    case pb::HTTP_METHOD_PUT: return "PUT";
    case pb::HTTP_METHOD_DELETE: return "DELETE";
    case pb::HTTP_METHOD_PATCH: return "PATCH";
    default: return "GET";
  }
}

std::string JsonTypeName(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  return "null";
}

// Checks the value against the property schema's basic keywords.
absl::Status CheckValue(const std::string& name, const json& value, const json& schema) {
  if (!schema.is_object()) return absl::OkStatus();
  const std::string type = schema.value("type", "");
  bool ok = true;
  if (type == "string") ok = value.is_string();
  else if (type == "integer") ok = value.is_number_integer() || (value.is_number_float() && value.get<double>() == static_cast<double>(static_cast<int64_t>(value.get<double>())));
  else if (type == "number") ok = value.is_number();
  else if (type == "boolean") ok = value.is_boolean();
  else if (type == "object") ok = value.is_object();
  else if (type == "array") ok = value.is_array();
  if (!ok) {
    return InvalidFieldError(name, absl::StrCat("argument \"", name, "\" must be ", type == "integer" ? "an" : "a",
                                                " ", type, ", got ", JsonTypeName(value)));
  }
  if (value.is_string() && schema.contains("minLength") &&
      value.get<std::string>().size() < schema["minLength"].get<size_t>()) {
    return InvalidFieldError(name, absl::StrCat("argument \"", name, "\" must not be empty"));
  }
  if (value.is_number() && schema.contains("minimum") && value.get<double>() < schema["minimum"].get<double>()) {
    return InvalidFieldError(name, absl::StrCat("argument \"", name, "\" must be at least ", schema["minimum"].dump()));
  }
  if (value.is_number() && schema.contains("maximum") && value.get<double>() > schema["maximum"].get<double>()) {
    return InvalidFieldError(name, absl::StrCat("argument \"", name, "\" must be at most ", schema["maximum"].dump()));
  }
  if (schema.contains("enum") && schema["enum"].is_array()) {
    bool found = false;
    for (const json& allowed : schema["enum"]) found = found || allowed == value;
    if (!found) {
      return InvalidFieldError(name, absl::StrCat("argument \"", name, "\" must be one of ", schema["enum"].dump()));
    }
  }
  return absl::OkStatus();
}

// Query values and path segments travel as text.
std::string ScalarText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

}  // namespace

std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    absl::StrAppend(&out, out.empty() ? "" : "&", PercentEncode(name), "=", PercentEncode(value));
  }
  return out;
}

absl::StatusOr<UpstreamCall> BuildUpstreamCall(const pb::Tool& tool, const json& arguments) {
  const pb::ToolBinding& binding = tool.binding();
  if (!arguments.is_null() && !arguments.is_object()) {
    return InvalidFieldError("arguments", "tool arguments must be a JSON object");
  }
  json schema = json::parse(tool.input_schema_json(), nullptr, false);
  const json properties = schema.is_object() ? schema.value("properties", json::object()) : json::object();

  std::set<std::string> known;
  for (const pb::ParameterBinding& p : binding.parameters()) known.insert(p.name());
  if (arguments.is_object()) {
    for (const auto& [name, value] : arguments.items()) {
      if (!known.contains(name)) {
        return InvalidFieldError(name, absl::StrCat("unknown argument \"", name, "\"; ", tool.name(), " takes: ",
                                                    absl::StrJoin(known, ", ")),
                                 "send only the arguments listed in the tool's input schema");
      }
    }
  }

  UpstreamCall call;
  call.http_method = HttpMethodName(binding.http_method());
  call.path = binding.path_template();
  for (const pb::ParameterBinding& p : binding.parameters()) {
    const bool present = arguments.is_object() && arguments.contains(p.name()) && !arguments[p.name()].is_null();
    if (!present) {
      if (p.required()) {
        return MissingFieldError(p.name(), absl::StrCat("missing required argument \"", p.name(), "\""),
                                 properties.contains(p.name())
                                     ? properties[p.name()].value("description", "")
                                     : "");
      }
      continue;
    }
    const json& value = arguments[p.name()];
    CMCP_RETURN_IF_ERROR(CheckValue(p.name(), value, properties.value(p.name(), json())));
    switch (p.location()) {
      case pb::PARAMETER_LOCATION_PATH: {
        if (!value.is_string() && !value.is_number_integer()) {
          return InvalidFieldError(p.name(), absl::StrCat("argument \"", p.name(), "\" must be a string"));
        }
        const std::string text = ScalarText(value);
        // Encoding keeps "/" inside the segment; dot segments could still be
        // normalized away by an HTTP stack, so they are refused outright.
        if (text.empty() || text == "." || text == "..") {
          return InvalidFieldError(p.name(), absl::StrCat("argument \"", p.name(), "\" is not a valid name"));
        }
        call.path = absl::StrReplaceAll(call.path, {{absl::StrCat("{", p.name(), "}"), PercentEncode(text)}});
        break;
      }
      case pb::PARAMETER_LOCATION_QUERY:
        if (value.is_object() || value.is_array()) {
          return InvalidFieldError(p.name(), absl::StrCat("argument \"", p.name(), "\" must be a single value"));
        }
        call.query.emplace_back(p.api_name(), ScalarText(value));
        break;
      case pb::PARAMETER_LOCATION_BODY:
        if (!call.json_body.has_value()) call.json_body = json::object();
        (*call.json_body)[p.api_name()] = value;
        break;
      case pb::PARAMETER_LOCATION_BODY_WHOLE:
        call.json_body = value;
        break;
      case pb::PARAMETER_LOCATION_CONTROL:
        if (p.name() == "limit") call.limit = value.get<int64_t>();
        else if (p.name() == "next_cursor") call.next_cursor = value.get<std::string>();
        else if (p.name() == "dry_run") call.dry_run = value.get<bool>();
        break;
      case pb::PARAMETER_LOCATION_MULTIPART_FILE:
        return MakeError(absl::StatusCode::kUnimplemented,
                         absl::StrCat("file uploads (argument \"", p.name(), "\") are not supported yet"),
                         caspio_mcp::common::v1::ERROR_REASON_INVALID_FIELD, p.name());
      default:
        return InternalError(absl::StrCat("argument \"", p.name(), "\" has no location"));
    }
  }
  if (!binding.where_argument().empty()) {
    std::string clause;
    for (const auto& [name, value] : call.query) {
      if (name == binding.where_argument()) clause = value;
    }
    CMCP_RETURN_IF_ERROR(LintWhere(binding.where_argument(), clause,
                                   binding.where_use() == pb::WHERE_USE_WRITE ? WhereUse::kWrite : WhereUse::kRead));
  }
  return call;
}

}  // namespace cmcp::proxy
