#include "services/edge/audit_redaction.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "common/logging/redact.h"

namespace cmcp::edge {
namespace {

namespace toolpb = ::caspio_mcp::toolgen::v1;
using json = nlohmann::json;

constexpr size_t kMaxKeptString = 200;
constexpr size_t kMaxArrayElements = 20;
constexpr int kMaxDepth = 8;
constexpr size_t kMaxKeyLength = 100;
constexpr size_t kMaxRenderedBytes = 8 * 1024;
constexpr size_t kMaxListedKeys = 50;

constexpr std::array<absl::string_view, 5> kKeptNames = {"limit", "dry_run", "externalKey", "filePath", "method"};
constexpr std::array<absl::string_view, 9> kColumnListNames = {
    "q.select", "q.orderBy", "q.groupBy", "response", "sortField", "sortDescending", "q.pageSize", "q.pageNumber",
    "q.limit"};

template <size_t N>
bool In(const std::array<absl::string_view, N>& names, absl::string_view name) {
  for (absl::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

bool IsColumnList(absl::string_view v) {
  for (char c : v) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == ',' || c == '.' || c == '*' || c == '(' || c == ')' || c == '[' || c == ']' || c == ' ';
    if (!ok) return false;
  }
  return true;
}

std::string Key(const std::string& key) { return key.size() > kMaxKeyLength ? key.substr(0, kMaxKeyLength) : key; }

// Keys and shape, no values.
json RedactValue(const json& value, int depth) {
  if (value.is_null()) return nullptr;
  if (depth >= kMaxDepth) return kAuditRedacted;
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : value.items()) out[Key(k)] = RedactValue(v, depth + 1);
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (size_t i = 0; i < value.size() && i < kMaxArrayElements; ++i) out.push_back(RedactValue(value[i], depth + 1));
    if (value.size() > kMaxArrayElements) out.push_back(absl::StrCat("[+", value.size() - kMaxArrayElements, " more]"));
    return out;
  }
  return kAuditRedacted;
}

json KeepValue(absl::string_view name, const json& value, ArgumentPolicy policy) {
  if (IsSecretKey(name)) return RedactValue(value, 0);
  if (value.is_null() || value.is_boolean() || value.is_number()) return value;
  if (!value.is_string()) return RedactValue(value, 0);
  const std::string& text = value.get_ref<const std::string&>();
  if (RedactSecrets(text) != text) return kAuditRedacted;
  if (policy == ArgumentPolicy::kKeepColumnList && !IsColumnList(text)) return kAuditRedacted;
  return text.size() > kMaxKeptString ? absl::StrCat(text.substr(0, kMaxKeptString), "…") : text;
}

}  // namespace

ArgumentPolicy PolicyFor(absl::string_view name, const toolpb::Tool* tool) {
  if (tool == nullptr) return ArgumentPolicy::kRedact;
  const toolpb::ToolBinding& binding = tool->binding();
  if (name == binding.where_argument()) return ArgumentPolicy::kRedact;
  for (const toolpb::ParameterBinding& p : binding.parameters()) {
    if (p.name() != name) continue;
    switch (p.location()) {
      case toolpb::PARAMETER_LOCATION_PATH:
        return ArgumentPolicy::kKeep;
      case toolpb::PARAMETER_LOCATION_CONTROL:
        return In(kKeptNames, name) ? ArgumentPolicy::kKeep : ArgumentPolicy::kRedact;
      case toolpb::PARAMETER_LOCATION_QUERY:
        if (In(kKeptNames, name)) return ArgumentPolicy::kKeep;
        if (In(kColumnListNames, name)) return ArgumentPolicy::kKeepColumnList;
        return ArgumentPolicy::kRedact;
      default:
        // Bodies and files: the data itself.
        return ArgumentPolicy::kRedact;
    }
  }
  return ArgumentPolicy::kRedact;  // not declared by the tool
}

std::string RedactArguments(const json& arguments, const toolpb::Tool* tool) {
  if (!arguments.is_object()) return json::object().dump();
  json out = json::object();
  for (const auto& [name, value] : arguments.items()) {
    const ArgumentPolicy policy = PolicyFor(name, tool);
    out[Key(name)] = policy == ArgumentPolicy::kRedact ? RedactValue(value, 0) : KeepValue(name, value, policy);
  }
  std::string text = out.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() <= kMaxRenderedBytes) return text;
  json keys = json::array();
  for (const auto& [name, value] : arguments.items()) {
    if (keys.size() == kMaxListedKeys) break;
    keys.push_back(Key(name));
  }
  return json{{"_truncated", true}, {"keys", keys}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace cmcp::edge
