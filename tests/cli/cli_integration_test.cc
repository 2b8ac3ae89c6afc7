// The caspio-mcp binary against a whole local cluster (real edge, token,
// toolgen, proxy, Redis and the Caspio sandbox): every command as an operator
// runs it, the URL it prints used by an MCP client, and its exit codes.
#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"

extern char** environ;

namespace cmcp {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::LocalCluster;
using ::cmcp::testing::McpTestClient;
using ::cmcp::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

struct Result {
  int code = -1;
  std::string out, err;
};

std::string CliPath() { return absl::StrCat(std::getenv("CMCP_BIN_DIR") ? std::getenv("CMCP_BIN_DIR") : "build/bin", "/caspio-mcp"); }

// Runs the CLI with exactly `env` as its environment (plus PATH), in `cwd`.
Result RunCli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
              const std::string& cwd, const std::string& stdin_text = "") {
  int out_pipe[2], err_pipe[2], in_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0 || pipe(in_pipe) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], in_pipe[0], in_pipe[1]}) close(fd);
    if (chdir(cwd.c_str()) != 0) _exit(120);
    std::vector<std::string> env_strings = {absl::StrCat("PATH=", std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin")};
    for (const auto& [k, v] : env) env_strings.push_back(absl::StrCat(k, "=", v));
    std::vector<char*> envp, argv;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string path = CliPath();
    argv.push_back(path.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execve(path.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(in_pipe[0]);
  if (!stdin_text.empty()) (void)!write(in_pipe[1], stdin_text.data(), stdin_text.size());
  close(in_pipe[1]);
  Result r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_count = 2;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (open_count > 0 && absl::Now() < deadline) {
    if (poll(fds, 2, 1000) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class CliIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto cluster = LocalCluster::Start({.token_flags = {"--min-expiry-lead=1s"}});
    ASSERT_THAT(cluster, IsOk());
    cluster_ = cluster->release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr); }

  std::map<std::string, std::string> Env() const {
    return {{"CASPIO_MCP_URL", cluster_->edge_url()}, {"CASPIO_MCP_ADMIN_TOKEN", cluster_->admin_token()}};
  }
  Result Cli(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}, const std::string& in = "") {
    if (env.empty()) env = Env();
    Result r = RunCli(args, env, dir_.path(), in);
    // Whatever happened, the admin token never appears in the output.
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(cluster_->admin_token()))) << absl::StrJoin(args, " ");
    return r;
  }
  std::string AddAccount(const std::string& name) {
    std::ofstream(dir_.File("secret")) << "sandbox-secret\n";
    Result r = Cli({"--json", "accounts", "add", "--name", name, "--base-url", cluster_->sandbox_url(), "--client-id",
                    "sandbox-client", "--client-secret-file", dir_.File("secret")});
    EXPECT_EQ(r.code, 0) << r.err;
    json a = json::parse(r.out, nullptr, false);
    return a.is_object() ? a.value("id", "") : "";
  }

  static LocalCluster* cluster_;
  TempDir dir_;
};
LocalCluster* CliIntegrationTest::cluster_ = nullptr;

TEST_F(CliIntegrationTest, AnOperatorsWholeSession) {
  const std::string account = AddAccount("Sandbox via CLI");
  ASSERT_FALSE(account.empty());
  Result listed = Cli({"accounts", "list"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("Sandbox via CLI"));
  EXPECT_THAT(listed.out, Not(HasSubstr("sandbox-secret")));

  // Preview, then create exactly that.
  Result preview = Cli({"--json", "tools", "--account", account, "--methods", "read"});
  ASSERT_EQ(preview.code, 0) << preview.err;
  const json tools = json::parse(preview.out);
  ASSERT_GT(tools["count"].get<int>(), 0);
  Result human_preview = Cli({"tools", "--account", account, "--methods", "read"});
  EXPECT_THAT(human_preview.out, HasSubstr("list_all_caspio_records"));

  Result created = Cli({"servers", "create", "--account", account, "--name", "cli agent", "--methods", "read",
                        "--expires-in", "24h"});
  ASSERT_EQ(created.code, 0) << created.err;
  const size_t at = created.out.find(cluster_->edge_url() + "/mcp/");
  ASSERT_NE(at, std::string::npos) << created.out;
  const std::string url = created.out.substr(at, created.out.find('\n', at) - at);
  EXPECT_THAT(created.out, HasSubstr("mcp-remote"));
  EXPECT_THAT(created.out, HasSubstr("(in 24h)"));

  // The printed URL works, and shows exactly the previewed tools.
  McpTestClient client(url);
  ASSERT_EQ(client.Initialize().status, 200);
  auto list = client.Request("tools/list");
  ASSERT_EQ(list.status, 200) << list.raw;
  EXPECT_EQ(list.body["result"]["tools"].size(), tools["result"].size());

  // list / get / update never print it again.
  Result servers = Cli({"--json", "servers", "list", "--account", account});
  ASSERT_EQ(servers.code, 0) << servers.err;
  const json all = json::parse(servers.out);
  ASSERT_EQ(all.size(), 1u);
  const std::string id = all[0]["id"];
  EXPECT_THAT(servers.out, Not(HasSubstr(url)));
  Result human_list = Cli({"servers", "list", "--account", account});
  EXPECT_THAT(human_list.out, HasSubstr("cli agent"));
  EXPECT_THAT(human_list.out, Not(HasSubstr("/mcp/")));

  Result updated = Cli({"--json", "servers", "update", id, "--account", account, "--name", "renamed", "--no-expiry",
                        "--tags", tools["result"][0]["tags"][0]});
  ASSERT_EQ(updated.code, 0) << updated.err;
  const json server = json::parse(updated.out);
  EXPECT_EQ(server["name"], "renamed");
  EXPECT_TRUE(server["expires_at"].is_null());
  EXPECT_EQ(server["config"]["methods"], json({"read"}));  // kept while tags changed
  EXPECT_EQ(server["config"]["tags"].size(), 1u);
  Result got = Cli({"servers", "get", id, "--account", account});
  EXPECT_THAT(got.out, HasSubstr("renamed"));
  EXPECT_THAT(got.out, HasSubstr("expires:   never"));
  EXPECT_EQ(client.Request("tools/list").status, 200);  // same URL after the update

  Result removed = Cli({"servers", "rm", id, "--account", account});
  ASSERT_EQ(removed.code, 0) << removed.err;
  // The edge caches a resolved URL for at most 500 ms: the deletion reaches live sessions within 1 s.
  const absl::Time deadline = absl::Now() + absl::Seconds(2);
  int status = 200;
  while (absl::Now() < deadline && (status = client.Request("tools/list").status) != 404) absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(status, 404);
  Result gone = Cli({"accounts", "rm", account});
  EXPECT_EQ(gone.code, 0) << gone.err;
  EXPECT_EQ(Cli({"accounts", "get", account}).code, 1);
}

TEST_F(CliIntegrationTest, ExpiryAndTheApiTokenSecondFactor) {
  const std::string account = AddAccount("second factor");
  Result created = Cli({"--json", "servers", "create", "--account", account, "--name", "guarded", "--require-api-token",
                        "--expires-in", "3s"});
  ASSERT_EQ(created.code, 0) << created.err;
  const json server = json::parse(created.out);
  Result token = Cli({"--json", "api-tokens", "create", "--name", "guarded client", "--account", account});
  ASSERT_EQ(token.code, 0) << token.err;
  const std::string api_token = json::parse(token.out)["token"];
  EXPECT_EQ(McpTestClient(server["url"]).Initialize().status, 401);
  McpTestClient client(server["url"], [&] {
    Headers h;
    h.Add("Authorization", "Bearer " + api_token);
    return h;
  }());
  EXPECT_EQ(client.Initialize().status, 200);
  const absl::Time deadline = absl::Now() + absl::Seconds(8);
  int status = 200;
  while (absl::Now() < deadline && (status = client.Request("tools/list").status) != 404) absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(status, 404) << "the server outlived its expiry";
  EXPECT_EQ(Cli({"api-tokens", "rm", json::parse(token.out)["id"]}).code, 0);
}

TEST_F(CliIntegrationTest, RefusalsAndExitCodes) {
  const std::string account = AddAccount("refusals");
  Result bad_tag = Cli({"servers", "create", "--account", account, "--name", "x", "--tags", "no-such-tag"});
  EXPECT_EQ(bad_tag.code, 1);
  EXPECT_THAT(bad_tag.err, HasSubstr("unknown tag \"no-such-tag\""));
  EXPECT_THAT(bad_tag.err, HasSubstr("field: config.tags[0]"));
  EXPECT_THAT(bad_tag.err, HasSubstr("hint:  use one of:"));
  Result too_soon = Cli({"servers", "create", "--account", account, "--name", "x", "--expires-at", "2001-01-01T00:00:00Z"});
  EXPECT_EQ(too_soon.code, 1);
  EXPECT_THAT(too_soon.err, HasSubstr("field: expires_at"));
  Result bad_url = Cli({"accounts", "add", "--name", "x", "--base-url", "ftp://x", "--client-id", "a"},
                       {{"CASPIO_MCP_URL", cluster_->edge_url()}, {"CASPIO_MCP_ADMIN_TOKEN", cluster_->admin_token()},
                        {"CASPIO_CLIENT_SECRET", "s"}});
  EXPECT_EQ(bad_url.code, 1);
  EXPECT_THAT(bad_url.err, HasSubstr("credentials.base_url"));
  Result wrong_token = Cli({"accounts", "list"}, {{"CASPIO_MCP_URL", cluster_->edge_url()}, {"CASPIO_MCP_ADMIN_TOKEN", "cmcp_wrong"}});
  EXPECT_EQ(wrong_token.code, 1);
  EXPECT_THAT(wrong_token.err, HasSubstr("HTTP 401"));
  Result nothing = Cli({"accounts", "list"}, {{"HOME", dir_.path()}});
  EXPECT_EQ(nothing.code, 2);
  EXPECT_THAT(nothing.err, HasSubstr("no edge URL"));
  Result unreachable = Cli({"accounts", "list"}, {{"CASPIO_MCP_URL", "http://127.0.0.1:1"}, {"CASPIO_MCP_ADMIN_TOKEN", "x"}});
  EXPECT_EQ(unreachable.code, 3);
  EXPECT_THAT(unreachable.err, HasSubstr("cannot reach the edge"));
}

TEST_F(CliIntegrationTest, ReadsTheLocalEnvFileLikeUpShWritesIt) {
  const std::string account = AddAccount("env file");
  std::ofstream(dir_.File("env")) << "EDGE_URL=" << cluster_->edge_url() << "\nADMIN_TOKEN=" << cluster_->admin_token()
                                  << "\nACCOUNT_ID=" << account << "\n";
  mkdir(dir_.File(".run").c_str(), 0700);
  std::rename(dir_.File("env").c_str(), dir_.File(".run/env").c_str());
  Result r = Cli({"servers", "list"}, {{"HOME", dir_.path()}});  // no CASPIO_MCP_* at all
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("no MCP server yet"));
}

}  // namespace
}  // namespace cmcp
