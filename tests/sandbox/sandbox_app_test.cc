// The sandbox's request pipeline in process (no sockets), with a fake clock:
// query semantics, write semantics, directories, tasks, tokens and faults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/http/http_types.h"
#include "nlohmann/json.hpp"
#include "sandbox/caspio/api/multipart.h"
#include "sandbox/caspio/seed/seed_loader.h"
#include "sandbox/caspio/server/sandbox_app.h"
#include "sandbox/caspio/server/sandbox_server.h"
#include "sandbox/caspio/util/json_text.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::sandbox {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

constexpr char kInventory[] = "/integrations/rest/v3/tables/Inventory/records";
constexpr char kUsers[] = "/integrations/rest/v3/directories/b7e4c3a0-5f2d-4e8b-9c61-2a7d9e0f1b34/users";
constexpr char kTask[] = "/integrations/rest/v3/dataImportExportTasks/e4d3c2b1-0000-4a1b-9c8d-7e6f5a4b3c02";

std::string Q(const std::string& s) { return PercentEncode(s); }

class SandboxAppTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(/*with_faults=*/true); }

  void Build(bool with_faults) {
    auto seed = EmbeddedSeed();
    ASSERT_TRUE(seed.ok()) << seed.status();
    auto store = SandboxStore::Open(":memory:", *seed, &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    settings_.task_busy = absl::Seconds(10);
    settings_.task_processing = absl::Seconds(20);
    settings_.max_upload_bytes = 64;
    TokenSettings token_settings;
    token_settings.access_token_lifetime = absl::Seconds(60);
    tokens_ = std::make_unique<TokenService>(token_settings, &clock_);
    faults_ = with_faults ? std::make_unique<FaultInjector>(&clock_) : nullptr;
    app_ = std::make_unique<SandboxApp>(store_.get(), tokens_.get(), faults_.get(),
                                        BuildApiRoutes(store_.get(), settings_));
    token_ = IssueToken();
  }

  std::string IssueToken() {
    json body = json::parse(
        Raw("POST", "/oauth/token", "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret")
            .body,
        nullptr, false);
    return body.is_object() ? body.value("access_token", "") : "";
  }

  SandboxApp::Outcome Send(const std::string& method, const std::string& target, const std::string& body,
                           Headers headers) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.headers = std::move(headers);
    r.headers.Add("Host", "sandbox.test");
    r.body = body;
    return app_->Handle(std::move(r));
  }
  HttpResponse Raw(const std::string& method, const std::string& target, const std::string& body = "",
                   Headers headers = {}) {
    return Send(method, target, body, std::move(headers)).response;
  }
  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body = "",
                    Headers headers = {}) {
    headers.Add("Authorization", "Bearer " + token_);
    return Raw(method, target, body, std::move(headers));
  }
  json CallJson(const std::string& method, const std::string& target, const std::string& body = "",
                int expect = 200) {
    HttpResponse r = Call(method, target, body);
    EXPECT_EQ(r.status, expect) << method << " " << target << " -> " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  json Records(const std::string& query) { return CallJson("GET", std::string(kInventory) + "?" + query)["Result"]; }

  FakeClock clock_;
  SandboxSettings settings_;
  std::unique_ptr<SandboxStore> store_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<FaultInjector> faults_;
  std::unique_ptr<SandboxApp> app_;
  std::string token_;
};

TEST_F(SandboxAppTest, EveryResponseCarriesARequestId) {
  for (const HttpResponse& r : {Call("GET", kInventory), Raw("GET", kInventory), Call("GET", "/nowhere"),
                                Raw("POST", "/oauth/token", "grant_type=nope")}) {
    EXPECT_TRUE(r.headers.Get("X-Caspio-Request-ID").has_value()) << r.status << " " << r.body;
  }
}

TEST_F(SandboxAppTest, AccessTokensExpireAndRefresh) {
  clock_.Advance(absl::Seconds(59));
  EXPECT_EQ(Call("GET", kInventory).status, 200);
  clock_.Advance(absl::Seconds(2));
  HttpResponse expired = Call("GET", kInventory);
  EXPECT_EQ(expired.status, 401);
  EXPECT_THAT(expired.body, HasSubstr("expired"));
  token_ = IssueToken();
  EXPECT_EQ(Call("GET", kInventory).status, 200);
  tokens_->RevokeAccessTokens();
  EXPECT_EQ(Call("GET", kInventory).status, 401);
}

TEST_F(SandboxAppTest, RefreshTokensIssueNewAccessTokensOnce) {
  json first = json::parse(
      Raw("POST", "/oauth/token", "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret")
          .body);
  const std::string refresh = first["refresh_token"];
  HttpResponse again = Raw("POST", "/oauth/token", "grant_type=refresh_token&refresh_token=" + Q(refresh));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_NE(json::parse(again.body)["access_token"], first["access_token"]);
  EXPECT_EQ(Raw("POST", "/oauth/token", "grant_type=refresh_token&refresh_token=" + Q(refresh)).status, 400);
  EXPECT_EQ(json::parse(Raw("POST", "/oauth/token", "grant_type=password").body)["error"], "unsupported_grant_type");
}

TEST_F(SandboxAppTest, BindsQueryParametersCaseInsensitivelyWithOrWithoutPrefix) {
  for (const std::string name : {"q.where", "where", "Where", "Q.WHERE", "q.Where"}) {
    json rows = Records(name + "=" + Q("PK_ID = 2"));
    ASSERT_EQ(rows.size(), 1u) << name;
    EXPECT_EQ(rows[0]["SKU"], "INV-002");
  }
  // With both spellings present the q. one wins.
  EXPECT_EQ(Records("where=" + Q("PK_ID = 1") + "&q.where=" + Q("PK_ID = 3"))[0]["PK_ID"], 3);
}

TEST_F(SandboxAppTest, ComparesTextLikeSqlServersDefaultCollation) {
  EXPECT_EQ(Records("q.where=" + Q("Name = 'WIDGET'")).size(), 1u);
  EXPECT_EQ(Records("q.where=" + Q("Name = 'widget   '")).size(), 1u);
  EXPECT_EQ(Records("q.where=" + Q("Name LIKE '%BRACKET%'"))[0]["SKU"], "INV-003");
  EXPECT_EQ(Records("q.where=" + Q("Name = N'Café Crème Dispenser'")).size(), 1u);
  json sorted = Records("q.select=Category&q.orderBy=" + Q("Category, PK_ID") + "&q.limit=3");
  EXPECT_EQ(sorted[0]["Category"], "Electronics");
}

TEST_F(SandboxAppTest, TypedValuesComeBackAsCaspioJson) {
  json gadget = Records("q.where=" + Q("SKU = 'INV-002'"))[0];
  EXPECT_TRUE(gadget["Quantity"].is_number_integer());
  EXPECT_EQ(gadget["Price"], 19.99);
  EXPECT_EQ(gadget["InStock"], false);
  EXPECT_EQ(gadget["Updated_At"], "2024-01-08T14:12:00");
  EXPECT_EQ(Records("q.where=" + Q("InStock = 0")).size(), 5u);
  EXPECT_EQ(Records("q.where=" + Q("InStock = 'true' AND Quantity BETWEEN 100 AND 300")).size(), 5u);
  EXPECT_EQ(Records("q.where=" + Q("Updated_At >= '2024-04-01'")).size(), 4u);
  EXPECT_EQ(Records("q.where=" + Q("Updated_At < '04/01/2024' AND Category IN ('Tools','Safety')")).size(), 9u);
}

TEST_F(SandboxAppTest, DateFunctionsUseTheSandboxClock) {
  // The fake clock starts at 2025-01-01T00:00:00.
  EXPECT_EQ(Records("q.where=" + Q("Updated_At > DATEADD(day, -7, GETDATE())")).size(), 0u);
  EXPECT_EQ(Records("q.where=" + Q("Updated_At > DATEADD(month, -9, GETDATE())")).size(), 4u);
  clock_.Advance(absl::Hours(24 * 365));
  token_ = IssueToken();  // the old one expired a year ago
  EXPECT_EQ(Records("q.where=" + Q("DATEDIFF(year, Updated_At, GETDATE()) = 2")).size(), 30u);
  json ages = Records("q.select=" + Q("SKU, DATEDIFF(day, Updated_At, '2024-04-10') AS Age") +
                      "&q.orderBy=Age&q.limit=2");
  EXPECT_EQ(ages[0], json::parse(R"({"SKU":"INV-030","Age":0})"));
}

TEST_F(SandboxAppTest, SelectsAggregatesGroupsAndOrders) {
  json groups = Records("q.select=" + Q("Category, COUNT(*) AS Items, SUM(Quantity) Units") +
                        "&q.groupBy=Category&q.orderBy=" + Q("Items DESC, Category"));
  ASSERT_EQ(groups.size(), 6u);
  EXPECT_EQ(groups[0], json::parse(R"({"Category":"Electronics","Items":7,"Units":167})"));
  json one = Records("q.select=" + Q("COUNT(*) AS N, MAX(Price) AS Highest, AVG(Quantity) AS Mean"));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["N"], 30);
  EXPECT_EQ(one[0]["Highest"], 249);
  EXPECT_TRUE(one[0]["Mean"].is_number_integer());  // integer AVG, as in SQL Server
  json distinct = Records("q.select=" + Q("DISTINCT Category") + "&q.orderBy=Category");
  EXPECT_EQ(distinct.size(), 6u);
  // TOP is reserved in T-SQL, so it cannot be a bare alias there either.
  EXPECT_EQ(Call("GET", std::string(kInventory) + "?q.select=" + Q("MAX(Price) AS Top")).status, 400);
  HttpResponse bad = Call("GET", std::string(kInventory) + "?q.select=" + Q("Name, COUNT(*)"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["Code"], "SqlServerError");
}

TEST_F(SandboxAppTest, PagesWithEitherModel) {
  EXPECT_EQ(Records("q.limit=7").size(), 7u);
  EXPECT_EQ(Records("").size(), 30u);
  json page = CallJson("GET", std::string(kInventory) + "?q.pageNumber=2&q.getPaginationInfo=true");
  EXPECT_EQ(page["Result"].size(), 5u);  // page size defaults to 25
  EXPECT_EQ(page["Result"][0]["PK_ID"], 26);
  EXPECT_EQ(page["Pagination"], json::parse(R"({"TotalCount":30,"PageNumber":2,"PageSize":25})"));
  // q.limit is ignored once paging parameters are present.
  EXPECT_EQ(Records("q.limit=2&q.pageSize=10").size(), 10u);
  EXPECT_FALSE(CallJson("GET", std::string(kInventory) + "?q.limit=2").contains("Pagination"));
  for (const char* bad : {"q.limit=0", "q.limit=1001", "q.pageSize=4", "q.pageSize=1001", "q.pageNumber=0",
                          "q.limit=abc", "q.getPaginationInfo=yes"}) {
    HttpResponse r = Call("GET", std::string(kInventory) + "?" + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(json::parse(r.body)["Code"], "IncorrectQueryParameter") << bad;
  }
}

TEST_F(SandboxAppTest, WritesReportWhatTheyTouched) {
  json created = CallJson("POST", std::string(kInventory) + "?response=rows",
                          R"({"SKU":"INV-031","Name":"Pallet Jack","Quantity":"2","Price":"349.5","InStock":1,
                              "Updated_At":"2024-05-01 08:00"})",
                          201);
  EXPECT_EQ(created["Result"][0]["PK_ID"], 31);
  EXPECT_EQ(created["Result"][0]["Updated_At"], "2024-05-01T08:00:00");
  EXPECT_EQ(created["Result"][0]["InStock"], true);
  HttpResponse plain = Call("POST", kInventory, R"({"SKU":"INV-032"})");
  EXPECT_EQ(plain.status, 201);
  EXPECT_TRUE(plain.body.empty());
  json updated = CallJson("PUT", std::string(kInventory) + "?q.where=" + Q("SKU LIKE 'INV-03[12]'"), R"({"Quantity":5})");
  EXPECT_EQ(updated["RecordsAffected"], 2);
  EXPECT_EQ(CallJson("PUT", std::string(kInventory) + "?q.where=" + Q("1 = 0"), R"({"Quantity":5})")["RecordsAffected"], 0);
  EXPECT_EQ(CallJson("DELETE", std::string(kInventory) + "?q.where=" + Q("PK_ID > 30"))["RecordsAffected"], 2);
  EXPECT_EQ(CallJson("DELETE", std::string(kInventory) + "?q.where=" + Q("PK_ID > 30"))["RecordsAffected"], 0);
}

TEST_F(SandboxAppTest, RefusesBadWrites) {
  auto code = [&](const std::string& method, const std::string& target, const std::string& body) {
    HttpResponse r = Call(method, target, body);
    json b = json::parse(r.body, nullptr, false);
    return absl::StrCat(r.status, " ", b.is_object() ? b.value("Code", "") : "");
  };
  EXPECT_EQ(code("POST", kInventory, R"({"SKU":"X","Colour":"red"})"), "404 FieldNotFound");
  EXPECT_EQ(code("POST", kInventory, R"({"SKU":"INV-001"})"), "400 SqlServerError");
  EXPECT_EQ(code("POST", kInventory, R"({"PK_ID":99})"), "400 IncorrectBodyParameter");
  EXPECT_EQ(code("POST", kInventory, R"({"Quantity":"many"})"), "400 IncorrectBodyParameter");
  EXPECT_EQ(code("POST", kInventory, R"({"Updated_At":"someday"})"), "400 IncorrectBodyParameter");
  EXPECT_EQ(code("POST", kInventory, "not json"), "400 IncorrectBodyParameter");
  EXPECT_EQ(code("POST", kInventory, "[1,2]"), "400 IncorrectBodyParameter");
  EXPECT_EQ(code("PUT", kInventory, R"({"Quantity":1})"), "400 IncorrectQueryParameter");
  EXPECT_EQ(code("DELETE", kInventory, ""), "400 IncorrectQueryParameter");
  EXPECT_EQ(code("DELETE", std::string(kInventory) + "?q.where=" + Q("1=1; DROP TABLE Inventory"), ""),
            "400 SqlServerError");
  EXPECT_EQ(code("POST", "/integrations/rest/v3/tables/Support_Tickets/records", R"({"Ticket_Number":"TCK-9"})"),
            "400 IncorrectBodyParameter");
  EXPECT_EQ(Records("q.limit=1000").size(), 30u);  // nothing was lost
}

TEST_F(SandboxAppTest, NeverReturnsPasswordFields) {
  json contractors = CallJson("GET", "/integrations/rest/v3/tables/Contractors/records");
  for (const json& row : contractors["Result"]) EXPECT_FALSE(row.contains("Badge_PIN"));
  for (const std::string& q : std::vector<std::string>{"q.select=Badge_PIN", "q.where=" + Q("Badge_PIN = '4417'"),
                                                        "q.orderBy=Badge_PIN"}) {
    HttpResponse r = Call("GET", "/integrations/rest/v3/tables/Contractors/records?" + q);
    EXPECT_EQ(r.status, 400) << q;
  }
  EXPECT_EQ(Call("PUT", "/integrations/rest/v3/tables/Contractors/records?q.where=PK_ID%3D1", R"({"Badge_PIN":"1"})").status,
            400);
}

TEST_F(SandboxAppTest, ViewsFilterTheirTableAndNameFieldsByTable) {
  const std::string view = "/integrations/rest/v3/views/Active_Contractors/records";
  json rows = CallJson("GET", view)["Result"];
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0]["PK_ID"], "1");
  EXPECT_EQ(rows[0]["Contractors_Name"], "Sam Rivera");
  EXPECT_EQ(CallJson("GET", view + "?q.where=" + Q("PK_ID = 3"))["Result"].size(), 1u);
  EXPECT_EQ(CallJson("GET", view + "?q.where=" + Q("Contractors_Name = 'Priya Desai'"))["Result"].size(), 0u);
  // An insert outside the view's filter lands in the table but is not returned.
  json inactive = CallJson("POST", view + "?response=rows",
                           R"({"Contractors_Name":"Zoe Park","Contractors_Email":"zoe@park.example","Contractors_Active":false})",
                           201);
  EXPECT_EQ(inactive["Result"].size(), 0u);
  EXPECT_EQ(CallJson("GET", "/integrations/rest/v3/tables/Contractors/records?q.where=" + Q("Name='Zoe Park'"))["Result"].size(),
            1u);
  EXPECT_EQ(CallJson("PUT", view + "?q.where=" + Q("Contractors_Name = 'Zoe Park'"), R"({"Contractors_Specialty":"x"})")
                ["RecordsAffected"],
            0);
}

TEST_F(SandboxAppTest, DirectoryAttributesAreReadableButNotWritable) {
  json locked = CallJson("GET", std::string(kUsers) + "?q.where=" + Q("_status = 'Locked'"))["Result"];
  ASSERT_EQ(locked.size(), 1u);
  EXPECT_EQ(locked[0]["Email"], "erin.walsh@wholesale.example");
  EXPECT_FALSE(locked[0].contains("Password"));
  json by_2fa = CallJson("GET", std::string(kUsers) + "?q.select=" + Q("_2fa_status, COUNT(*) AS N") +
                                    "&q.groupBy=_2fa_status&q.orderBy=_2fa_status")["Result"];
  EXPECT_EQ(by_2fa.size(), 3u);
  json statuses = CallJson("GET", std::string(kUsers) + "?q.select=" + Q("DISTINCT _status"))["Result"];
  EXPECT_EQ(statuses.size(), 7u);
  for (const std::string method : {"PUT", "DELETE"}) {
    HttpResponse r = Call(method, std::string(kUsers) + "?Where=" + Q("_2fa_status = 'Enabled'"), R"({"Role":"x"})");
    EXPECT_EQ(r.status, 400) << method;
    EXPECT_THAT(r.body, HasSubstr("_2fa_status")) << method;
  }
  EXPECT_EQ(Call("PUT", std::string(kUsers) + "?Where=" + Q("PK_ID = 1"), R"({"_status":"Active"})").status, 400);
  EXPECT_EQ(CallJson("PUT", std::string(kUsers) + "?Where=" + Q("Department = 'Warehouse'"), R"({"Role":"Lead"})")
                ["UsersAffected"],
            2);
}

TEST_F(SandboxAppTest, ActivationFollowsTheUsersStatus) {
  const std::string activate = std::string(kUsers) + "/activate";
  EXPECT_EQ(Call("POST", activate, R"({"UserGUID":"6f1c2a9e-0b1d-4c55-9a11-3f0e7a2b8c01"})").status, 409);
  json link = CallJson("POST", activate, R"({"UserGUID":"6f1c2a9e-0b1d-4c55-9a11-3f0e7a2b8c04","SendEmail":false})");
  EXPECT_THAT(link["Result"]["ActivationUrl"].get<std::string>(), HasSubstr("http://sandbox.test/"));
  json dan = CallJson("GET", std::string(kUsers) + "?q.where=" + Q("First_Name = 'Dan'"))["Result"][0];
  EXPECT_EQ(dan["_status"], "ActivationPending");
  EXPECT_EQ(Call("POST", activate, R"({"UserGUID":"00000000-0000-0000-0000-000000000000"})").status, 404);
  EXPECT_EQ(Call("POST", activate, R"({})").status, 400);
}

TEST_F(SandboxAppTest, TaskRunsMoveBusyProcessingReady) {
  auto status = [&] { return CallJson("GET", kTask)["Result"]["Status"].get<std::string>(); };
  EXPECT_EQ(status(), "Ready");
  EXPECT_EQ(Call("POST", std::string(kTask) + "/run").status, 204);
  EXPECT_EQ(status(), "Busy");
  EXPECT_EQ(Call("POST", std::string(kTask) + "/run").status, 400);
  clock_.Advance(absl::Seconds(10));
  EXPECT_EQ(status(), "Processing");
  clock_.Advance(absl::Seconds(20));
  EXPECT_EQ(status(), "Ready");
  EXPECT_EQ(Call("POST", std::string(kTask) + "/run").status, 204);
}

TEST_F(SandboxAppTest, AttachmentsRoundTripAndRespectTheSizeLimit) {
  const std::string base = "/integrations/rest/v3/tables/ComplianceLogs/attachments/Evidence";
  Headers multipart;
  multipart.Add("Content-Type", "multipart/form-data; boundary=b");
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"File\"; filename=\"C:\\\\scan\\\\hipaa.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nsigned\r\n--b--\r\n";
  EXPECT_EQ(Call("PUT", base + "/6", body, multipart).status, 204);
  HttpResponse download = Call("GET", base + "/6");
  EXPECT_EQ(download.body, "signed");
  EXPECT_EQ(std::string(*download.headers.Get("Content-Type")), "text/plain");
  json info = CallJson("GET", base + "/fileInfo?q.where=" + Q("PK_ID = 6"))["Result"][0];
  EXPECT_EQ(info["FileName"], "hipaa");
  EXPECT_EQ(info["FileType"], "txt");
  EXPECT_EQ(info["Size"], 6);
  json row = CallJson("GET", "/integrations/rest/v3/tables/ComplianceLogs/records?q.where=PK_ID%3D6")["Result"][0];
  EXPECT_EQ(row["Evidence"], "hipaa.txt");
  const std::string big = "--b\r\nContent-Disposition: form-data; name=\"File\"; filename=\"big.txt\"\r\n\r\n" +
                          std::string(65, 'x') + "\r\n--b--\r\n";
  EXPECT_EQ(Call("PUT", base + "/6", big, multipart).status, 413);
  EXPECT_EQ(Call("PUT", base + "/999", body, multipart).status, 404);
  EXPECT_EQ(Call("GET", base + "/4").status, 404);  // record without a file
  EXPECT_EQ(CallJson("DELETE", base + "?q.where=" + Q("PK_ID >= 5"))["RecordsAffected"], 2);
}

TEST_F(SandboxAppTest, RateLimitFaultAnswers429WithHeadersUntilTheWindowEnds) {
  ASSERT_TRUE(faults_->Configure(json::parse(R"({"rate_limit":{"limit":2,"window_seconds":10}})")).ok());
  const int64_t reset = absl::ToUnixSeconds(clock_.Now()) + 10;
  HttpResponse first = Call("GET", kInventory);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(std::string(*first.headers.Get("X-RateLimit-Limit")), "2");
  EXPECT_EQ(std::string(*first.headers.Get("X-RateLimit-Remaining")), "1");
  EXPECT_EQ(std::string(*first.headers.Get("X-RateLimit-Reset")), absl::StrCat(reset));
  EXPECT_EQ(Call("GET", kInventory).status, 200);
  clock_.Advance(absl::Seconds(4));
  HttpResponse limited = Call("GET", kInventory);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(json::parse(limited.body)["Code"], "TooManyRequests");
  EXPECT_EQ(std::string(*limited.headers.Get("Retry-After")), "6");
  EXPECT_EQ(std::string(*limited.headers.Get("X-RateLimit-Remaining")), "0");
  clock_.Advance(absl::Seconds(6));
  EXPECT_EQ(Call("GET", kInventory).status, 200);
}

TEST_F(SandboxAppTest, ErrorAndLatencyFaults) {
  ASSERT_TRUE(faults_->Configure(json::parse(R"({"fail_next":2,"error_status":503,"latency_ms":250})")).ok());
  SandboxApp::Outcome a = Send("GET", kInventory, "", [&] {
    Headers h;
    h.Add("Authorization", "Bearer " + token_);
    return h;
  }());
  EXPECT_EQ(a.response.status, 503);
  EXPECT_EQ(a.delay, absl::Milliseconds(250));
  EXPECT_EQ(Call("GET", kInventory).status, 503);
  EXPECT_EQ(Call("GET", kInventory).status, 200);
  ASSERT_TRUE(faults_->Configure(json::parse(R"({"error_rate":1})")).ok());
  EXPECT_EQ(Call("GET", kInventory).status, 500);
  EXPECT_FALSE(faults_->Configure(json::parse(R"({"error_rate":2})")).ok());
  EXPECT_FALSE(faults_->Configure(json::parse(R"({"latency":5})")).ok());
}

TEST_F(SandboxAppTest, ControlApiResetsTheSeed) {
  EXPECT_EQ(CallJson("DELETE", std::string(kInventory) + "?q.where=" + Q("PK_ID > 0"))["RecordsAffected"], 30);
  ASSERT_EQ(Raw("POST", "/__sandbox/faults", R"({"fail_next":5})").status, 200);
  EXPECT_EQ(Raw("POST", "/__sandbox/reset").status, 204);
  EXPECT_EQ(Records("").size(), 30u);  // seed back, faults cleared
  EXPECT_EQ(Raw("POST", "/__sandbox/faults", R"({"bogus":1})").status, 400);
  EXPECT_EQ(Raw("POST", "/__sandbox/tokens/revoke").status, 204);
  EXPECT_EQ(Call("GET", kInventory).status, 401);
}

TEST_F(SandboxAppTest, RequestLogCountsApiAndTokenCalls) {
  ASSERT_EQ(Raw("DELETE", "/__sandbox/requests").status, 204);
  EXPECT_EQ(Call("GET", std::string(kInventory) + "?q.where=" + Q("PK_ID = 1")).status, 200);
  EXPECT_EQ(Raw("GET", kInventory).status, 401);  // refused calls count too
  IssueToken();
  EXPECT_EQ(Raw("GET", "/healthz").status, 200);  // not an API call
  HttpResponse log = Raw("GET", "/__sandbox/requests");
  ASSERT_EQ(log.status, 200);
  json body = json::parse(log.body);
  EXPECT_EQ(body["api_calls"], 2);
  EXPECT_EQ(body["token_calls"], 1);
  ASSERT_EQ(body["requests"].size(), 3u);
  EXPECT_EQ(body["requests"][0]["target"], std::string(kInventory) + "?q.where=" + Q("PK_ID = 1"));
  EXPECT_EQ(body["requests"][0]["status"], 200);
  EXPECT_EQ(body["requests"][1]["status"], 401);
  EXPECT_EQ(body["requests"][2]["target"], "/oauth/token");
  EXPECT_THAT(log.body, ::testing::Not(HasSubstr("sandbox-secret")));
  ASSERT_EQ(Raw("DELETE", "/__sandbox/requests").status, 204);
  EXPECT_EQ(json::parse(Raw("GET", "/__sandbox/requests").body)["api_calls"], 0);
}

TEST_F(SandboxAppTest, RequestLogShowsTheTraceparentAClientSent) {
  ASSERT_EQ(Raw("DELETE", "/__sandbox/requests").status, 204);
  Headers traced;
  traced.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(Call("GET", kInventory, "", traced).status, 200);
  EXPECT_EQ(Call("GET", kInventory).status, 200);
  json requests = json::parse(Raw("GET", "/__sandbox/requests").body)["requests"];
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["traceparent"], "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(requests[1]["traceparent"], "");
}

TEST_F(SandboxAppTest, ControlApiIsAbsentWithoutFaults) {
  Build(/*with_faults=*/false);
  EXPECT_EQ(Raw("POST", "/__sandbox/reset").status, 404);
  EXPECT_EQ(Raw("GET", "/__sandbox/faults").status, 404);
  EXPECT_EQ(Raw("GET", "/__sandbox/requests").status, 404);
}

TEST_F(SandboxAppTest, AnswersRoutingErrorsInCaspiosShape) {
  EXPECT_EQ(Call("PATCH", kInventory).status, 405);
  EXPECT_EQ(Call("GET", "/integrations/rest/v3/tables/Nope/records").status, 404);
  EXPECT_EQ(Call("GET", std::string(kInventory) + "?q.where=" + std::string(2100, 'x')).status, 414);
}

TEST(JsonTextTest, EscapesLikeJsonAndRepairsBadUtf8) {
  static const char kInput[] = "a\"b\\c\n\x01 Caf\xC3\xA9 \xFF end";
  std::string out;
  AppendJsonString(&out, std::string(kInput, sizeof(kInput) - 1));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001 Caf\xC3\xA9 \xEF\xBF\xBD end\"");
  EXPECT_FALSE(json::parse(out, nullptr, false).is_discarded());
  std::string numbers;
  AppendJsonNumber(&numbers, 120.0);
  numbers.push_back(' ');
  AppendJsonNumber(&numbers, 19.99);
  numbers.push_back(' ');
  AppendJsonNumber(&numbers, 1e300);
  EXPECT_EQ(numbers, "120 19.99 1e+300");
}

TEST(MultipartTest, ParsesPartsAndRefusesMalformedBodies) {
  auto parts = ParseMultipart("multipart/form-data; boundary=\"xyz\"",
                              "preamble\r\n--xyz\r\nContent-Disposition: form-data; name=\"Files\"; filename=\"a.txt\"\r\n"
                              "Content-Type: text/plain\r\n\r\nA\r\n--xyz\r\nContent-Disposition: form-data; "
                              "name=\"Files\"; filename=\"b.bin\"\r\n\r\nB\r\nB\r\n--xyz--\r\n");
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].file_name, "a.txt");
  EXPECT_EQ((*parts)[0].content_type, "text/plain");
  EXPECT_EQ((*parts)[1].data, "B\r\nB");
  EXPECT_EQ((*parts)[1].content_type, "application/octet-stream");
  EXPECT_FALSE(ParseMultipart("application/json", "{}").ok());
  EXPECT_FALSE(ParseMultipart("multipart/form-data", "x").ok());
  EXPECT_FALSE(ParseMultipart("multipart/form-data; boundary=q", "--q\r\nno end").ok());
}

}  // namespace
}  // namespace cmcp::sandbox
