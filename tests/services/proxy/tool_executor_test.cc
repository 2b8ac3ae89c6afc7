#include "services/proxy/tool_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/error.h"
#include "services/proxy/upstream_call.h"
#include "services/toolgen/tool_catalog.h"
#include "tests/services/proxy/fake_http_client.h"
#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::proxy {
namespace {

using ::cmcp::testing::IsOk;
using ::testing::HasSubstr;
using json = nlohmann::json;
using Tool = caspio_mcp::toolgen::v1::Tool;

class FakeCredentials final : public CredentialsSource {
 public:
  absl::StatusOr<Credentials> Get(const std::string& account_id) override {
    ++calls;
    return Credentials{"https://c1.caspio.com", "cid", "secret value&="};
  }
  int calls = 0;
};

// The real catalog from integrations/caspio plus a synthetic bulk update.
class ToolExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto integration = toolgen::LoadIntegration(cmcp::testing::SourcePath("integrations/caspio"));
    ASSERT_THAT(integration, IsOk());
    auto catalog = toolgen::ToolCatalog::Build(*std::move(integration));
    ASSERT_THAT(catalog, IsOk());
    list_tool_ = **(*catalog)->Get("list_all_caspio_records", {});

    auto synthetic = toolgen::ParseIntegration(
        json::parse(R"({"name":"caspio","base_path":"/integrations/rest","resources":{"records":{"singular":"record",
          "plural":"records","methods":{"update":{"operation_id":"UpdateTableRecords","http_method":"PUT",
          "path":"/v3/tables/{table_name}/records","bulk_write":true,"where":{"argument":"q.where","use":"write"},
          "dry_run":{"path":"/v3/tables/{table_name}/records","where_parameter":"q.where"}}}}}})"),
        {json::parse(R"({"resource":"records","method":"update","title":"t","description":"d",
          "path_schema":{"type":"object","properties":{"table_name":{"type":"string","minLength":1}},"required":["table_name"]},
          "query_schema":{"type":"object","properties":{"q.where":{"type":"string"},"response":{"type":"string","enum":["rows"]}},"required":["q.where"]},
          "body_schema":{"type":"object","properties":{"Quantity":{"type":"integer"},"Name":{"type":"string"}}}})")});
    ASSERT_THAT(synthetic, IsOk());
    auto synthetic_catalog = toolgen::ToolCatalog::Build(*std::move(synthetic));
    ASSERT_THAT(synthetic_catalog, IsOk());
    update_tool_ = **(*synthetic_catalog)->Get("update_a_caspio_record_by_id", {});

    auto files = toolgen::ParseIntegration(
        json::parse(R"({"name":"caspio","base_path":"/integrations/rest","resources":{
          "files":{"singular":"file","plural":"files","methods":{
            "download":{"operation_id":"DownloadFileByKey","http_method":"GET","path":"/v3/files/{external_key}","response":"binary"}}},
          "attachments":{"singular":"attachment","plural":"attachments","methods":{
            "update":{"operation_id":"UploadFileToAttachmentTableField","http_method":"PUT",
                      "path":"/v3/tables/{table_name}/attachments/{attachment_field_name}/{id}","response":"empty",
                      "success_statuses":[204],"multipart_files":{"file":"File"}},
            "delete":{"operation_id":"DeleteFileFromAttachmentTableFields","http_method":"DELETE",
                      "path":"/v3/tables/{table_name}/attachments/{attachment_field_name}","bulk_write":true,
                      "where":{"argument":"q.where","use":"write"},
                      "dry_run":{"path":"/v3/tables/{table_name}/attachments/{attachment_field_name}/fileInfo",
                                 "where_parameter":"q.where"}}}}}})"),
        {json::parse(R"({"resource":"files","method":"download","title":"t","description":"d",
           "path_schema":{"type":"object","properties":{"external_key":{"type":"string"}},"required":["external_key"]}})"),
         json::parse(R"({"resource":"attachments","method":"update","title":"t","description":"d",
           "path_schema":{"type":"object","properties":{"table_name":{"type":"string"},"attachment_field_name":{"type":"string"},
             "id":{"type":"integer"}},"required":["table_name","attachment_field_name","id"]},
           "body_argument":"file","body_schema":{"type":"object","properties":{"file_name":{"type":"string"},
             "content_text":{"type":"string"},"content_base64":{"type":"string"}},"required":["file_name"]}})"),
         json::parse(R"({"resource":"attachments","method":"delete","title":"t","description":"d",
           "path_schema":{"type":"object","properties":{"table_name":{"type":"string"},"attachment_field_name":{"type":"string"}},
             "required":["table_name","attachment_field_name"]},
           "query_schema":{"type":"object","properties":{"q.where":{"type":"string"}},"required":["q.where"]}})")});
    ASSERT_THAT(files, IsOk());
    auto files_catalog = toolgen::ToolCatalog::Build(*std::move(files));
    ASSERT_THAT(files_catalog, IsOk());
    download_tool_ = **(*files_catalog)->Get("caspio_files_download", {});
    upload_tool_ = **(*files_catalog)->Get("update_a_caspio_attachment_by_id", {});
    delete_attachments_tool_ = **(*files_catalog)->Get("delete_a_caspio_attachment_by_id", {});
  }

  // Token endpoint + a records handler.
  FakeHttpClient::Handler Caspio(std::function<HttpClientResponse(const HttpClientRequest&)> records) {
    return [this, records](const HttpClientRequest& r) -> absl::StatusOr<HttpClientResponse> {
      if (absl::EndsWith(r.url, "/oauth/token")) {
        ++token_requests_;
        return Response(200, json{{"access_token", absl::StrCat("tok", token_requests_)},
                                  {"token_type", "bearer"}, {"expires_in", 86399}}.dump());
      }
      return records(r);
    };
  }

  ToolResult Run(FakeHttpClient& http, const Tool& tool, const json& args) {
    CaspioAuthenticator auth({}, &http, &credentials_);
    ToolExecutor executor({}, &http, &auth, &cursors_);
    const std::string text = args.dump();
    auto result = executor.Execute({"acct", "srv", &tool, text, "req-1"});
    EXPECT_THAT(result, IsOk());
    return result.ok() ? *result : ToolResult{};
  }

  Tool list_tool_;
  Tool update_tool_;
  Tool download_tool_;
  Tool upload_tool_;
  Tool delete_attachments_tool_;
  FakeCredentials credentials_;
  CursorCodec cursors_{std::string(32, 'c')};
  int token_requests_ = 0;
};

json Rows(int first, int count, int total) {
  json rows = json::array();
  for (int i = first; i < first + count && i <= total; ++i) rows.push_back({{"PK_ID", i}});
  return {{"Result", rows}, {"Pagination", {{"TotalCount", total}}}};
}

TEST_F(ToolExecutorTest, ListBuildsAnEncodedRequestOrderedByPkId) {
  FakeHttpClient http(Caspio([](const HttpClientRequest&) { return Response(200, Rows(1, 5, 3).dump()); }));
  ToolResult r = Run(http, list_tool_, {{"table_name", "My Table&x"}, {"q.where", "Name = 'O''Brien'"}});
  EXPECT_FALSE(r.is_error) << (r.content.empty() ? "" : r.content[0].text);
  auto requests = http.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, "grant_type=client_credentials&client_id=cid&client_secret=secret%20value%26%3D");
  const HttpClientRequest& list = requests[1];
  EXPECT_EQ(list.method, "GET");
  EXPECT_THAT(list.url, HasSubstr("https://c1.caspio.com/integrations/rest/v3/tables/My%20Table%26x/records?"));
  EXPECT_THAT(list.url, HasSubstr("q.where=Name%20%3D%20%27O%27%27Brien%27"));
  EXPECT_THAT(list.url, HasSubstr("q.orderBy=PK_ID"));
  EXPECT_THAT(list.url, HasSubstr("q.pageSize=100&q.pageNumber=1&q.getPaginationInfo=true"));
  EXPECT_EQ(list.headers.Get("Authorization").value_or(""), "Bearer tok1");
  EXPECT_EQ(r.structured["result"].size(), 3u);
  EXPECT_FALSE(r.structured.contains("next_cursor"));
}

TEST_F(ToolExecutorTest, CursorWalksPagesWithoutSkipsOrRepeatsAndIsBoundToTheQuery) {
  const int total = 12;
  FakeHttpClient http(Caspio([&](const HttpClientRequest& r) {
    int size = 0, number = 0;
    for (absl::string_view part : absl::StrSplit(r.url.substr(r.url.find('?') + 1), '&')) {
      if (absl::ConsumePrefix(&part, "q.pageSize=")) (void)absl::SimpleAtoi(part, &size);
      if (absl::ConsumePrefix(&part, "q.pageNumber=")) (void)absl::SimpleAtoi(part, &number);
    }
    return Response(200, Rows((number - 1) * size + 1, size, total).dump());
  }));
  std::vector<int> seen;
  json args = {{"table_name", "T"}, {"limit", 5}};
  for (int i = 0; i < 10; ++i) {
    ToolResult r = Run(http, list_tool_, args);
    ASSERT_FALSE(r.is_error) << r.content[0].text;
    for (const json& row : r.structured["result"]) seen.push_back(row["PK_ID"].get<int>());
    if (!r.structured.contains("next_cursor")) break;
    args["next_cursor"] = r.structured["next_cursor"];
  }
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  // Only one OAuth exchange per authenticator... each Run builds a fresh one, so
  // here we only check the cursor is bound to the filter:
  args["q.where"] = "PK_ID > 0";
  ToolResult other = Run(http, list_tool_, args);
  EXPECT_TRUE(other.is_error);
  EXPECT_THAT(other.content[0].text, HasSubstr("next_cursor"));
  EXPECT_EQ(other.error.reason(), caspio_mcp::common::v1::ERROR_REASON_INVALID_CURSOR);
}

TEST_F(ToolExecutorTest, SmallLimitsUseCaspiosMinimumPageSizeAndSlice) {
  FakeHttpClient http(Caspio([](const HttpClientRequest& r) { return Response(200, Rows(1, 5, 20).dump()); }));
  ToolResult r = Run(http, list_tool_, {{"table_name", "T"}, {"limit", 2}});
  EXPECT_THAT(http.requests().back().url, HasSubstr("q.pageSize=5&q.pageNumber=1"));
  EXPECT_EQ(r.structured["result"].size(), 2u);
  EXPECT_TRUE(r.structured.contains("next_cursor"));
}

TEST_F(ToolExecutorTest, BadArgumentsNeverReachCaspio) {
  FakeHttpClient http(Caspio([](const HttpClientRequest&) { return Response(200, "{}"); }));
  for (const json& args : {json{{"q.where", "A=1"}}, json{{"table_name", "T"}, {"q.where", "1=1; DROP TABLE T"}},
                           json{{"table_name", "T"}, {"bogus", 1}}, json{{"table_name", 5.5}},
                           json{{"table_name", ".."}}, json{{"table_name", "../x"}}, json{{"table_name", "T"}, {"limit", 0}},
                           json{{"table_name", "T"}, {"limit", "ten"}}}) {
    ToolResult r = Run(http, list_tool_, args);
    EXPECT_TRUE(r.is_error) << args.dump();
    EXPECT_FALSE(r.content.empty());
  }
  EXPECT_TRUE(http.requests().empty());
}

TEST_F(ToolExecutorTest, BulkUpdateSendsTheBodyAndRefusesEmptyOrSystemFieldWhere) {
  FakeHttpClient http(Caspio([](const HttpClientRequest&) { return Response(200, R"({"RecordsAffected":2,"Result":[]})"); }));
  ToolResult refused = Run(http, update_tool_, {{"table_name", "T"}, {"q.where", ""}, {"Quantity", 1}});
  EXPECT_TRUE(refused.is_error);
  EXPECT_THAT(refused.content[0].text, HasSubstr("every row"));
  ToolResult system = Run(http, update_tool_, {{"table_name", "T"}, {"q.where", "_2fa_status='Enabled'"}, {"Quantity", 1}});
  EXPECT_TRUE(system.is_error);
  EXPECT_TRUE(http.requests().empty());
  ToolResult ok = Run(http, update_tool_, {{"table_name", "T"}, {"q.where", "PK_ID = 4"}, {"Quantity", 7}, {"Name", "x"}});
  ASSERT_FALSE(ok.is_error);
  const std::vector<HttpClientRequest> requests = http.requests();
  ASSERT_EQ(requests.size(), 2u);
  const HttpClientRequest& put = requests.back();
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(json::parse(put.body), json({{"Name", "x"}, {"Quantity", 7}}));
  EXPECT_EQ(put.headers.Get("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(ok.structured["RecordsAffected"], 2);
}

TEST_F(ToolExecutorTest, RetriesOnceWithAFreshTokenAfter401) {
  int calls = 0;
  FakeHttpClient http(Caspio([&](const HttpClientRequest& r) {
    ++calls;
    if (r.headers.Get("Authorization").value_or("") == "Bearer tok1") return Response(401, "");
    return Response(200, Rows(1, 1, 1).dump());
  }));
  ToolResult r = Run(http, list_tool_, {{"table_name", "T"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(token_requests_, 2);
  EXPECT_EQ(r.attempts, 2);
}

TEST_F(ToolExecutorTest, PersistentUnauthorizedIsReturnedAfterOneRetry) {
  int calls = 0;
  FakeHttpClient http(Caspio([&](const HttpClientRequest&) {
    ++calls;
    return Response(401, R"({"Code":"Unauthorized","Message":"Authorization has been denied"})");
  }));
  ToolResult r = Run(http, list_tool_, {{"table_name", "T"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(calls, 2);
}

TEST_F(ToolExecutorTest, RateLimitIsNeverRetriedAndIsNormalized) {
  int calls = 0;
  FakeHttpClient http(Caspio([&](const HttpClientRequest&) {
    ++calls;
    return Response(429, R"({"Code":"TooManyRequests","Message":"slow down"})",
                    {{"X-RateLimit-Limit", "2000"}, {"X-RateLimit-Remaining", "0"}, {"Retry-After", "30"}});
  }));
  ToolResult r = Run(http, list_tool_, {{"table_name", "T"}});
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.http_status, 429);
  EXPECT_EQ(r.structured["status"], 429);
  EXPECT_EQ(r.structured["ratelimit"], json({{"limit", 2000}, {"remaining", 0}, {"reset", 30}}));
  EXPECT_EQ(r.structured["retry_after"], 30);
  EXPECT_THAT(r.content[0].text, HasSubstr("at least 30 seconds"));
  EXPECT_EQ(r.error.reason(), caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_RATE_LIMITED);
  EXPECT_EQ(r.error.rate_limit().retry_after_seconds(), 30);
}

TEST_F(ToolExecutorTest, CaspioErrorsCarryCodeMessageAndAHint) {
  FakeHttpClient http(Caspio([](const HttpClientRequest&) {
    return Response(400, R"({"Code":"SqlServerError","Message":"Invalid column name 'Nope'.","RequestId":"r1"})",
                    {{"X-Caspio-Request-ID", "r1"}});
  }));
  ToolResult r = Run(http, list_tool_, {{"table_name", "T"}, {"q.where", "Nope = 1"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.structured["code"], "SqlServerError");
  EXPECT_EQ(r.structured["request_id"], "r1");
  EXPECT_THAT(r.content[0].text, HasSubstr("Invalid column name 'Nope'."));
  EXPECT_THAT(r.content[0].text, HasSubstr("How to fix"));
  EXPECT_EQ(r.error.upstream().code(), "SqlServerError");
}

// A hostile or broken upstream (the account's base_url points where the
// operator allowed) must not take the proxy down: copying or serializing a
// value recurses once per nesting level, so a deep body would overflow a
// worker's stack. Such a body is refused unparsed, as an error result.
TEST_F(ToolExecutorTest, AResponseNestedTooDeepIsAnErrorResultNotACrash) {
  const std::string deep = "{\"Result\":" + std::string(1 << 20, '[') + std::string(1 << 20, ']') + "}";
  for (int status : {200, 400}) {
    FakeHttpClient http(Caspio([&](const HttpClientRequest&) { return Response(status, deep); }));
    ToolResult r = Run(http, list_tool_, {{"table_name", "T"}});
    EXPECT_TRUE(r.is_error) << status;
    EXPECT_EQ(r.error.reason(), caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_ERROR) << status;
    ASSERT_FALSE(r.content.empty());
    EXPECT_THAT(r.content[0].text, HasSubstr("nested deeper than 64 levels")) << status;
  }
  FakeHttpClient http(Caspio([&](const HttpClientRequest&) { return Response(200, deep); }));
  ToolResult dry = Run(http, update_tool_, {{"table_name", "T"}, {"q.where", "PK_ID = 1"}, {"Quantity", 1}, {"dry_run", true}});
  EXPECT_TRUE(dry.is_error);
  EXPECT_EQ(dry.error.reason(), caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_ERROR);
}

TEST_F(ToolExecutorTest, UnreachableCaspioIsAnErrorResult) {
  FakeHttpClient http([](const HttpClientRequest&) -> absl::StatusOr<HttpClientResponse> {
    return absl::UnavailableError("connection refused");
  });
  ToolResult r = Run(http, list_tool_, {{"table_name", "T"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error.reason(), caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_UNAVAILABLE);
}

TEST_F(ToolExecutorTest, RefusedCredentialsTellTheOperatorWhatToDo) {
  FakeHttpClient http([](const HttpClientRequest&) -> absl::StatusOr<HttpClientResponse> {
    return Response(400, R"({"error":"invalid_client"})");
  });
  ToolResult r = Run(http, list_tool_, {{"table_name", "T"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error.reason(), caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_AUTH_FAILED);
  EXPECT_THAT(r.content[0].text, HasSubstr("operator"));
  EXPECT_THAT(r.content[0].text, ::testing::Not(HasSubstr("secret value")));
}

TEST_F(ToolExecutorTest, DownloadsBecomeImageTextOrBlobContentWithACap) {
  std::string type = "image/png", body = "\x89PNG", disposition = "attachment; filename=\"scan.png\"";
  FakeHttpClient http(Caspio([&](const HttpClientRequest&) {
    return Response(200, body, {{"Content-Type", type}, {"Content-Disposition", disposition}});
  }));
  ToolResult image = Run(http, download_tool_, {{"external_key", "k1"}});
  ASSERT_FALSE(image.is_error);
  ASSERT_EQ(image.content.size(), 2u);
  EXPECT_EQ(image.content[1].type, ContentBlock::Type::kImage);
  EXPECT_EQ(image.content[1].data, "\x89PNG");
  EXPECT_EQ(image.structured["result"]["file_name"], "scan.png");
  EXPECT_EQ(image.structured["result"]["uri"], "caspio://acct/v3/files/k1");

  type = "text/csv; charset=utf-8";
  body = "a,b\n1,2\n";
  ToolResult text = Run(http, download_tool_, {{"external_key", "k2"}});
  EXPECT_EQ(text.content[1].type, ContentBlock::Type::kResource);
  EXPECT_EQ(text.content[1].text, body);
  EXPECT_TRUE(text.content[1].data.empty());

  type = "application/pdf";
  body = std::string("%PDF\xff\x00", 6);
  ToolResult blob = Run(http, download_tool_, {{"external_key", "k3"}});
  EXPECT_EQ(blob.content[1].type, ContentBlock::Type::kResource);
  EXPECT_EQ(blob.content[1].data, body);

  body = std::string(6 * 1024 * 1024, 'x');
  ToolResult big = Run(http, download_tool_, {{"external_key", "k4"}});
  EXPECT_TRUE(big.is_error);
  EXPECT_EQ(big.error.reason(), caspio_mcp::common::v1::ERROR_REASON_PAYLOAD_TOO_LARGE);
}

TEST_F(ToolExecutorTest, UploadsGoOutAsMultipart) {
  FakeHttpClient http(Caspio([](const HttpClientRequest&) { return Response(204, ""); }));
  ToolResult r = Run(http, upload_tool_, {{"table_name", "T"}, {"attachment_field_name", "Doc"}, {"id", 3},
                                          {"file", {{"file_name", "a.txt"}, {"content_text", "hello"}}}});
  ASSERT_FALSE(r.is_error) << r.content[0].text;
  const HttpClientRequest put = http.requests().back();
  EXPECT_EQ(put.method, "PUT");
  const std::string type(put.headers.Get("Content-Type").value_or(""));
  ASSERT_THAT(type, HasSubstr("multipart/form-data; boundary="));
  const std::string boundary = type.substr(type.find('=') + 1);
  EXPECT_THAT(put.body, HasSubstr("--" + boundary + "\r\nContent-Disposition: form-data; name=\"File\"; filename=\"a.txt\""));
  EXPECT_THAT(put.body, HasSubstr("\r\n\r\nhello\r\n--" + boundary + "--"));
}

TEST_F(ToolExecutorTest, DryRunReadsAndChangesNothing) {
  FakeHttpClient http(Caspio([](const HttpClientRequest& r) {
    json rows = json::array();
    for (int i = 1; i <= 20; ++i) rows.push_back({{"PK_ID", i}});
    return Response(200, json{{"Result", rows}, {"Pagination", {{"TotalCount", 42}}}}.dump());
  }));
  ToolResult r = Run(http, update_tool_, {{"table_name", "T"}, {"q.where", "Qty = 0"}, {"Quantity", 5}, {"dry_run", true}});
  ASSERT_FALSE(r.is_error) << r.content[0].text;
  EXPECT_EQ(r.structured["dry_run"], true);
  EXPECT_EQ(r.structured["matched"], 42);
  EXPECT_EQ(r.structured["first"].size(), 20u);
  EXPECT_THAT(r.content[0].text, HasSubstr("nothing was changed"));
  for (const HttpClientRequest& req : http.requests()) {
    if (absl::EndsWith(req.url.substr(0, req.url.find('?')), "/oauth/token")) continue;
    EXPECT_EQ(req.method, "GET");
    EXPECT_THAT(req.url, HasSubstr("q.where=Qty%20%3D%200"));
  }

  FakeHttpClient files(Caspio([](const HttpClientRequest& r) {
    EXPECT_THAT(r.url, HasSubstr("/attachments/Doc/fileInfo?q.where="));
    return Response(200, R"({"Result":[{"PK_ID":1,"FileName":"a"},{"PK_ID":2,"FileName":"b"}]})");
  }));
  ToolResult a = Run(files, delete_attachments_tool_,
                     {{"table_name", "T"}, {"attachment_field_name", "Doc"}, {"q.where", "PK_ID < 3"}, {"dry_run", true}});
  EXPECT_EQ(a.structured["matched"], 2);
}

TEST(CaspioAuthenticatorTest, CachesTokensAndRefreshesBeforeExpiry) {
  int fetches = 0;
  FakeHttpClient http([&](const HttpClientRequest&) -> absl::StatusOr<HttpClientResponse> {
    ++fetches;
    return Response(200, json{{"access_token", absl::StrCat("t", fetches)}, {"expires_in", 3600}}.dump());
  });
  FakeCredentials credentials;
  absl::Time now = absl::FromUnixSeconds(1000000);
  CaspioAuthenticator auth({.refresh_margin = absl::Minutes(5)}, &http, &credentials, [&] { return now; });
  EXPECT_EQ(auth.Get("a")->access_token, "t1");
  EXPECT_EQ(auth.Get("a")->access_token, "t1");
  EXPECT_EQ(auth.Get("b")->access_token, "t2");  // per account
  now += absl::Minutes(54);
  EXPECT_EQ(auth.Get("a")->access_token, "t1");
  now += absl::Minutes(2);  // inside the refresh margin
  EXPECT_EQ(auth.Get("a")->access_token, "t3");
  auth.Invalidate("a", "stale-other-token");  // not the cached one: ignored
  EXPECT_EQ(auth.Get("a")->access_token, "t3");
  auth.Invalidate("a", "t3");
  EXPECT_EQ(auth.Get("a")->access_token, "t4");
  EXPECT_EQ(credentials.calls, 4);
}

TEST(CaspioAuthenticatorTest, ConcurrentCallersShareOneRefresh) {
  std::atomic<int> fetches{0};
  FakeHttpClient http([&](const HttpClientRequest&) -> absl::StatusOr<HttpClientResponse> {
    ++fetches;
    absl::SleepFor(absl::Milliseconds(50));
    return Response(200, json{{"access_token", "t"}, {"expires_in", 3600}}.dump());
  });
  FakeCredentials credentials;
  CaspioAuthenticator auth({}, &http, &credentials);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { EXPECT_TRUE(auth.Get("a").ok()); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(fetches.load(), 1);
}

}  // namespace
}  // namespace cmcp::proxy
