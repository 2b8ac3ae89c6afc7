#include "services/proxy/tool_executor.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/crypto/crypto.h"
#include "common/logging/logger.h"
#include "common/metrics/metrics.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"
#include "services/proxy/upstream_call.h"

namespace cmcp::proxy {
namespace {

using json = nlohmann::json;
namespace pb = ::caspio_mcp::toolgen::v1;

constexpr int64_t kMinCaspioPageSize = 5;     // caspio-api.md §4
constexpr int64_t kMaxCaspioPageSize = 1000;

ContentBlock Text(std::string text) {
  ContentBlock b;
  b.text = std::move(text);
  return b;
}

bool ContainsIgnoreCase(absl::string_view haystack, absl::string_view needle) {
  return absl::StrContains(absl::AsciiStrToLower(haystack), absl::AsciiStrToLower(needle));
}

// Hints for the Caspio error codes a model can act on (caspio-api.md §5).
std::string HintFor(absl::string_view code, absl::string_view message) {
  if (ContainsIgnoreCase(message, "_2fa_status") || ContainsIgnoreCase(message, "_status") ||
      ContainsIgnoreCase(message, "_sign_in_method")) {
    return "_status, _sign_in_method and _2fa_status can be read and filtered when listing users, but not used in "
           "update or delete conditions; select the users first, then act on them by their own fields.";
  }
  if (code == "SqlServerError") {
    return "Check the q.where/q.select/q.orderBy text: field names must exist, text needs single quotes, and only "
           "one condition is allowed.";
  }
  if (code == "ObjectNotFound") return "Check the table, view or object name; list them first to see exact names.";
  if (code == "FieldNotFound") return "A field name does not exist in this table; list the table's fields first.";
  if (code == "IncorrectQueryParameter") return "A query parameter has a wrong value or format; check the tool's input schema.";
  if (code == "IncorrectBodyParameter") return "A body field is missing or has the wrong format; check the tool's input schema.";
  if (code == "UnsufficientPrivileges") return "The Caspio web-services profile lacks permission for this object.";
  return "";
}

std::string Canonical(const std::vector<std::pair<std::string, std::string>>& query, const std::string& path) {
  json j = json::array();
  j.push_back(path);
  for (const auto& [k, v] : query) j.push_back({k, v});
  return j.dump();
}

}  // namespace

ToolResult ErrorResult(const absl::Status& status) {
  ToolResult r;
  r.is_error = true;
  r.error = ErrorDetailOrDefault(status);
  std::string text(status.message());
  if (!r.error.hint().empty()) absl::StrAppend(&text, "\nHow to fix: ", r.error.hint());
  r.content.push_back(Text(std::move(text)));
  return r;
}

ToolExecutor::ToolExecutor(ToolExecutorSettings settings, HttpClient* http, CaspioAuthenticator* auth,
                           const CursorCodec* cursors)
    : settings_(settings), http_(http), auth_(auth), cursors_(cursors) {}

absl::StatusOr<ToolResult> ToolExecutor::Execute(const ToolCall& call) {
  const pb::Tool& tool = *call.tool;
  json arguments = call.arguments_json.empty() ? json::object() : json::parse(call.arguments_json, nullptr, false);
  if (arguments.is_discarded()) return ErrorResult(InvalidFieldError("arguments", "tool arguments are not valid JSON"));
  auto built = BuildUpstreamCall(tool, arguments);
  if (!built.ok()) {
    if (absl::IsInvalidArgument(built.status()) || absl::IsUnimplemented(built.status())) {
      return ErrorResult(built.status());
    }
    return built.status();
  }
  UpstreamCall& upstream = *built;

  std::optional<Paging> paging;
  if (tool.binding().pagination() == pb::PAGINATION_STYLE_QUERY_PAGES) {
    Paging p;
    bool has_order = false, has_group = false;
    for (const auto& [name, value] : upstream.query) {
      has_order = has_order || (name == "q.orderBy" && !value.empty());
      has_group = has_group || (name == "q.groupBy" && !value.empty());
    }
    // Stable order so pages neither skip nor repeat rows (SPEC §5).
    if (!has_order && !has_group) upstream.query.emplace_back("q.orderBy", "PK_ID");
    p.digest = Hex(Sha256(Canonical(upstream.query, upstream.path))).substr(0, 32);
    p.limit = upstream.limit.value_or(settings_.default_limit);
    if (!upstream.next_cursor.empty()) {
      auto state = cursors_->Decode(upstream.next_cursor, tool.name(), p.digest);
      if (!state.ok()) return ErrorResult(state.status());
      p.offset = state->offset;
      p.page_size = state->page_size;
    } else {
      p.page_size = std::clamp(p.limit, kMinCaspioPageSize, kMaxCaspioPageSize);
    }
    upstream.query.emplace_back("q.pageSize", absl::StrCat(p.page_size));
    upstream.query.emplace_back("q.pageNumber", absl::StrCat(p.offset / p.page_size + 1));
    upstream.query.emplace_back("q.getPaginationInfo", "true");
    paging = p;
  }

  ToolResult result;
  HttpClientResponse response;
  for (int attempt = 1;; ++attempt) {
    auto session = auth_->Get(call.account_id);
    if (!session.ok()) {
      if (absl::IsFailedPrecondition(session.status()) || absl::IsUnavailable(session.status())) {
        ToolResult r = ErrorResult(session.status());
        r.attempts = attempt;
        return r;
      }
      return session.status();
    }
    HttpClientRequest request;
    request.method = upstream.http_method;
    request.url = absl::StrCat(session->base_url, upstream.path);
    if (!upstream.query.empty()) absl::StrAppend(&request.url, "?", EncodeQuery(upstream.query));
    request.headers.Add("Authorization", absl::StrCat("Bearer ", session->access_token));
    request.headers.Add("Accept", "application/json");
    if (!call.request_id.empty()) request.headers.Add("X-Request-ID", call.request_id);
    if (upstream.json_body.has_value()) {
      request.headers.Add("Content-Type", "application/json");
      request.body = upstream.json_body->dump();
    }
    request.timeout = settings_.upstream_timeout;
    request.max_response_bytes = settings_.max_response_bytes;
    auto sent = http_->Send(request);
    result.attempts = attempt;
    if (!sent.ok()) {
      MetricsRegistry::Default()
          .GetCounter("cmcp_upstream_failures_total", "Caspio calls that got no HTTP answer")
          .Increment();
      return ErrorResult(MakeError(absl::StatusCode::kUnavailable,
                                   absl::StrCat("Caspio could not be reached: ", sent.status().message()),
                                   caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_UNAVAILABLE, "",
                                   "retry later; nothing was changed unless Caspio received the request"));
    }
    response = *std::move(sent);
    result.upstream_time += response.elapsed;
    MetricsRegistry::Default()
        .GetHistogram("cmcp_upstream_seconds", "Caspio request latency in seconds")
        .Observe(absl::ToDoubleSeconds(response.elapsed));
    // One retry with a fresh token: after 401, and after Caspio's stale-token
    // quirk (400 IncorrectQueryParameter from a token older than a minute).
    const bool stale_quirk = response.status == 400 && absl::StrContains(response.body, "IncorrectQueryParameter") &&
                             absl::Now() - session->obtained_at > absl::Minutes(1);
    if (attempt == 1 && (response.status == 401 || stale_quirk)) {
      auth_->Invalidate(call.account_id, session->access_token);
      continue;
    }
    break;
  }

  result.http_status = response.status;
  result.rate_limit = ParseRateLimitHeaders(response.headers, absl::Now());
  if (auto id = response.headers.Get("X-Caspio-Request-ID")) result.upstream_request_id = std::string(*id);

  const auto& ok_statuses = tool.binding().success_statuses();
  const bool success = std::find(ok_statuses.begin(), ok_statuses.end(), response.status) != ok_statuses.end() ||
                       (ok_statuses.empty() && response.status / 100 == 2);
  if (success) {
    ToolResult ok = Success(call, response, paging.has_value() ? &*paging : nullptr);
    ok.http_status = result.http_status;
    ok.rate_limit = result.rate_limit;
    ok.upstream_request_id = result.upstream_request_id;
    ok.upstream_time = result.upstream_time;
    ok.attempts = result.attempts;
    return ok;
  }

  result.is_error = true;
  if (response.status == 429) {
    const RateLimitInfo& rl = result.rate_limit;
    json ratelimit = json::object();
    if (rl.limit) ratelimit["limit"] = *rl.limit;
    if (rl.remaining) ratelimit["remaining"] = *rl.remaining;
    if (rl.reset_seconds) ratelimit["reset"] = *rl.reset_seconds;
    result.structured = {{"status", 429}, {"error", "rate_limited"}, {"ratelimit", ratelimit}};
    if (rl.retry_after_seconds) result.structured["retry_after"] = *rl.retry_after_seconds;
    const int64_t wait = rl.retry_after_seconds.value_or(rl.reset_seconds.value_or(0));
    result.content.push_back(Text(absl::StrCat(
        "Caspio's API rate limit was reached (HTTP 429); the call was not made and will not be retried automatically. ",
        wait > 0 ? absl::StrCat("Wait at least ", wait, " seconds before calling Caspio again.")
                 : "Wait before calling Caspio again.",
        "\n", result.structured.dump())));
    result.error.set_reason(caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_RATE_LIMITED);
    auto* info = result.error.mutable_rate_limit();
    if (rl.limit) info->set_limit(*rl.limit);
    if (rl.remaining) info->set_remaining(*rl.remaining);
    if (rl.reset_seconds) info->set_reset_seconds(*rl.reset_seconds);
    if (rl.retry_after_seconds) info->set_retry_after_seconds(*rl.retry_after_seconds);
    if (rl.window_seconds) info->set_window_seconds(*rl.window_seconds);
    return result;
  }

  json body = json::parse(response.body, nullptr, false);
  std::string code = body.is_object() ? body.value("Code", "") : "";
  std::string message = body.is_object() ? body.value("Message", "") : "";
  if (message.empty()) message = response.status >= 500 ? "Caspio had an internal error" : "Caspio refused the request";
  const std::string hint = HintFor(code, message);
  result.structured = {{"status", response.status}, {"code", code}, {"message", message}};
  if (!result.upstream_request_id.empty()) result.structured["request_id"] = result.upstream_request_id;
  result.content.push_back(Text(absl::StrCat("Caspio returned HTTP ", response.status, code.empty() ? "" : " ", code,
                                             ": ", message, hint.empty() ? "" : "\nHow to fix: ", hint)));
  result.error.set_reason(caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_ERROR);
  result.error.set_hint(hint);
  result.error.mutable_upstream()->set_http_status(response.status);
  result.error.mutable_upstream()->set_code(code);
  result.error.mutable_upstream()->set_message(message);
  result.error.mutable_upstream()->set_request_id(result.upstream_request_id);
  return result;
}

ToolResult ToolExecutor::Success(const ToolCall& call, const HttpClientResponse& response, const Paging* paging) {
  ToolResult r;
  const pb::Tool& tool = *call.tool;
  if (tool.binding().response_kind() == pb::RESPONSE_KIND_EMPTY || response.body.empty()) {
    r.structured = {{"status", response.status}, {"result", nullptr}};
    r.content.push_back(Text(absl::StrCat("Done (HTTP ", response.status, ").")));
    return r;
  }
  json body = json::parse(response.body, nullptr, false);
  if (body.is_discarded()) {
    r.content.push_back(Text(response.body));
    return r;
  }
  json result = body.is_object() && body.contains("Result") ? body["Result"] : body;
  if (paging != nullptr && result.is_array()) {
    const int64_t skip = paging->offset % paging->page_size;
    const int64_t take = std::min<int64_t>(paging->limit, static_cast<int64_t>(result.size()) - skip);
    json rows = json::array();
    for (int64_t i = skip; i < skip + std::max<int64_t>(take, 0); ++i) rows.push_back(std::move(result[i]));
    const int64_t next_offset = paging->offset + static_cast<int64_t>(rows.size());
    int64_t total = -1;
    if (body.contains("Pagination") && body["Pagination"].is_object()) {
      total = body["Pagination"].value("TotalCount", int64_t{-1});
    }
    r.structured = {{"result", std::move(rows)}};
    // More rows exist exactly when Caspio's TotalCount says so; without it,
    // a full upstream page is the only sign and may cost one empty page.
    const bool more = total >= 0 ? next_offset < total
                                 : static_cast<int64_t>(result.size()) == paging->page_size && take > 0;
    if (more && !r.structured["result"].empty()) {
      r.structured["next_cursor"] = cursors_->Encode({tool.name(), paging->digest, next_offset, paging->page_size});
    }
  } else {
    r.structured = {{"result", std::move(result)}};
    for (const char* key : {"RecordsAffected", "UsersAffected"}) {
      if (body.is_object() && body.contains(key)) r.structured[key] = body[key];
    }
  }
  r.content.push_back(Text(r.structured.dump(-1, ' ', false, json::error_handler_t::replace)));
  return r;
}

}  // namespace cmcp::proxy
