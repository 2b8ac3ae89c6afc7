// Fault tests (issue 10): while a steady MCP load runs through the real edge,
// each service, Redis and the upstream (the Caspio sandbox) is killed with
// SIGKILL and started again. Clients must only ever see well-formed answers
// (a result, an isError result or a JSON-RPC error), never a hang or a
// malformed response; the cluster serves again within 5 s of the restart;
// nothing that existed before (accounts, servers, URL tokens, API tokens,
// live sessions) is lost, Redis running with AOF.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"

namespace cmcp {
namespace {

using ::cmcp::testing::HttpResult;
using ::cmcp::testing::IsOk;
using ::cmcp::testing::LocalCluster;
using ::cmcp::testing::McpTestClient;
using json = nlohmann::json;

// A request that takes longer than this counts as a hang.
constexpr absl::Duration kHang = absl::Seconds(12);
constexpr absl::Duration kRecovery = absl::Seconds(5);

enum class Outcome { kResult, kToolError, kRpcError, kUnreachable, kMalformed };

Outcome Classify(const HttpResult& r) {
  if (r.status == -1) return Outcome::kUnreachable;  // no HTTP answer at all (connection refused)
  if (!r.body.is_object() || r.body.value("jsonrpc", "") != "2.0") return Outcome::kMalformed;
  if (r.body.contains("error")) {
    const json& e = r.body["error"];
    const bool well_formed = e.is_object() && e.contains("code") && e["code"].is_number_integer() &&
                             e.contains("message") && e["message"].is_string() && !e["message"].get<std::string>().empty();
    return well_formed ? Outcome::kRpcError : Outcome::kMalformed;
  }
  if (!r.body.contains("result") || !r.body["result"].is_object()) return Outcome::kMalformed;
  const json& result = r.body["result"];
  if (result.value("isError", false)) {
    const bool explained = result.contains("content") && result["content"].is_array() && !result["content"].empty() &&
                           result["content"][0].value("text", "") != "";
    return explained ? Outcome::kToolError : Outcome::kMalformed;
  }
  return r.status == 200 ? Outcome::kResult : Outcome::kMalformed;
}

const json kCall = {{"name", "list_all_caspio_records"}, {"arguments", {{"table_name", "Inventory"}, {"limit", 2}}}};

// Steady load: a few clients, each on its own session, calling one tool in a
// loop and recording what came back.
class SteadyLoad {
 public:
  SteadyLoad(const std::string& url, int clients) {
    for (int i = 0; i < clients; ++i) {
      auto client = std::make_unique<McpTestClient>(url);
      EXPECT_EQ(client->Initialize("2025-11-25").status, 200);
      clients_.push_back(std::move(client));
    }
    for (auto& c : clients_) {
      threads_.emplace_back([this, client = c.get()] {
        while (!stop_.load()) {
          const absl::Time start = absl::Now();
          HttpResult r = client->Request("tools/call", kCall);
          Record(Classify(r), absl::Now() - start, r);
          // Unreachable edge: do not spin on refused connections.
          if (r.status == -1) absl::SleepFor(absl::Milliseconds(20));
        }
      });
    }
  }
  ~SteadyLoad() { Stop(); }
  void Stop() {
    stop_.store(true);
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  struct Tally {
    std::map<Outcome, int> outcomes;
    absl::Duration slowest;
    std::vector<std::string> malformed;  // a few samples
  };
  // What came back since the last call.
  Tally Take() {
    absl::MutexLock lock(&mu_);
    Tally out = std::move(tally_);
    tally_ = Tally{};
    return out;
  }

 private:
  void Record(Outcome o, absl::Duration took, const HttpResult& r) {
    absl::MutexLock lock(&mu_);
    tally_.outcomes[o]++;
    tally_.slowest = std::max(tally_.slowest, took);
    if (o == Outcome::kMalformed && tally_.malformed.size() < 3) {
      tally_.malformed.push_back(absl::StrCat("HTTP ", r.status, ": ", r.raw.substr(0, 300)));
    }
  }

  std::vector<std::unique_ptr<McpTestClient>> clients_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  Tally tally_;
};

// Seconds until a fresh session completes a successful tools/call, polling.
absl::StatusOr<absl::Duration> TimeToRecover(const std::string& url, absl::Duration limit) {
  const absl::Time start = absl::Now();
  std::string last;
  while (absl::Now() - start < limit) {
    McpTestClient probe(url);
    HttpResult r = probe.Initialize("2025-11-25");
    if (r.status == 200) {
      r = probe.Request("tools/call", kCall);
      if (Classify(r) == Outcome::kResult) return absl::Now() - start;
    }
    last = absl::StrCat("HTTP ", r.status, ": ", r.raw.substr(0, 400));
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("not serving ", absl::FormatDuration(limit), " after the restart; last answer ", last));
}

TEST(FaultTest, KillNineEachPartUnderLoadLosesNothingAndNeverHangs) {
  // Quotas stay on (their Redis path is part of what fails) but high enough
  // for a load that turns every call into a fast error while a part is down.
  auto started = LocalCluster::Start(
      {.edge_flags = {"--server-rate-limit=1000000/1m", "--account-rate-limit=1000000/1m"}});
  ASSERT_THAT(started, IsOk());
  LocalCluster& cluster = **started;

  // What must survive.
  auto account = cluster.CreateSandboxAccount();
  ASSERT_THAT(account, IsOk());
  auto open = cluster.CreateServer(*account, {{"name", "open"}});
  ASSERT_THAT(open, IsOk());
  auto guarded = cluster.CreateServer(*account, {{"name", "guarded"}, {"config", {{"require_api_token_auth", true}}}});
  ASSERT_THAT(guarded, IsOk());
  HttpResult api = cluster.Admin("POST", "/api-token", {{"name", "agent"}, {"scope", "mcp_client"}});
  ASSERT_EQ(api.status, 201) << api.raw;
  HttpResult ops = cluster.Admin("POST", "/api-token", {{"name", "ops"}, {"scope", "admin"}});
  ASSERT_EQ(ops.status, 201) << ops.raw;
  const std::string url = (*open)["url"];
  Headers with_api_token;
  with_api_token.Add("Authorization", absl::StrCat("Bearer ", api.body["token"].get<std::string>()));
  McpTestClient long_lived(url);
  ASSERT_EQ(long_lived.Initialize("2025-11-25").status, 200);

  SteadyLoad load(url, 3);
  absl::SleepFor(absl::Milliseconds(300));
  SteadyLoad::Tally warmup = load.Take();
  ASSERT_GT(warmup.outcomes[Outcome::kResult], 0) << "no successful call before any fault";

  // Upstream first (its data is reseeded on restart), Redis, then each
  // service; the edge last, since killing it refuses connections.
  for (const std::string victim : {"sandbox", "redis", "toolgen", "token", "proxy", "edge"}) {
    SCOPED_TRACE(victim);
    if (victim == "redis") {
      cluster.redis().Kill();
    } else {
      cluster.process(victim).Kill();
    }
    absl::SleepFor(absl::Seconds(1));  // the load runs against the dead part
    const absl::Time restart = absl::Now();
    if (victim == "redis") {
      ASSERT_THAT(cluster.redis().StartAgain(), IsOk());
    } else {
      ASSERT_THAT(cluster.Restart(victim), IsOk());
    }
    auto recovered = TimeToRecover(url, kRecovery + absl::Seconds(5));
    ASSERT_THAT(recovered, IsOk());
    const absl::Duration since_restart = absl::Now() - restart;
    EXPECT_LE(since_restart, kRecovery) << victim << " took " << since_restart << " to serve again";
    absl::SleepFor(absl::Milliseconds(300));  // and keeps serving under load

    SteadyLoad::Tally t = load.Take();
    EXPECT_EQ(t.outcomes[Outcome::kMalformed], 0) << ::testing::PrintToString(t.malformed);
    EXPECT_LT(t.slowest, kHang) << "a request hung for " << t.slowest;
    if (victim != "edge") {
      // The edge stayed up: every request got an HTTP answer.
      EXPECT_EQ(t.outcomes[Outcome::kUnreachable], 0);
    }
    EXPECT_GT(t.outcomes[Outcome::kResult], 0) << "no success once recovered";
    std::cout << "[fault] " << victim << ": back " << absl::FormatDuration(since_restart) << " after restart; "
              << t.outcomes[Outcome::kResult] << " results, " << t.outcomes[Outcome::kToolError] << " isError, "
              << t.outcomes[Outcome::kRpcError] << " JSON-RPC errors, " << t.outcomes[Outcome::kUnreachable]
              << " refused connections; slowest " << absl::FormatDuration(t.slowest) << "\n";
  }
  load.Stop();

  // No service crashed on the way (the killed ones were restarted).
  for (const char* name : {"sandbox", "toolgen", "token", "proxy", "edge"}) {
    EXPECT_TRUE(cluster.process(name).Running()) << name << " died";
  }

  // Nothing was lost.
  HttpResult accounts = cluster.Admin("GET", "/integrated-account");
  ASSERT_EQ(accounts.status, 200) << accounts.raw;
  ASSERT_EQ(accounts.body["result"].size(), 1u);
  EXPECT_EQ(accounts.body["result"][0]["id"], *account);
  HttpResult servers = cluster.Admin("GET", absl::StrCat("/integrated-account/", *account, "/mcp"));
  ASSERT_EQ(servers.status, 200);
  std::set<std::string> ids;
  for (const json& s : servers.body["result"]) ids.insert(s["id"]);
  EXPECT_EQ(ids, (std::set<std::string>{(*open)["id"], (*guarded)["id"]}));
  EXPECT_EQ(McpTestClient(url).Initialize("2025-11-25").status, 200);
  EXPECT_EQ(McpTestClient((*guarded)["url"], with_api_token).Initialize("2025-11-25").status, 200);
  EXPECT_EQ(McpTestClient((*guarded)["url"]).Initialize("2025-11-25").status, 401);
  EXPECT_EQ(cluster.Admin("GET", "/integrated-account", nullptr, ops.body["token"]).status, 200);
  // A session opened before every restart still works (sealed, no server state).
  HttpResult again = long_lived.Request("tools/call", kCall);
  EXPECT_EQ(Classify(again), Outcome::kResult) << again.raw;
}

}  // namespace
}  // namespace cmcp
