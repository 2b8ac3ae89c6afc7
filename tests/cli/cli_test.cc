// The caspio-mcp CLI with a fake HTTP client, a fake environment and a fixed
// clock: argument parsing, configuration lookup, the requests each command
// sends, what it prints, and its exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "cli/cli_config.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/duration.h"
#include "cli/output.h"
#include "nlohmann/json.hpp"

namespace cmcp::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

constexpr char kAdminToken[] = "cmcp_admin-secret-token";
constexpr char kUrlToken[] = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";

class FakeHttp final : public HttpClient {
 public:
  struct Canned {
    int status;
    std::string body;
  };
  absl::StatusOr<HttpClientResponse> Send(const HttpClientRequest& request) override {
    requests.push_back(request);
    if (replies.empty()) return absl::UnavailableError("connection refused");
    Canned r = replies.front();
    replies.pop_front();
    HttpClientResponse out;
    out.status = r.status;
    out.body = r.body;
    out.headers.Add("X-Request-ID", "req-1");
    return out;
  }
  void Reply(int status, const json& body) { replies.push_back({status, body.dump()}); }

  std::deque<Canned> replies;
  std::vector<HttpClientRequest> requests;
};

json Server(const std::string& name = "agent") {
  return {{"id", "s-1"},
          {"name", name},
          {"integrated_account_id", "acc-1"},
          {"config", {{"methods", {"read"}}, {"tags", json::array()}, {"require_api_token_auth", false}}},
          {"expires_at", nullptr},
          {"created_at", "2030-01-01T00:00:00.000Z"},
          {"updated_at", "2030-01-01T00:00:00.000Z"}};
}

class CliTest : public ::testing::Test {
 protected:
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    CliContext c;
    c.http = &http_;
    c.env.get_env = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    c.env.read_file = [this](const std::string& path) -> absl::StatusOr<std::string> {
      auto it = files_.find(path);
      if (it == files_.end()) return absl::NotFoundError(absl::StrCat("no file ", path));
      return it->second;
    };
    c.now = [] { return absl::FromUnixSeconds(1'900'000'000); };  // 2030-03-17T17:46:40Z
    c.in = &in_;
    c.out = &out_;
    c.err = &err_;
    return RunCli(args, c);
  }
  std::string out() const { return out_.str(); }
  std::string err() const { return err_.str(); }
  json LastBody() const { return json::parse(http_.requests.back().body); }

  FakeHttp http_;
  std::map<std::string, std::string> env_ = {{"CASPIO_MCP_URL", "http://edge.test:8080/"},
                                             {"CASPIO_MCP_ADMIN_TOKEN", kAdminToken},
                                             {"CASPIO_MCP_ACCOUNT", "acc-1"}};
  std::map<std::string, std::string> files_;
  std::istringstream in_;
  std::ostringstream out_, err_;
};

// ------------------------------------------------------------ pieces

TEST(DurationTest, ReadsWhatOperatorsType) {
  EXPECT_EQ(*ParseHumanDuration("90s"), absl::Seconds(90));
  EXPECT_EQ(*ParseHumanDuration("24h"), absl::Hours(24));
  EXPECT_EQ(*ParseHumanDuration("1h30m"), absl::Minutes(90));
  EXPECT_EQ(*ParseHumanDuration("7d"), absl::Hours(168));
  EXPECT_EQ(*ParseHumanDuration(" 2W "), absl::Hours(336));
  for (const char* bad : {"", "24", "h", "0s", "-1h", "1.5h", "1 h", "1y", "99999999999999h"}) {
    EXPECT_FALSE(ParseHumanDuration(bad).ok()) << bad;
  }
  EXPECT_THAT(std::string(ParseHumanDuration("soon").status().message()), HasSubstr("90s, 30m, 24h"));
}

TEST(DurationTest, FormatsTimes) {
  const absl::Time now = absl::FromUnixSeconds(1'900'000'000);
  EXPECT_EQ(Rfc3339(now), "2030-03-17T17:46:40.000Z");
  EXPECT_EQ(Relative(now + absl::Hours(24), now), "in 24h");
  EXPECT_EQ(Relative(now + absl::Minutes(90), now), "in 1h 30m");
  EXPECT_EQ(Relative(now - absl::Seconds(5), now), "5s ago");
  EXPECT_EQ(Relative(now + absl::Hours(24 * 7 + 3), now), "in 7d 3h");
  EXPECT_EQ(Relative(now + absl::Hours(24 * 7) - absl::Milliseconds(20), now), "in 7d");
  EXPECT_EQ(Relative(now + absl::Hours(24) - absl::Seconds(1), now), "in 24h");
}

TEST(CommandLineTest, ParsesFlagsStrictly) {
  const std::vector<FlagSpec> specs = {{"name"}, {"yes", FlagKind::kBool}};
  auto a = ParseArgs({"pos", "--name", "x y", "--yes", "--", "--not-a-flag"}, specs);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->Get("name"), "x y");
  EXPECT_TRUE(a->Has("yes"));
  EXPECT_EQ(a->positionals, (std::vector<std::string>{"pos", "--not-a-flag"}));
  EXPECT_EQ(ParseArgs({"--name=a=b"}, specs)->Get("name"), "a=b");
  EXPECT_THAT(std::string(ParseArgs({"--nam", "x"}, specs).status().message()), HasSubstr("unknown flag --nam"));
  EXPECT_THAT(std::string(ParseArgs({"--name"}, specs).status().message()), HasSubstr("needs a value"));
  EXPECT_THAT(std::string(ParseArgs({"--yes=1"}, specs).status().message()), HasSubstr("takes no value"));
  EXPECT_THAT(std::string(ParseArgs({"--name", "a", "--name", "b"}, specs).status().message()), HasSubstr("twice"));
  EXPECT_EQ(SplitList(" read, write,,custom "), (std::vector<std::string>{"read", "write", "custom"}));
}

TEST(ConfigTest, FlagsBeatEnvironmentBeatsEnvFile) {
  Environment env;
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> files = {
      {".run/env", "# up.sh\nEDGE_URL=http://file:1\nADMIN_TOKEN='from-file'\nexport ACCOUNT_ID=\"acc-file\"\n"},
      {"/tok", "from-token-file\n"}};
  env.get_env = [&](const std::string& n) -> std::optional<std::string> {
    if (!vars.contains(n)) return std::nullopt;
    return vars[n];
  };
  env.read_file = [&](const std::string& p) -> absl::StatusOr<std::string> {
    if (!files.contains(p)) return absl::NotFoundError(p);
    return files[p];
  };
  auto c = ResolveConnection({}, env);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->url, "http://file:1");
  EXPECT_EQ(c->admin_token, "from-file");
  EXPECT_EQ(c->default_account, "acc-file");

  vars = {{"CASPIO_MCP_URL", "https://env:2/"}, {"CASPIO_MCP_ADMIN_TOKEN", "from-env"}, {"CASPIO_MCP_ACCOUNT", "acc-env"}};
  c = ResolveConnection({}, env);
  EXPECT_EQ(c->url, "https://env:2");
  EXPECT_EQ(c->admin_token, "from-env");
  EXPECT_EQ(c->default_account, "acc-env");

  c = ResolveConnection({.url = "http://flag:3", .admin_token_file = "/tok", .account = "acc-flag"}, env);
  EXPECT_EQ(c->url, "http://flag:3");
  EXPECT_EQ(c->admin_token, "from-token-file");
  EXPECT_EQ(c->default_account, "acc-flag");

  // An explicit env file must exist; the default one may be absent.
  EXPECT_THAT(std::string(ResolveConnection({.env_file = "/nope"}, env).status().message()), HasSubstr("/nope"));
  files.clear();
  vars.clear();
  auto missing = ResolveConnection({}, env);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("CASPIO_MCP_URL"));
  EXPECT_THAT(std::string(ResolveConnection({.url = "edge:8080"}, env).status().message()), HasSubstr("http://"));
}

TEST(OutputTest, TablesAlignAndSnippetsCarryTheUrl) {
  EXPECT_EQ(Table({"ID", "NAME"}, {{"a", "Production"}, {"bbbb", "x"}}), "ID    NAME\na     Production\nbbbb  x\n");
  EXPECT_EQ(ServerKey("Support agent!"), "caspio-support-agent");
  EXPECT_EQ(ServerKey("Caspio prod"), "caspio-prod");
  EXPECT_EQ(ServerKey("!!"), "caspio");
  const std::string url = "https://mcp.example.com/mcp/t/mcp";
  const std::string s = ClientSnippets(url, "agent", false);
  EXPECT_THAT(s, HasSubstr(R"("mcp-remote",)"));
  EXPECT_THAT(s, HasSubstr(absl::StrCat("\"", url, "\"")));
  EXPECT_THAT(s, HasSubstr(absl::StrCat("MCP Server URL:  ", url)));
  EXPECT_THAT(s, HasSubstr(absl::StrCat("inspector --cli ", url)));
  EXPECT_THAT(s, Not(HasSubstr("Authorization")));
  EXPECT_THAT(s, Not(HasSubstr("publish the edge")));
  const std::string guarded = ClientSnippets("http://127.0.0.1:8080/mcp/t/mcp", "agent", true);
  EXPECT_THAT(guarded, HasSubstr("Authorization:${CASPIO_MCP_AUTH}"));
  EXPECT_THAT(guarded, HasSubstr(R"("Authorization": "Bearer <MCP client API token>")"));
  EXPECT_THAT(guarded, HasSubstr("publish the edge over HTTPS"));
  EXPECT_THAT(guarded, HasSubstr("caspio-mcp api-tokens create"));
}

// ------------------------------------------------------------ commands

TEST_F(CliTest, UsageAndHelp) {
  EXPECT_EQ(Run({}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("caspio-mcp servers create"));
  EXPECT_EQ(Run({"--help"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("Exit codes"));
  EXPECT_EQ(Run({"servers", "create", "--help"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("--expires-in"));
  EXPECT_EQ(Run({"servers"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("caspio-mcp servers rm"));
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(CliTest, UsageErrorsExitTwoWithoutARequest) {
  EXPECT_EQ(Run({"frobnicate"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("unknown command \"frobnicate\""));
  EXPECT_EQ(Run({"servers", "explode"}), kExitUsage);
  EXPECT_EQ(Run({"servers", "create", "--name", "x", "--methds", "read"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("unknown flag --methds"));
  EXPECT_THAT(err(), HasSubstr("caspio-mcp servers create --help"));
  EXPECT_EQ(Run({"servers", "rm"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("SERVER_ID is required"));
  EXPECT_EQ(Run({"servers", "create", "--name", "x", "--expires-in", "tomorrow"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--expires-in"));
  EXPECT_EQ(Run({"servers", "create", "--name", "x", "--expires-in", "1h", "--expires-at", "2030-01-01T00:00:00Z"}), kExitUsage);
  EXPECT_EQ(Run({"servers", "update", "s-1"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("nothing to change"));
  EXPECT_EQ(Run({"--admin-token", "x", "accounts", "list"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("no --admin-token flag"));
  env_.erase("CASPIO_MCP_ADMIN_TOKEN");
  EXPECT_EQ(Run({"accounts", "list"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("no admin API token"));
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(CliTest, ServersCreateSendsTheFilterAndPrintsTheUrlOnce) {
  json created = Server("support agent");
  created["config"]["tags"] = {"records"};
  created["expires_at"] = "2030-03-18T17:46:40.000Z";
  created["token"] = kUrlToken;
  created["url"] = absl::StrCat("http://edge.test:8080/mcp/", kUrlToken, "/mcp");
  http_.Reply(201, created);
  ASSERT_EQ(Run({"servers", "create", "--name", "support agent", "--methods", "read, bulk_update", "--tags=records",
                 "--expires-in", "24h"}),
            kExitOk)
      << err();
  const HttpClientRequest& r = http_.requests.back();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://edge.test:8080/integrated-account/acc-1/mcp");
  EXPECT_EQ(r.headers.Get("Authorization").value_or(""), absl::StrCat("Bearer ", kAdminToken));
  EXPECT_EQ(LastBody(), json::parse(R"({"name":"support agent","config":{"methods":["read","bulk_update"],
      "tags":["records"]},"expires_at":"2030-03-18T17:46:40.000Z"})"));
  EXPECT_THAT(out(), HasSubstr(created["url"].get<std::string>()));
  EXPECT_THAT(out(), HasSubstr("shown only this once"));
  EXPECT_THAT(out(), HasSubstr("in 24h"));
  EXPECT_THAT(out(), HasSubstr("Claude Desktop"));
  EXPECT_THAT(out(), HasSubstr("Cursor"));
  EXPECT_THAT(out(), HasSubstr("ChatGPT"));
  EXPECT_THAT(out() + err(), Not(HasSubstr(kAdminToken)));
}

TEST_F(CliTest, ServersCreateJsonIsTheApiResponse) {
  json created = Server();
  created["token"] = kUrlToken;
  created["url"] = "http://edge.test:8080/mcp/x/mcp";
  http_.Reply(201, created);
  ASSERT_EQ(Run({"--json", "servers", "create", "--name", "agent", "--require-api-token"}), kExitOk);
  EXPECT_EQ(json::parse(out()), created);
  EXPECT_EQ(LastBody(), json::parse(R"({"name":"agent","config":{"require_api_token_auth":true}})"));
}

TEST_F(CliTest, ListsNeverShowUrlsAndFollowCursors) {
  json page1 = {{"result", {Server("one")}}, {"next_cursor", "c/1"}};
  json two = Server("two");
  two["expires_at"] = "2030-03-17T18:46:40.000Z";
  http_.Reply(200, page1);
  http_.Reply(200, {{"result", {two}}, {"next_cursor", nullptr}});
  ASSERT_EQ(Run({"servers", "list", "--account", "acc-9"}), kExitOk) << err();
  EXPECT_EQ(http_.requests[0].url, "http://edge.test:8080/integrated-account/acc-9/mcp?limit=100");
  EXPECT_EQ(http_.requests[1].url, "http://edge.test:8080/integrated-account/acc-9/mcp?limit=100&next_cursor=c%2F1");
  EXPECT_THAT(out(), HasSubstr("one"));
  EXPECT_THAT(out(), HasSubstr("two"));
  EXPECT_THAT(out(), HasSubstr("(in 1h)"));
  EXPECT_THAT(out(), HasSubstr("never"));
  EXPECT_THAT(out(), Not(HasSubstr("/mcp/")));
}

TEST_F(CliTest, UpdateMergesConfigAndClearsExpiry) {
  http_.Reply(200, Server());
  json updated = Server();
  updated["config"]["tags"] = {"records"};
  http_.Reply(200, updated);
  ASSERT_EQ(Run({"servers", "update", "s-1", "--tags", "records", "--no-expiry"}), kExitOk) << err();
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(http_.requests[0].method, "GET");
  EXPECT_EQ(http_.requests[1].method, "PATCH");
  EXPECT_EQ(http_.requests[1].url, "http://edge.test:8080/integrated-account/acc-1/mcp/s-1");
  EXPECT_EQ(LastBody(), json::parse(R"({"expires_at":null,"config":{"methods":["read"],"tags":["records"],
      "require_api_token_auth":false}})"));

  http_.Reply(200, Server());
  ASSERT_EQ(Run({"servers", "update", "s-1", "--expires-in", "2h"}), kExitOk);
  EXPECT_EQ(LastBody(), json::parse(R"({"expires_at":"2030-03-17T19:46:40.000Z"})"));  // no config: no tool check
}

TEST_F(CliTest, ApiRefusalsPrintMessageFieldAndHintAndExitOne) {
  http_.Reply(400, {{"error",
                     {{"code", "invalid_field"},
                      {"message", "unknown tag \"nope\""},
                      {"field", "config.tags[0]"},
                      {"hint", "use one of: records, tables"}}}});
  EXPECT_EQ(Run({"servers", "create", "--name", "x", "--tags", "nope"}), kExitRefused);
  EXPECT_THAT(err(), HasSubstr("error: unknown tag \"nope\""));
  EXPECT_THAT(err(), HasSubstr("field: config.tags[0]"));
  EXPECT_THAT(err(), HasSubstr("hint:  use one of: records, tables"));
  EXPECT_THAT(err(), HasSubstr("HTTP 400 invalid_field, request req-1"));
  EXPECT_EQ(out(), "");

  http_.Reply(404, {{"error", {{"code", "not_found"}, {"message", "MCP server s-9 not found"}}}});
  EXPECT_EQ(Run({"--json", "servers", "get", "s-9"}), kExitRefused);
  json e = json::parse(err());
  EXPECT_EQ(e["http_status"], 404);
  EXPECT_EQ(e["error"]["code"], "not_found");

  http_.Reply(401, {{"error", {{"code", "unauthenticated"}, {"message", "unknown API token"}}}});
  EXPECT_EQ(Run({"accounts", "list"}), kExitRefused);
  EXPECT_THAT(err(), HasSubstr("CASPIO_MCP_ADMIN_TOKEN"));
  EXPECT_THAT(err(), Not(HasSubstr(kAdminToken)));
}

TEST_F(CliTest, UnreachableOrFailingEdgeExitsThree) {
  EXPECT_EQ(Run({"accounts", "list"}), kExitUnavailable);  // no reply queued: connection refused
  EXPECT_THAT(err(), HasSubstr("cannot reach the edge at http://edge.test:8080"));
  EXPECT_THAT(err(), Not(HasSubstr(kAdminToken)));
  http_.Reply(503, {{"error", {{"code", "unavailable"}, {"message", "a backend service is unavailable; retry shortly"}}}});
  EXPECT_EQ(Run({"accounts", "list"}), kExitUnavailable);
  http_.replies.push_back({502, "<html>bad gateway</html>"});
  EXPECT_EQ(Run({"accounts", "list"}), kExitUnavailable);
  EXPECT_THAT(err(), HasSubstr("HTTP 502"));
}

TEST_F(CliTest, AccountsAddReadsTheSecretFromAFileOrStdinNeverArgv) {
  EXPECT_EQ(Run({"accounts", "add", "--name", "P", "--base-url", "https://c1.caspio.com", "--client-id", "id"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("no client secret"));
  files_["/secret"] = "s3cret\n";
  json account = {{"id", "acc-2"}, {"name", "P"}, {"credentials", {{"base_url", "https://c1.caspio.com"}, {"client_id", "id"}}}};
  http_.Reply(201, account);
  ASSERT_EQ(Run({"accounts", "add", "--name", "P", "--base-url", "https://c1.caspio.com", "--client-id", "id",
                 "--client-secret-file", "/secret"}),
            kExitOk)
      << err();
  EXPECT_EQ(LastBody()["credentials"]["client_secret"], "s3cret");
  EXPECT_EQ(LastBody()["integration"], "caspio");
  EXPECT_THAT(out(), HasSubstr("servers create --account acc-2"));
  EXPECT_THAT(out(), Not(HasSubstr("s3cret")));
  in_.str("from-stdin\n");
  http_.Reply(201, account);
  ASSERT_EQ(Run({"accounts", "add", "--name", "P", "--base-url", "u", "--client-id", "id", "--client-secret-file", "-"}), kExitOk);
  EXPECT_EQ(LastBody()["credentials"]["client_secret"], "from-stdin");
}

TEST_F(CliTest, ToolsPreviewsAFilter) {
  http_.Reply(200, {{"result",
                     {{{"name", "list_all_caspio_records"}, {"title", "List records"}, {"resource", "records"},
                       {"method", "list"}, {"tags", {"records"}}, {"read_only", true}, {"destructive", false}}}},
                    {"count", 1}});
  ASSERT_EQ(Run({"tools", "--methods", "read", "--tags", "records,files & folders"}), kExitOk) << err();
  EXPECT_EQ(http_.requests.back().url,
            "http://edge.test:8080/integrated-account/acc-1/tools?methods=read&tags=records%2Cfiles%20%26%20folders");
  EXPECT_THAT(out(), HasSubstr("list_all_caspio_records  list"));
  EXPECT_THAT(out(), HasSubstr("read-only"));
  EXPECT_THAT(out(), HasSubstr("1 tool with methods read"));
  http_.Reply(200, {{"result", json::array()}, {"count", 0}});
  ASSERT_EQ(Run({"tools", "--methods", "write", "--tags", "x"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("would be refused"));
}

TEST_F(CliTest, CapabilitiesListsEveryMethodAndTheAiReadiness) {
  http_.Reply(200, {{"integration", "caspio"},
                    {"methods",
                     {{{"name", "records_list"}, {"tool_name", "list_all_caspio_records"}, {"tags", {"records"}},
                       {"described", true}},
                      {{"name", "tasks_run"}, {"tool_name", nullptr}, {"tags", json::array()}, {"described", false}}}},
                    {"ai_readiness", {{"total_methods", 2}, {"described_methods", 1}, {"score", 0.5}}}});
  ASSERT_EQ(Run({"capabilities", "--tags", "records"}), kExitOk) << err();
  EXPECT_EQ(http_.requests.back().url, "http://edge.test:8080/integrated-account/acc-1/capabilities?tags=records");
  EXPECT_THAT(out(), HasSubstr("records_list  list_all_caspio_records  records  yes"));
  EXPECT_THAT(out(), HasSubstr("tasks_run     -"));
  EXPECT_THAT(out(), HasSubstr("AI readiness: 1 of 2 methods described (score 0.5)."));
}

TEST_F(CliTest, AnAccountIsNeededForServerCommands) {
  env_.erase("CASPIO_MCP_ACCOUNT");
  EXPECT_EQ(Run({"servers", "list"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--account"));
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(CliTest, ApiTokensAreLimitedOnlyByAnExplicitAccount) {
  http_.Reply(201, {{"id", "t1"}, {"name", "c"}, {"scope", "mcp_client"}, {"token", "cmcp_new"}});
  ASSERT_EQ(Run({"api-tokens", "create", "--name", "c"}), kExitOk) << err();
  EXPECT_EQ(LastBody(), json::parse(R"({"name":"c","scope":"mcp_client"})"));
  EXPECT_THAT(out(), HasSubstr("cmcp_new"));
  http_.Reply(201, {{"id", "t2"}, {"name", "c"}, {"scope", "mcp_client"}, {"token", "cmcp_new2"}});
  ASSERT_EQ(Run({"api-tokens", "create", "--name", "c", "--account", "acc-7"}), kExitOk);
  EXPECT_EQ(LastBody()["account_ids"], json({"acc-7"}));
  EXPECT_EQ(Run({"api-tokens", "create", "--name", "c", "--scope", "root"}), kExitUsage);
}

}  // namespace
}  // namespace cmcp::cli
