#include "sandbox/caspio/api/api_request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {
namespace {

std::pair<std::string, bool> Normalize(absl::string_view name) {
  std::string lower = absl::AsciiStrToLower(name);
  if (absl::StartsWith(lower, "q.")) return {lower.substr(2), true};
  return {lower, false};
}

}  // namespace

absl::StatusOr<QueryParams> QueryParams::Parse(absl::string_view query) {
  auto pairs = ParseQuery(query);
  if (!pairs.ok()) return IncorrectQueryParameter(pairs.status().message());
  QueryParams params;
  for (auto& [name, value] : *pairs) {
    auto [key, prefixed] = Normalize(name);
    params.values_[key].push_back({prefixed, std::move(value)});
  }
  return params;
}

std::optional<std::string> QueryParams::Get(absl::string_view name) const {
  auto it = values_.find(Normalize(name).first);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  for (const Entry& e : it->second) {
    if (e.prefixed) return e.value;
  }
  return it->second.front().value;
}

absl::StatusOr<std::string> QueryParams::Required(absl::string_view name) const {
  std::optional<std::string> value = Get(name);
  if (!value.has_value() || absl::StripAsciiWhitespace(*value).empty()) {
    return IncorrectQueryParameter(absl::StrCat("The query parameter '", name, "' is required."));
  }
  return *value;
}

absl::StatusOr<std::optional<int64_t>> QueryParams::Int(absl::string_view name) const {
  std::optional<std::string> value = Get(name);
  if (!value.has_value() || value->empty()) return std::optional<int64_t>();
  int32_t parsed = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*value), &parsed)) {
    return IncorrectQueryParameter(absl::StrCat("The value '", *value, "' is not valid for ", name, "."));
  }
  return std::optional<int64_t>(parsed);
}

absl::StatusOr<bool> QueryParams::Bool(absl::string_view name, bool default_value) const {
  std::optional<std::string> value = Get(name);
  if (!value.has_value() || value->empty()) return default_value;
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(*value));
  if (lower == "true") return true;
  if (lower == "false") return false;
  return IncorrectQueryParameter(absl::StrCat("The value '", *value, "' is not valid for ", name, "."));
}

const std::string& ApiRequest::Path(absl::string_view name) const {
  static const std::string* const kEmpty = new std::string();
  auto it = path->find(name);
  return it == path->end() ? *kEmpty : it->second;
}

absl::StatusOr<nlohmann::json> ApiRequest::JsonBody() const {
  if (absl::StripAsciiWhitespace(http->body).empty()) {
    return IncorrectBodyParameter("The request body is empty; a JSON body is required.");
  }
  nlohmann::json body = nlohmann::json::parse(http->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return IncorrectBodyParameter("The request body is not valid JSON.");
  return body;
}

}  // namespace cmcp::sandbox
