// The admin API and the MCP token lifecycle through the real edge, token,
// toolgen and a real redis-server (issue 5): CRUD, validation, auth, expiry
// and deletion end to end, persistence across a Redis restart, concurrency.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/redis/redis_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"

namespace cmcp {
namespace {

using ::cmcp::testing::HttpResult;
using ::cmcp::testing::IsOk;
using ::cmcp::testing::LocalCluster;
using ::cmcp::testing::McpTestClient;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()); }

class AdminApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto cluster = LocalCluster::Start({.token_flags = {"--min-expiry-lead=1s", "--sweep-interval=200ms"}});
    ASSERT_THAT(cluster, IsOk());
    cluster_ = cluster->release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr); }

  std::string Account() {
    auto id = cluster_->CreateSandboxAccount();
    EXPECT_THAT(id, IsOk());
    return id.ok() ? *id : "";
  }

  std::vector<std::string> RedisKeys() {
    RedisClient redis({.address = cluster_->redis().address()});
    auto keys = redis.Command({"KEYS", "*"});
    std::vector<std::string> out;
    if (keys.ok()) for (const auto& k : keys->elements) out.push_back(k.str);
    return out;
  }

  static LocalCluster* cluster_;
};
LocalCluster* AdminApiTest::cluster_ = nullptr;

TEST_F(AdminApiTest, AccountCrudNeverReturnsTheSecret) {
  HttpResult created = cluster_->Admin("POST", "/integrated-account",
                                       {{"integration", "caspio"}, {"name", "Prod"},
                                        {"credentials", {{"base_url", cluster_->sandbox_url()},
                                                         {"client_id", "sandbox-client"},
                                                         {"client_secret", "sandbox-secret"}}}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_THAT(created.raw, Not(HasSubstr("sandbox-secret")));
  const std::string id = created.body["id"];
  EXPECT_EQ(created.body["credentials"]["client_id"], "sandbox-client");
  HttpResult got = cluster_->Admin("GET", "/integrated-account/" + id);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body["name"], "Prod");
  EXPECT_THAT(got.raw, Not(HasSubstr("sandbox-secret")));
  // Paging with limit=1 walks every account exactly once.
  std::set<std::string> seen;
  std::string cursor;
  for (int i = 0; i < 100; ++i) {
    HttpResult page = cluster_->Admin("GET", "/integrated-account?limit=1" + (cursor.empty() ? "" : "&next_cursor=" + cursor));
    ASSERT_EQ(page.status, 200) << page.raw;
    for (const json& a : page.body["result"]) EXPECT_TRUE(seen.insert(a["id"].get<std::string>()).second);
    if (page.body["next_cursor"].is_null()) break;
    cursor = page.body["next_cursor"];
  }
  EXPECT_TRUE(seen.contains(id));
  EXPECT_EQ(cluster_->Admin("DELETE", "/integrated-account/" + id).status, 200);
  EXPECT_EQ(cluster_->Admin("GET", "/integrated-account/" + id).status, 404);
}

TEST_F(AdminApiTest, ServerCrudAndTrutoRules) {
  const std::string account = Account();
  const std::string base = "/integrated-account/" + account + "/mcp";
  HttpResult created = cluster_->Admin("POST", base, {{"name", "agent"}, {"config", {{"methods", {"read"}}}},
                                                      {"expires_at", Rfc3339(absl::Now() + absl::Hours(1))}});
  ASSERT_EQ(created.status, 201) << created.raw;
  const std::string id = created.body["id"];
  const std::string token = created.body["token"];
  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(created.body["url"], cluster_->edge_url() + "/mcp/" + token + "/mcp");
  EXPECT_EQ(created.body["integrated_account_id"], account);
  EXPECT_EQ(created.body["config"]["methods"], json({"read"}));

  HttpResult got = cluster_->Admin("GET", base + "/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_FALSE(got.body.contains("token"));
  EXPECT_FALSE(got.body.contains("url"));
  EXPECT_THAT(got.raw, Not(HasSubstr(token)));
  HttpResult listed = cluster_->Admin("GET", base);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body["result"].size(), 1u);
  EXPECT_THAT(listed.raw, Not(HasSubstr(token)));

  // PATCH without config changes only what it names; expires_at null clears.
  HttpResult renamed = cluster_->Admin("PATCH", base + "/" + id, {{"name", "renamed"}, {"expires_at", nullptr}});
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  EXPECT_EQ(renamed.body["name"], "renamed");
  EXPECT_TRUE(renamed.body["expires_at"].is_null());
  EXPECT_EQ(renamed.body["config"]["methods"], json({"read"}));
  HttpResult reconfigured = cluster_->Admin("PATCH", base + "/" + id, {{"config", {{"methods", {"list"}}}}});
  ASSERT_EQ(reconfigured.status, 200);
  EXPECT_EQ(reconfigured.body["config"]["methods"], json({"list"}));

  // The same URL keeps working through all of that.
  McpTestClient client(created.body["url"]);
  EXPECT_EQ(client.Initialize().status, 200);
  EXPECT_EQ(cluster_->Admin("DELETE", base + "/" + id).status, 200);
  EXPECT_EQ(cluster_->Admin("GET", base + "/" + id).status, 404);
}

TEST_F(AdminApiTest, AFilterThatMatchesNoToolIsRefused) {
  const std::string account = Account();
  // Find a method group and tag that share no tool, from the catalog itself.
  HttpResult all = cluster_->Admin("GET", "/integrated-account/" + account + "/tools");
  ASSERT_EQ(all.status, 200);
  std::set<std::string> tags;
  for (const json& t : all.body["result"]) for (const json& tag : t["tags"]) tags.insert(tag);
  std::string group, tag;
  for (const char* g : {"write", "custom", "read"}) {
    for (const std::string& t : tags) {
      HttpResult r = cluster_->Admin("GET", absl::StrCat("/integrated-account/", account, "/tools?methods=", g, "&tags=", t));
      if (r.status == 200 && r.body["count"] == 0 && group.empty()) {
        group = g;
        tag = t;
      }
    }
  }
  ASSERT_FALSE(group.empty()) << "the catalog offers no filter that matches nothing";
  HttpResult refused = cluster_->Admin("POST", "/integrated-account/" + account + "/mcp",
                                       {{"name", "x"}, {"config", {{"methods", {group}}, {"tags", {tag}}}}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.body["error"]["code"], "no_matching_tools");
  EXPECT_EQ(refused.body["error"]["field"], "config");
}

TEST_F(AdminApiTest, CapabilitiesListEveryMethodWithItsAiReadiness) {
  const std::string account = Account();
  const std::string base = "/integrated-account/" + account + "/capabilities";
  HttpResult all = cluster_->Admin("GET", base);
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body["integration"], "caspio");
  EXPECT_FALSE(all.body["catalog_version"].get<std::string>().empty());
  const json& methods = all.body["methods"];
  ASSERT_EQ(methods.size(), 70u);  // every operation of Caspio's REST v3 spec
  EXPECT_EQ(all.body["ai_readiness"]["total_methods"], 70);
  int described = 0;
  std::set<std::string> names;
  for (const json& m : methods) {
    const std::string name = m["name"];
    EXPECT_EQ(name, absl::StrCat(m["resource"].get<std::string>(), "_", m["method"].get<std::string>()));
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_TRUE(m["tags"].is_array()) << m.dump();
    EXPECT_FALSE(m["operation_id"].get<std::string>().empty()) << m.dump();
    if (m["described"].get<bool>()) {
      ++described;
      EXPECT_TRUE(m["tool_name"].is_string()) << m.dump();
      EXPECT_FALSE(m["description"].get<std::string>().empty()) << m.dump();
      EXPECT_TRUE(m["annotations"].is_object()) << m.dump();
    } else {
      EXPECT_TRUE(m["tool_name"].is_null()) << m.dump();
    }
  }
  EXPECT_TRUE(std::is_sorted(methods.begin(), methods.end(),
                             [](const json& a, const json& b) { return a["name"] < b["name"]; }));
  EXPECT_EQ(all.body["ai_readiness"]["described_methods"], described);
  EXPECT_DOUBLE_EQ(all.body["ai_readiness"]["score"].get<double>(), described / 70.0);

  // methods=read scopes the answer to what such a server would expose: its
  // described methods are exactly the tools /tools previews for that filter.
  HttpResult reads = cluster_->Admin("GET", base + "?methods=read");
  ASSERT_EQ(reads.status, 200) << reads.raw;
  HttpResult read_tools = cluster_->Admin("GET", "/integrated-account/" + account + "/tools?methods=read");
  ASSERT_EQ(read_tools.status, 200) << read_tools.raw;
  const int total = reads.body["ai_readiness"]["total_methods"];
  EXPECT_EQ(total, static_cast<int>(reads.body["methods"].size()));
  EXPECT_GT(total, 0);
  EXPECT_LT(total, 70);
  std::set<std::string> described_tools, previewed_tools;
  for (const json& m : reads.body["methods"]) {
    if (m["described"].get<bool>()) described_tools.insert(m["tool_name"].get<std::string>());
  }
  for (const json& t : read_tools.body["result"]) previewed_tools.insert(t["name"].get<std::string>());
  EXPECT_EQ(described_tools, previewed_tools);
  EXPECT_EQ(reads.body["ai_readiness"]["described_methods"], static_cast<int>(described_tools.size()));
  EXPECT_DOUBLE_EQ(reads.body["ai_readiness"]["score"].get<double>(),
                   static_cast<double>(described_tools.size()) / total);

  HttpResult unknown = cluster_->Admin("GET", "/integrated-account/0b7c3a52-0000-4000-8000-000000000000/capabilities");
  EXPECT_EQ(unknown.status, 404) << unknown.raw;
  EXPECT_EQ(unknown.body["error"]["code"], "not_found");
  HttpResult bad = cluster_->Admin("GET", base + "?methods=read,frobnicate");
  EXPECT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(bad.body["error"]["field"], "methods[1]");
  HttpResult bad_tag = cluster_->Admin("GET", base + "?tags=no-such-tag");
  EXPECT_EQ(bad_tag.status, 400) << bad_tag.raw;
  EXPECT_EQ(bad_tag.body["error"]["field"], "tags[0]");
  HttpResult anonymous = cluster_->Admin("GET", base, nullptr, "-");
  EXPECT_EQ(anonymous.status, 401) << anonymous.raw;
  EXPECT_THAT(std::string(anonymous.headers.Get("WWW-Authenticate").value_or("")), HasSubstr("Bearer"));
}

struct BadRequest {
  std::string method, path;
  json body;
  int status;
  std::string field;
};

TEST_F(AdminApiTest, EveryValidationErrorNamesItsField) {
  const std::string account = Account();
  const std::string mcp = "/integrated-account/" + account + "/mcp";
  auto creds = [&](json patch) {
    json c = {{"base_url", cluster_->sandbox_url()}, {"client_id", "i"}, {"client_secret", "s"}};
    c.merge_patch(patch);
    return json{{"integration", "caspio"}, {"name", "n"}, {"credentials", c}};
  };
  const std::vector<BadRequest> cases = {
      {"POST", "/integrated-account", "not json", 400, "body"},
      {"POST", "/integrated-account", json{{"name", "n"}}, 400, "integration"},
      {"POST", "/integrated-account", json{{"integration", "hubspot"}, {"name", "n"}, {"credentials", json::object()}}, 400, "credentials.base_url"},
      {"POST", "/integrated-account", json{{"integration", "caspio"}, {"credentials", json::object()}}, 400, "name"},
      {"POST", "/integrated-account", json{{"integration", "caspio"}, {"name", 5}}, 400, "name"},
      {"POST", "/integrated-account", json{{"integration", "caspio"}, {"name", "n"}}, 400, "credentials"},
      {"POST", "/integrated-account", creds({{"base_url", nullptr}}), 400, "credentials.base_url"},
      {"POST", "/integrated-account", creds({{"base_url", "https://evil.example.com"}}), 400, "credentials.base_url"},
      {"POST", "/integrated-account", creds({{"base_url", "https://c1.caspio.com/path"}}), 400, "credentials.base_url"},
      {"POST", "/integrated-account", creds({{"client_id", ""}}), 400, "credentials.client_id"},
      {"POST", "/integrated-account", creds({{"client_secret", nullptr}}), 400, "credentials.client_secret"},
      {"POST", mcp, json{{"config", json::object()}}, 400, "name"},
      {"POST", mcp, json{{"name", "x"}, {"config", "all"}}, 400, "config"},
      {"POST", mcp, json{{"name", "x"}, {"config", {{"methods", "read"}}}}, 400, "config.methods"},
      {"POST", mcp, json{{"name", "x"}, {"config", {{"methods", {"read", 7}}}}}, 400, "config.methods[1]"},
      {"POST", mcp, json{{"name", "x"}, {"config", {{"methods", {"frobnicate"}}}}}, 400, "config.methods[0]"},
      {"POST", mcp, json{{"name", "x"}, {"config", {{"tags", {"no-such-tag"}}}}}, 400, "config.tags[0]"},
      {"POST", mcp, json{{"name", "x"}, {"config", {{"require_api_token_auth", "yes"}}}}, 400, "config.require_api_token_auth"},
      {"POST", mcp, json{{"name", "x"}, {"config", {{"extra", 1}}}}, 400, "config.extra"},
      {"POST", mcp, json{{"name", "x"}, {"expires_at", 1800000000}}, 400, "expires_at"},
      {"POST", mcp, json{{"name", "x"}, {"expires_at", "tomorrow"}}, 400, "expires_at"},
      {"POST", mcp, json{{"name", "x"}, {"expires_at", "2001-01-01T00:00:00Z"}}, 400, "expires_at"},
      {"POST", mcp, json{{"name", std::string(300, 'n')}}, 400, "name"},
      {"GET", "/integrated-account?limit=0", nullptr, 400, "limit"},
      {"GET", "/integrated-account?limit=many", nullptr, 400, "limit"},
      {"GET", "/integrated-account?next_cursor=garbage!", nullptr, 400, "next_cursor"},
      {"GET", "/integrated-account/" + account + "/tools?tags=no-such-tag", nullptr, 400, "tags[0]"},
      {"GET", "/integrated-account/" + account + "/tools?methods=read,frobnicate", nullptr, 400, "methods[1]"},
      {"POST", "/api-token", json{{"scope", "admin"}}, 400, "name"},
      {"POST", "/api-token", json{{"name", "t"}, {"scope", "root"}}, 400, "scope"},
      {"POST", "/api-token", json{{"name", "t"}, {"scope", "admin"}, {"account_ids", {account}}}, 400, "account_ids"},
      {"GET", "/integrated-account/0b7c3a52-0000-4000-8000-000000000000", nullptr, 404, ""},
      {"GET", "/integrated-account/..%2F..%2Fetc", nullptr, 404, "integrated_account_id"},
      {"POST", "/integrated-account/0b7c3a52-0000-4000-8000-000000000000/mcp", json{{"name", "x"}}, 404, ""},
  };
  for (const BadRequest& c : cases) {
    HttpResult r = cluster_->Admin(c.method, c.path, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.path << " " << c.body.dump() << " -> " << r.raw;
    ASSERT_TRUE(r.body.is_object() && r.body.contains("error")) << r.raw;
    EXPECT_FALSE(r.body["error"]["message"].get<std::string>().empty());
    if (!c.field.empty()) {
      EXPECT_EQ(r.body["error"].value("field", ""), c.field) << c.method << " " << c.path << " " << c.body.dump() << " -> " << r.raw;
    }
  }
  // PATCH names unknown fields too.
  auto server = cluster_->CreateServer(account, {{"name", "p"}});
  ASSERT_THAT(server, IsOk());
  HttpResult patch = cluster_->Admin("PATCH", mcp + "/" + (*server)["id"].get<std::string>(), {{"token", "mine"}});
  EXPECT_EQ(patch.status, 400);
  EXPECT_EQ(patch.body["error"]["field"], "token");
}

TEST_F(AdminApiTest, AdminAuthentication) {
  HttpResult none = cluster_->Admin("GET", "/integrated-account", nullptr, "-");
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(std::string(none.headers.Get("WWW-Authenticate").value_or("")), HasSubstr("Bearer"));
  EXPECT_EQ(cluster_->Admin("GET", "/integrated-account", nullptr, "cmcp_wrong").status, 401);
  EXPECT_EQ(cluster_->Admin("GET", "/integrated-account", nullptr, cluster_->admin_token() + "x").status, 401);
  // An MCP-client API token cannot use the admin API.
  HttpResult client = cluster_->Admin("POST", "/api-token", {{"name", "agent"}, {"scope", "mcp_client"}});
  ASSERT_EQ(client.status, 201) << client.raw;
  HttpResult forbidden = cluster_->Admin("GET", "/integrated-account", nullptr, client.body["token"]);
  EXPECT_EQ(forbidden.status, 403);
  // A new admin token works, and stops working once deleted.
  HttpResult admin = cluster_->Admin("POST", "/api-token", {{"name", "ops"}, {"scope", "admin"}});
  ASSERT_EQ(admin.status, 201);
  EXPECT_EQ(cluster_->Admin("GET", "/integrated-account", nullptr, admin.body["token"]).status, 200);
  EXPECT_EQ(cluster_->Admin("DELETE", "/api-token/" + admin.body["id"].get<std::string>()).status, 200);
  EXPECT_EQ(cluster_->Admin("GET", "/integrated-account", nullptr, admin.body["token"]).status, 401);
  EXPECT_EQ(cluster_->Admin("DELETE", "/api-token/bootstrap").status, 400);
}

TEST_F(AdminApiTest, RequireApiTokenAuthGuardsTheMcpUrl) {
  const std::string account = Account();
  auto server = cluster_->CreateServer(account, {{"name", "guarded"}, {"config", {{"require_api_token_auth", true}}}});
  ASSERT_THAT(server, IsOk());
  McpTestClient bare((*server)["url"]);
  HttpResult refused = bare.Initialize();
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(std::string(refused.headers.Get("WWW-Authenticate").value_or("")),
            "Bearer realm=\"mcp\", error=\"invalid_token\"");
  HttpResult other_account_token = cluster_->Admin(
      "POST", "/api-token", {{"name", "other"}, {"scope", "mcp_client"}, {"account_ids", {Account()}}});
  ASSERT_EQ(other_account_token.status, 201);
  Headers wrong;
  wrong.Add("Authorization", "Bearer " + other_account_token.body["token"].get<std::string>());
  EXPECT_EQ(McpTestClient((*server)["url"], wrong).Initialize().status, 401);
  HttpResult api = cluster_->Admin("POST", "/api-token", {{"name", "agent"}, {"scope", "mcp_client"}, {"account_ids", {account}}});
  ASSERT_EQ(api.status, 201);
  Headers right;
  right.Add("Authorization", "Bearer " + api.body["token"].get<std::string>());
  McpTestClient authed((*server)["url"], right);
  EXPECT_EQ(authed.Initialize().status, 200);
  EXPECT_EQ(authed.Request("ping").status, 200);
}

TEST_F(AdminApiTest, ExpiryIsExactOnLiveSessionsAndLeavesNoKeyBehind) {
  const std::vector<std::string> keys_before = RedisKeys();
  const std::string account = Account();
  const absl::Time expires = absl::Now() + absl::Seconds(3);
  auto server = cluster_->CreateServer(account, {{"name", "short-lived"}, {"expires_at", Rfc3339(expires)}});
  ASSERT_THAT(server, IsOk());
  McpTestClient client((*server)["url"]);
  ASSERT_EQ(client.Initialize().status, 200);
  ASSERT_EQ(client.Request("tools/list").status, 200);
  // Poll the live session until it is refused; it must stop within 1 s of expires_at.
  absl::Time refused_at = absl::InfinitePast();
  while (absl::Now() < expires + absl::Seconds(5)) {
    if (client.Request("ping").status == 404) {
      refused_at = absl::Now();
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_NE(refused_at, absl::InfinitePast()) << "the expired URL kept working";
  RecordProperty("expiry_to_404_ms", static_cast<int>(absl::ToInt64Milliseconds(refused_at - expires)));
  EXPECT_GE(refused_at, expires - absl::Milliseconds(50));
  EXPECT_LE(refused_at, expires + absl::Seconds(1));
  EXPECT_EQ(McpTestClient((*server)["url"]).Initialize().status, 404);
  // The sweeper (every 200 ms here) removes the index entries: afterwards only
  // the account's keys are new.
  const std::string id = (*server)["id"];
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  std::vector<std::string> leftovers;
  do {
    leftovers.clear();
    for (const std::string& k : RedisKeys()) {
      if (std::find(keys_before.begin(), keys_before.end(), k) == keys_before.end() && !absl::StrContains(k, ":account"))
        leftovers.push_back(k);
    }
    if (leftovers.empty()) break;
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < deadline);
  EXPECT_THAT(leftovers, ::testing::IsEmpty());
  RedisClient redis({.address = cluster_->redis().address()});
  auto index = redis.Command({"ZRANGE", "cmcp:{a:" + account + "}:servers", "0", "-1"});
  ASSERT_THAT(index, IsOk());
  EXPECT_TRUE(index->elements.empty());
}

TEST_F(AdminApiTest, DeletionPurgesEveryKeyAndStopsLiveSessionsWithinASecond) {
  const std::string account = Account();
  const std::vector<std::string> keys_before = RedisKeys();
  auto server = cluster_->CreateServer(account, {{"name", "doomed"}, {"expires_at", Rfc3339(absl::Now() + absl::Hours(2))}});
  ASSERT_THAT(server, IsOk());
  McpTestClient client((*server)["url"]);
  ASSERT_EQ(client.Initialize().status, 200);
  ASSERT_EQ(client.Request("ping").status, 200);
  const absl::Time deleted_at = absl::Now();
  ASSERT_EQ(cluster_->Admin("DELETE", "/integrated-account/" + account + "/mcp/" + (*server)["id"].get<std::string>()).status, 200);
  absl::Time refused_at = absl::InfinitePast();
  while (absl::Now() < deleted_at + absl::Seconds(3)) {
    if (client.Request("ping").status == 404) {
      refused_at = absl::Now();
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_NE(refused_at, absl::InfinitePast());
  RecordProperty("deletion_to_404_ms", static_cast<int>(absl::ToInt64Milliseconds(refused_at - deleted_at)));
  EXPECT_LE(refused_at - deleted_at, absl::Seconds(1));
  std::vector<std::string> after = RedisKeys();
  std::sort(after.begin(), after.end());
  std::vector<std::string> before = keys_before;
  std::sort(before.begin(), before.end());
  EXPECT_EQ(after, before);
}

TEST_F(AdminApiTest, ConfigChangesReachLiveSessionsWithinASecond) {
  const std::string account = Account();
  auto server = cluster_->CreateServer(account, {{"name", "narrowing"}});
  ASSERT_THAT(server, IsOk());
  McpTestClient client((*server)["url"]);
  ASSERT_EQ(client.Initialize().status, 200);
  ASSERT_GT(client.Request("tools/list").body["result"]["tools"].size(), 0u);
  // Narrow to a filter that exposes a strict subset, found from the catalog.
  HttpResult reads = cluster_->Admin("GET", "/integrated-account/" + account + "/tools?methods=read");
  ASSERT_EQ(reads.status, 200);
  const size_t want = reads.body["count"];
  const absl::Time changed_at = absl::Now();
  ASSERT_EQ(cluster_->Admin("PATCH", "/integrated-account/" + account + "/mcp/" + (*server)["id"].get<std::string>(),
                            {{"config", {{"methods", {"read"}}}}}).status, 200);
  absl::Time seen_at = absl::InfinitePast();
  while (absl::Now() < changed_at + absl::Seconds(3)) {
    if (client.Request("tools/list").body["result"]["tools"].size() == want) {
      seen_at = absl::Now();
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_NE(seen_at, absl::InfinitePast());
  RecordProperty("config_change_visible_ms", static_cast<int>(absl::ToInt64Milliseconds(seen_at - changed_at)));
  EXPECT_LE(seen_at - changed_at, absl::Seconds(1));
}

TEST_F(AdminApiTest, HundredConcurrentCreatesGiveHundredDistinctWorkingTokens) {
  const std::string account = Account();
  absl::Mutex mu;
  std::vector<std::string> urls;
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto s = cluster_->CreateServer(account, {{"name", absl::StrCat("bulk-", t, "-", i)}});
        absl::MutexLock lock(&mu);
        if (s.ok()) urls.push_back((*s)["url"]);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(urls.size(), 100u);
  EXPECT_EQ(std::set<std::string>(urls.begin(), urls.end()).size(), 100u);
  int working = 0;
  for (const std::string& url : urls) working += McpTestClient(url).Initialize().status == 200;
  EXPECT_EQ(working, 100);
}

TEST_F(AdminApiTest, NothingIsLostWhenRedisRestarts) {
  const std::string account = Account();
  auto server = cluster_->CreateServer(account, {{"name", "durable"}});
  ASSERT_THAT(server, IsOk());
  ASSERT_THAT(cluster_->redis().Restart(), IsOk());  // kill -9, same port, same AOF
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  int status = 0;
  while (absl::Now() < deadline) {
    // Bypass the edge's 1 s cache: a fresh session on a fresh check.
    status = McpTestClient((*server)["url"]).Initialize().status;
    if (status == 200) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(cluster_->Admin("GET", "/integrated-account/" + account).status, 200);
}

TEST_F(AdminApiTest, UnknownRoutesAndMethods) {
  HttpResult missing = cluster_->Admin("GET", "/no/such/route");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["error"]["code"], "not_found");
  HttpResult method = cluster_->Admin("PUT", "/integrated-account");
  EXPECT_EQ(method.status, 405);
  EXPECT_THAT(std::string(method.headers.Get("Allow").value_or("")), HasSubstr("GET"));
}

}  // namespace
}  // namespace cmcp
