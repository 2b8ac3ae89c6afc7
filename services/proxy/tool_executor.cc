#include "services/proxy/tool_executor.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/crypto/crypto.h"
#include "common/json/json_depth.h"
#include "common/logging/logger.h"
#include "common/metrics/metrics.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"
#include "services/proxy/dry_run.h"
#include "services/proxy/upstream_metrics.h"

namespace cmcp::proxy {
namespace {

using json = nlohmann::json;
namespace pb = ::caspio_mcp::toolgen::v1;

constexpr int64_t kMinCaspioPageSize = 5;  // caspio-api.md §4
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
std::string HintFor(int status, absl::string_view code, absl::string_view message) {
  if (ContainsIgnoreCase(message, "_2fa_status") || ContainsIgnoreCase(message, "_status") ||
      ContainsIgnoreCase(message, "_sign_in_method")) {
    return "_status, _sign_in_method and _2fa_status can be read and filtered when listing users, but not used in "
           "update or delete conditions; select the users first, then act on them by their own fields.";
  }
  if (ContainsIgnoreCase(message, "duplicate key") || ContainsIgnoreCase(message, "must be unique")) {
    return "A unique field already holds this value: find that row with a list tool (q.where on the field) and update "
           "it instead, or use another value.";
  }
  if (code == "SqlServerError") {
    return "Check the q.where/q.select/q.orderBy text: field names must exist, text needs single quotes, and only "
           "one condition is allowed.";
  }
  if (code == "ObjectNotFound") return "Check the table, view or object name; list them first to see exact names.";
  if (code == "FieldNotFound") return "A field name does not exist in this table; list the table's fields first.";
  if (code == "IncorrectQueryParameter") return "A query parameter has a wrong value or format; check the tool's input schema.";
  if (code == "IncorrectBodyParameter") return "A body field is missing or has the wrong format; check the tool's input schema.";
  if (code == "UnsufficientPrivileges" || status == 403) {
    return "The Caspio web-services profile lacks permission for this object; the account owner must grant it.";
  }
  if (status == 409) return "It already exists or is already in that state; look it up instead of creating it again.";
  if (status == 413) return "The file is too large for Caspio; send a smaller one.";
  if (status >= 500) return "Caspio failed; retrying later may work. Check first whether a write already happened.";
  return "";
}

// COUNT(…), SUM(…), AVG(…), MIN(…), MAX(…) anywhere in a select list.
bool SelectsAggregates(absl::string_view select) {
  const std::string lower = absl::AsciiStrToLower(select);
  for (absl::string_view fn : {"count", "sum", "avg", "min", "max"}) {
    size_t at = 0;
    while ((at = lower.find(fn.data(), at, fn.size())) != std::string::npos) {
      size_t after = at + fn.size();
      while (after < lower.size() && lower[after] == ' ') ++after;
      const bool word_start = at == 0 || !(std::isalnum(static_cast<unsigned char>(lower[at - 1])) || lower[at - 1] == '_');
      if (word_start && after < lower.size() && lower[after] == '(') return true;
      at += fn.size();
    }
  }
  return false;
}

std::string Canonical(const std::vector<std::pair<std::string, std::string>>& query, const std::string& path) {
  json j = json::array();
  j.push_back(path);
  for (const auto& [k, v] : query) j.push_back({k, v});
  return j.dump();
}

bool IsTextual(absl::string_view mime) {
  return absl::StartsWith(mime, "text/") || absl::StrContains(mime, "json") || absl::StrContains(mime, "xml") ||
         absl::StrContains(mime, "csv") || absl::StrContains(mime, "javascript");
}

bool ValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n;
  }
  return true;
}

// "attachment; filename=\"photo.jpg\"" -> photo.jpg
std::string FileNameOf(const Headers& headers) {
  absl::string_view cd = headers.Get("Content-Disposition").value_or("");
  const size_t at = cd.find("filename=");
  if (at == absl::string_view::npos) return "";
  absl::string_view name = cd.substr(at + 9);
  if (absl::ConsumePrefix(&name, "\"")) name = name.substr(0, name.find('"'));
  else name = name.substr(0, name.find(';'));
  return std::string(name);
}

// Caspio's JSON is a few levels deep. A body nested deeper than
// kMaxJsonDepth (a broken or hostile upstream) is refused before it is
// parsed: copying or serializing it would recurse once per level and could
// overflow the worker's stack (common/json/json_depth.h).
std::optional<ToolResult> RefuseTooDeep(const HttpClientResponse& response, const ToolResult& meta) {
  if (!JsonNestsDeeperThan(response.body, kMaxJsonDepth)) return std::nullopt;
  ToolResult result = meta;
  result.is_error = true;
  const std::string message = absl::StrCat("Caspio answered HTTP ", response.status, " with JSON nested deeper than ",
                                           kMaxJsonDepth, " levels; it was not processed");
  const std::string hint = "Caspio's own answers are a few levels deep: check that the account's base_url is Caspio's";
  result.structured = {{"status", response.status}, {"code", "ResponseTooDeep"}, {"message", message}};
  result.content.push_back(Text(absl::StrCat(message, "\nHow to fix: ", hint)));
  result.error.set_reason(caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_ERROR);
  result.error.set_hint(hint);
  result.error.mutable_upstream()->set_http_status(response.status);
  result.error.mutable_upstream()->set_code("ResponseTooDeep");
  return result;
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

absl::StatusOr<HttpClientResponse> ToolExecutor::Send(const ToolCall& call, const Request& request, ToolResult& meta) {
  for (int attempt = 1;; ++attempt) {
    auto session = auth_->Get(call.account_id);
    meta.attempts = attempt;
    if (!session.ok()) return session.status();
    HttpClientRequest out;
    out.method = request.method;
    out.url = absl::StrCat(session->base_url, request.path);
    if (!request.query.empty()) absl::StrAppend(&out.url, "?", EncodeQuery(request.query));
    out.headers.Add("Authorization", absl::StrCat("Bearer ", session->access_token));
    out.headers.Add("Accept", "application/json");
    if (!call.request_id.empty()) out.headers.Add("X-Request-ID", call.request_id);
    // The proxy's span is the parent of what Caspio (or the sandbox) records.
    if (call.trace.valid()) out.headers.Add(kTraceparentHeader, call.trace.Header());
    if (!request.content_type.empty()) out.headers.Add("Content-Type", request.content_type);
    out.body = request.body;
    out.timeout = settings_.upstream_timeout;
    out.max_response_bytes = settings_.max_response_bytes;
    out.cancelled = call.cancelled;
    auto sent = http_->Send(out);
    if (absl::IsCancelled(sent.status())) return sent.status();
    const std::string operation = call.tool != nullptr ? call.tool->binding().operation_id() : "";
    // Exists (at 0) from the operation's first call, so error ratios have a denominator.
    Counter& failures = MetricsRegistry::Default().GetCounter(
        "cmcp_upstream_failures_total", "Caspio calls that got no HTTP answer, by operation", {{"operation", operation}});
    if (!sent.ok()) {
      failures.Increment();
      if (absl::IsResourceExhausted(sent.status())) {
        return MakeError(absl::StatusCode::kResourceExhausted,
                         absl::StrCat("Caspio's answer is larger than ", settings_.max_response_bytes, " bytes"),
                         caspio_mcp::common::v1::ERROR_REASON_PAYLOAD_TOO_LARGE, "",
                         "ask for less: narrow q.where, q.select fewer fields, or lower limit");
      }
      return MakeError(absl::StatusCode::kUnavailable,
                       absl::StrCat("Caspio could not be reached: ", sent.status().message()),
                       caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_UNAVAILABLE, "",
                       "retry later; if this was a write, check whether it happened before repeating it");
    }
    meta.upstream_time += sent->elapsed;
    ObserveUpstream(operation, sent->status, sent->elapsed);
    // One retry with a fresh token: after 401, and after Caspio's stale-token
    // quirk (400 IncorrectQueryParameter from a token older than a minute).
    const bool stale_quirk = sent->status == 400 && absl::StrContains(sent->body, "IncorrectQueryParameter") &&
                             absl::Now() - session->obtained_at > absl::Minutes(1);
    if (attempt == 1 && (sent->status == 401 || stale_quirk)) {
      auth_->Invalidate(call.account_id, session->access_token);
      continue;
    }
    meta.http_status = sent->status;
    meta.rate_limit = ParseRateLimitHeaders(sent->headers, absl::Now());
    if (auto id = sent->headers.Get("X-Caspio-Request-ID")) meta.upstream_request_id = std::string(*id);
    return sent;
  }
}

absl::StatusOr<std::optional<ToolExecutor::Paging>> ToolExecutor::PlanPaging(const pb::Tool& tool,
                                                                               UpstreamCall& upstream) {
  const pb::PaginationStyle style = tool.binding().pagination();
  if (style == pb::PAGINATION_STYLE_NONE) return std::optional<Paging>();
  Paging p;
  p.style = style;
  if (style == pb::PAGINATION_STYLE_QUERY_PAGES) {
    bool has_order = false, has_group = false, aggregates = false;
    for (const auto& [name, value] : upstream.query) {
      has_order = has_order || (name == "q.orderBy" && !value.empty());
      has_group = has_group || (name == "q.groupBy" && !value.empty());
      if (name == "q.select") aggregates = SelectsAggregates(value);
    }
    // Stable order so pages neither skip nor repeat rows (SPEC §5); an
    // aggregate without GROUP BY is one row, and ordering it by PK_ID is an
    // SQL error.
    if (!has_order && !has_group && !aggregates) upstream.query.emplace_back("q.orderBy", "PK_ID");
  }
  p.digest = Hex(Sha256(Canonical(upstream.query, upstream.path))).substr(0, 32);
  p.limit = upstream.limit.value_or(settings_.default_limit);
  if (!upstream.next_cursor.empty()) {
    auto state = cursors_->Decode(upstream.next_cursor, tool.name(), p.digest);
    if (!state.ok()) return state.status();
    p.offset = state->offset;
    p.page_size = state->page_size;
  } else {
    p.page_size = std::clamp(p.limit, kMinCaspioPageSize, kMaxCaspioPageSize);
  }
  if (style == pb::PAGINATION_STYLE_QUERY_PAGES) {
    upstream.query.emplace_back("q.pageSize", absl::StrCat(p.page_size));
    upstream.query.emplace_back("q.pageNumber", absl::StrCat(p.offset / p.page_size + 1));
    upstream.query.emplace_back("q.getPaginationInfo", "true");
  } else if (style == pb::PAGINATION_STYLE_PLAIN_PAGES) {
    // Files and folders: plain names, Pagination always present (caspio-api.md §3.5).
    upstream.query.emplace_back("pageSize", absl::StrCat(p.page_size));
    upstream.query.emplace_back("pageNumber", absl::StrCat(p.offset / p.page_size + 1));
  }
  return std::optional<Paging>(p);
}

absl::StatusOr<ToolResult> ToolExecutor::Execute(const ToolCall& call) {
  const pb::Tool& tool = *call.tool;
  json arguments = call.arguments_json.empty() ? json::object() : json::parse(call.arguments_json, nullptr, false);
  if (arguments.is_discarded()) return ErrorResult(InvalidFieldError("arguments", "tool arguments are not valid JSON"));
  auto built = BuildUpstreamCall(tool, arguments, {.max_upload_bytes = settings_.max_upload_bytes});
  if (!built.ok()) {
    if (absl::IsInvalidArgument(built.status())) return ErrorResult(built.status());
    return built.status();
  }
  if (absl::Status valid = validator_.Validate(tool, arguments); !valid.ok()) {
    if (absl::IsInvalidArgument(valid)) return ErrorResult(valid);
    return valid;
  }
  UpstreamCall& upstream = *built;
  if (upstream.dry_run) return DryRun(call, upstream);

  auto paging = PlanPaging(tool, upstream);
  if (!paging.ok()) return ErrorResult(paging.status());

  Request request{upstream.http_method, upstream.path, upstream.query, "", ""};
  if (!upstream.files.empty()) {
    const std::string boundary = absl::StrCat("cmcp-", Hex(RandomBytes(12)));
    request.body = MultipartBody(upstream.files, boundary);
    request.content_type = absl::StrCat("multipart/form-data; boundary=", boundary);
  } else if (upstream.json_body.has_value()) {
    request.body = upstream.json_body->dump(-1, ' ', false, json::error_handler_t::replace);
    request.content_type = "application/json";
  }

  ToolResult meta;
  auto response = Send(call, request, meta);
  if (!response.ok()) {
    if (absl::IsUnavailable(response.status()) || absl::IsFailedPrecondition(response.status()) ||
        absl::IsResourceExhausted(response.status())) {
      ToolResult r = ErrorResult(response.status());
      r.attempts = meta.attempts;
      r.upstream_time = meta.upstream_time;
      return r;
    }
    return response.status();
  }

  const auto& ok_statuses = tool.binding().success_statuses();
  const bool success = std::find(ok_statuses.begin(), ok_statuses.end(), response->status) != ok_statuses.end() ||
                       (ok_statuses.empty() && response->status / 100 == 2);
  const bool download = success && tool.binding().response_kind() == pb::RESPONSE_KIND_BINARY;
  ToolResult result;
  if (std::optional<ToolResult> deep = download ? std::nullopt : RefuseTooDeep(*response, meta)) {
    result = *std::move(deep);
  } else if (!success) {
    result = UpstreamError(*response, meta);
  } else if (download) {
    result = Download(call, request, *response);
  } else {
    result = Success(call, *response, paging->has_value() ? &**paging : nullptr);
  }
  result.http_status = meta.http_status;
  result.rate_limit = meta.rate_limit;
  result.upstream_request_id = meta.upstream_request_id;
  result.upstream_time = meta.upstream_time;
  result.attempts = meta.attempts;
  return result;
}

ToolResult ToolExecutor::UpstreamError(const HttpClientResponse& response, ToolResult result) {
  result.is_error = true;
  result.content.clear();
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
  const std::string code = body.is_object() && body.contains("Code") && body["Code"].is_string() ? body["Code"].get<std::string>() : "";
  std::string message =
      body.is_object() && body.contains("Message") && body["Message"].is_string() ? body["Message"].get<std::string>() : "";
  if (message.empty()) message = response.status >= 500 ? "Caspio had an internal error" : "Caspio refused the request";
  const std::string hint = HintFor(response.status, code, message);
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

ToolResult ToolExecutor::Download(const ToolCall& call, const Request& request, const HttpClientResponse& response) {
  ToolResult r;
  std::string mime(response.headers.Get("Content-Type").value_or("application/octet-stream"));
  mime = mime.substr(0, mime.find(';'));
  const std::string file_name = FileNameOf(response.headers);
  absl::string_view path = request.path;
  absl::ConsumePrefix(&path, "/integrations/rest");
  const std::string uri = absl::StrCat("caspio://", call.account_id, path);
  json info = {{"uri", uri}, {"mime_type", mime}, {"size", response.body.size()}};
  if (!file_name.empty()) info["file_name"] = file_name;
  if (response.body.size() > settings_.max_download_bytes) {
    r.is_error = true;
    r.error.set_reason(caspio_mcp::common::v1::ERROR_REASON_PAYLOAD_TOO_LARGE);
    r.structured = {{"status", response.status}, {"code", "FileTooLarge"},
                    {"message", absl::StrCat("the file is ", response.body.size(), " bytes; at most ",
                                             settings_.max_download_bytes, " bytes are returned")}};
    r.content.push_back(Text(absl::StrCat("The file is ", response.body.size(), " bytes, larger than the ",
                                          settings_.max_download_bytes,
                                          " bytes caspio-mcp returns to a model. Use its metadata tool instead.")));
    return r;
  }
  ContentBlock block;
  block.mime_type = mime;
  if (absl::StartsWith(mime, "image/")) {
    block.type = ContentBlock::Type::kImage;
    block.data = response.body;
  } else {
    block.type = ContentBlock::Type::kResource;
    block.uri = uri;
    if (IsTextual(mime) && ValidUtf8(response.body)) block.text = response.body;
    else block.data = response.body;
  }
  r.content.push_back(Text(absl::StrCat("Downloaded ", file_name.empty() ? "the file" : file_name, " (", mime, ", ",
                                        response.body.size(), " bytes).")));
  r.content.push_back(std::move(block));
  r.structured = {{"result", info}};
  return r;
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
    // Not JSON after all (e.g. an embed code as text): still a structured
    // result, since tools with an outputSchema must carry one.
    r.structured = {{"result", response.body}};
    r.content.push_back(Text(response.body));
    return r;
  }
  json result = body.is_object() && body.contains("Result") ? body["Result"] : body;
  if (paging != nullptr && result.is_array()) {
    const bool client_slice = paging->style == pb::PAGINATION_STYLE_CLIENT_SLICE;
    const int64_t size = static_cast<int64_t>(result.size());
    const int64_t skip = client_slice ? paging->offset : paging->offset % paging->page_size;
    const int64_t take = std::max<int64_t>(std::min<int64_t>(paging->limit, size - skip), 0);
    json rows = json::array();
    for (int64_t i = skip; i < skip + take; ++i) rows.push_back(std::move(result[i]));
    const int64_t next_offset = paging->offset + take;
    int64_t total = client_slice ? size : -1;
    if (!client_slice && body.contains("Pagination") && body["Pagination"].is_object()) {
      total = body["Pagination"].value("TotalCount", int64_t{-1});
    }
    r.structured = {{"result", std::move(rows)}};
    // More rows exist exactly when Caspio's TotalCount (or the whole list we
    // slice) says so; without a count, a full upstream page is the only sign
    // and may cost one empty page.
    const bool more = total >= 0 ? next_offset < total : size == paging->page_size && take > 0;
    if (more && take > 0) {
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

absl::StatusOr<ToolResult> ToolExecutor::DryRun(const ToolCall& call, const UpstreamCall& upstream) {
  const pb::Tool& tool = *call.tool;
  auto plan = PlanDryRun(tool.binding(), upstream);
  if (!plan.ok()) return ErrorResult(plan.status());
  Request request{"GET", plan->path, plan->query, "", ""};
  ToolResult meta;
  auto response = Send(call, request, meta);
  if (!response.ok()) {
    if (absl::IsInvalidArgument(response.status())) return response.status();
    ToolResult r = ErrorResult(response.status());
    r.attempts = meta.attempts;
    return r;
  }
  ToolResult result;
  if (std::optional<ToolResult> deep = RefuseTooDeep(*response, meta)) {
    result = *std::move(deep);
  } else if (response->status != 200) {
    result = UpstreamError(*response, meta);
  } else {
    json body = json::parse(response->body, nullptr, false);
    json rows = AffectedRows(*plan, body.is_object() && body.contains("Result") ? body["Result"] : json());
    int64_t matched = static_cast<int64_t>(rows.size());
    if (plan->paged && body.is_object() && body.contains("Pagination") && body["Pagination"].is_object()) {
      matched = body["Pagination"].value("TotalCount", matched);
    }
    json first = json::array();
    for (size_t i = 0; i < rows.size() && i < kDryRunSample; ++i) first.push_back(rows[i]);
    result.structured = {{"dry_run", true}, {"matched", matched}, {"first", first}};
    result.content.push_back(Text(absl::StrCat(
        "Dry run: nothing was changed. ", matched, matched == 1 ? " row matches" : " rows match",
        " the condition, so the call would affect ", matched, matched == 1 ? " row" : " rows", ". ",
        first.empty() ? "" : absl::StrCat("The first ", first.size(), " are in structuredContent.first. "),
        "Call again without dry_run to make the change.\n", result.structured.dump(-1, ' ', false, json::error_handler_t::replace))));
  }
  result.http_status = meta.http_status;
  result.rate_limit = meta.rate_limit;
  result.upstream_request_id = meta.upstream_request_id;
  result.upstream_time = meta.upstream_time;
  result.attempts = meta.attempts;
  return result;
}

}  // namespace cmcp::proxy
