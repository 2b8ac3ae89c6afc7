// The MCP transports behind the real HTTP server, with fake backend and
// coordination: both protocol eras, sessions, streams, legacy SSE,
// progress, cancellation, quotas.
#include "services/edge/mcp_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/crypto/crypto.h"
#include "common/http/http_client.h"
#include "common/http/router.h"
#include "common/logging/logger.h"
#include "common/metrics/metrics.h"
#include "common/status/error.h"
#include "nlohmann/json.hpp"
#include "common/json/json_depth.h"
#include "tests/services/edge/fake_coordination.h"
#include "tests/testing/sse_client.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::edge {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::SseClient;
using ::testing::HasSubstr;
using json = nlohmann::json;
namespace toolpb = ::caspio_mcp::toolgen::v1;
namespace proxypb = ::caspio_mcp::proxy::v1;

constexpr char kToken[] = "good-token";
constexpr char kGuardedToken[] = "guarded-token";

class FakeBackend final : public McpBackend {
 public:
  void ResolveServer(const std::string& token, Callback<ServerView> done) override {
    if (token == kToken || token == kGuardedToken) {
      ServerView v;
      v.id = token == kToken ? "server-1" : "server-2";
      v.name = "test server";
      v.account_id = "acct";
      v.require_api_token_auth = token == kGuardedToken;
      {
        absl::MutexLock lock(&mu_);
        v.filter = filter_;
      }
      return done(v);
    }
    if (token == "broken") return done(absl::UnavailableError("connect failed"));
    done(NotFoundError("unknown MCP token"));
  }
  void VerifyApiToken(const std::string& api_token, const std::string&, std::function<void(absl::Status)> done) override {
    done(api_token == "cmcp_right" ? absl::OkStatus() : absl::UnauthenticatedError("no"));
  }
  void ListTools(const caspio_mcp::common::v1::ToolFilter&, Callback<std::shared_ptr<const ToolList>> done) override {
    std::vector<toolpb::Tool> tools;
    for (const char* name : {"list_all_caspio_records", "slow_tool"}) {
      toolpb::Tool tool;
      tool.set_name(name);
      tool.set_title("T");
      tool.set_description("D");
      tool.set_input_schema_json(R"({"type":"object","properties":{"table_name":{"type":"string"}}})");
      // Enough of the binding for the audit log's redaction policy.
      tool.mutable_binding()->set_resource("records");
      tool.mutable_binding()->set_method("list");
      tool.mutable_binding()->set_where_argument("q.where");
      toolpb::ParameterBinding* table = tool.mutable_binding()->add_parameters();
      table->set_name("table_name");
      table->set_location(toolpb::PARAMETER_LOCATION_PATH);
      tools.push_back(tool);
    }
    done(MakeToolList(std::move(tools)));
  }
  std::function<void()> CallTool(const ServerView& server, const toolpb::Tool& tool, std::string arguments_json,
                                 std::string request_id, const TraceContext& trace,
                                 Callback<proxypb::CallToolResponse> done) override {
    {
      absl::MutexLock lock(&mu_);
      last_arguments = arguments_json;
      last_traceparent = trace.Header();
      ++calls;
    }
    if (tool.name() == "slow_tool") {
      // Completes only when cancelled.
      auto pending = std::make_shared<Callback<proxypb::CallToolResponse>>(std::move(done));
      started.Notify();
      return [pending] {
        if (*pending) {
          auto cb = std::move(*pending);
          *pending = nullptr;
          cb(absl::CancelledError("cancelled"));
        }
      };
    }
    proxypb::CallToolResponse r;
    if (arguments_json.find("\"boom\"") != std::string::npos) {
      // A Caspio error, as the proxy reports it.
      r.set_is_error(true);
      r.add_content()->mutable_text()->set_text("Invalid column name 'boom'.");
      r.mutable_upstream()->set_http_status(400);
      r.mutable_upstream()->set_duration_us(700);
      r.mutable_error()->mutable_upstream()->set_code("SqlServerError");
      done(r);
      return [] {};
    }
    r.add_content()->mutable_text()->set_text("two rows");
    r.set_structured_content_json(R"({"result":[{"PK_ID":1},{"PK_ID":2}]})");
    done(r);
    return [] {};
  }
  void SetFilterTags(std::vector<std::string> tags) {
    absl::MutexLock lock(&mu_);
    filter_.clear_tags();
    for (auto& t : tags) filter_.add_tags(t);
  }

  absl::Mutex mu_;
  caspio_mcp::common::v1::ToolFilter filter_;
  std::string last_arguments;
  std::string last_traceparent;
  int calls = 0;
  absl::Notification started;
};

class FakeAuditSink final : public AuditSink {
 public:
  void Record(caspio_mcp::token::v1::ToolCallEntry entry, const TraceContext&) override {
    absl::MutexLock lock(&mu_);
    entries_.push_back(std::move(entry));
  }
  // Entries are recorded after the client has its answer: waits (bounded)
  // until at least `n` are in.
  std::vector<caspio_mcp::token::v1::ToolCallEntry> entries(size_t n = 0) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return entries_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(5));
    return entries_;
  }

 private:
  absl::Mutex mu_;
  std::vector<caspio_mcp::token::v1::ToolCallEntry> entries_ ABSL_GUARDED_BY(mu_);
};

class McpHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override { Build({}); }
  void TearDown() override {
    streams_.CloseAll();
    server_->Stop();
    EXPECT_TRUE(handler_->WaitIdle(absl::Seconds(10)));
  }

  void Build(McpCoreSettings core_settings) {
    if (server_) server_->Stop();
    if (handler_) handler_->WaitIdle(absl::Seconds(10));
    server_.reset();
    core_ = std::make_unique<McpCore>(core_settings, &backend_, &coordination_, &streams_, &audit_);
    McpHandlerSettings settings;
    settings.allowed_hosts = {"localhost", "127.0.0.1"};
    settings.max_streams_per_server = 2;
    handler_ = std::make_unique<McpHandler>(settings, &backend_, &sessions_, core_.get(), &coordination_, &streams_);
    coordination_.Start([this](const json& m) { handler_->OnBusMessage(m); });
    router_ = Router();
    for (auto [pattern, route] : std::vector<std::pair<const char*, McpRoute>>{
             {"/mcp/{token}", McpRoute::kStreamable}, {"/mcp/{token}/sse", McpRoute::kLegacySse},
             {"/mcp/{token}/messages", McpRoute::kLegacyMessages}}) {
      for (const char* method : {"POST", "GET", "DELETE", "PUT"}) {
        router_.Add(method, pattern, [this, route](HttpRequest req, const PathParams& p, std::shared_ptr<HttpResponder> r) {
          handler_->Handle(std::move(req), p.at("token"), route, std::move(r));
        });
      }
    }
    server_ = std::make_unique<HttpServer>(HttpServerSettings{}, [this](HttpRequest req, std::shared_ptr<HttpResponder> r) {
      RouteMatch m = router_.Find(req.method, req.path);
      if (m.outcome != RouteMatch::kFound) return r->Respond(HttpResponse::Empty(404));
      (*m.handler)(std::move(req), m.params, std::move(r));
    });
    ASSERT_THAT(server_->Start(), IsOk());
  }

  HttpClientResponse Send(const std::string& method, const std::string& path, const std::string& body,
                          Headers headers = {}) {
    HttpClientRequest r;
    r.method = method;
    r.url = absl::StrCat("http://127.0.0.1:", server_->port(), path);
    r.body = body;
    r.timeout = absl::Seconds(10);
    if (!headers.Get("Content-Type")) headers.Add("Content-Type", "application/json");
    if (!headers.Get("Accept")) headers.Add("Accept", "application/json, text/event-stream");
    r.headers = headers;
    auto response = client_.Send(r);
    EXPECT_THAT(response, IsOk());
    return response.ok() ? *response : HttpClientResponse{};
  }
  HttpClientResponse Post(const std::string& body, Headers headers = {}, const std::string& token = kToken) {
    return Send("POST", absl::StrCat("/mcp/", token), body, std::move(headers));
  }

  std::string Initialize(const std::string& version = "2025-06-18", const std::string& token = kToken, Headers extra = {}) {
    HttpClientResponse r = Post(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
                                     {"params", {{"protocolVersion", version}}}}.dump(), extra, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.headers.Get("Mcp-Session-Id").value_or(""));
  }

  Headers Session(const std::string& id, const std::string& version = "2025-06-18") {
    Headers h;
    h.Add("Mcp-Session-Id", id);
    h.Add("MCP-Protocol-Version", version);
    return h;
  }

  // A modern (2026-07-28) request with every header it needs.
  HttpClientResponse Modern(const std::string& method, json params = json::object(), Headers headers = {},
                            bool default_headers = true) {
    params["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2026-07-28";
    params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json::object();
    if (default_headers) {
      if (!headers.Get("MCP-Protocol-Version")) headers.Add("MCP-Protocol-Version", "2026-07-28");
      if (!headers.Get("Mcp-Method")) headers.Add("Mcp-Method", method);
      if (params.contains("name") && !headers.Get("Mcp-Name")) headers.Add("Mcp-Name", params["name"].get<std::string>());
    }
    return Post(json{{"jsonrpc", "2.0"}, {"id", 7}, {"method", method}, {"params", params}}.dump(), headers);
  }

  FakeBackend backend_;
  FakeAuditSink audit_;
  FakeCoordination coordination_;
  StreamRegistry streams_;
  McpSessionCodec sessions_{std::string(32, 's')};
  std::unique_ptr<McpCore> core_;
  std::unique_ptr<McpHandler> handler_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  CurlHttpClient client_;
};

// --- legacy era ---------------------------------------------------------------

TEST_F(McpHandlerTest, InitializeNegotiatesAndIssuesAVisibleAsciiSession) {
  HttpClientResponse r = Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})");
  ASSERT_EQ(r.status, 200);
  json body = json::parse(r.body);
  EXPECT_EQ(body["result"]["protocolVersion"], "2025-06-18");
  EXPECT_EQ(body["result"]["capabilities"]["tools"]["listChanged"], true);
  const std::string session(r.headers.Get("Mcp-Session-Id").value_or(""));
  ASSERT_FALSE(session.empty());
  for (char c : session) EXPECT_TRUE(c >= 0x21 && c <= 0x7e);
  json newer = json::parse(Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2099-01-01"}})").body);
  EXPECT_EQ(newer["result"]["protocolVersion"], "2025-11-25");
}

TEST_F(McpHandlerTest, UnknownTokenIs404NeverUnauthorized) {
  HttpClientResponse r = Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", {}, "nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(r.headers.Get("WWW-Authenticate").has_value());
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", {}, "broken").status, 503);
}

TEST_F(McpHandlerTest, SessionsAreRequiredBoundToTheirServerAndEndWithDelete) {
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})").status, 400);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", Session("forged.session")).status, 404);
  const std::string session = Initialize();
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", Session(session)).status, 202);
  HttpClientResponse ping = Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", Session(session));
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(json::parse(ping.body)["result"], json::object());
  Headers h = Session(session);
  h.Add("Authorization", "Bearer cmcp_right");
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", h, kGuardedToken).status, 404);
  EXPECT_EQ(Send("DELETE", absl::StrCat("/mcp/", kToken), "", Session(session)).status, 200);
  HttpClientResponse ended = Post(R"({"jsonrpc":"2.0","id":3,"method":"ping"})", Session(session));
  EXPECT_EQ(ended.status, 404);
  EXPECT_FALSE(ended.headers.Get("Mcp-Session-Id").has_value()) << "an ended session is not echoed back";
  EXPECT_EQ(Send("DELETE", absl::StrCat("/mcp/", kToken), "", Session(session)).status, 404);
}

// Other replicas keep a short "not revoked" cache; a DELETE announces the
// revocation so they drop it, and a revocation announced by another replica
// is honoured here at once.
TEST_F(McpHandlerTest, DeleteIsAnnouncedToEveryReplicaAndAnnouncementsAreHonoured) {
  const std::string deleted = Initialize();
  ASSERT_EQ(Send("DELETE", absl::StrCat("/mcp/", kToken), "", Session(deleted)).status, 200);
  const auto published = coordination_.published();
  ASSERT_FALSE(published.empty());
  EXPECT_EQ(published.back().first, EdgeCoordination::kBroadcastChannel);
  EXPECT_EQ(published.back().second["type"], "revoke");
  EXPECT_EQ(published.back().second["session"], Hex(Sha256(deleted)));
  EXPECT_GT(published.back().second["until"].get<int64_t>(), absl::ToUnixSeconds(absl::Now()));

  const std::string other = Initialize();
  ASSERT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", Session(other)).status, 200);
  handler_->OnBusMessage({{"type", "revoke"}, {"session", Hex(Sha256(other))},
                          {"until", absl::ToUnixSeconds(absl::Now() + absl::Hours(1))}});
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":3,"method":"ping"})", Session(other)).status, 404);
}

TEST_F(McpHandlerTest, DeleteThatCannotBeStoredIs503) {
  const std::string session = Initialize();
  coordination_.FailRevocations(true);
  HttpClientResponse r = Send("DELETE", absl::StrCat("/mcp/", kToken), "", Session(session));
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("retry the DELETE"));
}

TEST_F(McpHandlerTest, ApiTokenSecondFactor) {
  HttpClientResponse missing = Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", {}, kGuardedToken);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.headers.Get("WWW-Authenticate").value_or(""), "Bearer realm=\"mcp\", error=\"invalid_token\"");
  Headers wrong;
  wrong.Add("Authorization", "Bearer cmcp_wrong");
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", wrong, kGuardedToken).status, 401);
  Headers right;
  right.Add("Authorization", "Bearer cmcp_right");
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", right, kGuardedToken).status, 200);
}

TEST_F(McpHandlerTest, HostAndOriginAreValidated) {
  Headers evil;
  evil.Add("Host", "evil.example.com");
  evil.Add("Origin", "http://evil.example.com");
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", evil).status, 403);
  Headers origin;
  origin.Add("Origin", "https://attacker.example");
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", origin).status, 403);
  Headers local;
  local.Add("Origin", "http://localhost:6274");
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", local).status, 200);
  EXPECT_TRUE(HostAllowed("[::1]:8080", {"[::1]"}));
  EXPECT_TRUE(HostAllowed("[::1]", {"[::1]"}));
  EXPECT_TRUE(HostAllowed("LocalHost:80", {"localhost"}));
  EXPECT_FALSE(HostAllowed("localhost.evil.com", {"localhost"}));
  // Only ":<port>" may follow the host (found by fuzz_edge_headers).
  for (const char* bad : {"[::1]6", "[::1]evil.com", "[::1", "localhost:evil", "localhost:123456",
                          "localhost:80:80"}) {
    EXPECT_FALSE(HostAllowed(bad, {"localhost", "[::1]"})) << bad;
  }
  EXPECT_FALSE(OriginAllowed("http://localhost:evil", {"localhost"}, {}));
  EXPECT_TRUE(OriginAllowed("https://app.example.com", {}, {"https://app.example.com"}));
}

TEST_F(McpHandlerTest, ToolsListAndCall) {
  const std::string session = Initialize();
  json list = json::parse(Post(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})", Session(session)).body);
  ASSERT_EQ(list["result"]["tools"].size(), 2u);
  EXPECT_FALSE(list["result"].contains("resultType"));
  json call = json::parse(Post(R"({"jsonrpc":"2.0","id":"c1","method":"tools/call",
      "params":{"name":"list_all_caspio_records","arguments":{"table_name":"Inventory"}}})", Session(session)).body);
  EXPECT_EQ(call["id"], "c1");
  EXPECT_EQ(call["result"]["content"][0]["text"], "two rows");
  EXPECT_EQ(call["result"]["structuredContent"]["result"].size(), 2u);
  EXPECT_EQ(call["result"]["isError"], false);
  EXPECT_EQ(json::parse(backend_.last_arguments), json({{"table_name", "Inventory"}}));
  json unknown = json::parse(Post(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"drop_everything"}})",
                                  Session(session)).body);
  EXPECT_EQ(unknown["error"]["code"], -32602);
  EXPECT_THAT(unknown["error"]["message"].get<std::string>(), HasSubstr("Unknown tool: drop_everything"));
}

TEST_F(McpHandlerTest, BatchesOnlyForTheirProtocolVersion) {
  const std::string old_session = Initialize("2025-03-26");
  json r = json::parse(Post(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},
                                {"jsonrpc":"2.0","method":"notifications/initialized"},
                                {"jsonrpc":"2.0","id":2,"method":"tools/list"},
                                {"jsonrpc":"2.0","id":3,"method":"resources/list"}])", Session(old_session, "2025-03-26")).body);
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["id"], 1);
  EXPECT_EQ(r[2]["error"]["code"], -32601);
  const std::string new_session = Initialize("2025-06-18");
  HttpClientResponse refused = Post(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])", Session(new_session));
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(json::parse(refused.body)["error"]["code"], -32600);
  EXPECT_EQ(Post(R"([{"jsonrpc":"2.0","id":1,"method":"initialize"}])").status, 400);
}

TEST_F(McpHandlerTest, MalformedRequestsGetTheRightStatus) {
  const std::string session = Initialize();
  HttpClientResponse parse = Post("{not json", Session(session));
  EXPECT_EQ(parse.status, 400);
  EXPECT_EQ(json::parse(parse.body)["error"]["code"], -32700);
  Headers text = Session(session);
  text.Add("Content-Type", "text/plain");
  EXPECT_EQ(Post("{}", text).status, 415);
  EXPECT_EQ(Send("PUT", absl::StrCat("/mcp/", kToken), "{}", Session(session)).status, 405);
  json no_version = json::parse(Post(R"({"id":1,"method":"ping"})", Session(session)).body);
  EXPECT_EQ(no_version["error"]["code"], -32600);
  json level = json::parse(Post(R"({"jsonrpc":"2.0","id":9,"method":"logging/setLevel","params":{"level":"debug"}})",
                                Session(session)).body);
  EXPECT_EQ(level["result"], json::object());
  json complete = json::parse(Post(R"({"jsonrpc":"2.0","id":9,"method":"completion/complete","params":{}})",
                                   Session(session)).body);
  EXPECT_TRUE(complete["result"]["completion"]["values"].is_array());
}

// Copying or serializing a JSON value recurses once per nesting level: a
// body of a million '[' (2 MB, under the body limit) used to overflow the
// I/O thread's stack and take the whole edge down. It is refused unparsed.
TEST_F(McpHandlerTest, DeeplyNestedBodiesAreRefusedBeforeTheyAreParsed) {
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  const std::string session = Initialize();
  HttpClientResponse legacy = Post(absl::StrCat(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{)",
                                                R"("name":"list_all_caspio_records","arguments":{"table_name":)", deep,
                                                "}}}"),
                                   Session(session));
  EXPECT_EQ(legacy.status, 400);
  EXPECT_EQ(json::parse(legacy.body)["error"]["code"], -32700);
  EXPECT_THAT(legacy.body, HasSubstr("nested deeper than"));
  Headers modern_headers;
  modern_headers.Add("MCP-Protocol-Version", "2026-07-28");
  modern_headers.Add("Mcp-Method", "ping");
  HttpClientResponse modern = Post(absl::StrCat(R"({"jsonrpc":"2.0","id":2,"method":"ping","params":{"x":)", deep, "}}"),
                                   modern_headers);
  EXPECT_EQ(modern.status, 400);
  EXPECT_EQ(backend_.calls, 0);
  // Nesting that real clients send is untouched, and the edge still answers.
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":3,"method":"ping","params":{"_meta":{"a":{"b":[[{"c":[1]}]]}}}})",
                 Session(session)).status, 200);
}

TEST_F(McpHandlerTest, ProgressTokensGetAnSseResponseWithProgressThenTheResult) {
  const std::string session = Initialize("2025-11-25");
  auto stream = SseClient::Open(server_->port(), "POST", absl::StrCat("/mcp/", kToken),
                                {{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"},
                                 {"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "2025-11-25"}},
                                R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"list_all_caspio_records",
                                    "arguments":{},"_meta":{"progressToken":"p1"}}})");
  ASSERT_THAT(stream, IsOk());
  EXPECT_EQ((*stream)->status(), 200);
  EXPECT_EQ((*stream)->header("Content-Type"), "text/event-stream");
  auto priming = (*stream)->Next(absl::Seconds(5));
  ASSERT_THAT(priming, IsOk());
  EXPECT_THAT(priming->id, ::testing::EndsWith(".0"));  // 2025-11-25 priming event
  EXPECT_EQ(priming->data, "");
  auto first = (*stream)->Next(absl::Seconds(5));
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(json::parse(first->data)["params"]["progress"], 0);
  auto second = (*stream)->Next(absl::Seconds(5));
  EXPECT_EQ(json::parse(second->data)["params"]["progress"], 1);
  auto result = (*stream)->Next(absl::Seconds(5));
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(json::parse(result->data)["id"], 5);
  // The whole response is logged, so a client can resume it on any replica.
  const std::string stream_id = priming->id.substr(0, priming->id.find('.'));
  auto resumed = SseClient::Open(server_->port(), "GET", absl::StrCat("/mcp/", kToken),
                                 {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session},
                                  {"Last-Event-ID", absl::StrCat(stream_id, ".1")}});
  ASSERT_THAT(resumed, IsOk());
  auto replay = (*resumed)->Next(absl::Seconds(5));
  ASSERT_THAT(replay, IsOk());
  EXPECT_EQ(json::parse(replay->data)["params"]["progress"], 1);
  auto replay_result = (*resumed)->Next(absl::Seconds(5));
  EXPECT_EQ(json::parse(replay_result->data)["id"], 5);
}

TEST_F(McpHandlerTest, CancelledNotificationAbortsTheCall) {
  const std::string session = Initialize();
  std::thread caller([&] {
    HttpClientResponse r = Post(R"({"jsonrpc":"2.0","id":"slow-1","method":"tools/call","params":{"name":"slow_tool"}})",
                                Session(session));
    const json answer = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    EXPECT_EQ(answer.is_object() ? answer["error"]["code"] : json(), -32800) << r.body;
  });
  ASSERT_TRUE(backend_.started.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"slow-1"}})", Session(session)).status,
            202);
  caller.join();
}

TEST_F(McpHandlerTest, GetStreamAnnouncesListChangesAndRefusesASecondStream) {
  const std::string session = Initialize();
  auto stream = SseClient::Open(server_->port(), "GET", absl::StrCat("/mcp/", kToken),
                                {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}});
  ASSERT_THAT(stream, IsOk());
  EXPECT_EQ((*stream)->status(), 200);
  ASSERT_TRUE(streams_.Has(Hex(Sha256(session))));
  auto second = SseClient::Open(server_->port(), "GET", absl::StrCat("/mcp/", kToken),
                                {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}});
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ((*second)->status(), 409);
  streams_.StartWatcher(&backend_, absl::Milliseconds(20), absl::Seconds(60));
  backend_.SetFilterTags({"tables"});
  auto event = (*stream)->Next(absl::Seconds(5));
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(json::parse(event->data)["method"], "notifications/tools/list_changed");
  streams_.CloseAll();
}

// Other replicas may serve a server's old config from their resolve caches
// for a while: the notification waits that long, so the client's next
// tools/list, on any replica, is the new one.
TEST_F(McpHandlerTest, ListChangedWaitsUntilEveryReplicaServesTheNewConfig) {
  const std::string session = Initialize();
  auto stream = SseClient::Open(server_->port(), "GET", absl::StrCat("/mcp/", kToken),
                                {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}});
  ASSERT_THAT(stream, IsOk());
  ASSERT_EQ((*stream)->status(), 200);
  streams_.StartWatcher(&backend_, absl::Milliseconds(20), absl::Seconds(60), /*settle=*/absl::Milliseconds(400));
  const absl::Time changed = absl::Now();
  backend_.SetFilterTags({"tables"});
  auto event = (*stream)->Next(absl::Seconds(5));
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(json::parse(event->data)["method"], "notifications/tools/list_changed");
  EXPECT_GE(absl::Now() - changed, absl::Milliseconds(400));
  // Changed and changed back before the notification was due: nothing to say.
  backend_.SetFilterTags({});
  absl::SleepFor(absl::Milliseconds(100));
  backend_.SetFilterTags({"tables"});
  EXPECT_FALSE((*stream)->Next(absl::Milliseconds(700)).ok()) << "announced a change that was undone";
  streams_.CloseAll();
}

TEST_F(McpHandlerTest, LegacySseTransportDeliversResponsesOnTheStream) {
  auto stream = SseClient::Open(server_->port(), "GET", absl::StrCat("/mcp/", kToken, "/sse"), {{"Accept", "text/event-stream"}});
  ASSERT_THAT(stream, IsOk());
  ASSERT_EQ((*stream)->status(), 200);
  EXPECT_FALSE((*stream)->header("X-Request-ID").empty()) << "the legacy stream carries a request id like every response";
  auto endpoint = (*stream)->Next(absl::Seconds(5));
  ASSERT_THAT(endpoint, IsOk());
  EXPECT_EQ(endpoint->event, "endpoint");
  ASSERT_THAT(endpoint->data, ::testing::StartsWith(absl::StrCat("/mcp/", kToken, "/messages?sessionId=")));
  HttpClientResponse accepted = Send("POST", endpoint->data,
                                     R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05"}})");
  EXPECT_EQ(accepted.status, 202);
  auto init = (*stream)->Next(absl::Seconds(5));
  ASSERT_THAT(init, IsOk());
  EXPECT_EQ(json::parse(init->data)["result"]["protocolVersion"], "2024-11-05");
  Send("POST", endpoint->data, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  auto tools = (*stream)->Next(absl::Seconds(5));
  EXPECT_EQ(json::parse(tools->data)["result"]["tools"].size(), 2u);
  EXPECT_EQ(Send("POST", absl::StrCat("/mcp/", kToken, "/messages?sessionId=forged"), "{}").status, 404);
  (*stream)->Close();
  // Once the stream is gone, the session is too.
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  int status = 0;
  while (absl::Now() < deadline && (status = Send("POST", endpoint->data, R"({"jsonrpc":"2.0","id":3,"method":"ping"})").status) != 404) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(status, 404);
}

TEST_F(McpHandlerTest, StreamsPerServerAreLimited) {
  auto a = SseClient::Open(server_->port(), "GET", absl::StrCat("/mcp/", kToken, "/sse"), {});
  auto b = SseClient::Open(server_->port(), "GET", absl::StrCat("/mcp/", kToken, "/sse"), {});
  auto c = SseClient::Open(server_->port(), "GET", absl::StrCat("/mcp/", kToken, "/sse"), {});
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ((*a)->status(), 200);
  EXPECT_EQ((*b)->status(), 200);
  EXPECT_EQ((*c)->status(), 429);
  streams_.CloseAll();
}

TEST_F(McpHandlerTest, EdgeQuotasAnswer429WithRateLimitHeaders) {
  McpCoreSettings settings;
  settings.server_quota = {2, absl::Minutes(1)};
  Build(settings);
  const std::string session = Initialize();
  const std::string call = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_all_caspio_records"}})";
  EXPECT_EQ(Post(call, Session(session)).status, 200);
  EXPECT_EQ(Post(call, Session(session)).status, 200);
  HttpClientResponse limited = Post(call, Session(session));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers.Get("ratelimit-limit").value_or(""), "2");
  EXPECT_EQ(limited.headers.Get("ratelimit-remaining").value_or(""), "0");
  EXPECT_EQ(limited.headers.Get("ratelimit-reset").value_or(""), "30");
  EXPECT_EQ(limited.headers.Get("Retry-After").value_or(""), "30");
  json body = json::parse(limited.body);
  EXPECT_EQ(body["error"]["data"]["ratelimit"]["limit"], 2);
  EXPECT_EQ(backend_.calls, 2);
}

// An edge leases permits (a fiftieth of the limit, here 4) instead of asking
// token for every call, and still admits exactly the limit.
TEST_F(McpHandlerTest, QuotaLeasesAskTokenOncePerLeaseAndAdmitExactlyTheLimit) {
  McpCoreSettings settings;
  settings.server_quota = {200, absl::Minutes(1)};
  settings.quota_lease = 20;
  Build(settings);
  const std::string session = Initialize();
  const std::string call = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_all_caspio_records"}})";
  int ok = 0;
  int limited = 0;
  for (int i = 0; i < 210; ++i) {
    const int status = Post(call, Session(session)).status;
    ok += status == 200;
    limited += status == 429;
  }
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(limited, 10);
  EXPECT_EQ(backend_.calls, 200);
  // 50 leases of 4, then one refused request per refused call.
  EXPECT_EQ(coordination_.quota_requests(), 50 + 10);
}

// The account quota counts the calls of every server of the account
// together, so minting more URLs does not multiply the Caspio budget.
TEST_F(McpHandlerTest, AccountQuotaIsSharedByEveryServerOfTheAccount) {
  McpCoreSettings settings;
  settings.account_quota = {2, absl::Minutes(5)};
  Build(settings);
  const std::string call = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_all_caspio_records"}})";
  EXPECT_EQ(Post(call, Session(Initialize())).status, 200);
  EXPECT_EQ(Post(call, Session(Initialize())).status, 200);
  // Another server (kGuardedToken, same account "acct") finds the budget used up.
  Headers auth;
  auth.Add("Authorization", "Bearer cmcp_right");
  Headers other = Session(Initialize("2025-06-18", kGuardedToken, auth));
  other.Add("Authorization", "Bearer cmcp_right");
  HttpClientResponse limited = Post(call, other, kGuardedToken);
  EXPECT_EQ(limited.status, 429);
  EXPECT_THAT(json::parse(limited.body)["error"]["message"].get<std::string>(), HasSubstr("(account)"));
  EXPECT_EQ(backend_.calls, 2);
}

// --- audit log, per-tool metrics, trace context ----------------------------------

class LogCapture final : public LogSink {
 public:
  LogCapture() { SetLogSinkForTesting(this); }
  ~LogCapture() override { SetLogSinkForTesting(nullptr); }
  void Write(absl::string_view line) override {
    absl::MutexLock lock(&mu_);
    text_.append(line.data(), line.size());
  }
  // Waits (bounded) until `needle` was logged; returns everything logged.
  std::string WaitFor(const std::string& needle) {
    absl::MutexLock lock(&mu_);
    auto found = [this, &needle]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return text_.find(needle) != std::string::npos; };
    mu_.AwaitWithTimeout(absl::Condition(&found), absl::Seconds(5));
    return text_;
  }

 private:
  absl::Mutex mu_;
  std::string text_;
};

constexpr char kClientTrace[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kClientSpan[] = "00f067aa0ba902b7";

TEST_F(McpHandlerTest, ToolCallsAreAuditedWithRedactedArgumentsTraceAndClient) {
  HttpClientResponse init = Post(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
                                      {"params", {{"protocolVersion", "2025-06-18"},
                                                  {"clientInfo", {{"name", "Claude Desktop"}, {"version", "0.9.1"}}}}}}
                                     .dump());
  const std::string session(init.headers.Get("Mcp-Session-Id").value_or(""));
  ASSERT_FALSE(session.empty());
  Counter& ok_calls = MetricsRegistry::Default().GetCounter(
      "cmcp_tool_calls_total", "", {{"tool", "list_all_caspio_records"}, {"status", "ok"}});
  const double before = ok_calls.Value();
  LogCapture logs;
  Headers headers = Session(session);
  headers.Add("traceparent", absl::StrCat("00-", kClientTrace, "-", kClientSpan, "-01"));
  HttpClientResponse r = Post(R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"list_all_caspio_records",
      "arguments":{"table_name":"Inventory","q.where":"Email = 'ceo@example.com'"}}})", headers);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string request_id(r.headers.Get("X-Request-ID").value_or(""));

  const auto entries = audit_.entries(1);
  ASSERT_EQ(entries.size(), 1u);
  const caspio_mcp::token::v1::ToolCallEntry& e = entries[0];
  EXPECT_EQ(e.status(), caspio_mcp::token::v1::TOOL_CALL_STATUS_OK);
  EXPECT_EQ(e.tool_name(), "list_all_caspio_records");
  EXPECT_EQ(e.resource(), "records");
  EXPECT_EQ(e.method(), "list");
  EXPECT_EQ(e.mcp_method(), "tools/call");
  EXPECT_EQ(e.mcp_server_id(), "server-1");
  EXPECT_EQ(e.mcp_server_name(), "test server");
  EXPECT_EQ(e.integrated_account_id(), "acct");
  EXPECT_EQ(e.integration(), "caspio");
  EXPECT_EQ(e.request_id(), request_id);
  EXPECT_EQ(e.trace_id(), kClientTrace);
  EXPECT_EQ(e.client_name(), "Claude Desktop");
  EXPECT_EQ(e.client_version(), "0.9.1");
  EXPECT_EQ(e.protocol_version(), "2025-06-18");
  EXPECT_GT(e.duration_us(), 0);
  EXPECT_GT(e.created_at().seconds(), 0);
  EXPECT_EQ(json::parse(e.arguments_json()), json({{"table_name", "Inventory"}, {"q.where", "[REDACTED]"}}));
  // The proxy gets the raw arguments and the edge's span of the client's trace.
  EXPECT_THAT(backend_.last_arguments, HasSubstr("ceo@example.com"));
  EXPECT_THAT(backend_.last_traceparent, ::testing::StartsWith(absl::StrCat("00-", kClientTrace, "-")));
  EXPECT_THAT(backend_.last_traceparent, ::testing::Not(HasSubstr(kClientSpan)));
  EXPECT_EQ(ok_calls.Value(), before + 1);
  // The request's log line carries the trace id beside the request id.
  const std::string line = absl::StrCat("\"request_id\":\"", request_id, "\",\"trace_id\":\"", kClientTrace, "\"");
  EXPECT_THAT(logs.WaitFor(line), HasSubstr(line));
}

TEST_F(McpHandlerTest, ToolErrorsAndRefusalsAreAuditedToo) {
  const std::string session = Initialize();
  Post(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_all_caspio_records",
      "arguments":{"table_name":"Inventory","q.select":"boom"}}})", Session(session));
  Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"drop_everything","arguments":{"table_name":"x"}}})",
       Session(session));
  Post(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_all_caspio_records","arguments":[1]}})",
       Session(session));
  // No traceparent: the edge starts a trace of its own.
  json modern = json::parse(Modern("tools/call", {{"name", "list_all_caspio_records"},
                                                  {"arguments", {{"table_name", "Inventory"}}},
                                                  {"_meta", {{"io.modelcontextprotocol/clientInfo",
                                                              {{"name", "modern-client"}, {"version", "2"}}}}}})
                                .body);
  ASSERT_EQ(modern["result"]["isError"], false);
  const auto entries = audit_.entries(4);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].status(), caspio_mcp::token::v1::TOOL_CALL_STATUS_TOOL_ERROR);
  EXPECT_EQ(entries[0].error_code(), "SqlServerError");
  EXPECT_EQ(entries[0].http_status_code(), 400);
  EXPECT_EQ(entries[0].fetch_duration_us(), 700);
  EXPECT_EQ(entries[1].status(), caspio_mcp::token::v1::TOOL_CALL_STATUS_RPC_ERROR);
  EXPECT_EQ(entries[1].error_code(), "unknown_tool");
  EXPECT_EQ(entries[1].rpc_error_code(), -32602);
  EXPECT_EQ(entries[1].tool_name(), "drop_everything");
  EXPECT_EQ(json::parse(entries[1].arguments_json()), json({{"table_name", "[REDACTED]"}}));
  EXPECT_EQ(entries[2].error_code(), "invalid_params");
  EXPECT_EQ(entries[2].rpc_error_code(), -32602);
  EXPECT_EQ(entries[3].status(), caspio_mcp::token::v1::TOOL_CALL_STATUS_OK);
  EXPECT_EQ(entries[3].client_name(), "modern-client");
  EXPECT_EQ(entries[3].protocol_version(), "2026-07-28");
  EXPECT_THAT(entries[3].trace_id(), ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_GE(MetricsRegistry::Default()
                .GetCounter("cmcp_tool_calls_total", "", {{"tool", "unknown"}, {"status", "rpc_error"}})
                .Value(),
            2);
}

TEST_F(McpHandlerTest, QuotaRefusalsAreAuditedAsRpcErrors) {
  McpCoreSettings settings;
  settings.server_quota = {1, absl::Minutes(1)};
  Build(settings);
  const std::string session = Initialize();
  const std::string call = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_all_caspio_records"}})";
  EXPECT_EQ(Post(call, Session(session)).status, 200);
  EXPECT_EQ(Post(call, Session(session)).status, 429);
  const auto entries = audit_.entries(2);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].status(), caspio_mcp::token::v1::TOOL_CALL_STATUS_RPC_ERROR);
  EXPECT_EQ(entries[1].error_code(), "rate_limited");
  EXPECT_EQ(entries[1].rpc_error_code(), -32000);
}

// --- modern era (2026-07-28) ----------------------------------------------------

TEST_F(McpHandlerTest, ModernDiscoverListAndCallAreStateless) {
  HttpClientResponse discover = Modern("server/discover");
  ASSERT_EQ(discover.status, 200) << discover.body;
  json d = json::parse(discover.body)["result"];
  EXPECT_EQ(d["resultType"], "complete");
  EXPECT_EQ(d["supportedVersions"][0], "2026-07-28");
  EXPECT_TRUE(d["capabilities"].contains("tools"));
  EXPECT_EQ(d["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "caspio-mcp");
  EXPECT_FALSE(discover.headers.Get("Mcp-Session-Id").has_value());
  json list = json::parse(Modern("tools/list").body)["result"];
  EXPECT_EQ(list["resultType"], "complete");
  EXPECT_EQ(list["cacheScope"], "private");
  EXPECT_TRUE(list["ttlMs"].is_number_integer());
  json call = json::parse(Modern("tools/call", {{"name", "list_all_caspio_records"}, {"arguments", json::object()}}).body);
  EXPECT_EQ(call["result"]["resultType"], "complete");
  EXPECT_EQ(call["result"]["isError"], false);
}

TEST_F(McpHandlerTest, ModernValidationFollowsTheSpecOrder) {
  auto code = [](const HttpClientResponse& r) { return json::parse(r.body)["error"]["code"].get<int>(); };
  // Missing MCP-Protocol-Version header.
  Headers none;
  HttpClientResponse no_header = Post(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"},
                                           {"params", {{"_meta", {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                                                  {"io.modelcontextprotocol/clientCapabilities", json::object()}}}}}}.dump());
  EXPECT_EQ(no_header.status, 400);
  EXPECT_EQ(code(no_header), -32020);
  // Missing required _meta field.
  Headers v;
  v.Add("MCP-Protocol-Version", "2026-07-28");
  v.Add("Mcp-Method", "tools/list");
  HttpClientResponse no_caps = Post(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"},
                                         {"params", {{"_meta", {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"}}}}}}.dump(), v);
  EXPECT_EQ(no_caps.status, 400);
  EXPECT_EQ(code(no_caps), -32602);
  // Header and body versions differ.
  Headers mismatch;
  mismatch.Add("MCP-Protocol-Version", "2026-07-28");
  HttpClientResponse body_version = Post(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"},
                                              {"params", {{"_meta", {{"io.modelcontextprotocol/protocolVersion", "v999.0.0"},
                                                                     {"io.modelcontextprotocol/clientCapabilities", json::object()}}}}}}.dump(),
                                         mismatch);
  EXPECT_EQ(code(body_version), -32020);
  // Unsupported version.
  Headers future;
  future.Add("MCP-Protocol-Version", "v999.0.0");
  HttpClientResponse unsupported = Post(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"},
                                             {"params", {{"_meta", {{"io.modelcontextprotocol/protocolVersion", "v999.0.0"},
                                                                    {"io.modelcontextprotocol/clientCapabilities", json::object()}}}}}}.dump(),
                                        future);
  EXPECT_EQ(unsupported.status, 400);
  json error = json::parse(unsupported.body)["error"];
  EXPECT_EQ(error["code"], -32022);
  EXPECT_EQ(error["data"]["requested"], "v999.0.0");
  EXPECT_EQ(error["data"]["supported"][0], "2026-07-28");
  EXPECT_EQ(json::parse(unsupported.body)["id"], 1);
  // Mcp-Method / Mcp-Name.
  Headers wrong_method;
  wrong_method.Add("Mcp-Method", "prompts/list");
  EXPECT_EQ(code(Modern("tools/list", json::object(), wrong_method)), -32020);
  Headers upper;
  upper.Add("Mcp-Method", "TOOLS/LIST");
  EXPECT_EQ(Modern("tools/list", json::object(), upper).status, 400);
  Headers wrong_name;
  wrong_name.Add("Mcp-Name", "other_tool");
  EXPECT_EQ(code(Modern("tools/call", {{"name", "list_all_caspio_records"}}, wrong_name)), -32020);
  Headers padded;
  padded.Add("Mcp-Name", "  list_all_caspio_records  ");
  EXPECT_EQ(Modern("tools/call", {{"name", "list_all_caspio_records"}}, padded).status, 200);
  Headers encoded;
  encoded.Add("Mcp-Name", absl::StrCat("=?base64?", Base64Encode("list_all_caspio_records"), "?="));
  EXPECT_EQ(Modern("tools/call", {{"name", "list_all_caspio_records"}}, encoded).status, 200);
}

TEST_F(McpHandlerTest, ModernRemovedMethodsAre404MethodNotFound) {
  for (const char* method : {"initialize", "ping", "logging/setLevel", "resources/subscribe", "prompts/list",
                             "subscriptions/listen", "unknown/method"}) {
    HttpClientResponse r = Modern(method);
    EXPECT_EQ(r.status, 404) << method;
    json body = json::parse(r.body);
    EXPECT_EQ(body["error"]["code"], -32601) << method;
    EXPECT_EQ(body["id"], 7) << method;
  }
}

// completion/complete lives on in 2026-07-28 (only ping and logging/setLevel
// went); with no prompts or resources it completes to nothing.
TEST_F(McpHandlerTest, ModernCompletionAnswersEmptyAndIsDeclared) {
  HttpClientResponse r = Modern("completion/complete", {{"ref", {{"type", "ref/prompt"}, {"name", "p"}}},
                                                        {"argument", {{"name", "a"}, {"value", ""}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["result"]["completion"]["values"], json::array());
  EXPECT_EQ(body["result"]["resultType"], "complete");
  json discover = json::parse(Modern("server/discover").body);
  EXPECT_TRUE(discover["result"]["capabilities"].contains("completions")) << discover.dump();
}

TEST(HeaderValueTest, Base64SentinelIsDecodedStrictly) {
  EXPECT_EQ(DecodeHeaderValue("=?base64?SGVsbG8=?="), "Hello");
  EXPECT_EQ(DecodeHeaderValue("  plain  "), "plain");
  EXPECT_EQ(DecodeHeaderValue("SGVsbG8="), "SGVsbG8=");
  EXPECT_EQ(DecodeHeaderValue("=?base64?SGVsbG8="), "=?base64?SGVsbG8=");
  EXPECT_FALSE(DecodeHeaderValue("=?base64?SGVsbG8?=").has_value());
  EXPECT_FALSE(DecodeHeaderValue("=?base64?SGVs!!!bG8=?=").has_value());
}

TEST(McpSessionCodecTest, CarriesTheClientInfoAndStillOpensV2Ids) {
  McpSessionCodec codec(std::string(32, 'k'), absl::Hours(1));
  const std::string id =
      codec.Seal({"server-1", "2025-06-18", absl::Now(), "", "a|b client", std::string(100, 'v')});
  auto session = codec.Open(id, "server-1");
  ASSERT_THAT(session, IsOk());
  EXPECT_EQ(session->client_name, "a|b client");
  EXPECT_EQ(session->client_version, std::string(kMaxClientInfoBytes, 'v'));
  // Ids minted before client info was sealed keep working.
  const std::string v2 =
      SealEnvelope(std::string(32, 'k'), absl::StrCat("v2|server-1|2025-06-18|", absl::ToUnixMillis(absl::Now()),
                                                      "|0011223344556677|"));
  auto old = codec.Open(v2, "server-1");
  ASSERT_THAT(old, IsOk());
  EXPECT_EQ(old->protocol_version, "2025-06-18");
  EXPECT_EQ(old->client_name, "");
}

TEST(JsonDepthTest, CountsBracketsOutsideStringLiteralsOnly) {
  EXPECT_FALSE(JsonNestsDeeperThan(R"({"a":[1,{"b":[]}]})", 4));
  EXPECT_TRUE(JsonNestsDeeperThan(R"({"a":[1,{"b":[]}]})", 3));
  EXPECT_FALSE(JsonNestsDeeperThan(R"({"a":"[[[[{{{{","b":"\"[[[["})", 1));
  EXPECT_FALSE(JsonNestsDeeperThan(R"([[]],[[]],[[]])", 2));  // depth, not count
  EXPECT_TRUE(JsonNestsDeeperThan(std::string(kMaxJsonDepth + 1, '['), kMaxJsonDepth));
}

TEST(McpSessionCodecTest, SealsAndRefusesTamperingAndAge) {
  McpSessionCodec codec(std::string(32, 'k'), absl::Hours(1));
  const std::string id = codec.Seal({"server-1", "2025-11-25", absl::Now(), "replica-b"});
  auto session = codec.Open(id, "server-1");
  ASSERT_THAT(session, IsOk());
  EXPECT_EQ(session->protocol_version, "2025-11-25");
  EXPECT_EQ(session->owner, "replica-b");
  EXPECT_FALSE(codec.Open(id, "server-2").ok());
  EXPECT_FALSE(McpSessionCodec(std::string(32, 'x')).Open(id, "server-1").ok());
  EXPECT_FALSE(codec.Open(codec.Seal({"server-1", "2025-11-25", absl::Now() - absl::Hours(2), ""}), "server-1").ok());
}

}  // namespace
}  // namespace cmcp::edge
