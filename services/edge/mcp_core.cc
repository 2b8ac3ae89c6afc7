#include "services/edge/mcp_core.h"

#include <atomic>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/logging/logger.h"
#include "common/metrics/metrics.h"
#include "services/edge/http_errors.h"

namespace cmcp::edge {
namespace {

using json = nlohmann::json;
namespace tokenpb = ::caspio_mcp::token::v1;
namespace proxypb = ::caspio_mcp::proxy::v1;

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

}  // namespace

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
                 StreamRegistry* streams)
    : settings_(std::move(settings)), backend_(backend), coordination_(coordination), streams_(streams) {}

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
                        std::function<void(McpReply)> done) {
  if (!params.contains("name") || !params["name"].is_string()) {
    return done(Reply(Error(id, kInvalidParams, "Invalid params: tools/call needs params.name (a string)")));
  }
  json arguments = params.value("arguments", json::object());
  if (arguments.is_null()) arguments = json::object();
  if (!arguments.is_object()) {
    return done(Reply(Error(id, kInvalidParams, "Invalid params: params.arguments must be an object")));
  }
  const std::string name = params["name"].get<std::string>();
  json progress_token = nullptr;
  if (params.contains("_meta") && params["_meta"].is_object() && params["_meta"].contains("progressToken")) {
    progress_token = params["_meta"]["progressToken"];
  }
  std::string args = Dump(arguments);

  const QuotaRule& per_server = settings_.server_quota;
  const QuotaRule& per_account = settings_.account_quota;
  if (per_server.limit <= 0 && per_account.limit <= 0) {
    return RunTool(context, id, name, std::move(args), std::move(progress_token), std::move(done));
  }
  tokenpb::ConsumeQuotaRequest quota;
  auto add = [&](const std::string& key, const QuotaRule& rule) {
    if (rule.limit <= 0) return;
    tokenpb::QuotaBucket* b = quota.add_buckets();
    b->set_key(key);
    b->set_limit(rule.limit);
    b->set_window_ms(absl::ToInt64Milliseconds(rule.window));
  };
  add(absl::StrCat("server:", context.server.id), per_server);
  add(absl::StrCat("account:", context.server.account_id), per_account);
  coordination_->ConsumeQuota(
      std::move(quota), [this, context, id, name, args = std::move(args), progress_token,
                         done = std::move(done)](absl::StatusOr<tokenpb::ConsumeQuotaResponse> decision) mutable {
        // Quota storage trouble must not take tools down: fail open, loudly.
        if (!decision.ok()) {
          LogWarning("quota check failed; allowing the call").With("status", decision.status());
        } else if (!decision->allowed()) {
          const tokenpb::QuotaState* worst = nullptr;
          for (const auto& s : decision->states()) {
            if (s.remaining() == 0 && (worst == nullptr || s.reset_ms() > worst->reset_ms())) worst = &s;
          }
          const int64_t reset_s = worst == nullptr ? 1 : (worst->reset_ms() + 999) / 1000;
          json ratelimit = {{"limit", worst == nullptr ? 0 : worst->limit()}, {"remaining", 0}, {"reset", reset_s}};
          McpReply r = Reply(Error(id, -32000,
                                   absl::StrCat("Too Many Requests: this MCP server's request limit (",
                                                worst == nullptr ? "" : worst->key().substr(0, worst->key().find(':')),
                                                ") is used up; retry in ", reset_s, " seconds"),
                                   json{{"ratelimit", ratelimit}, {"retry_after", reset_s}}),
                             429);
          r.headers.Add("ratelimit-limit", absl::StrCat(ratelimit["limit"].get<int64_t>()));
          r.headers.Add("ratelimit-remaining", "0");
          r.headers.Add("ratelimit-reset", absl::StrCat(reset_s));
          r.headers.Add("Retry-After", absl::StrCat(reset_s));
          r.outcome = "rate_limited";
          r.tool = name;
          MetricsRegistry::Default()
              .GetCounter("cmcp_edge_rate_limited_total", "tools/call refused by the edge's own quotas")
              .Increment();
          return done(std::move(r));
        }
        RunTool(context, id, name, std::move(args), std::move(progress_token), std::move(done));
      });
}

void McpCore::RunTool(const McpContext& context, const json& id, const std::string& name, std::string arguments,
                      json progress_token, std::function<void(McpReply)> done) {
  backend_->ListTools(context.server.filter, [this, context, id, name, arguments = std::move(arguments),
                                              progress_token, done = std::move(done)](
                                                 absl::StatusOr<std::shared_ptr<const ToolList>> tools) mutable {
    if (!tools.ok()) {
      McpReply r = Reply(Error(id, kInternalError, absl::StrCat("Internal error: ", PublicMessage(tools.status()))),
                         context.modern ? HttpStatusFor(tools.status()) : 200);
      r.outcome = "backend_error";
      return done(std::move(r));
    }
    const caspio_mcp::toolgen::v1::Tool* tool = (*tools)->Find(name);
    if (tool == nullptr) {
      McpReply r = Reply(Error(id, kInvalidParams, absl::StrCat("Unknown tool: ", name)));
      r.outcome = "unknown_tool";
      r.tool = name;
      return done(std::move(r));
    }
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
        context.server, *tool, std::move(arguments), context.request_id,
        [this, context, id, name, call_key, report_progress, progress_token, finished, keep = *tools,
         done = std::move(done)](absl::StatusOr<proxypb::CallToolResponse> r) {
          finished->store(true);
          if (!call_key.empty()) streams_->RemoveCall(call_key);
          McpReply reply;
          reply.tool = name;
          if (!r.ok()) {
            if (absl::IsCancelled(r.status())) {
              reply = Reply(Error(id, -32800, "Request cancelled"));
              reply.outcome = "cancelled";
            } else {
              LogWarning("tool call failed").With("request_id", context.request_id).With("status", r.status());
              reply = Reply(Error(id, kInternalError, absl::StrCat("Internal error: ", PublicMessage(r.status())),
                                  json{{"request_id", context.request_id}}),
                            context.modern ? HttpStatusFor(r.status()) : 200);
              reply.outcome = "backend_error";
            }
            reply.tool = name;
            return done(std::move(reply));
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

}  // namespace cmcp::edge
