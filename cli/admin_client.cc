#include "cli/admin_client.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/http/http_types.h"

namespace cmcp::cli {
namespace {

constexpr absl::string_view kApiErrorPayload = "caspio-mcp/cli/api-error";
constexpr int kMaxPages = 1000;

absl::StatusCode CodeForHttp(int status) {
  switch (status) {
    case 400: return absl::StatusCode::kInvalidArgument;
    case 401: return absl::StatusCode::kUnauthenticated;
    case 403: return absl::StatusCode::kPermissionDenied;
    case 404: return absl::StatusCode::kNotFound;
    case 409: return absl::StatusCode::kAlreadyExists;
    case 429: return absl::StatusCode::kResourceExhausted;
    default: return status >= 500 ? absl::StatusCode::kUnavailable : absl::StatusCode::kFailedPrecondition;
  }
}

std::string StringOr(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<ApiError> ApiErrorOf(const absl::Status& status) {
  auto payload = status.GetPayload(kApiErrorPayload);
  if (!payload.has_value()) return std::nullopt;
  Json saved = Json::parse(std::string(*payload), nullptr, false);
  if (saved.is_discarded() || !saved.is_object()) return std::nullopt;
  ApiError e;
  e.http_status = saved.value("http_status", 0);
  e.request_id = StringOr(saved, "request_id");
  e.body = saved.value("body", Json());
  const Json error = e.body.is_object() ? e.body.value("error", Json()) : Json();
  if (error.is_object()) {
    e.code = StringOr(error, "code");
    e.message = StringOr(error, "message");
    e.field = StringOr(error, "field");
    e.hint = StringOr(error, "hint");
  }
  if (e.code.empty()) e.code = absl::StrCat("http_", e.http_status);
  if (e.message.empty()) e.message = std::string(status.message());
  return e;
}

AdminClient::AdminClient(HttpClient* http, std::string base_url, std::string admin_token)
    : http_(http), base_url_(std::string(absl::StripSuffix(base_url, "/"))), admin_token_(std::move(admin_token)) {}

absl::StatusOr<Json> AdminClient::Call(absl::string_view method, absl::string_view path, const Json& body) const {
  HttpClientRequest request;
  request.method = std::string(method);
  request.url = absl::StrCat(base_url_, path);
  request.headers.Add("Authorization", absl::StrCat("Bearer ", admin_token_));
  request.headers.Add("Accept", "application/json");
  request.headers.Add("User-Agent", "caspio-mcp-cli");
  if (!body.is_null()) {
    request.headers.Add("Content-Type", "application/json");
    request.body = body.dump();
  }
  request.timeout = absl::Seconds(30);
  absl::StatusOr<HttpClientResponse> response = http_->Send(request);
  if (!response.ok()) {
    // Say where, never with what credentials.
    return absl::Status(response.status().code(),
                        absl::StrCat("cannot reach the edge at ", base_url_, ": ", response.status().message()));
  }
  Json parsed = response->body.empty() ? Json() : Json::parse(response->body, nullptr, false);
  if (response->status >= 200 && response->status < 300) {
    if (parsed.is_discarded()) {
      return absl::UnavailableError(absl::StrCat("the edge at ", base_url_, " answered ", method, " ", path,
                                                 " with something that is not JSON"));
    }
    return parsed;
  }
  Json saved = {{"http_status", response->status},
                {"request_id", std::string(response->headers.Get("X-Request-ID").value_or(""))},
                {"body", parsed.is_discarded() ? Json() : parsed}};
  std::string message;
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    message = StringOr(parsed["error"], "message");
  }
  if (message.empty()) {
    message = absl::StrCat("HTTP ", response->status, " from ", method, " ", path,
                           response->status == 404 ? " (is this a caspio-mcp edge URL?)" : "");
  }
  absl::Status status(CodeForHttp(response->status), message);
  status.SetPayload(kApiErrorPayload, absl::Cord(saved.dump()));
  return status;
}

absl::StatusOr<std::vector<Json>> AdminClient::ListAll(absl::string_view path) const {
  std::vector<Json> items;
  std::string cursor;
  for (int page = 0; page < kMaxPages; ++page) {
    std::string url = absl::StrCat(path, "?limit=100");
    if (!cursor.empty()) absl::StrAppend(&url, "&next_cursor=", PercentEncode(cursor));
    absl::StatusOr<Json> r = Call("GET", url);
    if (!r.ok()) return r.status();
    if (!r->is_object() || !(*r)["result"].is_array()) {
      return absl::UnavailableError(absl::StrCat("GET ", path, " did not answer with {result, next_cursor}"));
    }
    for (Json& item : (*r)["result"]) items.push_back(std::move(item));
    const Json& next = (*r)["next_cursor"];
    if (!next.is_string() || next.get<std::string>().empty()) return items;
    cursor = next.get<std::string>();
  }
  return absl::UnavailableError(absl::StrCat("GET ", path, " kept returning next_cursor"));
}

}  // namespace cmcp::cli
