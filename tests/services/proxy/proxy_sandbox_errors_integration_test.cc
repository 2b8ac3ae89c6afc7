// The proxy's error classes against the real Caspio sandbox over HTTP
// (issue 6, item 9), through its gRPC interface and, for the MCP shape,
// through the whole cluster: Caspio 4xx bodies and 404s become isError
// results with Caspio's Code and Message and a hint; upstream 5xx and
// timeouts likewise, never retried; bad arguments (unknown, missing,
// mistyped, q.where refusals, path traversal, bad files) are refused before
// any upstream request, which the sandbox's request log proves; a 429 is
// never retried and carries normalized rate-limit data; OAuth tokens are
// refreshed once expired and a 401 is retried exactly once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/crypto/crypto.h"
#include "tests/services/proxy/proxy_sandbox_harness.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::proxy_it {
namespace {

using ::caspio_mcp::common::v1::ErrorReason;
using ::cmcp::testing::HttpResult;
using ::cmcp::testing::IsOk;
using ::cmcp::testing::McpTestClient;
using ::testing::AllOf;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::Le;
using json = nlohmann::json;
namespace common = ::caspio_mcp::common::v1;

constexpr char kDirectory[] = "b7e4c3a0-5f2d-4e8b-9c61-2a7d9e0f1b34";
constexpr char kReportsFolder[] = "3d9f1e22-7a41-4c1b-8f0e-5b6a2c9d0e11";
constexpr char kUpstreamTimeout[] = "--upstream-timeout=2s";
constexpr int kMaxUpload = 65536;

int64_t CountRows(ProxySandboxHarness& h, const std::string& table, const std::string& where) {
  HttpResult r = h.Caspio("GET", absl::StrCat("/v3/tables/", table, "/records?q.where=", PercentEncode(where),
                                             "&q.pageSize=1000&q.pageNumber=1"));
  EXPECT_EQ(r.status, 200) << r.raw;
  return r.body.is_object() && r.body.contains("Result") ? static_cast<int64_t>(r.body["Result"].size()) : -1;
}

class ProxyErrorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto harness = ProxySandboxHarness::Start(
        {.proxy_flags = {kUpstreamTimeout, absl::StrCat("--max-upload-bytes=", kMaxUpload)}});
    ASSERT_THAT(harness, IsOk());
    harness_ = harness->release();
  }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(harness_, nullptr);
    harness_->ResetSandbox();
  }
  void TearDown() override {
    if (harness_ != nullptr) harness_->ClearFaults();
  }
  ProxySandboxHarness& h() { return *harness_; }

  // Checks the shape every Caspio error result must have.
  void ExpectCaspioError(const ToolOutcome& r, int status, const std::string& code, const std::string& message_part,
                         const std::string& hint_part) {
    ASSERT_TRUE(r.status.ok()) << r.Describe();
    EXPECT_TRUE(r.response.is_error()) << r.Describe();
    EXPECT_EQ(r.response.upstream().http_status(), status) << r.Describe();
    EXPECT_EQ(r.response.upstream().attempts(), 1) << "an error answer must not be retried";
    const common::ErrorDetail& e = r.response.error();
    EXPECT_EQ(e.reason(), common::ERROR_REASON_UPSTREAM_ERROR) << r.Describe();
    EXPECT_EQ(e.upstream().http_status(), status);
    EXPECT_EQ(e.upstream().code(), code);
    EXPECT_THAT(e.upstream().message(), HasSubstr(message_part));
    EXPECT_FALSE(e.upstream().request_id().empty()) << "Caspio's X-Caspio-Request-ID is carried";
    EXPECT_EQ(e.upstream().request_id(), r.response.upstream().request_id());
    EXPECT_THAT(e.hint(), HasSubstr(hint_part));
    // What the model reads: the code, Caspio's message and how to fix it.
    const std::string text = r.Text();
    EXPECT_THAT(text, HasSubstr(absl::StrCat("HTTP ", status)));
    EXPECT_THAT(text, HasSubstr(code));
    EXPECT_THAT(text, HasSubstr(e.upstream().message()));
    EXPECT_THAT(text, HasSubstr(absl::StrCat("How to fix: ", e.hint())));
    // And structuredContent, for clients that read it.
    EXPECT_EQ(r.structured.value("status", 0), status);
    EXPECT_EQ(r.structured.value("code", ""), code);
    EXPECT_EQ(r.structured.value("message", ""), e.upstream().message());
    EXPECT_EQ(r.structured.value("request_id", ""), e.upstream().request_id());
  }

  static ProxySandboxHarness* harness_;
};
ProxySandboxHarness* ProxyErrorsTest::harness_ = nullptr;

struct CaspioErrorCase {
  std::string tool;
  json arguments;
  int status;
  std::string code, message_part, hint_part;
};

TEST_F(ProxyErrorsTest, CaspioErrorsCarryCodeMessageAndAHint) {
  const std::vector<CaspioErrorCase> cases = {
      {"list_all_caspio_records", {{"table_name", "Inventory"}, {"q.where", "NoSuchField = 1"}}, 400, "SqlServerError",
       "Invalid column name 'NoSuchField'", "field names must exist"},
      {"list_all_caspio_records", {{"table_name", "Inventory"}, {"q.where", "Quantity = 'lots'"}}, 400, "SqlServerError",
       "Conversion failed", "q.where"},
      {"create_a_caspio_record", {{"table_name", "Inventory"}, {"record", {{"SKU", "INV-001"}}}}, 400, "SqlServerError",
       "duplicate key", "unique field already holds this value"},
      {"create_a_caspio_record", {{"table_name", "Inventory"}, {"record", {{"Quantity", "lots"}}}}, 400,
       "IncorrectBodyParameter", "Quantity", "body field"},
      {"create_a_caspio_file",
       {{"externalKey", kReportsFolder}, {"files", {{{"file_name", "stock-policy.txt"}, {"content_text", "x"}}}}}, 409,
       "Conflict", "stock-policy.txt", "already exists"},
      {"caspio_users_activate", {{"directory_id", kDirectory}, {"UserGUID", "6f1c2a9e-0b1d-4c55-9a11-3f0e7a2b8c01"}}, 409,
       "Conflict", "", "already"},
  };
  for (const CaspioErrorCase& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.tool, " ", c.arguments.dump()));
    h().ClearLog();
    ToolOutcome r = h().Call(c.tool, c.arguments);
    ExpectCaspioError(r, c.status, c.code, c.message_part, c.hint_part);
    EXPECT_EQ(h().Log().api_calls, 1);
  }
  // The message is Caspio's own, word for word.
  HttpResult direct =
      h().Caspio("GET", absl::StrCat("/v3/tables/Inventory/records?q.where=", PercentEncode("NoSuchField = 1")));
  ASSERT_EQ(direct.status, 400);
  ToolOutcome via_proxy = h().Call("list_all_caspio_records", {{"table_name", "Inventory"}, {"q.where", "NoSuchField = 1"}});
  EXPECT_EQ(via_proxy.response.error().upstream().message(), direct.body.value("Message", "?"));
  EXPECT_EQ(via_proxy.response.error().upstream().code(), direct.body.value("Code", "?"));
  // Nothing was written by the refused insert.
  EXPECT_EQ(CountRows(h(), "Inventory", "SKU = 'INV-001'"), 1);
}

TEST_F(ProxyErrorsTest, NotFoundNamesTheObjectAndSaysHowToFindIt) {
  const std::vector<CaspioErrorCase> cases = {
      {"get_single_caspio_table_by_id", {{"table_name", "NoSuchTable"}}, 404, "ObjectNotFound", "NoSuchTable",
       "list them first"},
      {"list_all_caspio_records", {{"table_name", "NoSuchTable"}}, 404, "ObjectNotFound", "NoSuchTable", "list them first"},
      {"get_single_caspio_field_by_id", {{"table_name", "Inventory"}, {"field_name", "NoSuchField"}}, 404, "FieldNotFound",
       "NoSuchField", "list the table's fields"},
      {"get_single_caspio_outgoing_webhook_by_id", {{"webhook_id", "00000000-0000-4000-8000-000000000000"}}, 404,
       "ObjectNotFound", "", "list them first"},
      {"get_single_caspio_attachment_by_id",
       {{"table_name", "ComplianceLogs"}, {"attachment_field_name", "Evidence"}, {"record_pk_id", "4"}}, 404,
       "ObjectNotFound", "has no file", "list them first"},
      {"caspio_files_download_by_path", {{"filePath", "/Reports/no-such-file.txt"}}, 404, "ObjectNotFound", "", "list them first"},
      // Encoded into one segment, a traversal-looking name is just a name Caspio does not have.
      {"get_single_caspio_table_by_id", {{"table_name", "%2e%2e%2foauth%2ftoken"}}, 404, "ObjectNotFound",
       "%2e%2e%2foauth%2ftoken", "list them first"},
  };
  for (const CaspioErrorCase& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.tool, " ", c.arguments.dump()));
    h().ClearLog();
    ToolOutcome r = h().Call(c.tool, c.arguments);
    ExpectCaspioError(r, c.status, c.code, c.message_part, c.hint_part);
    const SandboxLog log = h().Log();
    EXPECT_EQ(log.api_calls, 1);
    for (const json& request : log.requests) {
      if (request.value("target", "") == "/oauth/token") continue;
      EXPECT_THAT(request.value("target", ""), ::testing::StartsWith("/integrations/rest/v3/")) << request.dump();
    }
  }
  // The encoded name stayed inside its path segment all the way to Caspio.
  h().ClearLog();
  h().Call("get_single_caspio_table_by_id", {{"table_name", "%2e%2e%2foauth%2ftoken"}});
  const SandboxLog log = h().Log();
  ASSERT_EQ(log.requests.size(), 1u);
  EXPECT_EQ(log.requests[0].value("target", ""), "/integrations/rest/v3/tables/%252e%252e%252foauth%252ftoken");
  EXPECT_EQ(log.token_calls, 0);
}

TEST_F(ProxyErrorsTest, UpstreamServerErrorsAreResultsAndNeverRetried) {
  for (int status : {500, 502, 503}) {
    SCOPED_TRACE(status);
    h().SetFaults({{"fail_next", 1}, {"error_status", status}});
    h().ClearLog();
    ToolOutcome r = h().Call("list_all_caspio_tables", json::object());
    ExpectCaspioError(r, status, "InternalError", "Injected server error", "retrying later may work");
    EXPECT_THAT(r.response.error().hint(), HasSubstr("whether a write already happened"));
    EXPECT_EQ(h().Log().api_calls, 1);
  }
  // A write that fails upstream is not repeated behind the model's back.
  h().SetFaults({{"fail_next", 1}, {"error_status", 503}});
  h().ClearLog();
  ToolOutcome write = h().Call("create_a_caspio_record",
                               {{"table_name", "Inventory"}, {"record", {{"SKU", "INV-500"}, {"Name", "Retry bait"}}}});
  ExpectCaspioError(write, 503, "InternalError", "Injected server error", "whether a write already happened");
  EXPECT_EQ(h().Log().api_calls, 1);
  EXPECT_EQ(CountRows(h(), "Inventory", "SKU = 'INV-500'"), 0);
  // The next call goes through.
  EXPECT_TRUE(h().Call("list_all_caspio_tables", json::object()).ok());
}

TEST_F(ProxyErrorsTest, AnUpstreamTimeoutIsABoundedResultAndNeverRetried) {
  h().SetFaults({{"latency_ms", 6000}});
  h().ClearLog();
  ToolOutcome r = h().Call("list_all_caspio_records", {{"table_name", "Inventory"}, {"limit", 5}});
  ASSERT_TRUE(r.status.ok()) << r.Describe();
  EXPECT_TRUE(r.response.is_error());
  EXPECT_EQ(r.response.error().reason(), common::ERROR_REASON_UPSTREAM_UNAVAILABLE) << r.Describe();
  EXPECT_THAT(r.Text(), HasSubstr("no answer within 2s"));
  EXPECT_THAT(r.Text(), HasSubstr("How to fix: "));
  EXPECT_THAT(r.response.error().hint(), HasSubstr("check whether it happened"));
  EXPECT_EQ(r.response.upstream().http_status(), 0);
  EXPECT_EQ(r.response.upstream().attempts(), 1);
  // Bounded by the proxy's upstream timeout (2 s), far below the 6 s delay.
  EXPECT_GE(r.elapsed, absl::Milliseconds(1900));
  EXPECT_LT(r.elapsed, absl::Milliseconds(5000));
  EXPECT_EQ(h().Log().api_calls, 1);
  h().ClearFaults();
  EXPECT_TRUE(h().Call("list_all_caspio_tables", json::object()).ok());
}

// One slow Caspio answer holds one proxy worker, not the proxy: calls that
// each wait 800 ms upstream run side by side (docs/ARCHITECTURE.md, Choices).
TEST_F(ProxyErrorsTest, SlowCaspioCallsRunSideBySide) {
  ASSERT_TRUE(h().Call("list_all_caspio_tables", json::object()).ok());  // signed in
  h().SetFaults({{"latency_ms", 800}});
  constexpr int kCalls = 8;
  std::vector<ToolOutcome> outcomes(kCalls);
  const absl::Time start = absl::Now();
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kCalls; ++i) {
      threads.emplace_back([&, i] { outcomes[i] = h().Call("list_all_caspio_records", {{"table_name", "Inventory"}, {"limit", 5}}); });
    }
    for (std::thread& t : threads) t.join();
  }
  const absl::Duration wall = absl::Now() - start;
  for (const ToolOutcome& r : outcomes) {
    EXPECT_TRUE(r.ok()) << r.Describe();
    EXPECT_GE(r.elapsed, absl::Milliseconds(750));
  }
  // One after the other they would take at least 6.4 s.
  EXPECT_LT(wall, absl::Milliseconds(3000)) << "calls were serialized: " << wall;
  EXPECT_EQ(h().Log().api_calls, kCalls + 1);
}

struct RefusedCase {
  std::string what;
  std::string tool;
  std::string arguments;  // raw JSON text
  ErrorReason reason;
  std::string field;
  std::string message_part;
};

// Everything the proxy refuses on its own, before Caspio sees a request.
TEST_F(ProxyErrorsTest, BadArgumentsAreRefusedBeforeAnyUpstreamRequest) {
  const auto args = [](const json& j) { return j.dump(); };
  const std::string big = Base64Encode(std::string(kMaxUpload + 1, 'x'));
  const ErrorReason kInvalid = common::ERROR_REASON_INVALID_FIELD;
  const ErrorReason kMissing = common::ERROR_REASON_MISSING_FIELD;
  const ErrorReason kQuery = common::ERROR_REASON_QUERY_REJECTED;
  const std::vector<RefusedCase> cases = {
      // Unknown, missing, mistyped.
      {"unknown argument", "list_all_caspio_tables", args({{"bogus", 1}}), kInvalid, "bogus", "unknown argument \"bogus\""},
      {"body field at the top level", "create_a_caspio_record", args({{"table_name", "Inventory"}, {"SKU", "X"}}), kInvalid,
       "SKU", "unknown argument"},
      {"dry_run where there is none", "create_a_caspio_record",
       args({{"table_name", "Inventory"}, {"record", {{"SKU", "X"}}}, {"dry_run", true}}), kInvalid, "dry_run", "unknown argument"},
      {"missing path argument", "get_single_caspio_table_by_id", "{}", kMissing, "table_name", "table_name"},
      {"missing body argument", "create_a_caspio_record", args({{"table_name", "Inventory"}}), kMissing, "record", "record"},
      {"missing where on a bulk write", "delete_a_caspio_record_by_id", args({{"table_name", "Inventory"}}), kMissing,
       "q.where", "q.where"},
      {"limit as text", "list_all_caspio_records", args({{"table_name", "Inventory"}, {"limit", "ten"}}), kInvalid, "limit",
       "must be an integer"},
      {"limit below 1", "list_all_caspio_records", args({{"table_name", "Inventory"}, {"limit", 0}}), kInvalid, "limit", "limit"},
      {"limit above the maximum", "list_all_caspio_records", args({{"table_name", "Inventory"}, {"limit", 100000}}), kInvalid,
       "limit", "limit"},
      {"table name as a number", "get_single_caspio_table_by_id", args({{"table_name", 5.5}}), kInvalid, "table_name",
       "table_name"},
      {"record as text", "create_a_caspio_record", args({{"table_name", "Inventory"}, {"record", "SKU=X"}}), kInvalid,
       "record", "record"},
      {"dry_run as text", "update_a_caspio_record_by_id",
       args({{"table_name", "Inventory"}, {"q.where", "PK_ID = 1"}, {"values", {{"Quantity", 1}}}, {"dry_run", "yes"}}),
       kInvalid, "dry_run", "dry_run"},
      {"where as an object", "list_all_caspio_records", args({{"table_name", "Inventory"}, {"q.where", {{"a", 1}}}}),
       kInvalid, "q.where", "q.where"},
      {"arguments not an object", "list_all_caspio_tables", "[1,2]", kInvalid, "arguments", "object"},
      {"arguments not JSON", "list_all_caspio_tables", "{\"limit\":", kInvalid, "arguments", "JSON"},
      // The q.where linter.
      {"stacked statement", "list_all_caspio_records",
       args({{"table_name", "Inventory"}, {"q.where", "Quantity > 1; DROP TABLE Inventory"}}), kQuery, "q.where", "q.where"},
      {"line comment", "list_all_caspio_records", args({{"table_name", "Inventory"}, {"q.where", "Quantity > 1 -- x"}}),
       kQuery, "q.where", "q.where"},
      {"block comment", "list_all_caspio_records", args({{"table_name", "Inventory"}, {"q.where", "Quantity > 1 /* x */"}}),
       kQuery, "q.where", "q.where"},
      {"unbalanced quote", "list_all_caspio_records", args({{"table_name", "Inventory"}, {"q.where", "Name = 'O'Brien'"}}),
       kQuery, "q.where", "q.where"},
      {"unbalanced parenthesis", "list_all_caspio_view_records",
       args({{"view_name", "Active_Contractors"}, {"q.where", "(Contractors_Active = 1"}}), kQuery, "q.where", "q.where"},
      {"empty where on a bulk update", "update_a_caspio_record_by_id",
       args({{"table_name", "Inventory"}, {"q.where", "  "}, {"values", {{"Quantity", 0}}}}), kQuery, "q.where", "every row"},
      {"empty where on a bulk delete", "delete_a_caspio_attachment_by_id",
       args({{"table_name", "ComplianceLogs"}, {"attachment_field_name", "Evidence"}, {"q.where", ""}}), kInvalid, "q.where",
       "argument \"q.where\" must not be empty"},
      {"_status in a user update", "update_a_caspio_user_by_id",
       args({{"directory_id", kDirectory}, {"Where", "_status = 'Locked'"}, {"values", {{"Role", "x"}}}}), kQuery, "Where",
       "_status"},
      {"_2fa_status in a user delete", "delete_a_caspio_user_by_id",
       args({{"directory_id", kDirectory}, {"Where", "_2fa_status = 'Disabled'"}}), kQuery, "Where", "_2fa_status"},
      {"_sign_in_method in a user dry run", "delete_a_caspio_user_by_id",
       args({{"directory_id", kDirectory}, {"Where", "_sign_in_method = 'Caspio'"}, {"dry_run", true}}), kQuery, "Where",
       "_sign_in_method"},
      // Path traversal in path arguments.
      {"dot-dot table", "get_single_caspio_table_by_id", args({{"table_name", ".."}}), kInvalid, "table_name", "table_name"},
      {"dot table", "list_all_caspio_fields", args({{"table_name", "."}}), kInvalid, "table_name", "table_name"},
      {"relative path", "get_single_caspio_table_by_id", args({{"table_name", "../../oauth/token"}}), kInvalid, "table_name",
       "table_name"},
      {"path inside a name", "list_all_caspio_records", args({{"table_name", "Inventory/../SecurityFlags"}}), kInvalid,
       "table_name", "table_name"},
      {"backslash path", "get_single_caspio_file_content_by_id", args({{"external_key", "..\\..\\files"}}), kInvalid,
       "external_key", "external_key"},
      {"record key with a path", "get_single_caspio_attachment_by_id",
       args({{"table_name", "ComplianceLogs"}, {"attachment_field_name", "Evidence"}, {"record_pk_id", "1/../2"}}), kInvalid,
       "record_pk_id", "record_pk_id"},
      {"control character", "get_single_caspio_outgoing_webhook_by_id", args({{"webhook_id", "abc\r\nHost: evil"}}),
       kInvalid, "webhook_id", "webhook_id"},
      {"empty key", "get_single_caspio_folder_by_id", args({{"external_key", ""}}), kInvalid, "external_key", "external_key"},
      // Files.
      {"file name with a path", "update_a_caspio_file_by_id",
       args({{"file", {{"file_name", "../../etc/passwd"}, {"content_text", "x"}}}}), kInvalid, "file.file_name", "file_name"},
      {"two contents", "update_a_caspio_file_by_id",
       args({{"file", {{"file_name", "a.txt"}, {"content_text", "x"}, {"content_base64", "eA=="}}}}), kInvalid, "file",
       "exactly one"},
      {"no content", "update_a_caspio_file_by_id", args({{"file", {{"file_name", "a.txt"}}}}), kInvalid, "file", "exactly one"},
      {"bad base64", "update_a_caspio_attachment_by_id",
       args({{"table_name", "ComplianceLogs"}, {"attachment_field_name", "Evidence"}, {"record_pk_id", "4"},
             {"file", {{"file_name", "a.png"}, {"content_base64", "*not base64*"}}}}),
       kInvalid, "file.content_base64", "base64"},
      {"header injection in mime type", "create_a_caspio_file",
       args({{"files", {{{"file_name", "a.txt"}, {"content_text", "x"}, {"mime_type", "text/plain\r\nX-Evil: 1"}}}}}),
       kInvalid, "files[0].mime_type", "mime_type"},
      {"upload over the limit", "update_a_caspio_file_by_id",
       args({{"file", {{"file_name", "big.bin"}, {"content_base64", big}}}}), common::ERROR_REASON_PAYLOAD_TOO_LARGE, "file",
       absl::StrCat("limited to ", kMaxUpload, " bytes")},
      // Cursors.
      {"forged cursor", "list_all_caspio_records", args({{"table_name", "Inventory"}, {"next_cursor", "eyJvZmZzZXQiOjEwfQ"}}),
       common::ERROR_REASON_INVALID_CURSOR, "next_cursor", "next_cursor"},
  };
  h().ClearLog();
  for (const RefusedCase& c : cases) {
    SCOPED_TRACE(c.what);
    ToolOutcome r = h().CallRaw(c.tool, c.arguments);
    ASSERT_TRUE(r.status.ok()) << r.Describe();
    EXPECT_TRUE(r.response.is_error()) << r.Describe();
    EXPECT_EQ(r.response.error().reason(), c.reason) << r.Describe();
    EXPECT_EQ(r.response.error().field(), c.field) << r.Describe();
    EXPECT_THAT(r.Text(), HasSubstr(c.message_part)) << r.Describe();
    EXPECT_EQ(r.response.upstream().http_status(), 0);
    EXPECT_EQ(r.response.upstream().attempts(), 0);
  }
  const SandboxLog log = h().Log();
  EXPECT_EQ(log.api_calls, 0) << "refused calls reached the sandbox: " << log.requests.dump();
  EXPECT_EQ(log.token_calls, 0) << "a refused call does not even sign in";
}

// A 429 for every kind of call: never retried (the sandbox sees exactly one
// request), structured rate-limit data with the reset as delta seconds
// (the sandbox sends X-RateLimit-Reset as epoch seconds and Retry-After as
// delta seconds), and ratelimit-* trailers for gRPC callers.
TEST_F(ProxyErrorsTest, RateLimitedCallsAreNeverRetriedAndSayWhenToComeBack) {
  h().SetFaults({{"rate_limit", {{"limit", 2}, {"window_seconds", 30}}}});
  for (int i = 0; i < 2; ++i) {
    ToolOutcome ok = h().Call("list_all_caspio_tables", json::object());
    ASSERT_TRUE(ok.ok()) << ok.Describe();
    // Successful answers carry the window's state too.
    EXPECT_EQ(ok.response.upstream().rate_limit().limit(), 2);
    EXPECT_EQ(ok.response.upstream().rate_limit().remaining(), 1 - i);
  }
  struct Limited {
    std::string tool;
    json arguments;
  };
  const std::vector<Limited> calls = {
      {"list_all_caspio_records", {{"table_name", "Inventory"}}},
      {"create_a_caspio_record", {{"table_name", "Inventory"}, {"record", {{"SKU", "INV-429"}}}}},
      {"update_a_caspio_record_by_id", {{"table_name", "Inventory"}, {"q.where", "PK_ID = 1"}, {"values", {{"Quantity", 0}}}}},
      {"update_a_caspio_record_by_id",
       {{"table_name", "Inventory"}, {"q.where", "PK_ID = 1"}, {"values", {{"Quantity", 0}}}, {"dry_run", true}}},
      {"update_a_caspio_file_by_id", {{"file", {{"file_name", "limited.txt"}, {"content_text", "x"}}}}},
      {"caspio_files_download_by_path", {{"filePath", "/readme.txt"}}},
  };
  for (const Limited& c : calls) {
    SCOPED_TRACE(absl::StrCat(c.tool, " ", c.arguments.dump()));
    h().ClearLog();
    ToolOutcome r = h().Call(c.tool, c.arguments);
    ASSERT_TRUE(r.status.ok()) << r.Describe();
    EXPECT_TRUE(r.response.is_error());
    EXPECT_EQ(r.response.upstream().http_status(), 429);
    EXPECT_EQ(r.response.upstream().attempts(), 1);
    const SandboxLog log = h().Log();
    EXPECT_EQ(log.api_calls, 1) << "a 429 must never be retried: " << log.requests.dump();
    ASSERT_EQ(log.requests.size(), 1u);
    EXPECT_EQ(log.requests[0].value("status", 0), 429);

    const common::ErrorDetail& e = r.response.error();
    EXPECT_EQ(e.reason(), common::ERROR_REASON_UPSTREAM_RATE_LIMITED);
    EXPECT_EQ(e.rate_limit().limit(), 2);
    EXPECT_EQ(e.rate_limit().remaining(), 0);
    // The sandbox rounds the epoch up to a whole second, so up to window + 1.
    EXPECT_THAT(e.rate_limit().reset_seconds(), AllOf(Ge(1), Le(31))) << "reset must be delta seconds, not an epoch";
    EXPECT_THAT(e.rate_limit().retry_after_seconds(), AllOf(Ge(1), Le(30)));

    EXPECT_EQ(r.structured.value("status", 0), 429);
    EXPECT_EQ(r.structured.value("error", ""), "rate_limited");
    ASSERT_TRUE(r.structured.contains("ratelimit"));
    EXPECT_EQ(r.structured["ratelimit"].value("limit", -1), 2);
    EXPECT_EQ(r.structured["ratelimit"].value("remaining", -1), 0);
    EXPECT_EQ(r.structured["ratelimit"].value("reset", -1), e.rate_limit().reset_seconds());
    EXPECT_EQ(r.structured.value("retry_after", -1), e.rate_limit().retry_after_seconds());
    EXPECT_THAT(r.Text(), HasSubstr(absl::StrCat("Wait at least ", e.rate_limit().retry_after_seconds(), " seconds")));
    EXPECT_THAT(r.Text(), HasSubstr("will not be retried"));

    EXPECT_EQ(r.Trailer("ratelimit-limit"), "2");
    EXPECT_EQ(r.Trailer("ratelimit-remaining"), "0");
    EXPECT_EQ(r.Trailer("ratelimit-reset"), absl::StrCat(e.rate_limit().reset_seconds()));
  }
  h().ClearFaults();
  // The refused write and update never happened.
  EXPECT_EQ(CountRows(h(), "Inventory", "SKU = 'INV-429'"), 0);
  EXPECT_EQ(CountRows(h(), "Inventory", "PK_ID = 1 AND Quantity = 120"), 1);
}

// The same errors through the whole cluster, as an MCP client sees them.
TEST_F(ProxyErrorsTest, ErrorsReachMcpClientsThroughTheEdge) {
  auto server = h().cluster().CreateServer(h().account_id(), {{"name", "errors"}});
  ASSERT_THAT(server, IsOk());
  McpTestClient client((*server)["url"].get<std::string>());
  ASSERT_EQ(client.Initialize().status, 200);
  HttpResult listed = client.Request("tools/list");
  ASSERT_EQ(listed.status, 200) << listed.raw;
  EXPECT_EQ(listed.body["result"]["tools"].size(), h().catalog().size());

  const auto call = [&](const std::string& name, const json& arguments) {
    HttpResult r = client.Request("tools/call", {{"name", name}, {"arguments", arguments}});
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.is_object() ? r.body.value("result", json::object()) : json::object();
  };
  json caspio = call("list_all_caspio_records", {{"table_name", "Inventory"}, {"q.where", "NoSuchField = 1"}});
  EXPECT_EQ(caspio.value("isError", false), true);
  EXPECT_EQ(caspio["structuredContent"].value("code", ""), "SqlServerError");
  EXPECT_THAT(caspio["content"][0].value("text", ""), HasSubstr("How to fix: "));

  h().ClearLog();
  json refused = call("get_single_caspio_table_by_id", {{"table_name", "../../oauth/token"}});
  EXPECT_EQ(refused.value("isError", false), true);
  EXPECT_THAT(refused["content"][0].value("text", ""), HasSubstr("table_name"));
  EXPECT_EQ(h().Log().api_calls, 0);

  h().SetFaults({{"rate_limit", {{"limit", 0}, {"window_seconds", 30}}}});
  h().ClearLog();
  json limited = call("list_all_caspio_tables", json::object());
  EXPECT_EQ(limited.value("isError", false), true);
  EXPECT_EQ(limited["structuredContent"].value("status", 0), 429);
  EXPECT_EQ(limited["structuredContent"]["ratelimit"].value("limit", -1), 0);
  EXPECT_THAT(limited["structuredContent"].value("retry_after", -1), AllOf(Ge(1), Le(30)));
  EXPECT_EQ(h().Log().api_calls, 1);
  h().ClearFaults();

  // A download arrives as MCP image content, base64 on the wire.
  json image = call("caspio_files_download_by_path", {{"filePath", "/Images/pixel.png"}});
  EXPECT_EQ(image.value("isError", true), false);
  ASSERT_GE(image["content"].size(), 2u);
  EXPECT_EQ(image["content"][1].value("type", ""), "image");
  EXPECT_EQ(image["content"][1].value("mimeType", ""), "image/png");
  auto bytes = Base64Decode(image["content"][1].value("data", ""));
  ASSERT_THAT(bytes, IsOk());
  HttpResult direct = h().Caspio("GET", absl::StrCat("/v3/files/path?filePath=", PercentEncode("/Images/pixel.png")));
  EXPECT_EQ(*bytes, direct.raw);
}

// OAuth against the sandbox's own token lifetime: a cluster of its own, with
// 2-second tokens and no early refresh, so the proxy's cached token really
// expires at the sandbox.
class ProxyOAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto harness = ProxySandboxHarness::Start(
        {.sandbox_flags = {"--token-lifetime=2s"}, .proxy_flags = {"--token-refresh-margin=0s", kUpstreamTimeout}});
    ASSERT_THAT(harness, IsOk());
    harness_ = harness->release();
  }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(harness_, nullptr);
    harness_->ResetSandbox();
  }
  ProxySandboxHarness& h() { return *harness_; }

  static ProxySandboxHarness* harness_;
};
ProxySandboxHarness* ProxyOAuthTest::harness_ = nullptr;

TEST_F(ProxyOAuthTest, AnExpiredTokenIsReplacedBeforeTheCall) {
  ToolOutcome warm = h().Call("list_all_caspio_tables", json::object());
  ASSERT_TRUE(warm.ok()) << warm.Describe();
  auto same_age = h().IssueToken();
  ASSERT_THAT(same_age, IsOk());
  ASSERT_EQ(h().CaspioWithToken(*same_age, "/v3/tables").status, 200);
  absl::SleepFor(absl::Milliseconds(2300));
  // The proxy's token is now older than its 2 s lifetime, and the sandbox
  // refuses tokens that old (one issued with it proves it) ...
  ASSERT_EQ(h().CaspioWithToken(*same_age, "/v3/tables").status, 401) << "the sandbox should have expired it";
  // ... and the proxy signs in again instead of sending it.
  h().ClearLog();
  ToolOutcome r = h().Call("list_all_caspio_tables", json::object());
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(r.response.upstream().attempts(), 1);
  const SandboxLog log = h().Log();
  EXPECT_EQ(log.token_calls, 1);
  EXPECT_EQ(log.api_calls, 1) << log.requests.dump();
}

TEST_F(ProxyOAuthTest, A401IsRetriedOnceWithAFreshToken) {
  ASSERT_TRUE(h().Call("list_all_caspio_tables", json::object()).ok());
  // Caspio drops the token the proxy holds (still valid by its clock).
  ASSERT_EQ(h().Control("POST", "/__sandbox/tokens/revoke").status, 204);
  h().ClearLog();
  ToolOutcome r = h().Call("create_a_caspio_record",
                           {{"table_name", "Inventory"}, {"response", "rows"}, {"record", {{"SKU", "INV-401"}, {"Name", "Once"}}}});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(r.response.upstream().attempts(), 2);
  EXPECT_EQ(r.response.upstream().http_status(), 201);
  const SandboxLog log = h().Log();
  EXPECT_EQ(log.token_calls, 1);
  ASSERT_EQ(log.api_calls, 2) << log.requests.dump();
  std::vector<int> statuses;
  for (const json& request : log.requests) {
    if (request.value("target", "") != "/oauth/token") statuses.push_back(request.value("status", 0));
  }
  EXPECT_EQ(statuses, std::vector<int>({401, 201}));
  // The write happened exactly once.
  EXPECT_EQ(CountRows(h(), "Inventory", "SKU = 'INV-401'"), 1);
}

TEST_F(ProxyOAuthTest, RefusedCredentialsAreAResultWithoutAnApiCall) {
  HttpResult created = h().cluster().Admin(
      "POST", "/integrated-account",
      {{"integration", "caspio"},
       {"name", "wrong secret"},
       {"credentials", {{"base_url", h().cluster().sandbox_url()}, {"client_id", "sandbox-client"}, {"client_secret", "wrong"}}}});
  ASSERT_EQ(created.status, 201) << created.raw;
  h().ClearLog();
  ToolOutcome r = h().CallRaw("list_all_caspio_tables", "{}", created.body["id"].get<std::string>());
  ASSERT_TRUE(r.status.ok()) << r.Describe();
  EXPECT_TRUE(r.response.is_error());
  EXPECT_EQ(r.response.error().reason(), common::ERROR_REASON_UPSTREAM_AUTH_FAILED) << r.Describe();
  EXPECT_THAT(r.Text(), HasSubstr("refused this account's API credentials"));
  EXPECT_THAT(r.Text(), HasSubstr("How to fix: "));
  EXPECT_THAT(r.Text(), ::testing::Not(HasSubstr("wrong")));
  const SandboxLog log = h().Log();
  EXPECT_EQ(log.api_calls, 0);
  EXPECT_EQ(log.token_calls, 1);
}

}  // namespace
}  // namespace cmcp::proxy_it
