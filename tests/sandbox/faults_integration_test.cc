// Faults and time-driven behaviour of the real caspio-sandbox binary: the
// /__sandbox/ control API (rate limit, latency, 5xx, reset, token revoke),
// its absence without --enable-faults, short token lifetimes, and task runs
// moving Busy -> Processing -> Ready. Waits poll a condition with a deadline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "tests/sandbox/sandbox_process.h"
#include "tests/testing/child_process.h"

namespace cmcp::sandbox::testing {
namespace {

using json = nlohmann::json;

constexpr char kRecords[] = "/integrations/rest/v3/tables/Inventory/records";
constexpr char kTask[] = "/integrations/rest/v3/dataImportExportTasks/e4d3c2b1-0000-4a1b-9c8d-7e6f5a4b3c01";

// Polls `done` every 20 ms until it holds or `limit` passes.
bool Eventually(const std::function<bool()>& done, absl::Duration limit = absl::Seconds(10)) {
  const absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

std::unique_ptr<SandboxProcess> StartOrDie(std::vector<std::string> args) {
  auto started = SandboxProcess::Start(std::move(args));
  EXPECT_TRUE(started.ok()) << started.status();
  return started.ok() ? *std::move(started) : nullptr;
}

int Status(SandboxProcess& s, const std::string& method, const std::string& target, const std::string& body = "") {
  auto r = s.Call(method, target, body);
  return r.ok() ? r->status : -1;
}

TEST(FaultsIntegrationTest, RateLimitAnswers429WithRateLimitHeaders) {
  auto sandbox = StartOrDie({"--enable-faults"});
  ASSERT_NE(sandbox, nullptr);
  auto configured =
      sandbox->Raw("POST", "/__sandbox/faults", R"({"rate_limit":{"limit":3,"window_seconds":60}})");
  ASSERT_TRUE(configured.ok());
  ASSERT_EQ(configured->status, 200) << configured->body;
  EXPECT_EQ(Json(*configured)["rate_limit"]["limit"], 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Status(*sandbox, "GET", kRecords), 200) << i;
  auto limited = sandbox->Call("GET", kRecords);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(Json(*limited)["Code"], "TooManyRequests");
  EXPECT_EQ(std::string(limited->headers.Get("X-RateLimit-Limit").value_or("")), "3");
  EXPECT_EQ(std::string(limited->headers.Get("X-RateLimit-Remaining").value_or("")), "0");
  int64_t reset = 0, retry_after = 0;
  ASSERT_TRUE(absl::SimpleAtoi(limited->headers.Get("X-RateLimit-Reset").value_or(""), &reset));
  ASSERT_TRUE(absl::SimpleAtoi(limited->headers.Get("Retry-After").value_or(""), &retry_after));
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  EXPECT_GT(reset, now);          // epoch seconds, in the future
  EXPECT_LE(reset, now + 61);
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
  // Clearing the faults lifts the limit.
  auto cleared = sandbox->Raw("DELETE", "/__sandbox/faults");
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(cleared->status, 204);
  EXPECT_EQ(Status(*sandbox, "GET", kRecords), 200);
}

TEST(FaultsIntegrationTest, InjectsServerErrorsAndLatency) {
  auto sandbox = StartOrDie({"--enable-faults"});
  ASSERT_NE(sandbox, nullptr);
  ASSERT_EQ(sandbox->Raw("POST", "/__sandbox/faults", R"({"fail_next":2,"error_status":502})")->status, 200);
  EXPECT_EQ(Status(*sandbox, "GET", kRecords), 502);
  EXPECT_EQ(Status(*sandbox, "GET", kRecords), 502);
  EXPECT_EQ(Status(*sandbox, "GET", kRecords), 200);

  ASSERT_EQ(sandbox->Raw("POST", "/__sandbox/faults", R"({"latency_ms":300})")->status, 200);
  auto slow = sandbox->Call("GET", kRecords);
  ASSERT_TRUE(slow.ok());
  EXPECT_EQ(slow->status, 200);
  EXPECT_GE(slow->elapsed, absl::Milliseconds(300));  // a lower bound only, never a speed assertion

  auto bad = sandbox->Raw("POST", "/__sandbox/faults", R"({"error_rate":7})");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
}

TEST(FaultsIntegrationTest, ResetRestoresTheSeedAndRevokeDropsTokens) {
  auto sandbox = StartOrDie({"--enable-faults"});
  ASSERT_NE(sandbox, nullptr);
  auto deleted = sandbox->Call("DELETE", std::string(kRecords) + "?q.where=" + Q("PK_ID > 0"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(Json(*deleted)["RecordsAffected"], 30);
  EXPECT_EQ(sandbox->Raw("POST", "/__sandbox/reset")->status, 204);
  auto listed = sandbox->Call("GET", std::string(kRecords) + "?q.getPaginationInfo=true");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(Json(*listed)["Pagination"]["TotalCount"], 30);
  EXPECT_EQ(sandbox->Raw("POST", "/__sandbox/tokens/revoke")->status, 204);
  EXPECT_EQ(Status(*sandbox, "GET", kRecords), 401);
}

TEST(FaultsIntegrationTest, ControlApiIsOffByDefault) {
  auto sandbox = StartOrDie({});
  ASSERT_NE(sandbox, nullptr);
  EXPECT_EQ(sandbox->Raw("POST", "/__sandbox/reset")->status, 404);
  EXPECT_EQ(sandbox->Raw("POST", "/__sandbox/faults", R"({"fail_next":1})")->status, 404);
  EXPECT_EQ(Status(*sandbox, "GET", kRecords), 200);
}

TEST(FaultsIntegrationTest, ShortLivedTokensExpire) {
  auto sandbox = StartOrDie({"--token-lifetime=1s"});
  ASSERT_NE(sandbox, nullptr);
  auto token = sandbox->FetchToken();
  ASSERT_TRUE(token.ok());
  Headers auth;
  auth.Add("Authorization", "Bearer " + *token);
  EXPECT_EQ(sandbox->Raw("GET", kRecords, "", auth)->status, 200);
  EXPECT_TRUE(Eventually([&] { return sandbox->Raw("GET", kRecords, "", auth)->status == 401; }));
}

TEST(FaultsIntegrationTest, TaskRunsMoveThroughTheirStatuses) {
  auto sandbox = StartOrDie({"--task-busy=300ms", "--task-processing=300ms"});
  ASSERT_NE(sandbox, nullptr);
  auto status = [&] {
    auto r = sandbox->Call("GET", kTask);
    return r.ok() ? Json(*r)["Result"].value("Status", "") : "";
  };
  EXPECT_EQ(status(), "Ready");
  EXPECT_EQ(Status(*sandbox, "POST", std::string(kTask) + "/run"), 204);
  std::vector<std::string> seen;
  EXPECT_TRUE(Eventually([&] {
    const std::string s = status();
    if (seen.empty() || seen.back() != s) seen.push_back(s);
    return s == "Ready";
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"Busy", "Processing", "Ready"}));
}

TEST(FaultsIntegrationTest, BadSettingsExitNamingTheSetting) {
  cmcp::testing::TempDir dir;
  auto child = cmcp::testing::ChildProcess::Start(
      {cmcp::testing::BinPath("caspio-sandbox"), "--threads=0", "--port-file=" + dir.File("p")},
      {.wait_for_tcp_port = 0, .startup_timeout = absl::Seconds(2), .log_file = dir.File("log")});
  // Either Start reports the early exit, or the child is found dead.
  if (child.ok()) {
    EXPECT_TRUE(Eventually([&] { return !(*child)->Running(); }, absl::Seconds(5)));
  }
  std::ifstream log(dir.File("log"));
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_THAT(text.str(), ::testing::HasSubstr("--threads"));
}

}  // namespace
}  // namespace cmcp::sandbox::testing
