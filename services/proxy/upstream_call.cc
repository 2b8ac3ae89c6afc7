#include "services/proxy/upstream_call.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/crypto/crypto.h"
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

// A file name goes into a Content-Disposition header: refuse anything that
// could break out of it or name a path.
absl::Status CheckFileName(const std::string& field, const std::string& name) {
  if (name.empty() || name.size() > 255) {
    return InvalidFieldError(field, absl::StrCat("argument \"", field, "\" must be 1 to 255 characters"));
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '/' || c == '\\') {
      return InvalidFieldError(field, absl::StrCat("argument \"", field,
                                                   "\" must be a plain file name without quotes, slashes or control characters"),
                               "send just the name, e.g. \"report.pdf\"");
    }
  }
  if (name == "." || name == "..") return InvalidFieldError(field, absl::StrCat("argument \"", field, "\" is not a file name"));
  return absl::OkStatus();
}

std::string GuessMimeType(absl::string_view file_name) {
  const size_t dot = file_name.rfind('.');
  const std::string ext = dot == absl::string_view::npos ? "" : absl::AsciiStrToLower(file_name.substr(dot + 1));
  static const std::map<std::string, std::string> kTypes = {
      {"txt", "text/plain"}, {"csv", "text/csv"}, {"json", "application/json"}, {"xml", "application/xml"},
      {"html", "text/html"}, {"pdf", "application/pdf"}, {"png", "image/png"}, {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"}, {"gif", "image/gif"}, {"webp", "image/webp"}, {"svg", "image/svg+xml"},
      {"zip", "application/zip"}, {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}};
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

absl::StatusOr<FilePart> ParseFile(const std::string& field, const json& value, const std::string& part_name) {
  if (!value.is_object()) {
    return InvalidFieldError(field, absl::StrCat("argument \"", field,
                                                 "\" must be an object {file_name, content_base64 or content_text, mime_type?}"));
  }
  FilePart part;
  part.part_name = part_name;
  if (!value.contains("file_name") || !value["file_name"].is_string()) {
    return MissingFieldError(field + ".file_name", absl::StrCat("argument \"", field, ".file_name\" is required"));
  }
  part.file_name = value["file_name"].get<std::string>();
  CMCP_RETURN_IF_ERROR(CheckFileName(field + ".file_name", part.file_name));
  const bool has_b64 = value.contains("content_base64") && !value["content_base64"].is_null();
  const bool has_text = value.contains("content_text") && !value["content_text"].is_null();
  if (has_b64 == has_text) {
    return InvalidFieldError(field, absl::StrCat("argument \"", field,
                                                 "\" needs exactly one of content_base64 and content_text"),
                             "use content_text for text files and content_base64 for anything else");
  }
  if (has_b64) {
    if (!value["content_base64"].is_string()) {
      return InvalidFieldError(field + ".content_base64", "content_base64 must be a base64 string");
    }
    auto decoded = Base64Decode(value["content_base64"].get<std::string>());
    if (!decoded.ok()) decoded = Base64UrlDecode(value["content_base64"].get<std::string>());
    if (!decoded.ok()) {
      return InvalidFieldError(field + ".content_base64", absl::StrCat("argument \"", field, ".content_base64\" is not valid base64"));
    }
    part.content = *std::move(decoded);
  } else {
    if (!value["content_text"].is_string()) return InvalidFieldError(field + ".content_text", "content_text must be a string");
    part.content = value["content_text"].get<std::string>();
  }
  if (value.contains("mime_type") && value["mime_type"].is_string() && !value["mime_type"].get<std::string>().empty()) {
    part.mime_type = value["mime_type"].get<std::string>();
    if (part.mime_type.find_first_of("\r\n\"") != std::string::npos || part.mime_type.size() > 127) {
      return InvalidFieldError(field + ".mime_type", "mime_type must be a media type such as text/csv");
    }
  } else {
    part.mime_type = has_text ? "text/plain" : GuessMimeType(part.file_name);
    if (has_text && GuessMimeType(part.file_name) != "application/octet-stream") part.mime_type = GuessMimeType(part.file_name);
  }
  return part;
}

}  // namespace

std::string MultipartBody(const std::vector<FilePart>& files, absl::string_view boundary) {
  std::string body;
  for (const FilePart& f : files) {
    absl::StrAppend(&body, "--", boundary, "\r\nContent-Disposition: form-data; name=\"", f.part_name,
                    "\"; filename=\"", f.file_name, "\"\r\nContent-Type: ", f.mime_type, "\r\n\r\n");
    body.append(f.content);
    body.append("\r\n");
  }
  absl::StrAppend(&body, "--", boundary, "--\r\n");
  return body;
}

std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    absl::StrAppend(&out, out.empty() ? "" : "&", PercentEncode(name), "=", PercentEncode(value));
  }
  return out;
}

absl::StatusOr<UpstreamCall> BuildUpstreamCall(const pb::Tool& tool, const json& arguments,
                                               const UpstreamLimits& limits) {
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
        // Percent-encoding keeps everything inside its segment, but an HTTP
        // stack on the way may decode %2F or %5C, or drop dot segments; no
        // Caspio name or key holds a slash, a backslash or a control
        // character, so a value with one is a path, not a name: refused.
        if (text.empty() || text == "." || text == "..") {
          return InvalidFieldError(p.name(), absl::StrCat("argument \"", p.name(), "\" is not a valid name"));
        }
        for (unsigned char c : text) {
          if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
            return InvalidFieldError(p.name(),
                                     absl::StrCat("argument \"", p.name(), "\" must be a single name or key, without "
                                                  "slashes, backslashes or control characters"),
                                     "send the name or key exactly as a list tool returned it, not a path");
          }
        }
        call.path_values[p.name()] = PercentEncode(text);
        call.path = absl::StrReplaceAll(call.path, {{absl::StrCat("{", p.name(), "}"), call.path_values[p.name()]}});
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
      case pb::PARAMETER_LOCATION_MULTIPART_FILE: {
        // "Files" takes several files; every other part name exactly one.
        std::vector<json> items;
        if (value.is_array()) {
          if (p.api_name() != "Files") {
            return InvalidFieldError(p.name(), absl::StrCat("argument \"", p.name(), "\" takes one file object, not a list"));
          }
          if (value.empty()) return InvalidFieldError(p.name(), absl::StrCat("argument \"", p.name(), "\" needs at least one file"));
          items.assign(value.begin(), value.end());
        } else {
          items.push_back(value);
        }
        for (size_t k = 0; k < items.size(); ++k) {
          const std::string field = value.is_array() ? absl::StrCat(p.name(), "[", k, "]") : p.name();
          CMCP_ASSIGN_OR_RETURN(FilePart part, ParseFile(field, items[k], p.api_name()));
          call.files.push_back(std::move(part));
        }
        size_t total = 0;
        for (const FilePart& f : call.files) total += f.content.size();
        if (total > limits.max_upload_bytes) {
          return MakeError(absl::StatusCode::kInvalidArgument,
                           absl::StrCat("argument \"", p.name(), "\" is ", total, " bytes; uploads are limited to ",
                                        limits.max_upload_bytes, " bytes"),
                           caspio_mcp::common::v1::ERROR_REASON_PAYLOAD_TOO_LARGE, p.name());
        }
        break;
      }
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
