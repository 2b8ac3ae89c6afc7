// The MCP handler behind the real HTTP server, with a fake backend.
#include "services/edge/mcp_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/http/http_client.h"
#include "common/http/router.h"
#include "common/status/error.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace cmcp::edge {
namespace {

using ::cmcp::testing::IsOk;
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
      done(v);
      return;
    }
    if (token == "broken") {
      done(absl::UnavailableError("connect failed"));
      return;
    }
    done(NotFoundError("unknown MCP token"));
  }
  void VerifyApiToken(const std::string& api_token, const std::string&, std::function<void(absl::Status)> done) override {
    done(api_token == "cmcp_right" ? absl::OkStatus() : absl::UnauthenticatedError("no"));
  }
  void ListTools(const caspio_mcp::common::v1::ToolFilter&, Callback<std::shared_ptr<const ToolList>> done) override {
    toolpb::Tool tool;
    tool.set_name("list_all_caspio_records");
    tool.set_title("List");
    tool.set_description("Lists records.");
    tool.set_input_schema_json(R"({"type":"object","properties":{"table_name":{"type":"string"}}})");
    tool.mutable_annotations()->set_read_only_hint(true);
    done(MakeToolList({tool}));
  }
  void CallTool(const ServerView& server, const toolpb::Tool& tool, std::string arguments_json, std::string request_id,
                Callback<proxypb::CallToolResponse> done) override {
    last_arguments = arguments_json;
    last_server = server.id;
    proxypb::CallToolResponse r;
    r.add_content()->mutable_text()->set_text("two rows");
    r.set_structured_content_json(R"({"result":[{"PK_ID":1},{"PK_ID":2}]})");
    done(r);
  }
  std::string last_arguments;
  std::string last_server;
};

class McpHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    McpHandlerSettings settings;
    settings.allowed_hosts = {"localhost", "127.0.0.1"};
    handler_ = std::make_unique<McpHandler>(settings, &backend_, &sessions_);
    server_ = std::make_unique<HttpServer>(HttpServerSettings{}, [this](HttpRequest req, std::shared_ptr<HttpResponder> r) {
      RouteMatch m = router_.Find(req.method, req.path);
      if (m.outcome != RouteMatch::kFound) return r->Respond(HttpResponse::Empty(404));
      (*m.handler)(std::move(req), m.params, std::move(r));
    });
    for (const char* method : {"POST", "GET", "DELETE"}) {
      router_.Add(method, "/mcp/{token}", [this](HttpRequest req, const PathParams& p, std::shared_ptr<HttpResponder> r) {
        handler_->Handle(std::move(req), p.at("token"), std::move(r));
      });
    }
    ASSERT_THAT(server_->Start(), IsOk());
  }

  HttpClientResponse Post(const std::string& token, const std::string& body, Headers headers = {},
                          std::string method = "POST") {
    HttpClientRequest r;
    r.method = method;
    r.url = absl::StrCat("http://127.0.0.1:", server_->port(), "/mcp/", token);
    r.body = body;
    if (!headers.Get("Content-Type")) headers.Add("Content-Type", "application/json");
    if (!headers.Get("Accept")) headers.Add("Accept", "application/json, text/event-stream");
    r.headers = headers;
    auto response = client_.Send(r);
    EXPECT_THAT(response, IsOk());
    return response.ok() ? *response : HttpClientResponse{};
  }

  std::string Initialize(const std::string& token = kToken, const std::string& version = "2025-06-18") {
    HttpClientResponse r = Post(token, json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
                                            {"params", {{"protocolVersion", version}, {"capabilities", json::object()},
                                                        {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}}.dump());
    EXPECT_EQ(r.status, 200);
    return std::string(r.headers.Get("Mcp-Session-Id").value_or(""));
  }

  Headers Session(const std::string& id) {
    Headers h;
    h.Add("Mcp-Session-Id", id);
    h.Add("MCP-Protocol-Version", "2025-06-18");
    return h;
  }

  FakeBackend backend_;
  McpSessionCodec sessions_{std::string(32, 's')};
  std::unique_ptr<McpHandler> handler_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  CurlHttpClient client_;
};

TEST_F(McpHandlerTest, InitializeNegotiatesAndIssuesAVisibleAsciiSession) {
  HttpClientResponse r = Post(kToken, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})");
  ASSERT_EQ(r.status, 200);
  json body = json::parse(r.body);
  EXPECT_EQ(body["result"]["protocolVersion"], "2025-06-18");
  EXPECT_EQ(body["result"]["serverInfo"]["name"], "caspio-mcp");
  EXPECT_TRUE(body["result"]["capabilities"].contains("tools"));
  const std::string session(r.headers.Get("Mcp-Session-Id").value_or(""));
  ASSERT_FALSE(session.empty());
  for (char c : session) EXPECT_TRUE(c >= 0x21 && c <= 0x7e);
  json newer = json::parse(Post(kToken, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2099-01-01"}})").body);
  EXPECT_EQ(newer["result"]["protocolVersion"], "2025-11-25");
}

TEST_F(McpHandlerTest, UnknownTokenIs404NeverUnauthorized) {
  HttpClientResponse r = Post("nope", R"({"jsonrpc":"2.0","id":1,"method":"initialize"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(r.headers.Get("WWW-Authenticate").has_value());
  EXPECT_EQ(Post("broken", R"({"jsonrpc":"2.0","id":1,"method":"ping"})").status, 503);
}

TEST_F(McpHandlerTest, SessionsAreRequiredAndBoundToTheirServer) {
  EXPECT_EQ(Post(kToken, R"({"jsonrpc":"2.0","id":2,"method":"ping"})").status, 400);
  EXPECT_EQ(Post(kToken, R"({"jsonrpc":"2.0","id":2,"method":"ping"})", Session("forged.session")).status, 404);
  const std::string session = Initialize();
  HttpClientResponse ping = Post(kToken, R"({"jsonrpc":"2.0","id":2,"method":"ping"})", Session(session));
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(json::parse(ping.body)["result"], json::object());
  // A session minted for server-1 does not open server-2.
  Headers h = Session(session);
  h.Add("Authorization", "Bearer cmcp_right");
  EXPECT_EQ(Post(kGuardedToken, R"({"jsonrpc":"2.0","id":2,"method":"ping"})", h).status, 404);
}

TEST_F(McpHandlerTest, ApiTokenSecondFactor) {
  HttpClientResponse missing = Post(kGuardedToken, R"({"jsonrpc":"2.0","id":1,"method":"initialize"})");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.headers.Get("WWW-Authenticate").value_or(""), "Bearer realm=\"mcp\", error=\"invalid_token\"");
  Headers wrong;
  wrong.Add("Authorization", "Bearer cmcp_wrong");
  EXPECT_EQ(Post(kGuardedToken, R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", wrong).status, 401);
  Headers right;
  right.Add("Authorization", "Bearer cmcp_right");
  EXPECT_EQ(Post(kGuardedToken, R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", right).status, 200);
}

TEST_F(McpHandlerTest, HostAndOriginAreValidated) {
  Headers evil;
  evil.Add("Host", "evil.example.com");
  evil.Add("Origin", "http://evil.example.com");
  EXPECT_EQ(Post(kToken, R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", evil).status, 403);
  Headers origin;
  origin.Add("Origin", "https://attacker.example");
  EXPECT_EQ(Post(kToken, R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", origin).status, 403);
  Headers local;
  local.Add("Origin", "http://localhost:6274");
  EXPECT_EQ(Post(kToken, R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", local).status, 200);
  EXPECT_TRUE(HostAllowed("[::1]:8080", {"[::1]"}));
  EXPECT_FALSE(HostAllowed("localhost.evil.com", {"localhost"}));
  EXPECT_TRUE(OriginAllowed("https://app.example.com", {}, {"https://app.example.com"}));
}

TEST_F(McpHandlerTest, NotificationsAreAcceptedWith202) {
  const std::string session = Initialize();
  HttpClientResponse r = Post(kToken, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", Session(session));
  EXPECT_EQ(r.status, 202);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(McpHandlerTest, ToolsListAndCall) {
  const std::string session = Initialize();
  json list = json::parse(Post(kToken, R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})", Session(session)).body);
  ASSERT_EQ(list["result"]["tools"].size(), 1u);
  EXPECT_EQ(list["result"]["tools"][0]["name"], "list_all_caspio_records");
  EXPECT_EQ(list["result"]["tools"][0]["inputSchema"]["type"], "object");
  EXPECT_EQ(list["result"]["tools"][0]["annotations"]["readOnlyHint"], true);

  json call = json::parse(Post(kToken, R"({"jsonrpc":"2.0","id":"c1","method":"tools/call",
      "params":{"name":"list_all_caspio_records","arguments":{"table_name":"Inventory"}}})", Session(session)).body);
  EXPECT_EQ(call["id"], "c1");
  EXPECT_EQ(call["result"]["content"][0]["text"], "two rows");
  EXPECT_EQ(call["result"]["structuredContent"]["result"].size(), 2u);
  EXPECT_EQ(call["result"]["isError"], false);
  EXPECT_EQ(json::parse(backend_.last_arguments), json({{"table_name", "Inventory"}}));
  EXPECT_EQ(backend_.last_server, "server-1");

  json unknown = json::parse(Post(kToken, R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"drop_everything"}})",
                                  Session(session)).body);
  EXPECT_EQ(unknown["error"]["code"], -32602);
  EXPECT_THAT(unknown["error"]["message"].get<std::string>(), HasSubstr("Unknown tool: drop_everything"));
  json bad_args = json::parse(Post(kToken, R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"x","arguments":[1]}})",
                                   Session(session)).body);
  EXPECT_EQ(bad_args["error"]["code"], -32602);
}

TEST_F(McpHandlerTest, BatchesAnswerEveryRequestInOneArray) {
  const std::string session = Initialize();
  json r = json::parse(Post(kToken, R"([{"jsonrpc":"2.0","id":1,"method":"ping"},
                                        {"jsonrpc":"2.0","method":"notifications/initialized"},
                                        {"jsonrpc":"2.0","id":2,"method":"tools/list"},
                                        {"jsonrpc":"2.0","id":3,"method":"resources/list"}])", Session(session)).body);
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["id"], 1);
  EXPECT_EQ(r[1]["id"], 2);
  EXPECT_EQ(r[2]["error"]["code"], -32601);
  EXPECT_EQ(Post(kToken, R"([{"jsonrpc":"2.0","id":1,"method":"initialize"}])").status, 400);
}

TEST_F(McpHandlerTest, MalformedRequestsGetTheRightStatus) {
  const std::string session = Initialize();
  HttpClientResponse parse = Post(kToken, "{not json", Session(session));
  EXPECT_EQ(parse.status, 400);
  EXPECT_EQ(json::parse(parse.body)["error"]["code"], -32700);
  Headers text = Session(session);
  text.Add("Content-Type", "text/plain");
  EXPECT_EQ(Post(kToken, "{}", text).status, 415);
  Headers old = Session(session);
  old.Set("MCP-Protocol-Version", "1999-01-01");
  EXPECT_EQ(Post(kToken, R"({"jsonrpc":"2.0","id":1,"method":"ping"})", old).status, 400);
  HttpClientResponse get = Post(kToken, "", Session(session), "GET");
  EXPECT_EQ(get.status, 405);
  json no_version = json::parse(Post(kToken, R"({"id":1,"method":"ping"})", Session(session)).body);
  EXPECT_EQ(no_version["error"]["code"], -32600);
  json unknown = json::parse(Post(kToken, R"({"jsonrpc":"2.0","id":9,"method":"prompts/list"})", Session(session)).body);
  EXPECT_EQ(unknown["error"]["code"], -32601);
  json level = json::parse(Post(kToken, R"({"jsonrpc":"2.0","id":9,"method":"logging/setLevel","params":{"level":"debug"}})",
                                Session(session)).body);
  EXPECT_EQ(level["result"], json::object());
  json complete = json::parse(Post(kToken, R"({"jsonrpc":"2.0","id":9,"method":"completion/complete","params":{}})",
                                   Session(session)).body);
  EXPECT_TRUE(complete["result"]["completion"]["values"].is_array());
}

TEST_F(McpHandlerTest, ClientsAcceptingOnlyEventStreamsGetOneSseEvent) {
  const std::string session = Initialize();
  Headers h = Session(session);
  h.Add("Accept", "text/event-stream");
  HttpClientResponse r = Post(kToken, R"({"jsonrpc":"2.0","id":7,"method":"ping"})", h);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "text/event-stream");
  EXPECT_EQ(r.body, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n\n");
}

TEST(McpSessionCodecTest, SealsAndRefusesTampering) {
  McpSessionCodec codec(std::string(32, 'k'));
  const std::string id = codec.Seal({"server-1", "2025-11-25", absl::Now()});
  auto session = codec.Open(id, "server-1");
  ASSERT_THAT(session, IsOk());
  EXPECT_EQ(session->protocol_version, "2025-11-25");
  EXPECT_FALSE(codec.Open(id, "server-2").ok());
  EXPECT_FALSE(McpSessionCodec(std::string(32, 'x')).Open(id, "server-1").ok());
  std::string tampered = id;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(codec.Open(tampered, "server-1").ok());
  EXPECT_NE(codec.Seal({"server-1", "2025-11-25", absl::Now()}), id);
}

}  // namespace
}  // namespace cmcp::edge
