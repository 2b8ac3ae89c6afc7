#include "services/edge/mcp_handler.h"

#include <atomic>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/crypto.h"
#include "common/logging/logger.h"
#include "common/metrics/metrics.h"
#include "common/status/error.h"
#include "nlohmann/json.hpp"
#include "services/edge/http_errors.h"

namespace cmcp::edge {

using json = nlohmann::json;
namespace proxypb = ::caspio_mcp::proxy::v1;

namespace {

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string ResultMessage(const json& id, absl::string_view result_json) {
  return absl::StrCat("{\"jsonrpc\":\"2.0\",\"id\":", Dump(id), ",\"result\":", result_json, "}");
}

std::string ErrorMessage(const json& id, int code, absl::string_view message, const json& data = nullptr) {
  json error = {{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = data;
  return Dump(json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error}});
}

HttpResponse JsonRpcHttpError(int http_status, int code, absl::string_view message) {
  return HttpResponse::Json(http_status, ErrorMessage(nullptr, code, message));
}

// "host:port", "[::1]:port" or "host" -> lower-case host ("[::1]" keeps brackets).
std::string HostName(absl::string_view host) {
  host = absl::StripAsciiWhitespace(host);
  if (absl::StartsWith(host, "[")) {
    const size_t close = host.find(']');
    return absl::AsciiStrToLower(host.substr(0, close == absl::string_view::npos ? host.size() : close + 1));
  }
  return absl::AsciiStrToLower(host.substr(0, host.find(':')));
}

bool HostInList(absl::string_view host, const std::vector<std::string>& allowed) {
  for (const std::string& a : allowed) {
    if (a == "*" || absl::EqualsIgnoreCase(a, host)) return true;
  }
  return false;
}

std::string RenderToolResult(const proxypb::CallToolResponse& r) {
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
  absl::StrAppend(&out, ",\"isError\":", r.is_error() ? "true" : "false", "}");
  return out;
}

}  // namespace

bool HostAllowed(absl::string_view host_header, const std::vector<std::string>& allowed_hosts) {
  if (allowed_hosts.empty()) return true;
  return HostInList(HostName(host_header), allowed_hosts);
}

bool OriginAllowed(absl::string_view origin, const std::vector<std::string>& allowed_hosts,
                   const std::vector<std::string>& allowed_origins) {
  for (const std::string& o : allowed_origins) {
    if (o == "*" || absl::EqualsIgnoreCase(o, origin)) return true;
  }
  absl::string_view rest = origin;
  const size_t sep = rest.find("://");
  if (sep == absl::string_view::npos) return false;
  rest.remove_prefix(sep + 3);
  return HostInList(HostName(rest.substr(0, rest.find('/'))), allowed_hosts);
}

// One HTTP exchange on /mcp/{token}; owns everything the async steps need.
class McpExchange : public std::enable_shared_from_this<McpExchange> {
 public:
  McpExchange(McpHandler* handler, HttpRequest request, std::string token, std::shared_ptr<HttpResponder> responder)
      : handler_(handler),
        request_(std::move(request)),
        token_(std::move(token)),
        responder_(std::move(responder)),
        request_id_(Hex(RandomBytes(8))),
        start_(absl::Now()) {}

  void Start() {
    const auto host = request_.headers.Get("Host");
    if (!HostAllowed(host.value_or(""), handler_->settings_.allowed_hosts)) {
      return Finish(JsonRpcHttpError(403, -32000, "Forbidden: Host header is not allowed"), "forbidden");
    }
    if (auto origin = request_.headers.Get("Origin");
        origin.has_value() &&
        !OriginAllowed(*origin, handler_->settings_.allowed_hosts, handler_->settings_.allowed_origins)) {
      return Finish(JsonRpcHttpError(403, -32000, "Forbidden: Origin is not allowed"), "forbidden");
    }
    if (request_.method != "POST") {
      HttpResponse r = JsonRpcHttpError(405, -32000, "Method Not Allowed: this server answers POST requests");
      r.headers.Add("Allow", "POST");
      return Finish(std::move(r), "method_not_allowed");
    }
    auto self = shared_from_this();
    handler_->backend_->ResolveServer(token_, [self](absl::StatusOr<ServerView> server) {
      self->OnResolved(std::move(server));
    });
  }

 private:
  void OnResolved(absl::StatusOr<ServerView> server) {
    if (!server.ok()) {
      if (absl::IsNotFound(server.status())) {
        // Never 401: clients would start an OAuth flow (mcp-protocol.md §5).
        return Finish(JsonRpcHttpError(404, -32001, "Not Found: unknown or expired MCP server URL"), "unknown_token");
      }
      return Finish(JsonRpcHttpError(HttpStatusFor(server.status()), kInternalError, PublicMessage(server.status())),
                    "backend_error");
    }
    server_ = *std::move(server);
    if (server_.require_api_token_auth) {
      absl::string_view auth = request_.headers.Get("Authorization").value_or("");
      if (!absl::ConsumePrefix(&auth, "Bearer ") && !absl::ConsumePrefix(&auth, "bearer ")) auth = "";
      if (auth.empty()) return Unauthorized();
      auto self = shared_from_this();
      handler_->backend_->VerifyApiToken(std::string(auth), server_.account_id, [self](absl::Status status) {
        if (status.ok()) {
          self->OnAuthenticated();
        } else if (absl::IsUnauthenticated(status) || absl::IsPermissionDenied(status) || absl::IsNotFound(status)) {
          self->Unauthorized();
        } else {
          self->Finish(JsonRpcHttpError(HttpStatusFor(status), kInternalError, PublicMessage(status)), "backend_error");
        }
      });
      return;
    }
    OnAuthenticated();
  }

  void Unauthorized() {
    HttpResponse r = JsonRpcHttpError(401, -32000, "Unauthorized: this MCP server also requires an API token "
                                                   "(Authorization: Bearer <token>)");
    r.headers.Add("WWW-Authenticate", "Bearer realm=\"mcp\", error=\"invalid_token\"");
    Finish(std::move(r), "unauthorized");
  }

  void OnAuthenticated() {
    absl::string_view content_type = request_.headers.Get("Content-Type").value_or("");
    if (!absl::StartsWithIgnoreCase(absl::StripLeadingAsciiWhitespace(content_type), "application/json")) {
      return Finish(JsonRpcHttpError(415, -32000, "Unsupported Media Type: Content-Type must be application/json"),
                    "bad_request");
    }
    if (auto version = request_.headers.Get("MCP-Protocol-Version"); version.has_value()) {
      const auto& supported = SupportedProtocolVersions();
      if (std::find(supported.begin(), supported.end(), *version) == supported.end()) {
        return Finish(JsonRpcHttpError(400, -32000, absl::StrCat("Bad Request: Unsupported protocol version: ", *version,
                                                                 " (supported versions: 2025-11-25, 2025-06-18, "
                                                                 "2025-03-26, 2024-11-05)")),
                      "bad_request");
      }
    }
    json body = json::parse(request_.body, nullptr, false);
    if (body.is_discarded()) return Finish(JsonRpcHttpError(400, kParseError, "Parse error: body is not valid JSON"), "parse_error");
    const bool batch = body.is_array();
    if (batch && body.empty()) return Finish(JsonRpcHttpError(400, kInvalidRequest, "Invalid Request: empty batch"), "bad_request");
    if (!batch) body = json::array({std::move(body)});

    bool has_initialize = false;
    for (const json& m : body) {
      if (m.is_object() && m.value("method", "") == "initialize") has_initialize = true;
    }
    if (has_initialize) {
      if (batch || body.size() != 1) {
        return Finish(JsonRpcHttpError(400, kInvalidRequest, "Invalid Request: initialize must not be part of a batch"),
                      "bad_request");
      }
    } else {
      const auto session_header = request_.headers.Get("Mcp-Session-Id");
      if (!session_header.has_value()) {
        return Finish(JsonRpcHttpError(400, -32000, "Bad Request: Mcp-Session-Id header is required"), "bad_request");
      }
      auto session = handler_->sessions_->Open(std::string(*session_header), server_.id);
      if (!session.ok()) return Finish(JsonRpcHttpError(404, -32001, "Session not found"), "unknown_session");
      protocol_version_ = session->protocol_version;
    }

    batch_ = batch;
    messages_ = std::move(body);
    pending_ = 1;  // released after dispatching all messages
    replies_.resize(messages_.size());
    for (size_t i = 0; i < messages_.size(); ++i) {
      std::string reply = Dispatch(i);
      if (!reply.empty()) {
        absl::MutexLock lock(&mu_);
        replies_[i] = std::move(reply);
      }
    }
    Complete();
  }

  // Sends the reply of message i (empty for notifications/responses).
  void Reply(size_t i, std::string reply) {
    {
      absl::MutexLock lock(&mu_);
      replies_[i] = std::move(reply);
    }
    Complete();
  }

  void Complete() {
    if (pending_.fetch_sub(1) != 1) return;
    std::vector<std::string> out;
    {
      absl::MutexLock lock(&mu_);
      for (std::string& r : replies_) {
        if (!r.empty()) out.push_back(std::move(r));
      }
    }
    if (out.empty()) return Finish(HttpResponse::Empty(202), "accepted");
    std::string payload;
    if (batch_) {
      payload = "[";
      for (size_t i = 0; i < out.size(); ++i) absl::StrAppend(&payload, i ? "," : "", out[i]);
      payload += "]";
    } else {
      payload = std::move(out.front());
    }
    absl::string_view accept = request_.headers.Get("Accept").value_or("");
    if (!absl::StrContains(accept, "application/json") && absl::StrContains(accept, "text/event-stream")) {
      Headers headers;
      headers.Add("Content-Type", "text/event-stream");
      headers.Add("Cache-Control", "no-cache, no-transform");
      AddCommonHeaders(headers);
      responder_->BeginStream(200, std::move(headers));
      responder_->Write(absl::StrCat("event: message\ndata: ", payload, "\n\n"));
      responder_->EndStream();
      Log(200, outcome_);
      return;
    }
    Finish(HttpResponse::Json(200, std::move(payload)), outcome_);
  }

  // Returns the immediate reply, or "" when there is none yet (async) or none at all.
  std::string Dispatch(size_t i) {
    const json& m = messages_[i];
    if (!m.is_object() || m.value("jsonrpc", "") != "2.0") {
      return ErrorMessage(m.is_object() && m.contains("id") ? m["id"] : json(nullptr), kInvalidRequest,
                          "Invalid Request: not a JSON-RPC 2.0 message");
    }
    if (!m.contains("method")) return "";  // a response to us; nothing to do
    if (!m["method"].is_string()) {
      return ErrorMessage(m.value("id", json(nullptr)), kInvalidRequest, "Invalid Request: method must be a string");
    }
    const std::string method = m["method"].get<std::string>();
    if (!m.contains("id")) return "";  // notification (notifications/initialized, cancelled, ...)
    const json id = m["id"];
    if (!id.is_string() && !id.is_number_integer()) {
      return ErrorMessage(nullptr, kInvalidRequest, "Invalid Request: id must be a string or an integer");
    }
    methods_.push_back(method);
    const json params = m.value("params", json::object());
    if (method == "initialize") {
      return ResultMessage(id, Initialize(params));
    } else if (method == "ping") {
      return ResultMessage(id, "{}");
    } else if (method == "tools/list") {
      ++pending_;
      auto self = shared_from_this();
      handler_->backend_->ListTools(server_.filter, [self, i, id](absl::StatusOr<std::shared_ptr<const ToolList>> tools) {
        self->Reply(i, tools.ok() ? ResultMessage(id, absl::StrCat("{\"tools\":", (*tools)->tools_json, "}"))
                                  : self->BackendError(id, tools.status()));
      });
      return "";
    } else if (method == "tools/call") {
      return ToolsCall(i, id, params);
    } else if (method == "logging/setLevel") {
      static const std::set<std::string> kLevels = {"debug",    "info",  "notice", "warning",
                                                    "error",    "critical", "alert", "emergency"};
      return params.is_object() && params.contains("level") && params["level"].is_string() &&
                            kLevels.contains(params["level"].get<std::string>())
                        ? ResultMessage(id, "{}")
                        : ErrorMessage(id, kInvalidParams, "Invalid params: level must be one of debug, info, notice, "
                                                           "warning, error, critical, alert, emergency");
    } else if (method == "completion/complete") {
      return ResultMessage(id, "{\"completion\":{\"values\":[],\"total\":0,\"hasMore\":false}}");
    }
    return ErrorMessage(id, kMethodNotFound, absl::StrCat("Method not found: ", method));
  }

  std::string Initialize(const json& params) {
    std::string requested = params.is_object() ? params.value("protocolVersion", "") : "";
    const auto& supported = SupportedProtocolVersions();
    protocol_version_ = std::find(supported.begin(), supported.end(), requested) != supported.end() ? requested
                                                                                                     : supported.front();
    session_id_ = handler_->sessions_->Seal({server_.id, protocol_version_, absl::Now()});
    json result = {
        {"protocolVersion", protocol_version_},
        {"capabilities", {{"tools", {{"listChanged", false}}}, {"logging", json::object()}, {"completions", json::object()}}},
        {"serverInfo", {{"name", "caspio-mcp"}, {"title", server_.name}, {"version", handler_->settings_.server_version}}},
        {"instructions",
         "Tools for one Caspio account. Read each tool's description before calling it: q.where is a SQL Server "
         "(T-SQL) condition without the WHERE keyword, with text in single quotes; update and delete tools change "
         "every row their condition matches, so try them with dry_run first; list tools page with next_cursor, "
         "which must be sent back unchanged."}};
    return Dump(result);
  }

  std::string ToolsCall(size_t i, const json& id, const json& params) {
    if (!params.is_object() || !params.contains("name") || !params["name"].is_string()) {
      return ErrorMessage(id, kInvalidParams, "Invalid params: tools/call needs params.name (a string)");
    }
    json arguments = params.value("arguments", json::object());
    if (arguments.is_null()) arguments = json::object();
    if (!arguments.is_object()) {
      return ErrorMessage(id, kInvalidParams, "Invalid params: params.arguments must be an object");
    }
    const std::string name = params["name"].get<std::string>();
    tool_ = name;
    ++pending_;
    auto self = shared_from_this();
    handler_->backend_->ListTools(
        server_.filter, [self, i, id, name, args = Dump(arguments)](absl::StatusOr<std::shared_ptr<const ToolList>> tools) {
          if (!tools.ok()) return self->Reply(i, self->BackendError(id, tools.status()));
          const caspio_mcp::toolgen::v1::Tool* tool = (*tools)->Find(name);
          if (tool == nullptr) {
            return self->Reply(i, ErrorMessage(id, kInvalidParams, absl::StrCat("Unknown tool: ", name)));
          }
          // Keep the list alive for the duration of the call (the tool points into it).
          self->handler_->backend_->CallTool(
              self->server_, *tool, args, self->request_id_,
              [self, i, id, keep = *tools](absl::StatusOr<proxypb::CallToolResponse> r) {
                if (!r.ok()) return self->Reply(i, self->BackendError(id, r.status()));
                if (r->is_error()) self->outcome_ = "tool_error";
                self->Reply(i, ResultMessage(id, RenderToolResult(*r)));
              });
        });
    return "";
  }

  std::string BackendError(const json& id, const absl::Status& status) {
    outcome_ = "backend_error";
    LogWarning("mcp backend call failed").With("request_id", request_id_).With("status", status);
    return ErrorMessage(id, kInternalError, absl::StrCat("Internal error: ", PublicMessage(status)),
                        json{{"request_id", request_id_}});
  }

  void AddCommonHeaders(Headers& headers) {
    if (!session_id_.empty()) headers.Add("Mcp-Session-Id", session_id_);
    headers.Add("X-Request-ID", request_id_);
  }

  void Finish(HttpResponse response, absl::string_view outcome) {
    AddCommonHeaders(response.headers);
    const int status = response.status;
    responder_->Respond(std::move(response));
    Log(status, outcome);
  }

  void Log(int status, absl::string_view outcome) {
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    const std::string method = methods_.size() == 1 ? methods_.front() : methods_.empty() ? "none" : "batch";
    MetricsRegistry& metrics = MetricsRegistry::Default();
    metrics.GetCounter("cmcp_mcp_requests_total", "MCP HTTP requests by JSON-RPC method and outcome",
                       {{"method", method}, {"outcome", std::string(outcome)}})
        .Increment();
    metrics.GetHistogram("cmcp_mcp_request_seconds", "MCP HTTP request latency by JSON-RPC method", {{"method", method}})
        .Observe(seconds);
    LogInfo("mcp request")
        .With("request_id", request_id_)
        .With("server_id", server_.id)
        .With("method", method)
        .With("tool", tool_)
        .With("status", status)
        .With("outcome", outcome)
        .With("duration_ms", seconds * 1000);
  }

  McpHandler* handler_;
  HttpRequest request_;
  std::string token_;
  std::shared_ptr<HttpResponder> responder_;
  std::string request_id_;
  absl::Time start_;
  ServerView server_;
  std::string session_id_;
  std::string protocol_version_;
  std::string tool_;
  std::string outcome_ = "ok";
  std::vector<std::string> methods_;
  bool batch_ = false;
  json messages_;
  std::atomic<int> pending_{0};
  absl::Mutex mu_;
  std::vector<std::string> replies_ ABSL_GUARDED_BY(mu_);
};

McpHandler::McpHandler(McpHandlerSettings settings, McpBackend* backend, const McpSessionCodec* sessions)
    : settings_(std::move(settings)), backend_(backend), sessions_(sessions) {}

void McpHandler::Handle(HttpRequest request, std::string token, std::shared_ptr<HttpResponder> responder) {
  std::make_shared<McpExchange>(this, std::move(request), std::move(token), std::move(responder))->Start();
}

}  // namespace cmcp::edge
