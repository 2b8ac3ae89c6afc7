// The real caspio-sandbox binary over HTTP: OAuth, bearer checks, record
// listing with q.where and the other query parameters, and Caspio's error
// shape. Phase-1 contract that the end-to-end tests rely on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/sandbox/sandbox_process.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::sandbox::testing {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr char kRecords[] = "/integrations/rest/v3/tables/Inventory/records";

class SandboxIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = SandboxProcess::Start();
    ASSERT_TRUE(started.ok()) << started.status();
    sandbox_ = *std::move(started);
  }
  HttpClientResponse Get(const std::string& path) {
    auto r = sandbox_->Call("GET", path);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : HttpClientResponse{};
  }
  std::unique_ptr<SandboxProcess> sandbox_;
};

TEST_F(SandboxIntegrationTest, IssuesOAuthTokensLikeCaspio) {
  Headers form;
  form.Add("Content-Type", "application/x-www-form-urlencoded");
  auto r = sandbox_->Raw("POST", "/oauth/token",
                         "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret", form);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  json body = Json(*r);
  EXPECT_EQ(body["token_type"], "bearer");
  EXPECT_EQ(body["expires_in"], 86399);
  EXPECT_TRUE(body["access_token"].is_string());
  ASSERT_TRUE(body["refresh_token"].is_string());

  // Basic authentication with grant_type in the body.
  Headers basic = form;
  basic.Add("Authorization", "Basic c2FuZGJveC1jbGllbnQ6c2FuZGJveC1zZWNyZXQ=");
  auto b = sandbox_->Raw("POST", "/oauth/token", "grant_type=client_credentials", basic);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->status, 200) << b->body;

  // Refresh.
  auto refreshed = sandbox_->Raw(
      "POST", "/oauth/token", "grant_type=refresh_token&refresh_token=" + body["refresh_token"].get<std::string>(),
      form);
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed->status, 200) << refreshed->body;

  // Wrong secret.
  auto wrong = sandbox_->Raw("POST", "/oauth/token",
                             "grant_type=client_credentials&client_id=sandbox-client&client_secret=nope", form);
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 400);
  EXPECT_EQ(Json(*wrong)["error"], "invalid_client");
}

TEST_F(SandboxIntegrationTest, RefusesMissingOrInvalidBearerTokens) {
  auto none = sandbox_->Raw("GET", kRecords);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, 401);
  EXPECT_TRUE(none->headers.Get("X-Caspio-Request-ID").has_value());
  Headers bad;
  bad.Add("Authorization", "Bearer not-a-token");
  auto invalid = sandbox_->Raw("GET", kRecords, "", bad);
  ASSERT_TRUE(invalid.ok());
  EXPECT_EQ(invalid->status, 401);
  EXPECT_EQ(Json(*invalid)["Code"], "Unauthorized");
}

TEST_F(SandboxIntegrationTest, ListsRecordsWithAWhereClause) {
  HttpClientResponse r = Get(std::string(kRecords) + "?q.where=" + Q("Category='hardware' AND Quantity > 50"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.headers.Get("X-Caspio-Request-ID").has_value());
  json body = Json(r);
  ASSERT_TRUE(body["Result"].is_array());
  ASSERT_GE(body["Result"].size(), 2u);
  const json& widget = body["Result"][0];
  EXPECT_EQ(widget["PK_ID"], 1);
  EXPECT_EQ(widget["SKU"], "INV-001");
  EXPECT_EQ(widget["Name"], "Widget");
  EXPECT_EQ(widget["Quantity"], 120);
  EXPECT_EQ(widget["Price"], 2.5);
  EXPECT_EQ(widget["InStock"], true);
  EXPECT_FALSE(body.contains("Pagination"));
}

TEST_F(SandboxIntegrationTest, MatchesQuotedNamesAndBindsParametersCaseInsensitively) {
  HttpClientResponse r = Get(std::string(kRecords) + "?where=" + Q("Name = 'o''brien bracket'"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Json(r)["Result"].size(), 1u);
  EXPECT_EQ(Json(r)["Result"][0]["PK_ID"], 3);
  HttpClientResponse upper = Get(std::string(kRecords) + "?Q.WHERE=" + Q("PK_ID=2") + "&Q.Select=SKU");
  ASSERT_EQ(upper.status, 200) << upper.body;
  EXPECT_EQ(Json(upper)["Result"], json::parse(R"([{"SKU":"INV-002"}])"));
}

TEST_F(SandboxIntegrationTest, PagesInPkOrderWithPaginationInfo) {
  HttpClientResponse page = Get(std::string(kRecords) + "?q.pageSize=5&q.pageNumber=2&q.getPaginationInfo=true");
  ASSERT_EQ(page.status, 200) << page.body;
  json body = Json(page);
  ASSERT_EQ(body["Result"].size(), 5u);
  EXPECT_EQ(body["Result"][0]["PK_ID"], 6);
  EXPECT_GE(body["Pagination"]["TotalCount"].get<int>(), 25);
  EXPECT_EQ(body["Pagination"]["PageNumber"], 2);
  EXPECT_EQ(body["Pagination"]["PageSize"], 5);

  HttpClientResponse sorted = Get(std::string(kRecords) + "?q.orderBy=" + Q("Price DESC") + "&q.limit=2");
  ASSERT_EQ(sorted.status, 200);
  ASSERT_EQ(Json(sorted)["Result"].size(), 2u);
  EXPECT_GE(Json(sorted)["Result"][0]["Price"].get<double>(), Json(sorted)["Result"][1]["Price"].get<double>());

  HttpClientResponse too_small = Get(std::string(kRecords) + "?q.pageSize=4");
  EXPECT_EQ(too_small.status, 400);
  EXPECT_EQ(Json(too_small)["Code"], "IncorrectQueryParameter");
}

TEST_F(SandboxIntegrationTest, AnswersSqlOutsideTheSubsetWithSqlServerError) {
  HttpClientResponse r = Get(std::string(kRecords) + "?q.where=" + Q("1=1; DROP TABLE Inventory"));
  ASSERT_EQ(r.status, 400);
  json body = Json(r);
  EXPECT_EQ(body["Code"], "SqlServerError");
  EXPECT_THAT(body["Message"].get<std::string>(), HasSubstr(";"));
  EXPECT_THAT(body["Resource"].get<std::string>(), HasSubstr("/v3/tables/Inventory/records"));
  EXPECT_EQ(body["RequestId"].get<std::string>(), std::string(*r.headers.Get("X-Caspio-Request-ID")));
  // The table is intact.
  EXPECT_EQ(Get(std::string(kRecords) + "?q.where=PK_ID%3D1").status, 200);
}

TEST_F(SandboxIntegrationTest, RefusesOverlongUris) {
  HttpClientResponse r = Get(std::string(kRecords) + "?q.where=" + Q("Name = '" + std::string(2100, 'x') + "'"));
  EXPECT_EQ(r.status, 414);
}

}  // namespace
}  // namespace cmcp::sandbox::testing
