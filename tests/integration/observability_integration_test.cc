// Audit log and observability end to end (issue 10 items 4 and 5), on a real
// cluster (LocalCluster: redis-server, the sandbox with its control API,
// toolgen, token, proxy, edge):
//  - every tools/call lands in the capped Redis stream and comes back through
//    GET /log?log_type=mcp with Truto's filters, newest first, with cursors;
//  - argument values that could be data or secrets never reach the log or
//    any Redis key;
//  - the stream stays capped (XADD MAXLEN ~);
//  - a client's W3C traceparent reaches the proxy (gRPC metadata) and the
//    request Caspio sees, and its trace id is in the log lines and the audit;
//  - every metric the Grafana dashboard queries is exported by a service.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/redis/redis_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"

namespace cmcp {
namespace {

using ::cmcp::testing::HttpResult;
using ::cmcp::testing::IsOk;
using ::cmcp::testing::LocalCluster;
using ::cmcp::testing::McpTestClient;
using ::cmcp::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

constexpr int kAuditCap = 40;
constexpr int kStreamNodeEntries = 5;
// Values that must never be stored anywhere.
constexpr char kWhereSecret[] = "SECRET-where-7731";
constexpr char kBodySecret[] = "SECRET-body-5521";
constexpr char kClientTrace[] = "0af7651916cd43dd8448eb211c80319c";
constexpr char kClientSpan[] = "b7ad6b7169203331";

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()); }

class ObservabilityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto cluster = LocalCluster::Start(
        {.token_flags = {absl::StrCat("--audit-max-entries=", kAuditCap), "--admin-port-file=" + dir_->File("token.admin")},
         .proxy_flags = {"--admin-port-file=" + dir_->File("proxy.admin")},
         .sandbox_flags = {"--enable-faults"}});
    ASSERT_THAT(cluster, IsOk());
    cluster_ = cluster->release();
    // Small stream nodes, so approximate trimming (MAXLEN ~) shows on a short log.
    RedisClient redis({.address = cluster_->redis().address()});
    ASSERT_THAT(redis.Command({"CONFIG", "SET", "stream-node-max-entries", absl::StrCat(kStreamNodeEntries)}), IsOk());
    auto account = cluster_->CreateSandboxAccount();
    ASSERT_THAT(account, IsOk());
    account_ = new std::string(*account);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    delete account_;
    delete dir_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr); }

  struct Server {
    std::string id;
    std::unique_ptr<McpTestClient> client;
  };
  Server NewServer(const std::string& name) {
    auto created = cluster_->CreateServer(*account_, {{"name", name}});
    EXPECT_THAT(created, IsOk());
    Server s;
    if (!created.ok()) return s;
    s.id = (*created)["id"];
    s.client = std::make_unique<McpTestClient>((*created)["url"].get<std::string>());
    EXPECT_EQ(s.client->Initialize().status, 200);
    return s;
  }

  // tools/call on the client's session, with extra headers.
  static HttpResult Call(McpTestClient& client, const std::string& tool, const json& arguments, Headers extra = {}) {
    static int id = 1000;
    extra.Add("Mcp-Session-Id", client.session_id());
    extra.Add("MCP-Protocol-Version", "2025-06-18");
    return client.Post(json{{"jsonrpc", "2.0"}, {"id", ++id}, {"method", "tools/call"},
                            {"params", {{"name", tool}, {"arguments", arguments}}}}
                           .dump(),
                       extra);
  }

  static HttpResult Log(const std::string& query, const std::string& token = "") {
    return cluster_->Admin("GET", "/log?" + query, nullptr, token);
  }

  // GET /log until it lists at least `n` entries for the query (audit writes
  // land after the client has its answer); bounded.
  static HttpResult WaitForLog(const std::string& query, size_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    HttpResult r;
    while (true) {
      r = Log(query);
      if ((r.status == 200 && r.body["result"].size() >= n) || absl::Now() > deadline) return r;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  // Everything Redis holds, as text.
  static std::string RedisDump() {
    RedisClient redis({.address = cluster_->redis().address()});
    std::string out;
    auto keys = redis.Command({"KEYS", "*"});
    if (!keys.ok()) return "";
    for (const RedisReply& key : keys->elements) {
      absl::StrAppend(&out, key.str, "\n");
      auto type = redis.Command({"TYPE", key.str});
      if (!type.ok()) continue;
      std::vector<std::string> read;
      if (type->str == "string") read = {"GET", key.str};
      else if (type->str == "hash") read = {"HGETALL", key.str};
      else if (type->str == "list") read = {"LRANGE", key.str, "0", "-1"};
      else if (type->str == "set") read = {"SMEMBERS", key.str};
      else if (type->str == "zset") read = {"ZRANGE", key.str, "0", "-1", "WITHSCORES"};
      else if (type->str == "stream") read = {"XRANGE", key.str, "-", "+"};
      if (read.empty()) continue;
      auto value = redis.Command(read);
      if (!value.ok()) continue;
      std::function<void(const RedisReply&)> append = [&](const RedisReply& r) {
        absl::StrAppend(&out, r.str, "\n");
        for (const RedisReply& e : r.elements) append(e);
      };
      append(*value);
    }
    return out;
  }

  static std::string Scrape(const std::string& url) {
    CurlHttpClient http;
    auto r = http.Send({.url = url + "/metrics", .timeout = absl::Seconds(5)});
    return r.ok() && r->status == 200 ? r->body : "";
  }
  static std::string AdminUrl(const std::string& service) {
    std::ifstream in(dir_->File(service + ".admin"));
    int port = 0;
    in >> port;
    return absl::StrCat("http://127.0.0.1:", port);
  }

  static LocalCluster* cluster_;
  static std::string* account_;
  static TempDir* dir_;
};
LocalCluster* ObservabilityTest::cluster_ = nullptr;
std::string* ObservabilityTest::account_ = nullptr;
TempDir* ObservabilityTest::dir_ = nullptr;

TEST_F(ObservabilityTest, EveryToolCallIsAuditedRedactedAndFilterableLikeTruto) {
  Server a = NewServer("audited");
  Server b = NewServer("other");
  ASSERT_FALSE(a.id.empty());
  ASSERT_FALSE(b.id.empty());
  const absl::Time before = absl::Now() - absl::Seconds(1);

  HttpResult listed = Call(*a.client, "list_all_caspio_records",
                           {{"table_name", "Inventory"}, {"q.where", absl::StrCat("Name <> '", kWhereSecret, "'")},
                            {"q.select", "SKU, Name"}, {"limit", 2}});
  ASSERT_EQ(listed.status, 200) << listed.raw;
  ASSERT_EQ(listed.body["result"]["isError"], false) << listed.raw;
  const std::string list_request_id(listed.headers.Get("X-Request-ID").value_or(""));
  HttpResult created = Call(*a.client, "create_a_caspio_record",
                            {{"table_name", "Inventory"},
                             {"record", {{"SKU", "INV-AUDIT-1"}, {"Name", kBodySecret}, {"Quantity", 3}}}});
  ASSERT_EQ(created.status, 200) << created.raw;
  ASSERT_EQ(created.body["result"]["isError"], false) << created.raw;
  HttpResult failed = Call(*a.client, "list_all_caspio_records", {{"table_name", "NoSuchTable"}});
  ASSERT_EQ(failed.body["result"]["isError"], true) << failed.raw;
  HttpResult unknown = Call(*a.client, "drop_all_tables", {{"password", kBodySecret}});
  ASSERT_EQ(unknown.body["error"]["code"], -32602) << unknown.raw;
  ASSERT_EQ(Call(*b.client, "list_all_caspio_records", {{"table_name", "Inventory"}, {"limit", 1}}).status, 200);

  // Newest first; one entry per call on server a.
  HttpResult log = WaitForLog("log_type=mcp&mcp_server_id=" + a.id, 4);
  ASSERT_EQ(log.status, 200) << log.raw;
  ASSERT_EQ(log.body["result"].size(), 4u) << log.raw;
  const json& entries = log.body["result"];
  EXPECT_EQ(entries[0]["tool_name"], "drop_all_tables");
  EXPECT_EQ(entries[1]["tool_name"], "list_all_caspio_records");
  EXPECT_EQ(entries[2]["tool_name"], "create_a_caspio_record");
  EXPECT_EQ(entries[3]["tool_name"], "list_all_caspio_records");
  EXPECT_TRUE(log.body["next_cursor"].is_null());

  const json& list = entries[3];
  EXPECT_EQ(list["log_type"], "mcp");
  EXPECT_EQ(list["status"], "ok");
  EXPECT_EQ(list["request_id"], list_request_id);
  EXPECT_EQ(list["integrated_account_id"], *account_);
  EXPECT_EQ(list["integration"], "caspio");
  EXPECT_EQ(list["mcp_server_id"], a.id);
  EXPECT_EQ(list["mcp_server_name"], "audited");
  EXPECT_EQ(list["mcp_method"], "tools/call");
  EXPECT_EQ(list["resource"], "records");
  EXPECT_EQ(list["method"], "list");
  EXPECT_EQ(list["http_status_code"], 200);
  EXPECT_EQ(list["client_name"], "cmcp-test");
  EXPECT_EQ(list["client_version"], "1");
  EXPECT_EQ(list["protocol_version"], "2025-06-18");
  EXPECT_GT(list["duration"].get<double>(), 0);
  EXPECT_TRUE(list["fetch_duration"].is_number());
  EXPECT_THAT(list["trace_id"].get<std::string>(), ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_EQ(list["arguments"], json({{"table_name", "Inventory"}, {"q.where", "[REDACTED]"}, {"q.select", "SKU, Name"},
                                     {"limit", 2}}));
  EXPECT_EQ(entries[2]["arguments"],
            json({{"table_name", "Inventory"},
                  {"record", {{"SKU", "[REDACTED]"}, {"Name", "[REDACTED]"}, {"Quantity", "[REDACTED]"}}}}));
  EXPECT_EQ(entries[1]["status"], "tool_error");
  EXPECT_FALSE(entries[1]["error_code"].is_null());
  EXPECT_GE(entries[1]["http_status_code"].get<int>(), 400);
  EXPECT_EQ(entries[0]["status"], "rpc_error");
  EXPECT_EQ(entries[0]["error_code"], "unknown_tool");
  EXPECT_EQ(entries[0]["rpc_error_code"], -32602);
  EXPECT_EQ(entries[0]["arguments"], json({{"password", "[REDACTED]"}}));

  // Truto's filters, status and the time range.
  auto count = [](const std::string& query) {
    HttpResult r = Log("log_type=mcp&" + query);
    EXPECT_EQ(r.status, 200) << query << " " << r.raw;
    return r.body["result"].size();
  };
  const std::string on_a = "mcp_server_id=" + a.id;
  EXPECT_EQ(count(on_a + "&tool_name=list_all_caspio_records"), 2u);
  EXPECT_EQ(count(on_a + "&status=ok"), 2u);
  EXPECT_EQ(count(on_a + "&status=tool_error"), 1u);
  EXPECT_EQ(count(on_a + "&status=rpc_error"), 1u);
  EXPECT_EQ(count(on_a + "&resource=records&method=create"), 1u);
  EXPECT_EQ(count(on_a + "&client_name=cmcp-test&client_version=1&mcp_method=tools%2Fcall&integration=caspio"), 4u);
  EXPECT_EQ(count("request_id=" + list_request_id), 1u);
  EXPECT_EQ(count("mcp_server_id=" + b.id), 1u);
  EXPECT_EQ(count("integrated_account_id=" + *account_ + "&start_time=" + Rfc3339(before)), 5u);
  EXPECT_EQ(count(on_a + "&start_time=" + Rfc3339(absl::Now() + absl::Seconds(5))), 0u);
  EXPECT_EQ(count(on_a + "&end_time=" + Rfc3339(before)), 0u);
  EXPECT_EQ(count(on_a + "&start_time=" + Rfc3339(before) + "&end_time=" + Rfc3339(absl::Now() + absl::Minutes(1))), 4u);

  // Cursor paging walks each entry once, newest first.
  std::vector<std::string> walked;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    HttpResult r = Log("log_type=mcp&limit=1&" + on_a + (cursor.empty() ? "" : "&next_cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.raw;
    for (const json& e : r.body["result"]) walked.push_back(e["id"]);
    if (r.body["next_cursor"].is_null()) break;
    cursor = r.body["next_cursor"];
  }
  ASSERT_EQ(walked.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(walked[i], entries[i]["id"]);

  // Refusals name the parameter; the admin token is required like everywhere.
  HttpResult no_type = Log("mcp_server_id=" + a.id);
  EXPECT_EQ(no_type.status, 400);
  EXPECT_EQ(no_type.body["error"]["field"], "log_type");
  EXPECT_EQ(Log("log_type=mcp&limit=0").body["error"]["field"], "limit");
  EXPECT_EQ(Log("log_type=mcp&status=maybe").body["error"]["field"], "status");
  HttpResult bad_cursor = Log("log_type=mcp&next_cursor=bogus");
  EXPECT_EQ(bad_cursor.status, 400);
  EXPECT_EQ(bad_cursor.body["error"]["field"], "next_cursor");
  EXPECT_EQ(Log("log_type=mcp", "-").status, 401);
  EXPECT_EQ(Log("log_type=mcp", "cmcp_wrong").status, 401);
  HttpResult client_token = cluster_->Admin("POST", "/api-token", {{"name", "mcp client"}, {"scope", "mcp_client"}});
  ASSERT_EQ(client_token.status, 201);
  EXPECT_EQ(Log("log_type=mcp", client_token.body["token"]).status, 403);

  // The secrets reached Caspio (the sandbox) but nothing caspio-mcp keeps.
  HttpResult everything = Log("log_type=mcp&limit=100");
  EXPECT_THAT(everything.raw, Not(HasSubstr(kWhereSecret)));
  EXPECT_THAT(everything.raw, Not(HasSubstr(kBodySecret)));
  const std::string redis = RedisDump();
  EXPECT_THAT(redis, HasSubstr("audit:mcp"));
  EXPECT_THAT(redis, HasSubstr(a.id));
  EXPECT_THAT(redis, Not(HasSubstr(kWhereSecret)));
  EXPECT_THAT(redis, Not(HasSubstr(kBodySecret)));
  for (const char* service : {"edge", "proxy", "token"}) {
    const std::string logs = cluster_->process(service).ReadLog();
    EXPECT_THAT(logs, Not(HasSubstr(kWhereSecret))) << service;
    EXPECT_THAT(logs, Not(HasSubstr(kBodySecret))) << service;
  }
}

TEST_F(ObservabilityTest, TheAuditStreamIsCapped) {
  Server s = NewServer("busy");
  ASSERT_FALSE(s.id.empty());
  constexpr int kCalls = 70;
  std::string last_request_id;
  for (int i = 0; i < kCalls; ++i) {
    // Refused by the edge (unknown tool): fast, and audited all the same.
    HttpResult r = Call(*s.client, "no_such_tool", {{"n", i}});
    ASSERT_EQ(r.status, 200) << r.raw;
    last_request_id = std::string(r.headers.Get("X-Request-ID").value_or(""));
  }
  ASSERT_EQ(WaitForLog("log_type=mcp&request_id=" + last_request_id, 1).body["result"].size(), 1u);
  RedisClient redis({.address = cluster_->redis().address()});
  auto length = redis.Command({"XLEN", "cmcp:audit:mcp"});
  ASSERT_THAT(length, IsOk());
  EXPECT_GE(length->integer, kAuditCap);
  EXPECT_LE(length->integer, kAuditCap + kStreamNodeEntries);
  // The newest stay, the oldest are gone.
  HttpResult kept = Log("log_type=mcp&limit=100&mcp_server_id=" + s.id);
  ASSERT_EQ(kept.status, 200);
  EXPECT_LE(kept.body["result"].size(), static_cast<size_t>(kAuditCap + kStreamNodeEntries));
  EXPECT_LT(kept.body["result"].size(), static_cast<size_t>(kCalls));
  EXPECT_EQ(kept.body["result"][0]["request_id"], last_request_id);
}

TEST_F(ObservabilityTest, TraceparentReachesTheProxyCaspioTheLogsAndTheAudit) {
  Server s = NewServer("traced");
  ASSERT_FALSE(s.id.empty());
  CurlHttpClient http;
  ASSERT_THAT(http.Send({.method = "DELETE", .url = cluster_->sandbox_url() + "/__sandbox/requests"}), IsOk());

  Headers traced;
  traced.Add("traceparent", absl::StrCat("00-", kClientTrace, "-", kClientSpan, "-01"));
  HttpResult r = Call(*s.client, "list_all_caspio_records", {{"table_name", "Inventory"}, {"limit", 1}}, traced);
  ASSERT_EQ(r.status, 200) << r.raw;
  ASSERT_EQ(r.body["result"]["isError"], false) << r.raw;
  const std::string request_id(r.headers.Get("X-Request-ID").value_or(""));
  // Without one, the edge starts a trace.
  HttpResult untraced = Call(*s.client, "list_all_caspio_records", {{"table_name", "Inventory"}, {"limit", 1}});
  ASSERT_EQ(untraced.status, 200);
  const std::string untraced_id(untraced.headers.Get("X-Request-ID").value_or(""));

  // Caspio (the sandbox) saw the client's trace, with the proxy's span as parent.
  auto seen = http.Send({.url = cluster_->sandbox_url() + "/__sandbox/requests"});
  ASSERT_THAT(seen, IsOk());
  const json requests = json::parse(seen->body)["requests"];
  std::vector<std::string> traceparents;
  for (const json& q : requests) {
    if (absl::StartsWith(q.value("target", ""), "/integrations/rest/v3/tables/Inventory/records")) {
      traceparents.push_back(q.value("traceparent", ""));
    }
  }
  ASSERT_EQ(traceparents.size(), 2u) << requests.dump();
  EXPECT_THAT(traceparents[0], ::testing::MatchesRegex(absl::StrCat("00-", kClientTrace, "-[0-9a-f]{16}-01")));
  EXPECT_THAT(traceparents[0], Not(HasSubstr(kClientSpan)));

  // The audit entries carry the trace ids; the started trace is the one Caspio saw.
  HttpResult entry = WaitForLog("log_type=mcp&request_id=" + request_id, 1);
  ASSERT_EQ(entry.body["result"].size(), 1u) << entry.raw;
  EXPECT_EQ(entry.body["result"][0]["trace_id"], kClientTrace);
  HttpResult other = WaitForLog("log_type=mcp&request_id=" + untraced_id, 1);
  ASSERT_EQ(other.body["result"].size(), 1u) << other.raw;
  const std::string started = other.body["result"][0]["trace_id"];
  EXPECT_THAT(started, ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_NE(started, kClientTrace);
  EXPECT_THAT(traceparents[1], HasSubstr(absl::StrCat("00-", started, "-")));

  // JSON log lines of edge and proxy put the trace id beside the request id.
  const std::string pair = absl::StrCat("\"request_id\":\"", request_id, "\",\"trace_id\":\"", kClientTrace, "\"");
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while ((!absl::StrContains(cluster_->process("edge").ReadLog(), pair) ||
          !absl::StrContains(cluster_->process("proxy").ReadLog(), pair)) &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_THAT(cluster_->process("edge").ReadLog(), HasSubstr(pair));
  EXPECT_THAT(cluster_->process("proxy").ReadLog(), HasSubstr(pair));
}

// Metric family names in a Prometheus text exposition.
std::set<std::string> Families(const std::string& exposition) {
  std::set<std::string> out;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::ConsumePrefix(&line, "# TYPE ")) continue;
    out.insert(std::string(line.substr(0, line.find(' '))));
  }
  return out;
}

TEST_F(ObservabilityTest, EveryMetricTheDashboardQueriesIsExported) {
  // Traffic of every kind first: metric families appear on first use.
  Server s = NewServer("metrics");
  ASSERT_FALSE(s.id.empty());
  ASSERT_EQ(Call(*s.client, "list_all_caspio_records", {{"table_name", "Inventory"}, {"limit", 1}}).status, 200);
  ASSERT_EQ(Call(*s.client, "list_all_caspio_records", {{"table_name", "NoSuchTable"}}).status, 200);
  ASSERT_EQ(Call(*s.client, "no_such_tool", json::object()).status, 200);
  ASSERT_EQ(s.client->Request("tools/list").status, 200);
  WaitForLog("log_type=mcp&status=rpc_error&mcp_server_id=" + s.id, 1);

  const std::string edge = Scrape(cluster_->edge_url());
  const std::string token = Scrape(AdminUrl("token"));
  const std::string proxy = Scrape(AdminUrl("proxy"));
  std::set<std::string> exported;
  for (const std::string* text : {&edge, &token, &proxy}) {
    ASSERT_FALSE(text->empty());
    for (const std::string& f : Families(*text)) exported.insert(f);
  }
  // Where each new series lives.
  EXPECT_TRUE(Families(edge).contains("cmcp_tool_calls_total"));
  EXPECT_TRUE(Families(edge).contains("cmcp_tool_call_seconds"));
  EXPECT_TRUE(Families(edge).contains("cmcp_grpc_client_seconds"));
  EXPECT_TRUE(Families(edge).contains("cmcp_audit_writes_total"));
  EXPECT_TRUE(Families(token).contains("cmcp_redis_command_seconds"));
  EXPECT_TRUE(Families(token).contains("cmcp_grpc_server_seconds"));
  EXPECT_TRUE(Families(proxy).contains("cmcp_upstream_seconds"));
  EXPECT_THAT(edge, HasSubstr("cmcp_tool_calls_total{tool=\"list_all_caspio_records\",status=\"ok\"}"));
  EXPECT_THAT(edge, HasSubstr("cmcp_audit_writes_total{result=\"ok\"}"));
  EXPECT_THAT(token, HasSubstr("cmcp_redis_command_seconds_bucket{command=\"XADD\""));
  EXPECT_THAT(token, HasSubstr("method=\"/caspio_mcp.token.v1.AuditService/RecordToolCalls\""));
  EXPECT_THAT(proxy, HasSubstr("cmcp_upstream_seconds_count{operation=\"ListTableRecords\",code=\"2xx\"}"));
  EXPECT_THAT(proxy, HasSubstr("operation=\"oauth_token\""));

  std::ifstream in(::cmcp::testing::SourcePath("deploy/grafana/caspio-mcp-dashboard.json"));
  ASSERT_TRUE(in.good());
  const json dashboard = json::parse(in, nullptr, false);
  ASSERT_FALSE(dashboard.is_discarded());
  // Every query string in the dashboard (panel targets, template variables).
  std::vector<std::string> queries;
  std::function<void(const json&)> walk = [&](const json& node) {
    if (node.is_object()) {
      for (const auto& [key, value] : node.items()) {
        if ((key == "expr" || key == "query" || key == "definition") && value.is_string()) queries.push_back(value);
        walk(value);
      }
    } else if (node.is_array()) {
      for (const json& v : node) walk(v);
    }
  };
  walk(dashboard);
  std::set<std::string> used;
  const std::regex metric("cmcp_[a-z0-9_]+");
  for (const std::string& q : queries) {
    for (auto it = std::sregex_iterator(q.begin(), q.end(), metric); it != std::sregex_iterator(); ++it) {
      std::string name = it->str();
      for (const char* suffix : {"_bucket", "_count", "_sum"}) {
        if (absl::EndsWith(name, suffix) && exported.contains(name.substr(0, name.size() - strlen(suffix)))) {
          name = name.substr(0, name.size() - strlen(suffix));
        }
      }
      used.insert(name);
    }
  }
  EXPECT_GE(used.size(), 12u);
  for (const std::string& name : used) EXPECT_TRUE(exported.contains(name)) << name << " is not exported";
}

}  // namespace
}  // namespace cmcp
