#include "services/edge/mcp_core.h"

#include <atomic>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/crypto/crypto.h"
#include "common/logging/logger.h"
#include "common/metrics/metrics.h"
#include "services/edge/audit_redaction.h"
#include "services/edge/http_errors.h"

namespace cmcp::edge {
namespace {

using json = nlohmann::json;
namespace tokenpb = ::caspio_mcp::token::v1;
namespace proxypb = ::caspio_mcp::proxy::v1;
using google::protobuf::Timestamp;

constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

constexpr char kInstructions[] =
    "Tools for one Caspio account. Read each tool's description before calling it: q.where is a SQL Server "
    "(T-SQL) condition without the WHERE keyword, with text in single quotes; update and delete tools change every "
    "row their condition matches, so try them with dry_run first; list tools page with next_cursor, which must be "
    "sent back unchanged.";

std::string RenderToolResult(const proxypb::CallToolResponse& r, bool modern) {
  json content = json::array();
  for (const proxypb::Content& c : r.content()) {
    if (c.has_text()) {
      content.push_back({{"type", "text"}, {"text", c.text().text()}});
    } else if (c.has_image()) {
      content.push_back({{"type", "image"}, {"data", Base64Encode(c.image().data())}, {"mimeType", c.image().mime_type()}});
    } else if (c.has_resource()) {
      json resource = {{"uri", c.resource().uri()}, {"mimeType", c.resource().mime_type()}};
      if (c.resource().has_blob()) resource["blob"] = Base64Encode(c.resource().blob());
      else resource["text"] = c.resource().text();
      content.push_back({{"type", "resource"}, {"resource", resource}});
    }
  }
  std::string out = absl::StrCat("{\"content\":", Dump(content));
  if (!r.structured_content_json().empty()) absl::StrAppend(&out, ",\"structuredContent\":", r.structured_content_json());
  absl::StrAppend(&out, ",\"isError\":", r.is_error() ? "true" : "false");
  if (modern) absl::StrAppend(&out, ",\"resultType\":\"complete\"");
  out.append("}");
  return out;
}

McpReply Reply(std::string json_text, int status = 200) {
  McpReply r;
  r.json = std::move(json_text);
  r.http_status = status;
  return r;
}

// A JSON-RPC error reply with its outcome label and code (metrics, audit).
McpReply ErrorReply(const json& id, int code, absl::string_view message, absl::string_view outcome,
                    const json& data = nullptr, int http_status = 200) {
  McpReply r = Reply(McpCore::Error(id, code, message, data), http_status);
  r.outcome = std::string(outcome);
  r.rpc_error_code = code;
  return r;
}

Timestamp ToTimestamp(absl::Time t) {
  Timestamp ts;
  const int64_t micros = absl::ToUnixMicros(t);
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return ts;
}

constexpr size_t kMaxAuditedName = 200;

Counter& RateLimitedCalls() {
  return MetricsRegistry::Default().GetCounter("cmcp_edge_rate_limited_total",
                                               "tools/call refused by the edge's own quotas");
}

}  // namespace

// One tools/call on its way through McpCore: what the audit entry and the
// per-tool metrics need, filled in as the call learns it.
struct ToolCallDraft {
  absl::Time started;
  tokenpb::ToolCallEntry entry;
  // The client's arguments until the tool is known and they are redacted.
  std::shared_ptr<const json> arguments;
  bool tool_known = false;
};

const std::vector<std::string>& LegacyProtocolVersions() {
  static const auto* kVersions = new std::vector<std::string>{"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
  return *kVersions;
}

bool IsLegacyVersion(absl::string_view version) {
  for (const std::string& v : LegacyProtocolVersions()) {
    if (v == version) return true;
  }
  return false;
}

std::string McpCore::Result(const json& id, absl::string_view result_json) {
  return absl::StrCat("{\"jsonrpc\":\"2.0\",\"id\":", Dump(id), ",\"result\":", result_json, "}");
}

std::string McpCore::Error(const json& id, int code, absl::string_view message, const json& data) {
  json error = {{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = data;
  return Dump(json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error}});
}

std::string McpCore::CallKey(absl::string_view session_digest, const json& id) {
  return absl::StrCat(session_digest, "|", Dump(id));
}

McpCore::McpCore(McpCoreSettings settings, McpBackend* backend, EdgeCoordination* coordination,
                 StreamRegistry* streams, AuditSink* audit)
    : settings_(std::move(settings)), backend_(backend), coordination_(coordination), streams_(streams), audit_(audit) {
  RateLimitedCalls();  // the series exists (at 0) from the start
}

std::string McpCore::Initialize(const McpContext& context, const json& params) {
  json result = {
      {"protocolVersion", context.protocol_version},
      {"capabilities",
       {{"tools", {{"listChanged", true}}}, {"logging", json::object()}, {"completions", json::object()}}},
      {"serverInfo", {{"name", "caspio-mcp"}, {"title", context.server.name}, {"version", settings_.server_version}}},
      {"instructions", kInstructions}};
  return Dump(result);
}

std::string McpCore::Discover() const {
  json versions = json::array({kModernVersion});
  for (const std::string& v : LegacyProtocolVersions()) versions.push_back(v);
  // No listChanged here: modern change notifications need subscriptions/listen.
  json result = {{"resultType", "complete"},
                 {"supportedVersions", versions},
                 {"capabilities", {{"tools", json::object()}, {"completions", json::object()}}},
                 {"instructions", kInstructions},
                 {"ttlMs", 0},
                 {"cacheScope", "private"},
                 {"_meta", {{"io.modelcontextprotocol/serverInfo", {{"name", "caspio-mcp"}, {"version", settings_.server_version}}}}}};
  return Dump(result);
}

void McpCore::HandleRequest(const McpContext& context, const json& message, std::function<void(McpReply)> done) {
  const std::string method = message["method"].get<std::string>();
  const json id = message["id"];
  const json params = message.contains("params") && message["params"].is_object() ? message["params"] : json::object();

  if (context.modern) {
    if (method == "server/discover") return done(Reply(Result(id, Discover())));
    if (method == "tools/list") {
      backend_->ListTools(context.server.filter, [id, done](absl::StatusOr<std::shared_ptr<const ToolList>> tools) {
        if (!tools.ok()) {
          McpReply r = Reply(Error(id, kInternalError, absl::StrCat("Internal error: ", PublicMessage(tools.status()))),
                             HttpStatusFor(tools.status()));
          r.outcome = "backend_error";
          return done(std::move(r));
        }
        done(Reply(Result(id, absl::StrCat("{\"tools\":", (*tools)->tools_json,
                                           ",\"resultType\":\"complete\",\"ttlMs\":0,\"cacheScope\":\"private\"}"))));
      });
      return;
    }
    if (method == "tools/call") return ToolsCall(context, id, params, std::move(done));
    // No prompts or resources here, so nothing to complete; answered so
    // clients that probe completions get an empty list, not an error.
    if (method == "completion/complete") {
      return done(Reply(Result(id, "{\"completion\":{\"values\":[],\"total\":0,\"hasMore\":false},"
                                   "\"resultType\":\"complete\"}")));
    }
    McpReply r = Reply(Error(id, kMethodNotFound, absl::StrCat("Method not found: ", method)), 404);
    r.outcome = "method_not_found";
    return done(std::move(r));
  }

  if (method == "initialize") {
    const std::string requested = params.value("protocolVersion", "");
    McpContext negotiated = context;
    negotiated.protocol_version = IsLegacyVersion(requested) ? requested : LegacyProtocolVersions().front();
    McpReply r = Reply(Result(id, Initialize(negotiated, params)));
    r.negotiated_version = negotiated.protocol_version;
    return done(std::move(r));
  }
  if (method == "ping") return done(Reply(Result(id, "{}")));
  if (method == "tools/list") {
    backend_->ListTools(context.server.filter, [id, done](absl::StatusOr<std::shared_ptr<const ToolList>> tools) {
      if (!tools.ok()) {
        McpReply r = Reply(Error(id, kInternalError, absl::StrCat("Internal error: ", PublicMessage(tools.status()))));
        r.outcome = "backend_error";
        return done(std::move(r));
      }
      done(Reply(Result(id, absl::StrCat("{\"tools\":", (*tools)->tools_json, "}"))));
    });
    return;
  }
  if (method == "tools/call") return ToolsCall(context, id, params, std::move(done));
  if (method == "logging/setLevel") {
    static const std::set<std::string> kLevels = {"debug", "info", "notice", "warning",
                                                  "error", "critical", "alert", "emergency"};
    const bool ok = params.contains("level") && params["level"].is_string() &&
                    kLevels.contains(params["level"].get<std::string>());
    return done(Reply(ok ? Result(id, "{}")
                         : Error(id, kInvalidParams, "Invalid params: level must be one of debug, info, notice, "
                                                     "warning, error, critical, alert, emergency")));
  }
  if (method == "completion/complete") {
    return done(Reply(Result(id, "{\"completion\":{\"values\":[],\"total\":0,\"hasMore\":false}}")));
  }
  McpReply r = Reply(Error(id, kMethodNotFound, absl::StrCat("Method not found: ", method)));
  r.outcome = "method_not_found";
  done(std::move(r));
}

void McpCore::HandleNotification(const McpContext& context, const json& message) {
  if (message.value("method", "") != "notifications/cancelled" || context.session_digest.empty()) return;
  const json params = message.value("params", json::object());
  if (!params.is_object() || !params.contains("requestId")) return;
  const std::string key = CallKey(context.session_digest, params["requestId"]);
  if (streams_->CancelCall(key)) return;
  // The call may be running on another replica.
  coordination_->Publish(EdgeCoordination::kBroadcastChannel, json{{"type", "cancel"}, {"key", key}}, nullptr);
}

void McpCore::ToolsCall(const McpContext& context, const json& id, const json& params,
                        std::function<void(McpReply)> reply_to_client) {
  auto draft = std::make_shared<ToolCallDraft>();
  draft->started = absl::Now();
  tokenpb::ToolCallEntry& entry = draft->entry;
  *entry.mutable_created_at() = ToTimestamp(draft->started);
  entry.set_request_id(context.request_id);
  entry.set_trace_id(context.trace.trace_id());
  entry.set_integrated_account_id(context.server.account_id);
  entry.set_integration("caspio");
  entry.set_mcp_server_id(context.server.id);
  entry.set_mcp_server_name(context.server.name);
  entry.set_mcp_method("tools/call");
  entry.set_client_name(context.client_name);
  entry.set_client_version(context.client_version);
  entry.set_protocol_version(context.protocol_version);
  if (params.contains("name") && params["name"].is_string()) {
    entry.set_tool_name(params["name"].get<std::string>().substr(0, kMaxAuditedName));
  }
  // Every way out passes here: the client gets its answer first, then the
  // call is counted and audited.
  std::function<void(McpReply)> done = [this, draft, trace = context.trace,
                                        reply_to_client = std::move(reply_to_client)](McpReply reply) {
    const McpReply summary = [&reply] {
      McpReply s;
      s.outcome = reply.outcome;
      s.rpc_error_code = reply.rpc_error_code;
      return s;
    }();
    reply_to_client(std::move(reply));
    FinishToolCall(*draft, summary, trace);
  };

  if (!params.contains("name") || !params["name"].is_string()) {
    return done(ErrorReply(id, kInvalidParams, "Invalid params: tools/call needs params.name (a string)",
                           "invalid_params"));
  }
  json arguments = params.value("arguments", json::object());
  if (arguments.is_null()) arguments = json::object();
  if (!arguments.is_object()) {
    return done(ErrorReply(id, kInvalidParams, "Invalid params: params.arguments must be an object", "invalid_params"));
  }
  draft->arguments = std::make_shared<const json>(arguments);
  const std::string name = params["name"].get<std::string>();
  json progress_token = nullptr;
  if (params.contains("_meta") && params["_meta"].is_object() && params["_meta"].contains("progressToken")) {
    progress_token = params["_meta"]["progressToken"];
  }
  std::string args = Dump(arguments);

  const QuotaRule& per_server = settings_.server_quota;
  const QuotaRule& per_account = settings_.account_quota;
  if (per_server.limit <= 0 && per_account.limit <= 0) {
    return RunTool(context, id, name, std::move(args), std::move(progress_token), std::move(draft), std::move(done));
  }
  tokenpb::ConsumeQuotaRequest quota;
  auto add = [&](const std::string& key, const QuotaRule& rule) {
    if (rule.limit <= 0) return;
    tokenpb::QuotaBucket* b = quota.add_buckets();
    b->set_key(key);
    b->set_limit(rule.limit);
    b->set_window_ms(absl::ToInt64Milliseconds(rule.window));
    b->set_permits(leases_.LeaseSize(rule.limit));
  };
  add(absl::StrCat("server:", context.server.id), per_server);
  add(absl::StrCat("account:", context.server.account_id), per_account);
  if (leases_.TryTake(quota, absl::Now())) {
    return RunTool(context, id, name, std::move(args), std::move(progress_token), std::move(draft), std::move(done));
  }
  auto asked = std::make_shared<const tokenpb::ConsumeQuotaRequest>(quota);
  coordination_->ConsumeQuota(
      std::move(quota), [this, asked, context, id, name, args = std::move(args), progress_token, draft,
                         done = std::move(done)](absl::StatusOr<tokenpb::ConsumeQuotaResponse> decision) mutable {
        // Quota storage trouble must not take tools down: fail open, loudly.
        if (!decision.ok()) {
          LogWarning("quota check failed; allowing the call").With("status", decision.status());
        } else if (!leases_.Grant(*asked, *decision, absl::Now())) {
          const tokenpb::QuotaState* worst = nullptr;
          for (const auto& s : decision->states()) {
            if (s.remaining() == 0 && (worst == nullptr || s.reset_ms() > worst->reset_ms())) worst = &s;
          }
          const int64_t reset_s = worst == nullptr ? 1 : (worst->reset_ms() + 999) / 1000;
          json ratelimit = {{"limit", worst == nullptr ? 0 : worst->limit()}, {"remaining", 0}, {"reset", reset_s}};
          McpReply r = ErrorReply(id, -32000,
                                  absl::StrCat("Too Many Requests: this MCP server's request limit (",
                                               worst == nullptr ? "" : worst->key().substr(0, worst->key().find(':')),
                                               ") is used up; retry in ", reset_s, " seconds"),
                                  "rate_limited", json{{"ratelimit", ratelimit}, {"retry_after", reset_s}}, 429);
          r.headers.Add("ratelimit-limit", absl::StrCat(ratelimit["limit"].get<int64_t>()));
          r.headers.Add("ratelimit-remaining", "0");
          r.headers.Add("ratelimit-reset", absl::StrCat(reset_s));
          r.headers.Add("Retry-After", absl::StrCat(reset_s));
          r.outcome = "rate_limited";
          r.tool = name;
          RateLimitedCalls().Increment();
          return done(std::move(r));
        }
        RunTool(context, id, name, std::move(args), std::move(progress_token), std::move(draft), std::move(done));
      });
}

void McpCore::RunTool(const McpContext& context, const json& id, const std::string& name, std::string arguments,
                      json progress_token, std::shared_ptr<ToolCallDraft> draft, std::function<void(McpReply)> done) {
  backend_->ListTools(context.server.filter, [this, context, id, name, arguments = std::move(arguments),
                                              progress_token, draft, done = std::move(done)](
                                                 absl::StatusOr<std::shared_ptr<const ToolList>> tools) mutable {
    if (!tools.ok()) {
      return done(ErrorReply(id, kInternalError, absl::StrCat("Internal error: ", PublicMessage(tools.status())),
                             "backend_error", nullptr, context.modern ? HttpStatusFor(tools.status()) : 200));
    }
    const caspio_mcp::toolgen::v1::Tool* tool = (*tools)->Find(name);
    if (tool == nullptr) {
      McpReply r = ErrorReply(id, kInvalidParams, absl::StrCat("Unknown tool: ", name), "unknown_tool");
      r.tool = name;
      return done(std::move(r));
    }
    // The tool's binding decides what the audit log may keep of the arguments.
    draft->tool_known = true;
    draft->entry.set_resource(tool->binding().resource());
    draft->entry.set_method(tool->binding().method());
    if (draft->arguments != nullptr) draft->entry.set_arguments_json(RedactArguments(*draft->arguments, tool));
    draft->arguments.reset();
    const bool report_progress = !progress_token.is_null() && context.notify != nullptr;
    auto progress = [&context, progress_token](double value, absl::string_view text) {
      context.notify(Dump(json{{"jsonrpc", "2.0"},
                               {"method", "notifications/progress"},
                               {"params", {{"progressToken", progress_token}, {"progress", value}, {"total", 1},
                                           {"message", text}}}}));
    };
    if (report_progress) progress(0, "calling Caspio");
    const std::string call_key = context.session_digest.empty() ? "" : CallKey(context.session_digest, id);
    auto finished = std::make_shared<std::atomic<bool>>(false);
    auto cancel = backend_->CallTool(
        context.server, *tool, std::move(arguments), context.request_id, context.trace,
        [this, context, id, name, call_key, report_progress, progress_token, finished, draft, keep = *tools,
         done = std::move(done)](absl::StatusOr<proxypb::CallToolResponse> r) {
          finished->store(true);
          if (!call_key.empty()) streams_->RemoveCall(call_key);
          McpReply reply;
          reply.tool = name;
          if (!r.ok()) {
            if (absl::IsCancelled(r.status())) {
              reply = ErrorReply(id, -32800, "Request cancelled", "cancelled");
            } else {
              LogWarning("tool call failed")
                  .With("request_id", context.request_id)
                  .With("trace_id", context.trace.trace_id())
                  .With("status", r.status());
              reply = ErrorReply(id, kInternalError, absl::StrCat("Internal error: ", PublicMessage(r.status())),
                                 "backend_error", json{{"request_id", context.request_id}},
                                 context.modern ? HttpStatusFor(r.status()) : 200);
            }
            reply.tool = name;
            return done(std::move(reply));
          }
          draft->entry.set_http_status_code(r->upstream().http_status());
          draft->entry.set_fetch_duration_us(r->upstream().duration_us());
          if (r->is_error()) {
            draft->entry.set_error_code(!r->error().upstream().code().empty()
                                            ? r->error().upstream().code()
                                            : caspio_mcp::common::v1::ErrorReason_Name(r->error().reason()));
          }
          if (report_progress && context.notify) {
            context.notify(Dump(json{{"jsonrpc", "2.0"},
                                     {"method", "notifications/progress"},
                                     {"params", {{"progressToken", progress_token}, {"progress", 1}, {"total", 1},
                                                 {"message", "Caspio answered"}}}}));
          }
          reply.json = Result(id, RenderToolResult(*r, context.modern));
          if (r->is_error()) reply.outcome = "tool_error";
          done(std::move(reply));
        });
    if (!call_key.empty()) {
      streams_->AddCall(call_key, cancel);
      // The call may already have finished (and found nothing to remove).
      if (finished->load()) streams_->RemoveCall(call_key);
    }
    if (context.on_cancellable) context.on_cancellable(cancel);
  });
}

void McpCore::FinishToolCall(ToolCallDraft& draft, const McpReply& reply, const TraceContext& trace) {
  tokenpb::ToolCallEntry& entry = draft.entry;
  const absl::Duration elapsed = absl::Now() - draft.started;
  entry.set_duration_us(absl::ToInt64Microseconds(elapsed));
  if (reply.outcome == "ok") {
    entry.set_status(tokenpb::TOOL_CALL_STATUS_OK);
  } else if (reply.outcome == "tool_error") {
    entry.set_status(tokenpb::TOOL_CALL_STATUS_TOOL_ERROR);
  } else {
    entry.set_status(tokenpb::TOOL_CALL_STATUS_RPC_ERROR);
    entry.set_error_code(reply.outcome);
    entry.set_rpc_error_code(reply.rpc_error_code);
  }
  // Refused before the tool was known: nothing of the values is kept.
  if (!draft.tool_known) {
    entry.set_arguments_json(RedactArguments(draft.arguments != nullptr ? *draft.arguments : json::object(), nullptr));
    draft.arguments.reset();
  }
  // Only names of real tools become label values (clients choose the name).
  const std::string tool = draft.tool_known ? entry.tool_name() : "unknown";
  const char* status = entry.status() == tokenpb::TOOL_CALL_STATUS_OK           ? "ok"
                       : entry.status() == tokenpb::TOOL_CALL_STATUS_TOOL_ERROR ? "tool_error"
                                                                                : "rpc_error";
  MetricsRegistry& metrics = MetricsRegistry::Default();
  metrics.GetCounter("cmcp_tool_calls_total", "MCP tools/call at the edge, by tool and status (ok, tool_error, rpc_error)",
                     {{"tool", tool}, {"status", status}})
      .Increment();
  metrics.GetHistogram("cmcp_tool_call_seconds", "MCP tools/call latency at the edge, by tool", {{"tool", tool}})
      .Observe(absl::ToDoubleSeconds(elapsed));
  if (audit_ != nullptr) audit_->Record(std::move(entry), trace);
}

}  // namespace cmcp::edge
