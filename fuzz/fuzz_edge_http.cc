// Fuzz target: the MCP HTTP front of edge, from raw bytes to the response.
// Input: one or more pipelined HTTP/1.1 requests. Each is parsed by Beast
// with the limits HttpServer uses, turned into an HttpRequest the way
// http_server.cc does, routed like edge_server.cc (/mcp/{token}[/mcp|/sse|
// /messages]) and handled by McpHandler + McpCore over in-memory fakes of
// the backends (token, toolgen, proxy, coordination), which answer at once.
//
// Tokens: "tok" resolves to server-1, "guard" to server-2 (needs the API
// token "Bearer cmcp_right"), "broken" fails with UNAVAILABLE, anything else
// is unknown. The placeholders @S1@ @S2@ @S3@ @S4@ are replaced by sealed
// session ids of server-1 for 2025-06-18, 2025-03-26, 2025-11-25 and
// 2024-11-05 (owned by another replica), and @SX@ by one of server-2, so
// the fuzzer gets past session checks. Tools: "list" (rows), "err" (an
// isError result), "fail" (UNAVAILABLE from proxy), "slow" (completes only
// when cancelled, or with DEADLINE_EXCEEDED when the input ends).
//
// Checks, after every input: every request got an answer (a response or a
// stream that ended), JSON bodies are valid JSON, 401s carry
// WWW-Authenticate, a 404 echoes no session id, and once every
// connection is closed no stream or cancellable call is left registered.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/http/beast_request.h"
#include "common/http/router.h"
#include "common/logging/logger.h"
#include "common/status/error.h"
#include "nlohmann/json.hpp"
#include "services/edge/mcp_core.h"
#include "services/edge/mcp_handler.h"
#include "services/edge/mcp_session.h"
#include "services/edge/stream_registry.h"
#include "tests/services/edge/fake_coordination.h"

namespace {

namespace http = boost::beast::http;
namespace toolpb = ::caspio_mcp::toolgen::v1;
namespace proxypb = ::caspio_mcp::proxy::v1;
using json = nlohmann::json;
using namespace cmcp;        // NOLINT
using namespace cmcp::edge;  // NOLINT

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_edge_http: %s\n", what.c_str());
  std::abort();
}

class QuietSink final : public LogSink {
 public:
  void Write(absl::string_view) override {}
};

class FakeBackend final : public McpBackend {
 public:
  void ResolveServer(const std::string& token, Callback<ServerView> done) override {
    if (token == "tok" || token == "guard") {
      ServerView v;
      v.id = token == "tok" ? "server-1" : "server-2";
      v.name = "fuzz";
      v.account_id = "acct";
      v.require_api_token_auth = token == "guard";
      return done(v);
    }
    if (token == "broken") return done(absl::UnavailableError("connect failed"));
    done(NotFoundError("unknown MCP token"));
  }
  void VerifyApiToken(const std::string& api_token, const std::string&, std::function<void(absl::Status)> done) override {
    done(api_token == "cmcp_right" ? absl::OkStatus() : absl::UnauthenticatedError("no"));
  }
  void ListTools(const caspio_mcp::common::v1::ToolFilter&, Callback<std::shared_ptr<const ToolList>> done) override {
    static const std::shared_ptr<const ToolList> list = [] {
      std::vector<toolpb::Tool> tools;
      for (const char* name : {"list", "err", "fail", "slow"}) {
        toolpb::Tool tool;
        tool.set_name(name);
        tool.set_title("T");
        tool.set_description("D");
        tool.set_input_schema_json(R"({"type":"object","properties":{"table_name":{"type":"string"}}})");
        tools.push_back(tool);
      }
      return MakeToolList(std::move(tools));
    }();
    done(list);
  }
  std::function<void()> CallTool(const ServerView&, const toolpb::Tool& tool, std::string arguments_json,
                                 std::string, const TraceContext&, Callback<proxypb::CallToolResponse> done) override {
    if (json::parse(arguments_json, nullptr, false).is_discarded()) Fail("edge sent proxy arguments that are not JSON");
    if (tool.name() == "fail") {
      done(absl::UnavailableError("proxy is down"));
      return [] {};
    }
    if (tool.name() == "slow") {
      auto pending = std::make_shared<Callback<proxypb::CallToolResponse>>(std::move(done));
      {
        absl::MutexLock lock(&mu_);
        pending_.push_back(pending);
      }
      return [pending] { Complete(*pending, absl::CancelledError("cancelled")); };
    }
    proxypb::CallToolResponse r;
    r.add_content()->mutable_text()->set_text("rows");
    if (tool.name() == "err") {
      r.set_is_error(true);
    } else {
      r.set_structured_content_json(R"({"result":[{"PK_ID":1}]})");
    }
    done(r);
    return [] {};
  }
  // Ends the calls still waiting, as the proxy's deadline would.
  void ExpirePending() {
    std::vector<std::shared_ptr<Callback<proxypb::CallToolResponse>>> pending;
    {
      absl::MutexLock lock(&mu_);
      pending.swap(pending_);
    }
    for (auto& p : pending) Complete(*p, absl::DeadlineExceededError("deadline"));
  }

 private:
  static void Complete(Callback<proxypb::CallToolResponse>& cb, absl::StatusOr<proxypb::CallToolResponse> r) {
    static absl::Mutex complete_mu;
    Callback<proxypb::CallToolResponse> taken;
    {
      absl::MutexLock lock(&complete_mu);
      taken = std::move(cb);
      cb = nullptr;
    }
    if (taken) taken(std::move(r));
  }
  absl::Mutex mu_;
  std::vector<std::shared_ptr<Callback<proxypb::CallToolResponse>>> pending_ ABSL_GUARDED_BY(mu_);
};

class FakeResponder final : public HttpResponder {
 public:
  void Respond(HttpResponse response) override {
    absl::MutexLock lock(&mu_);
    if (answered_) return;
    answered_ = true;
    status_ = response.status;
    headers_ = std::move(response.headers);
    body_ = std::move(response.body);
  }
  void BeginStream(int status, Headers headers) override {
    absl::MutexLock lock(&mu_);
    if (answered_) return;
    answered_ = true;
    streaming_ = true;
    status_ = status;
    headers_ = std::move(headers);
  }
  void Write(std::string data) override {
    absl::MutexLock lock(&mu_);
    if (!streaming_) Fail("Write before BeginStream");
    if (body_.size() < (1 << 20)) body_ += data;
  }
  void EndStream() override {
    std::function<void()> on_close;
    {
      absl::MutexLock lock(&mu_);
      ended_ = true;
      closed_ = true;
      on_close = std::move(on_close_);
      on_close_ = nullptr;
    }
    if (on_close) on_close();
  }
  void SetOnClose(std::function<void()> callback) override {
    bool run_now;
    {
      absl::MutexLock lock(&mu_);
      run_now = closed_;
      if (!run_now) on_close_ = std::move(callback);
    }
    if (run_now && callback) callback();
  }
  bool IsClosed() const override {
    absl::MutexLock lock(&mu_);
    return closed_;
  }
  // The client goes away.
  void Close() {
    std::function<void()> on_close;
    {
      absl::MutexLock lock(&mu_);
      closed_ = true;
      on_close = std::move(on_close_);
      on_close_ = nullptr;
    }
    if (on_close) on_close();
  }

  void Check(const std::string& request_line) {
    absl::MutexLock lock(&mu_);
    const std::string where = absl::StrCat(" (", request_line, ")");
    if (!answered_) Fail("a request was never answered" + where);
    if (status_ < 200 || status_ > 599) Fail(absl::StrCat("status ", status_, where));
    if (status_ == 401 && !headers_.Get("WWW-Authenticate").has_value()) Fail("401 without WWW-Authenticate" + where);
    if (status_ == 404 && headers_.Get("Mcp-Session-Id").has_value()) Fail("a 404 echoed a session id" + where);
    if (!headers_.Get("X-Request-ID").has_value()) Fail("no X-Request-ID" + where);
    const auto type = headers_.Get("Content-Type");
    if (!streaming_ && type.has_value() && absl::StartsWith(*type, "application/json") && !body_.empty() &&
        json::parse(body_, nullptr, false).is_discarded()) {
      Fail(absl::StrCat("invalid JSON body [", body_, "]", where));
    }
    if (streaming_) {
      // Every SSE data line of a JSON-RPC message must be JSON.
      for (absl::string_view line : absl::StrSplit(body_, '\n')) {
        if (absl::ConsumePrefix(&line, "data: ") && !line.empty() && line[0] != '/' &&
            json::parse(line, nullptr, false).is_discarded()) {
          Fail(absl::StrCat("invalid JSON in SSE data [", line, "]", where));
        }
      }
    }
  }

 private:
  mutable absl::Mutex mu_;
  bool answered_ ABSL_GUARDED_BY(mu_) = false;
  bool streaming_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  int status_ ABSL_GUARDED_BY(mu_) = 0;
  Headers headers_ ABSL_GUARDED_BY(mu_);
  std::string body_ ABSL_GUARDED_BY(mu_);
  std::function<void()> on_close_ ABSL_GUARDED_BY(mu_);
};

struct Edge {
  Edge() {
    static QuietSink sink;
    SetLogSinkForTesting(&sink);
    McpCoreSettings core_settings;
    // The quota path runs on every call; the shared fake counts across
    // inputs, so the limit is out of reach (refusals are unit-tested).
    core_settings.server_quota = {int64_t{1} << 40, absl::Minutes(1)};
    core = std::make_unique<McpCore>(core_settings, &backend, &coordination, &streams);
    McpHandlerSettings settings;
    settings.allowed_hosts = {"localhost", "127.0.0.1", "[::1]"};
    settings.allowed_origins = {"https://app.example"};
    settings.max_streams_per_server = 2;
    settings.resume_wait = absl::Milliseconds(5);
    handler = std::make_unique<McpHandler>(settings, &backend, &sessions, core.get(), &coordination, &streams);
    coordination.Start([this](const json& m) { handler->OnBusMessage(m); });
    for (const char* pattern : {"/mcp/{token}", "/mcp/{token}/mcp", "/mcp/{token}/sse", "/mcp/{token}/messages"}) {
      const McpRoute route = absl::EndsWith(pattern, "/sse")        ? McpRoute::kLegacySse
                             : absl::EndsWith(pattern, "/messages") ? McpRoute::kLegacyMessages
                                                                    : McpRoute::kStreamable;
      for (const char* method : {"POST", "GET", "DELETE", "PUT", "PATCH"}) {
        router.Add(method, pattern, [this, route](HttpRequest req, const PathParams& p, std::shared_ptr<HttpResponder> r) {
          handler->Handle(std::move(req), p.at("token"), route, std::move(r));
        });
      }
    }
  }

  std::string Session(const std::string& server, const std::string& version, const std::string& owner = "") {
    return sessions.Seal({server, version, absl::Now(), owner});
  }

  FakeBackend backend;
  FakeCoordination coordination;
  StreamRegistry streams;
  McpSessionCodec sessions{std::string(32, 's')};
  std::unique_ptr<McpCore> core;
  std::unique_ptr<McpHandler> handler;
  Router router;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  static Edge* edge = new Edge();  // lives for the process: detached resume threads may hold it
  const std::string input = absl::StrReplaceAll(
      absl::string_view(reinterpret_cast<const char*>(data), size),
      {{"@S1@", edge->Session("server-1", "2025-06-18")},
       {"@S2@", edge->Session("server-1", "2025-03-26")},
       {"@S3@", edge->Session("server-1", "2025-11-25")},
       {"@S4@", edge->Session("server-1", "2024-11-05", "replica-b")},
       {"@SX@", edge->Session("server-2", "2025-06-18")}});

  std::vector<std::pair<std::string, std::shared_ptr<FakeResponder>>> exchanges;
  boost::asio::const_buffer rest(input.data(), input.size());
  for (int n = 0; n < 4 && rest.size() > 0; ++n) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(4 * 1024 * 1024);  // HttpServerSettings defaults
    parser.header_limit(16 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    const size_t used = parser.put(rest, ec);
    if (!ec && !parser.is_done()) parser.put_eof(ec);  // the client closed after sending this
    if (ec || !parser.is_done()) break;                 // HttpServer answers 400/413/431 itself
    rest += used;
    HttpRequest request = FromBeastRequest(parser.release());  // as HttpServer does
    request.remote_address = "127.0.0.1";
    RouteMatch match = edge->router.Find(request.method, request.path);
    if (match.outcome != RouteMatch::kFound) continue;  // edge_server.cc answers these itself
    auto responder = std::make_shared<FakeResponder>();
    const std::string line = absl::StrCat(request.method, " ", request.target);
    (*match.handler)(std::move(request), match.params, responder);
    exchanges.emplace_back(line, responder);
  }
  // The input is over: slow calls time out, clients leave.
  edge->backend.ExpirePending();
  for (auto& [line, responder] : exchanges) responder->Check(line);
  for (auto& [line, responder] : exchanges) responder->Close();
  if (!edge->handler->WaitIdle(absl::Seconds(10))) Fail("an exchange outlived its connection");
  if (edge->streams.size() != 0) Fail("a stream stayed registered after its connection closed");
  return 0;
}
