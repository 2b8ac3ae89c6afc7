#include "services/edge/mcp_handler.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/crypto/crypto.h"
#include "common/logging/logger.h"
#include "common/metrics/metrics.h"
#include "common/status/error.h"
#include "services/edge/http_errors.h"
#include "common/json/json_depth.h"
#include "services/edge/sse.h"

namespace cmcp::edge {

using json = nlohmann::json;
namespace tokenpb = ::caspio_mcp::token::v1;

namespace {

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kInvalidParams = -32602;
constexpr int kHeaderMismatch = -32020;
constexpr int kUnsupportedVersion = -32022;

HttpResponse RpcError(int http_status, int code, absl::string_view message, const json& id = nullptr,
                      const json& data = nullptr) {
  return HttpResponse::Json(http_status, McpCore::Error(id, code, message, data));
}

HttpResponse TooDeep() {
  return RpcError(400, kParseError,
                  absl::StrCat("Parse error: body is nested deeper than ", kMaxJsonDepth, " levels"));
}

// The host of a Host header or an Origin's authority, lower-cased; "" when
// what follows the host is not ":<port>" (found by fuzz_edge_headers:
// "[::1]6" or "localhost:x" must not pass as the host before them).
std::string HostName(absl::string_view host) {
  host = absl::StripAsciiWhitespace(host);
  size_t end = 0;
  if (absl::StartsWith(host, "[")) {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return "";
    end = close + 1;
  } else {
    end = std::min(host.find(':'), host.size());
  }
  absl::string_view port = host.substr(end);
  if (!port.empty()) {
    if (!absl::ConsumePrefix(&port, ":") || port.size() > 5) return "";
    for (char c : port) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return "";
    }
  }
  return absl::AsciiStrToLower(host.substr(0, end));
}

bool HostInList(absl::string_view host, const std::vector<std::string>& allowed) {
  for (const std::string& a : allowed) {
    if (a == "*" || absl::EqualsIgnoreCase(a, host)) return true;
  }
  return false;
}

bool IsRequest(const json& m) { return m.is_object() && m.contains("method") && m.contains("id"); }
bool IsNotification(const json& m) { return m.is_object() && m.contains("method") && !m.contains("id"); }

const json* MetaOf(const json& message) {
  if (!message.is_object() || !message.contains("params") || !message["params"].is_object()) return nullptr;
  const json& params = message["params"];
  if (!params.contains("_meta") || !params["_meta"].is_object()) return nullptr;
  return &params["_meta"];
}

bool HasProgressToken(const json& message) {
  const json* meta = MetaOf(message);
  return meta != nullptr && meta->contains("progressToken");
}

std::string Digest(absl::string_view session_id) { return Hex(Sha256(session_id)); }

// clientInfo {name, version} of an initialize request, or of a modern
// request's _meta, capped for the session id and the audit log.
std::pair<std::string, std::string> ClientInfoOf(const json& info) {
  auto field = [&info](const char* key) {
    if (!info.is_object() || !info.contains(key) || !info[key].is_string()) return std::string();
    return info[key].get<std::string>().substr(0, kMaxClientInfoBytes);
  };
  return {field("name"), field("version")};
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

std::optional<std::string> DecodeHeaderValue(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  absl::string_view inner = value;
  if (!absl::ConsumePrefix(&inner, "=?base64?") || !absl::ConsumeSuffix(&inner, "?=")) return std::string(value);
  // Strict: standard alphabet, padded to a multiple of four.
  if (inner.size() % 4 != 0) return std::nullopt;
  for (char c : inner) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') return std::nullopt;
  }
  auto decoded = Base64Decode(inner);
  if (!decoded.ok()) return std::nullopt;
  return *decoded;
}

// One HTTP exchange on an MCP route; owns what the async steps need.
class McpExchange : public std::enable_shared_from_this<McpExchange> {
 public:
  McpExchange(McpHandler* h, HttpRequest request, std::string token, McpRoute route,
              std::shared_ptr<HttpResponder> responder)
      : h_(h), request_(std::move(request)), token_(std::move(token)), route_(route),
        responder_(std::move(responder)), request_id_(Hex(RandomBytes(8))),
        // The client's trace continues here (or one starts): W3C traceparent.
        trace_(TraceContext::ContinueOrStart(request_.headers.Get(kTraceparentHeader))), start_(absl::Now()) {
    h_->live_exchanges_.fetch_add(1);
  }
  ~McpExchange() { h_->live_exchanges_.fetch_sub(1); }

  void Start() {
    if (!HostAllowed(request_.headers.Get("Host").value_or(""), h_->settings_.allowed_hosts)) {
      return Finish(RpcError(403, -32000, "Forbidden: Host header is not allowed"), "forbidden");
    }
    if (auto origin = request_.headers.Get("Origin");
        origin.has_value() && !OriginAllowed(*origin, h_->settings_.allowed_hosts, h_->settings_.allowed_origins)) {
      return Finish(RpcError(403, -32000, "Forbidden: Origin is not allowed"), "forbidden");
    }
    const std::string& m = request_.method;
    const bool allowed = route_ == McpRoute::kStreamable ? (m == "POST" || m == "GET" || m == "DELETE")
                         : route_ == McpRoute::kLegacySse ? m == "GET"
                                                          : m == "POST";
    if (!allowed) {
      HttpResponse r = RpcError(405, -32000, "Method Not Allowed");
      r.headers.Add("Allow", route_ == McpRoute::kStreamable ? "GET, POST, DELETE"
                             : route_ == McpRoute::kLegacySse ? "GET"
                                                              : "POST");
      return Finish(std::move(r), "method_not_allowed");
    }
    auto self = shared_from_this();
    h_->backend_->ResolveServer(token_, [self](absl::StatusOr<ServerView> server) { self->OnResolved(std::move(server)); });
  }

 private:
  // --- access --------------------------------------------------------------

  void OnResolved(absl::StatusOr<ServerView> server) {
    if (!server.ok()) {
      if (absl::IsNotFound(server.status())) {
        // Never 401: clients would start an OAuth flow (mcp-protocol.md §5).
        return Finish(RpcError(404, -32001, "Not Found: unknown or expired MCP server URL"), "unknown_token");
      }
      return Finish(RpcError(HttpStatusFor(server.status()), -32603, PublicMessage(server.status())), "backend_error");
    }
    server_ = *std::move(server);
    if (!server_.require_api_token_auth) return Dispatch();
    absl::string_view auth = request_.headers.Get("Authorization").value_or("");
    if (!absl::ConsumePrefix(&auth, "Bearer ") && !absl::ConsumePrefix(&auth, "bearer ")) auth = "";
    if (auth.empty()) return Unauthorized();
    auto self = shared_from_this();
    h_->backend_->VerifyApiToken(std::string(auth), server_.account_id, [self](absl::Status status) {
      if (status.ok()) return self->Dispatch();
      if (absl::IsUnauthenticated(status) || absl::IsPermissionDenied(status) || absl::IsNotFound(status)) {
        return self->Unauthorized();
      }
      self->Finish(RpcError(HttpStatusFor(status), -32603, PublicMessage(status)), "backend_error");
    });
  }

  void Unauthorized() {
    HttpResponse r = RpcError(401, -32000,
                              "Unauthorized: this MCP server also requires an API token (Authorization: Bearer <token>)");
    r.headers.Add("WWW-Authenticate", "Bearer realm=\"mcp\", error=\"invalid_token\"");
    Finish(std::move(r), "unauthorized");
  }

  void Dispatch() {
    switch (route_) {
      case McpRoute::kLegacySse:
        return OpenLegacyStream();
      case McpRoute::kLegacyMessages:
        return LegacyMessages();
      case McpRoute::kStreamable:
        if (request_.method == "GET") return GetStream();
        if (request_.method == "DELETE") return DeleteSession();
        return Post();
    }
  }

  // Opens and checks the session named by `id`: 404 when forged, for another
  // server, too old or ended.
  template <typename Next>
  void WithSession(const std::string& id, Next next) {
    auto session = h_->sessions_->Open(id, server_.id);
    if (!session.ok()) return Finish(RpcError(404, -32001, "Session not found"), "unknown_session");
    session_ = *session;
    session_id_ = id;
    session_digest_ = Digest(id);
    auto self = shared_from_this();
    h_->coordination_->IsSessionRevoked(session_digest_, [self, next](absl::StatusOr<bool> revoked) mutable {
      if (revoked.ok() && *revoked) {
        self->session_id_.clear();  // an ended session is not echoed back
        return self->Finish(RpcError(404, -32001, "Session not found"), "unknown_session");
      }
      // An unreachable revocation store must not take sessions down.
      if (!revoked.ok()) LogWarning("session revocation check failed").With("status", revoked.status());
      next();
    });
  }

  // --- Streamable HTTP POST ----------------------------------------------------

  void Post() {
    absl::string_view type = request_.headers.Get("Content-Type").value_or("");
    if (!absl::StartsWithIgnoreCase(absl::StripLeadingAsciiWhitespace(type), "application/json")) {
      return Finish(RpcError(415, -32000, "Unsupported Media Type: Content-Type must be application/json"), "bad_request");
    }
    if (JsonNestsDeeperThan(request_.body, kMaxJsonDepth)) return Finish(TooDeep(), "parse_error");
    body_ = json::parse(request_.body, nullptr, false);
    if (body_.is_discarded()) return Finish(RpcError(400, kParseError, "Parse error: body is not valid JSON"), "parse_error");
    const auto version_header = request_.headers.Get("MCP-Protocol-Version");
    const json* meta = body_.is_object() ? MetaOf(body_) : nullptr;
    const bool modern = (version_header.has_value() && !IsLegacyVersion(absl::StripAsciiWhitespace(*version_header))) ||
                        (meta != nullptr && (meta->contains("io.modelcontextprotocol/protocolVersion") ||
                                             meta->contains("io.modelcontextprotocol/clientCapabilities")));
    if (modern) return ModernPost();
    LegacyPost();
  }

  // 2026-07-28: one self-describing request per POST, no session.
  void ModernPost() {
    if (!body_.is_object()) {
      return Finish(RpcError(400, kInvalidRequest, "Invalid Request: send one JSON-RPC message per POST"), "bad_request");
    }
    const json id = body_.value("id", json(nullptr));
    if (body_.value("jsonrpc", "") != "2.0" || !body_.contains("method") || !body_["method"].is_string()) {
      return Finish(RpcError(400, kInvalidRequest, "Invalid Request: not a JSON-RPC 2.0 request", id), "bad_request");
    }
    if (IsNotification(body_)) return Finish(HttpResponse::Empty(202), "accepted");
    const std::string method = body_["method"].get<std::string>();
    methods_.push_back(method);
    const auto header_version = request_.headers.Get("MCP-Protocol-Version");
    if (!header_version.has_value()) {
      return Finish(RpcError(400, kHeaderMismatch, "Header mismatch: MCP-Protocol-Version header is required", id),
                    "bad_request");
    }
    const json* meta = MetaOf(body_);
    if (meta == nullptr || !meta->contains("io.modelcontextprotocol/protocolVersion") ||
        !(*meta)["io.modelcontextprotocol/protocolVersion"].is_string() ||
        !meta->contains("io.modelcontextprotocol/clientCapabilities") ||
        !(*meta)["io.modelcontextprotocol/clientCapabilities"].is_object()) {
      return Finish(RpcError(400, kInvalidParams,
                             "Invalid params: _meta needs io.modelcontextprotocol/protocolVersion and "
                             "io.modelcontextprotocol/clientCapabilities",
                             id),
                    "bad_request");
    }
    const std::string body_version = (*meta)["io.modelcontextprotocol/protocolVersion"].get<std::string>();
    if (absl::StripAsciiWhitespace(*header_version) != body_version) {
      return Finish(RpcError(400, kHeaderMismatch,
                             absl::StrCat("Header mismatch: MCP-Protocol-Version header value '", *header_version,
                                          "' does not match body value '", body_version, "'"),
                             id),
                    "bad_request");
    }
    if (body_version != kModernVersion) {
      json supported = json::array({kModernVersion});
      for (const std::string& v : LegacyProtocolVersions()) supported.push_back(v);
      return Finish(RpcError(400, kUnsupportedVersion, "Unsupported protocol version", id,
                             json{{"supported", supported}, {"requested", body_version}}),
                    "bad_request");
    }
    const auto method_header = request_.headers.Get("Mcp-Method");
    if (!method_header.has_value() || absl::StripAsciiWhitespace(*method_header) != method) {
      return Finish(RpcError(400, kHeaderMismatch,
                             method_header.has_value()
                                 ? absl::StrCat("Header mismatch: Mcp-Method header value '", *method_header,
                                                "' does not match body value '", method, "'")
                                 : "Header mismatch: Mcp-Method header is required",
                             id),
                    "bad_request");
    }
    if (method == "tools/call" || method == "resources/read" || method == "prompts/get") {
      const json& params = body_.value("params", json::object());
      const std::string body_name = params.contains("name") && params["name"].is_string() ? params["name"].get<std::string>()
                                    : params.contains("uri") && params["uri"].is_string() ? params["uri"].get<std::string>()
                                                                                          : "";
      const auto name_header = request_.headers.Get("Mcp-Name");
      const std::optional<std::string> decoded =
          name_header.has_value() ? DecodeHeaderValue(*name_header) : std::nullopt;
      if (!decoded.has_value() || *decoded != body_name) {
        return Finish(RpcError(400, kHeaderMismatch,
                               name_header.has_value()
                                   ? absl::StrCat("Header mismatch: Mcp-Name header does not match body value '",
                                                  body_name, "'")
                                   : "Header mismatch: Mcp-Name header is required for this method",
                               id),
                      "bad_request");
      }
    }
    McpContext context;
    context.server = server_;
    context.protocol_version = kModernVersion;
    context.modern = true;
    context.request_id = request_id_;
    context.trace = trace_;
    std::tie(context.client_name, context.client_version) =
        ClientInfoOf(meta->value("io.modelcontextprotocol/clientInfo", json(nullptr)));
    if (method == "tools/call" && HasProgressToken(body_)) {
      // Progress flows on an SSE response; closing it cancels the call.
      StartSse(/*resumable=*/false);
      auto self = shared_from_this();
      context.notify = [self](const std::string& message) { self->Emit(message); };
      context.on_cancellable = [self](std::function<void()> cancel) {
        self->responder_->SetOnClose([self, cancel] {
          if (!self->completed_.load()) cancel();
        });
      };
    }
    Run(context, {body_});
  }

  // 2024-11-05 … 2025-11-25 over Streamable HTTP: sessions.
  void LegacyPost() {
    const bool batch = body_.is_array();
    if (batch && body_.empty()) return Finish(RpcError(400, kInvalidRequest, "Invalid Request: empty batch"), "bad_request");
    std::vector<json> messages = batch ? std::vector<json>(body_.begin(), body_.end()) : std::vector<json>{body_};
    bool has_initialize = false;
    for (const json& m : messages) has_initialize = has_initialize || (m.is_object() && m.value("method", "") == "initialize");
    if (has_initialize) {
      if (batch) {
        return Finish(RpcError(400, kInvalidRequest, "Invalid Request: initialize must not be part of a batch"),
                      "bad_request");
      }
      McpContext context;
      context.server = server_;
      context.request_id = request_id_;
      context.trace = trace_;
      return Run(context, messages, /*initialize=*/true);
    }
    const auto session = request_.headers.Get("Mcp-Session-Id");
    if (!session.has_value()) {
      return Finish(RpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required"), "bad_request");
    }
    auto self = shared_from_this();
    WithSession(std::string(*session), [self, batch, messages = std::move(messages)]() mutable {
      // Batches are part of 2025-03-26 only.
      if (batch && self->session_.protocol_version != "2025-03-26") {
        return self->Finish(RpcError(400, kInvalidRequest,
                                     "Invalid Request: JSON-RPC batches are not supported in this protocol version"),
                            "bad_request");
      }
      McpContext context;
      context.server = self->server_;
      context.protocol_version = self->session_.protocol_version;
      context.session_digest = self->session_digest_;
      context.request_id = self->request_id_;
      context.trace = self->trace_;
      context.client_name = self->session_.client_name;
      context.client_version = self->session_.client_version;
      const bool single_request = messages.size() == 1 && IsRequest(messages[0]);
      absl::string_view accept = self->request_.headers.Get("Accept").value_or("");
      const bool sse_only = !absl::StrContains(accept, "application/json") && absl::StrContains(accept, "text/event-stream");
      if (single_request && (HasProgressToken(messages[0]) || sse_only)) {
        self->StartSse(/*resumable=*/self->session_.protocol_version >= "2025-11-25");
        context.notify = [self](const std::string& message) { self->Emit(message); };
      }
      self->Run(context, std::move(messages));
    });
  }

  // Runs every message; answers with one JSON value, an array, 202, or the SSE stream.
  void Run(const McpContext& context, std::vector<json> messages, bool initialize = false) {
    messages_ = std::move(messages);
    replies_.assign(messages_.size(), McpReply());
    pending_ = 1;
    for (size_t i = 0; i < messages_.size(); ++i) {
      const json& m = messages_[i];
      if (!m.is_object() || m.value("jsonrpc", "") != "2.0" || (m.contains("method") && !m["method"].is_string())) {
        replies_[i].json = McpCore::Error(m.is_object() ? m.value("id", json(nullptr)) : json(nullptr), kInvalidRequest,
                                          "Invalid Request: not a JSON-RPC 2.0 message");
        continue;
      }
      if (IsNotification(m)) {
        h_->core_->HandleNotification(context, m);
        continue;
      }
      if (!IsRequest(m)) continue;  // a response to us: nothing to do
      if (!m["id"].is_string() && !m["id"].is_number_integer()) {
        replies_[i].json = McpCore::Error(nullptr, kInvalidRequest, "Invalid Request: id must be a string or an integer");
        continue;
      }
      if (methods_.size() < 8) methods_.push_back(m["method"].get<std::string>());
      ++pending_;
      auto self = shared_from_this();
      const bool has_params = m.contains("params") && m["params"].is_object() && m["params"].contains("clientInfo");
      const auto client = initialize && has_params ? ClientInfoOf(m["params"]["clientInfo"])
                                                   : std::pair<std::string, std::string>();
      h_->core_->HandleRequest(context, m, [self, i, initialize, client](McpReply reply) {
        if (initialize && !reply.negotiated_version.empty()) {
          self->session_id_ = self->h_->sessions_->Seal(
              {self->server_.id, reply.negotiated_version, absl::Now(), "", client.first, client.second});
        }
        {
          absl::MutexLock lock(&self->mu_);
          self->replies_[i] = std::move(reply);
        }
        self->Complete();
      });
    }
    Complete();
  }

  void Complete() {
    if (pending_.fetch_sub(1) != 1) return;
    completed_.store(true);
    std::vector<McpReply> out;
    {
      absl::MutexLock lock(&mu_);
      for (McpReply& r : replies_) {
        if (!r.json.empty()) out.push_back(std::move(r));
      }
    }
    for (const McpReply& r : out) {
      if (!r.tool.empty()) tool_ = r.tool;
      if (r.outcome != "ok") outcome_ = r.outcome;
    }
    if (streaming_) {
      if (!out.empty()) Emit(out.front().json, /*last=*/true);
      responder_->EndStream();
      return Log(200);
    }
    if (out.empty()) return Finish(HttpResponse::Empty(202), "accepted");
    if (!body_.is_array()) {
      HttpResponse r = HttpResponse::Json(out.front().http_status, std::move(out.front().json));
      for (const auto& header : out.front().headers) r.headers.Add(header.name, header.value);
      return Finish(std::move(r), outcome_);
    }
    std::string payload = "[";
    for (size_t i = 0; i < out.size(); ++i) absl::StrAppend(&payload, i ? "," : "", out[i].json);
    payload += "]";
    Finish(HttpResponse::Json(200, std::move(payload)), outcome_);
  }

  // --- SSE responses -----------------------------------------------------------

  void StartSse(bool resumable) {
    streaming_ = true;
    resumable_ = resumable;
    Headers headers = SseHeaders();
    AddCommonHeaders(headers);
    responder_->BeginStream(200, std::move(headers));
    if (resumable_) {
      stream_id_ = Hex(RandomBytes(16));
      // Priming event (2025-11-25): an id to resume from, empty data.
      responder_->Write(SseEvent("", absl::StrCat(stream_id_, ".0"), "", 1000));
      tokenpb::AppendStreamEventsRequest log;
      log.set_stream_id(stream_id_);
      log.set_ttl_ms(absl::ToInt64Milliseconds(h_->settings_.stream_log_ttl));
      h_->coordination_->AppendStreamEvents(std::move(log));
    }
  }

  // Writes one JSON-RPC message on the SSE response (and to the log when resumable).
  void Emit(const std::string& message, bool last = false) {
    absl::MutexLock lock(&emit_mu_);
    const int64_t seq = ++event_seq_;
    const std::string id = resumable_ ? absl::StrCat(stream_id_, ".", seq) : "";
    if (!responder_->IsClosed()) responder_->Write(SseEvent(message, id));
    if (resumable_) {
      // Everything is logged at the end, so a client that lost the stream
      // can resume it on any replica and still get the result.
      tokenpb::StreamEvent* e = log_.add_events();
      e->set_id(seq);
      e->set_data(message);
      if (last) {
        log_.set_stream_id(stream_id_);
        log_.set_complete(true);
        log_.set_ttl_ms(absl::ToInt64Milliseconds(h_->settings_.stream_log_ttl));
        h_->coordination_->AppendStreamEvents(std::move(log_));
      }
    }
  }

  // --- GET stream, resume, DELETE ------------------------------------------------

  void GetStream() {
    const auto session = request_.headers.Get("Mcp-Session-Id");
    if (!session.has_value()) {
      return Finish(RpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required"), "bad_request");
    }
    auto self = shared_from_this();
    WithSession(std::string(*session), [self] {
      const auto last_event = self->request_.headers.Get("Last-Event-ID");
      std::string stream;
      int64_t after = 0;
      if (last_event.has_value()) {
        const std::string value(absl::StripAsciiWhitespace(*last_event));
        const size_t dot = value.rfind('.');
        if (dot != std::string::npos && absl::SimpleAtoi(value.substr(dot + 1), &after)) stream = value.substr(0, dot);
      }
      if (!stream.empty()) return self->Resume(stream, after);
      self->OpenStandaloneStream();
    });
  }

  void OpenStandaloneStream() {
    if (h_->streams_->CountForServer(server_.id) >= h_->settings_.max_streams_per_server) {
      return Finish(RpcError(429, -32000, "Too Many Requests: this MCP server has too many open streams"), "rate_limited");
    }
    StreamRegistry::Stream stream{responder_, token_, server_.id, FilterKey(server_.filter), false};
    if (!h_->streams_->Add(session_digest_, std::move(stream))) {
      return Finish(RpcError(409, -32000, "Conflict: this session already has a stream open"), "conflict");
    }
    Headers headers = SseHeaders();
    AddCommonHeaders(headers);
    responder_->BeginStream(200, std::move(headers));
    responder_->Write(SseComment("stream open"));
    StreamRegistry* streams = h_->streams_;
    const std::string digest = session_digest_;
    HttpResponder* raw = responder_.get();
    responder_->SetOnClose([streams, digest, raw] { streams->Remove(digest, raw); });
    Log(200);
  }

  // Replays a resumable response's events after `after`, waiting (bounded)
  // for the rest if the call is still running somewhere.
  void Resume(const std::string& stream, int64_t after) {
    if (stream.size() != 32 ||
        !std::all_of(stream.begin(), stream.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
      return Finish(RpcError(400, -32000, "Bad Request: Last-Event-ID is not one this server issued"), "bad_request");
    }
    Headers headers = SseHeaders();
    AddCommonHeaders(headers);
    responder_->BeginStream(200, std::move(headers));
    Log(200);
    auto self = shared_from_this();
    std::thread([self, stream, after] {
      int64_t last = after;
      const absl::Time started = absl::Now();
      const absl::Time deadline = started + self->h_->settings_.resume_wait;
      while (absl::Now() < deadline && !self->responder_->IsClosed()) {
        absl::Notification done;
        bool complete = false, found = false;
        self->h_->coordination_->ReadStreamEvents(
            stream, last, [&](absl::StatusOr<tokenpb::ReadStreamEventsResponse> r) {
              if (r.ok()) {
                found = r->found();
                complete = r->complete();
                for (const auto& e : r->events()) {
                  self->responder_->Write(SseEvent(e.data(), absl::StrCat(stream, ".", e.id())));
                  last = std::max(last, e.id());
                }
              }
              done.Notify();
            });
        done.WaitForNotification();
        if (complete) break;
        // A stream that never existed (or expired) is not waited for long.
        if (!found && absl::Now() - started > absl::Seconds(5)) break;
        absl::SleepFor(absl::Milliseconds(100));
      }
      self->responder_->EndStream();
    }).detach();
  }

  void DeleteSession() {
    const auto session = request_.headers.Get("Mcp-Session-Id");
    if (!session.has_value()) {
      return Finish(RpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required"), "bad_request");
    }
    auto self = shared_from_this();
    WithSession(std::string(*session), [self] {
      // Answered once every replica will refuse the session: the revocation
      // is stored, and the others have been told to drop their cached "not
      // revoked" for it.
      const absl::Time until = self->session_.created_at + self->h_->sessions_->max_age();
      self->h_->coordination_->RevokeSession(self->session_digest_, until, [self, until](absl::Status stored) {
        self->session_id_.clear();  // do not echo an ended session
        if (!stored.ok()) {
          return self->Finish(RpcError(503, -32000, "Service Unavailable: the session could not be ended on every "
                                                    "replica; retry the DELETE"),
                              "backend_error");
        }
        json note = {{"type", "revoke"}, {"session", self->session_digest_}, {"until", absl::ToUnixSeconds(until)}};
        self->h_->coordination_->Publish(EdgeCoordination::kBroadcastChannel, note, [self](absl::StatusOr<int> sent) {
          if (!sent.ok()) LogWarning("session revocation not announced").With("status", sent.status());
          self->Finish(HttpResponse::Empty(200), "session_deleted");
        });
      });
    });
  }

  // --- HTTP+SSE (2024-11-05) -------------------------------------------------------

  void OpenLegacyStream() {
    if (h_->streams_->CountForServer(server_.id) >= h_->settings_.max_streams_per_server) {
      return Finish(RpcError(429, -32000, "Too Many Requests: this MCP server has too many open streams"), "rate_limited");
    }
    const std::string id =
        h_->sessions_->Seal({server_.id, "2024-11-05", absl::Now(), h_->coordination_->replica_id()});
    const std::string digest = Digest(id);
    StreamRegistry::Stream stream{responder_, token_, server_.id, FilterKey(server_.filter), true};
    h_->streams_->Add(digest, std::move(stream));
    Headers headers = SseHeaders();
    AddCommonHeaders(headers);  // X-Request-ID, as on every other response
    responder_->BeginStream(200, std::move(headers));
    // The POST endpoint, relative to this stream's URL (same origin).
    responder_->Write(SseEvent(absl::StrCat("/mcp/", PercentEncode(token_), "/messages?sessionId=", id), "", "endpoint"));
    StreamRegistry* streams = h_->streams_;
    HttpResponder* raw = responder_.get();
    responder_->SetOnClose([streams, digest, raw] { streams->Remove(digest, raw); });
    Log(200);
  }

  void LegacyMessages() {
    std::string id;
    if (auto query = ParseQuery(request_.query); query.ok()) {
      for (const auto& [k, v] : *query) {
        if (k == "sessionId" || k == "session_id") id = v;
      }
    }
    if (id.empty()) return Finish(RpcError(400, -32000, "Bad Request: sessionId query parameter is required"), "bad_request");
    auto session = h_->sessions_->Open(id, server_.id);
    if (!session.ok() || session->owner.empty()) return Finish(RpcError(404, -32001, "Session not found"), "unknown_session");
    session_ = *session;
    session_digest_ = Digest(id);
    const bool local = session_.owner == h_->coordination_->replica_id();
    if (local && !h_->streams_->Has(session_digest_)) {
      return Finish(RpcError(404, -32001, "Session not found: its stream is closed"), "unknown_session");
    }
    if (JsonNestsDeeperThan(request_.body, kMaxJsonDepth)) return Finish(TooDeep(), "parse_error");
    json body = json::parse(request_.body, nullptr, false);
    if (body.is_discarded()) return Finish(RpcError(400, kParseError, "Parse error: body is not valid JSON"), "parse_error");
    std::vector<json> messages = body.is_array() ? std::vector<json>(body.begin(), body.end()) : std::vector<json>{body};
    Finish(HttpResponse::Text(202, "Accepted"), "accepted");

    // Replies travel on the session's stream, wherever it lives.
    McpHandler* h = h_;
    const std::string digest = session_digest_;
    const std::string owner = session_.owner;
    auto deliver = [h, digest, owner, local](const std::string& message) {
      if (local) {
        h->streams_->Write(digest, SseEvent(message));
      } else {
        h->coordination_->Publish(EdgeCoordination::ReplicaChannel(owner),
                                  json{{"type", "sse"}, {"session", digest}, {"data", message}}, nullptr);
      }
    };
    McpContext context;
    context.server = server_;
    context.protocol_version = session_.protocol_version;
    context.session_digest = session_digest_;
    context.request_id = request_id_;
    context.trace = trace_;
    context.client_name = session_.client_name;
    context.client_version = session_.client_version;
    context.notify = deliver;
    for (const json& m : messages) {
      if (IsNotification(m)) {
        h_->core_->HandleNotification(context, m);
      } else if (IsRequest(m) && m["method"].is_string()) {
        h_->core_->HandleRequest(context, m, [deliver](McpReply reply) {
          if (!reply.json.empty()) deliver(reply.json);
        });
      } else if (m.is_object() && !m.contains("result") && !m.contains("error")) {
        deliver(McpCore::Error(m.value("id", json(nullptr)), kInvalidRequest, "Invalid Request"));
      }
    }
  }

  // --- bookkeeping ------------------------------------------------------------------

  void AddCommonHeaders(Headers& headers) {
    if (!session_id_.empty() && route_ == McpRoute::kStreamable) headers.Add("Mcp-Session-Id", session_id_);
    headers.Add("X-Request-ID", request_id_);
  }

  void Finish(HttpResponse response, absl::string_view outcome) {
    AddCommonHeaders(response.headers);
    const int status = response.status;
    outcome_ = std::string(outcome);
    responder_->Respond(std::move(response));
    Log(status);
  }

  void Log(int status) {
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    const std::string method = methods_.size() == 1 ? methods_.front()
                               : methods_.empty()   ? absl::AsciiStrToLower(request_.method)
                                                    : "batch";
    MetricsRegistry& metrics = MetricsRegistry::Default();
    metrics.GetCounter("cmcp_mcp_requests_total", "MCP HTTP requests by JSON-RPC method and outcome",
                       {{"method", method}, {"outcome", outcome_}})
        .Increment();
    metrics.GetHistogram("cmcp_mcp_request_seconds", "MCP HTTP request latency by JSON-RPC method", {{"method", method}})
        .Observe(seconds);
    LogInfo("mcp request")
        .With("request_id", request_id_)
        .With("trace_id", trace_.trace_id())
        .With("server_id", server_.id)
        .With("method", method)
        .With("tool", tool_)
        .With("status", status)
        .With("outcome", outcome_)
        .With("duration_ms", seconds * 1000);
  }

  McpHandler* h_;
  HttpRequest request_;
  std::string token_;
  McpRoute route_;
  std::shared_ptr<HttpResponder> responder_;
  std::string request_id_;
  TraceContext trace_;
  absl::Time start_;
  ServerView server_;
  McpSession session_;
  std::string session_id_;
  std::string session_digest_;
  json body_;
  std::vector<json> messages_;
  std::vector<std::string> methods_;
  std::string tool_;
  std::string outcome_ = "ok";
  std::atomic<int> pending_{0};
  std::atomic<bool> completed_{false};
  absl::Mutex mu_;
  std::vector<McpReply> replies_ ABSL_GUARDED_BY(mu_);
  // SSE response state.
  bool streaming_ = false;
  bool resumable_ = false;
  std::string stream_id_;
  absl::Mutex emit_mu_;
  int64_t event_seq_ ABSL_GUARDED_BY(emit_mu_) = 0;
  tokenpb::AppendStreamEventsRequest log_ ABSL_GUARDED_BY(emit_mu_);
};

McpHandler::McpHandler(McpHandlerSettings settings, McpBackend* backend, const McpSessionCodec* sessions,
                       McpCore* core, EdgeCoordination* coordination, StreamRegistry* streams)
    : settings_(std::move(settings)),
      backend_(backend),
      sessions_(sessions),
      core_(core),
      coordination_(coordination),
      streams_(streams) {}

void McpHandler::Handle(HttpRequest request, std::string token, McpRoute route,
                        std::shared_ptr<HttpResponder> responder) {
  std::make_shared<McpExchange>(this, std::move(request), std::move(token), route, std::move(responder))->Start();
}

bool McpHandler::WaitIdle(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (live_exchanges_.load() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  return live_exchanges_.load() == 0;
}

void McpHandler::OnBusMessage(const json& message) {
  const std::string type = message.value("type", "");
  if (type == "sse") {
    streams_->Write(message.value("session", ""), SseEvent(message.value("data", "")));
  } else if (type == "cancel") {
    streams_->CancelCall(message.value("key", ""));
  } else if (type == "revoke" && message.contains("until") && message["until"].is_number_integer()) {
    coordination_->NoteRevoked(message.value("session", ""), absl::FromUnixSeconds(message["until"].get<int64_t>()));
  }
}

}  // namespace cmcp::edge
