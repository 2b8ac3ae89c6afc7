// The proxy against the real Caspio sandbox over HTTP, through its gRPC
// interface (issue 6, item 9): every tool of toolgen's catalog succeeds at
// least once with sensible arguments, in dependency order; uploads come back
// byte for byte; paging visits every row exactly once in every paging style;
// dry_run on every bulk update/delete tool changes nothing and counts right.
// Errors, 429s, timeouts and OAuth are in proxy_sandbox_errors_integration_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/crypto/crypto.h"
#include "tests/services/proxy/proxy_sandbox_harness.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::proxy_it {
namespace {

using ::cmcp::testing::HttpResult;
using ::cmcp::testing::IsOk;
using ::testing::Contains;
using ::testing::HasSubstr;
using json = nlohmann::json;
namespace proxypb = ::caspio_mcp::proxy::v1;

constexpr char kDirectory[] = "b7e4c3a0-5f2d-4e8b-9c61-2a7d9e0f1b34";
constexpr char kReportsFolder[] = "3d9f1e22-7a41-4c1b-8f0e-5b6a2c9d0e11";
constexpr char kWarehouseApp[] = "c2a1f6e0-41b7-4f0c-9d2e-8e5b7a3c1d01";
constexpr char kImportTask[] = "e4d3c2b1-0000-4a1b-9c8d-7e6f5a4b3c02";
constexpr char kView[] = "Active_Contractors";
constexpr size_t kDryRunSample = 20;

// Every byte value, then a stretch of random bytes: nothing survives this
// unless the multipart body and the download are binary-clean.
std::string BinaryPayload() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  bytes += RandomBytes(3000);
  bytes += "\r\n--not-a-boundary\r\n";
  return bytes;
}

// A 1x1 PNG.
std::string PngPayload() {
  auto png = Base64Decode(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
  return png.ok() ? *png : "";
}

class ProxyToolsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto harness = ProxySandboxHarness::Start({});
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

  // A call that must succeed; returns structuredContent (an object).
  json Ok(const std::string& tool, const json& arguments) {
    ToolOutcome r = h().Call(tool, arguments);
    EXPECT_TRUE(r.ok()) << tool << " " << arguments.dump() << " -> " << r.Describe();
    if (!r.ok()) return json::object();
    succeeded_.insert(tool);
    EXPECT_TRUE(r.structured.is_object()) << tool << " returned no structuredContent";
    return r.structured.is_object() ? r.structured : json::object();
  }
  json Result(const std::string& tool, const json& arguments) { return Ok(tool, arguments).value("result", json()); }
  // A download that must succeed: the file's bytes from the content block.
  std::string Download(const std::string& tool, const json& arguments, std::string* mime = nullptr) {
    ToolOutcome r = h().Call(tool, arguments);
    EXPECT_TRUE(r.ok()) << tool << " -> " << r.Describe();
    if (!r.ok()) return "";
    succeeded_.insert(tool);
    for (const proxypb::Content& c : r.response.content()) {
      if (c.has_image()) {
        if (mime) *mime = c.image().mime_type();
        return c.image().data();
      }
      if (c.has_resource()) {
        if (mime) *mime = c.resource().mime_type();
        return c.resource().has_blob() ? c.resource().blob() : c.resource().text();
      }
    }
    ADD_FAILURE() << tool << " returned no image or resource content";
    return "";
  }

  // Direct read-backs from the sandbox (not through the proxy).
  json Direct(const std::string& path_and_query) {
    HttpResult r = h().Caspio("GET", path_and_query);
    EXPECT_EQ(r.status, 200) << path_and_query << " -> " << r.raw;
    return r.body.is_object() && r.body.contains("Result") ? r.body["Result"] : r.body;
  }
  void DirectWrite(const std::string& method, const std::string& path_and_query, const json& body,
                   int expect_status) {
    HttpResult r = h().Caspio(method, path_and_query, body.dump(), "application/json");
    ASSERT_EQ(r.status, expect_status) << method << " " << path_and_query << " -> " << r.raw;
  }
  std::string DirectBytes(const std::string& path_and_query) {
    HttpResult r = h().Caspio("GET", path_and_query);
    EXPECT_EQ(r.status, 200) << path_and_query;
    return r.raw;
  }

  static ProxySandboxHarness* harness_;
  std::set<std::string> succeeded_;
};
ProxySandboxHarness* ProxyToolsTest::harness_ = nullptr;

std::vector<std::string> Names(const json& rows, const std::string& key = "Name") {
  std::vector<std::string> out;
  if (!rows.is_array()) return out;
  for (const json& row : rows) {
    if (row.is_object() && row.contains(key) && row[key].is_string()) out.push_back(row[key].get<std::string>());
    else if (row.is_string()) out.push_back(row.get<std::string>());
  }
  return out;
}

TEST_F(ProxyToolsTest, TheCatalogHasSeventyTools) {
  EXPECT_EQ(h().catalog().size(), 70u);
  for (const auto& [name, tool] : h().catalog()) {
    EXPECT_FALSE(tool.binding().path_template().empty()) << name;
  }
}

// Every tool toolgen serves succeeds at least once against the sandbox. The
// list of tools comes from the catalog: a tool added to the integration and
// not exercised here fails this test by name.
TEST_F(ProxyToolsTest, EveryCatalogToolSucceedsAgainstTheSandbox) {
  const std::string table = "ProxyIT_Parts";
  {
    SCOPED_TRACE("tables, fields, records, password fields, attachments");
    EXPECT_THAT(Names(Result("list_all_caspio_tables", json::object())), Contains("Inventory"));
    Ok("create_a_caspio_table",
       {{"Name", table},
        {"Fields", {{{"Name", "Code"}, {"Type", "STRING"}, {"Unique", true}},
                    {{"Name", "Qty"}, {"Type", "INTEGER"}},
                    {{"Name", "PIN"}, {"Type", "PASSWORD"}},
                    {{"Name", "Doc"}, {"Type", "ATTACHMENT"}}}}});
    EXPECT_EQ(Result("get_single_caspio_table_by_id", {{"table_name", table}}).value("Name", ""), table);
    Ok("create_a_caspio_field", {{"table_name", table}, {"Name", "Note"}, {"Type", "STRING"}, {"Label", "Note"}});
    EXPECT_THAT(Names(Result("list_all_caspio_fields", {{"table_name", table}})), Contains("Note"));
    Ok("update_a_caspio_field_by_id", {{"table_name", table}, {"field_name", "Note"}, {"Label", "Remark"}});
    EXPECT_EQ(Result("get_single_caspio_field_by_id", {{"table_name", table}, {"field_name", "Note"}}).value("Label", ""),
              "Remark");

    std::map<std::string, int64_t> pk;
    for (const auto& [code, qty] : std::vector<std::pair<std::string, int>>{{"P-1", 5}, {"P-2", 12}, {"P-3", 40}}) {
      json rows = Result("create_a_caspio_record",
                         {{"table_name", table}, {"response", "rows"}, {"record", {{"Code", code}, {"Qty", qty}, {"Note", "n"}}}});
      ASSERT_TRUE(rows.is_array() && rows.size() == 1) << rows.dump();
      pk[code] = rows[0]["PK_ID"].get<int64_t>();
    }
    EXPECT_EQ(Names(Result("list_all_caspio_records", {{"table_name", table}, {"q.where", "Qty > 10"}}), "Code"),
              std::vector<std::string>({"P-2", "P-3"}));
    json updated = Ok("update_a_caspio_record_by_id",
                      {{"table_name", table}, {"q.where", "Code = 'P-1'"}, {"values", {{"Qty", 6}}}, {"response", "rows"}});
    EXPECT_EQ(updated.value("RecordsAffected", -1), 1);
    EXPECT_EQ(Direct(absl::StrCat("/v3/tables/", table, "/records?q.where=", PercentEncode("Code = 'P-1'")))[0]["Qty"], 6);

    EXPECT_THAT(Names(Result("list_all_caspio_password_fields", {{"table_name", table}})), Contains("PIN"));
    EXPECT_EQ(Ok("update_a_caspio_password_field_by_id", {{"table_name", table}, {"password_field_name", "PIN"},
                                                           {"q.where", "Code = 'P-1'"}, {"Value", "4821"}})
                  .value("RecordsAffected", -1),
              1);
    EXPECT_EQ(Ok("caspio_password_fields_reset",
                  {{"table_name", table}, {"password_field_name", "PIN"}, {"q.where", "Code = 'P-1'"}})
                  .value("RecordsAffected", -1),
              1);

    const std::string row = absl::StrCat(pk["P-1"]);
    const json where_row = absl::StrCat("PK_ID = ", row);
    Ok("update_a_caspio_attachment_by_id",
       {{"table_name", table}, {"attachment_field_name", "Doc"}, {"record_pk_id", row},
        {"file", {{"file_name", "spec.txt"}, {"content_text", "Part spec, rev A\n"}}}});
    json info = Result("list_all_caspio_attachments",
                       {{"table_name", table}, {"attachment_field_name", "Doc"}, {"q.where", where_row}});
    ASSERT_TRUE(info.is_array() && info.size() == 1) << info.dump();
    EXPECT_EQ(info[0]["FileName"], "spec");
    EXPECT_EQ(Download("get_single_caspio_attachment_by_id",
                       {{"table_name", table}, {"attachment_field_name", "Doc"}, {"record_pk_id", row}}),
              "Part spec, rev A\n");
    Ok("caspio_attachments_rename", {{"table_name", table}, {"attachment_field_name", "Doc"}, {"q.where", where_row},
                                     {"FileName", "spec-rev-a"}});
    EXPECT_EQ(Direct(absl::StrCat("/v3/tables/", table, "/attachments/Doc/fileInfo?q.where=", PercentEncode(where_row)))[0]["FileName"],
              "spec-rev-a");
    Ok("delete_a_caspio_attachment_by_id",
       {{"table_name", table}, {"attachment_field_name", "Doc"}, {"q.where", where_row}});
    EXPECT_TRUE(Direct(absl::StrCat("/v3/tables/", table, "/records?q.where=", PercentEncode(where_row)))[0]["Doc"].is_null());

    EXPECT_EQ(Ok("delete_a_caspio_record_by_id", {{"table_name", table}, {"q.where", "Code = 'P-3'"}}).value("RecordsAffected", -1), 1);
    Ok("delete_a_caspio_field_by_id", {{"table_name", table}, {"field_name", "Note"}});
    EXPECT_THAT(Names(Direct(absl::StrCat("/v3/tables/", table, "/fields"))), ::testing::Not(Contains("Note")));
  }
  {
    SCOPED_TRACE("views");
    EXPECT_THAT(Names(Result("list_all_caspio_views", json::object())), Contains(kView));
    EXPECT_EQ(Result("get_single_caspio_view_by_id", {{"view_name", kView}}).value("Name", ""), kView);
    EXPECT_THAT(Names(Result("list_all_caspio_view_fields", {{"view_name", kView}})), Contains("Contractors_Name"));
    EXPECT_EQ(Result("get_single_caspio_view_field_by_id", {{"view_name", kView}, {"field_name", "Contractors_Name"}})
                  .value("Name", ""),
              "Contractors_Name");
    Ok("create_a_caspio_view_record",
       {{"view_name", kView}, {"record", {{"Contractors_Name", "Lee Park"}, {"Contractors_Active", true}}}});
    const json lee = "Contractors_Name = 'Lee Park'";
    json rows = Result("list_all_caspio_view_records", {{"view_name", kView}, {"q.where", lee}});
    ASSERT_TRUE(rows.is_array() && rows.size() == 1) << rows.dump();
    const std::string row = rows[0]["PK_ID"].is_string() ? rows[0]["PK_ID"].get<std::string>() : rows[0]["PK_ID"].dump();
    EXPECT_EQ(Ok("update_a_caspio_view_record_by_id", {{"view_name", kView}, {"q.where", lee}, {"values", {{"Contractors_Hourly_Rate", 65}}}})
                  .value("RecordsAffected", -1),
              1);
    const std::string field = "Contractors_Signed_Contract";
    Ok("update_a_caspio_view_attachment_by_id",
       {{"view_name", kView}, {"attachment_field_name", field}, {"record_pk_id", row},
        {"file", {{"file_name", "park-msa.txt"}, {"content_text", "Master services agreement\n"}}}});
    const json where_row = absl::StrCat("PK_ID = ", row);
    json info = Result("list_all_caspio_view_attachments",
                       {{"view_name", kView}, {"attachment_field_name", field}, {"q.where", where_row}});
    ASSERT_TRUE(info.is_array() && info.size() == 1) << info.dump();
    EXPECT_EQ(info[0]["FileName"], "park-msa");
    EXPECT_EQ(Download("get_single_caspio_view_attachment_by_id",
                       {{"view_name", kView}, {"attachment_field_name", field}, {"record_pk_id", row}}),
              "Master services agreement\n");
    Ok("caspio_view_attachments_rename",
       {{"view_name", kView}, {"attachment_field_name", field}, {"q.where", where_row}, {"FileName", "park-msa-2024"}});
    Ok("delete_a_caspio_view_attachment_by_id", {{"view_name", kView}, {"attachment_field_name", field}, {"q.where", where_row}});
    EXPECT_EQ(Ok("delete_a_caspio_view_record_by_id", {{"view_name", kView}, {"q.where", lee}}).value("RecordsAffected", -1), 1);
    EXPECT_TRUE(Direct(absl::StrCat("/v3/tables/Contractors/records?q.where=", PercentEncode("Name = 'Lee Park'"))).empty());
  }
  {
    SCOPED_TRACE("files and folders");
    EXPECT_THAT(Names(Result("list_all_caspio_folders", json::object())), Contains("Reports"));
    EXPECT_EQ(Result("get_single_caspio_folder_by_id", {{"external_key", kReportsFolder}}).value("Name", ""), "Reports");
    json created = Result("create_a_caspio_file",
                          {{"externalKey", kReportsFolder},
                           {"files", {{{"file_name", "it-a.csv"}, {"content_text", "SKU,Units\nINV-001,1\n"}, {"mime_type", "text/csv"}},
                                      {{"file_name", "it-b.txt"}, {"content_base64", Base64Encode("bee\n")}}}}});
    ASSERT_TRUE(created.is_array() && created.size() == 2) << created.dump();
    std::map<std::string, std::string> key;
    for (const json& f : created) key[f["Name"].get<std::string>()] = f["ExternalKey"].get<std::string>();
    EXPECT_THAT(Names(Result("list_all_caspio_files", {{"externalKey", kReportsFolder}})), Contains("it-a.csv"));
    EXPECT_EQ(Result("get_single_caspio_file_by_id", {{"external_key", key["it-a.csv"]}}).value("Name", ""), "it-a.csv");
    EXPECT_EQ(Download("get_single_caspio_file_content_by_id", {{"external_key", key["it-a.csv"]}}), "SKU,Units\nINV-001,1\n");
    Ok("update_a_caspio_file_by_id",
       {{"externalKey", kReportsFolder}, {"file", {{"file_name", "it-a.csv"}, {"content_text", "SKU,Units\nINV-001,2\n"}}}});
    EXPECT_EQ(Result("caspio_files_get_info_by_path", {{"filePath", "/Reports/it-a.csv"}}).value("Size", -1), 20);
    EXPECT_EQ(Download("caspio_files_download_by_path", {{"filePath", "/Reports/it-a.csv"}}), "SKU,Units\nINV-001,2\n");
    Ok("caspio_files_delete_by_path", {{"filePath", "/Reports/it-a.csv"}});
    Ok("delete_a_caspio_file_by_id", {{"external_key", key["it-b.txt"]}});
    const std::vector<std::string> left = Names(Direct(absl::StrCat("/v3/files?externalKey=", kReportsFolder)));
    EXPECT_THAT(left, ::testing::Not(Contains("it-a.csv")));
    EXPECT_THAT(left, ::testing::Not(Contains("it-b.txt")));
  }
  {
    SCOPED_TRACE("outgoing webhooks and their events");
    EXPECT_THAT(Names(Result("list_all_caspio_outgoing_webhooks", json::object())), Contains("OrderFulfillmentSync"));
    json hook = Result("create_a_caspio_outgoing_webhook",
                       {{"Name", "ProxyITHook"}, {"OutgoingUrls", {"https://hooks.example.com/it"}}, {"CallThrottling", 5}});
    ASSERT_TRUE(hook.is_object() && hook.contains("Id")) << "no Id in the created webhook";
    const std::string id = hook["Id"];
    EXPECT_EQ(Result("get_single_caspio_outgoing_webhook_by_id", {{"webhook_id", id}}).value("Name", ""), "ProxyITHook");
    Ok("update_a_caspio_outgoing_webhook_by_id", {{"webhook_id", id}, {"Description", "integration test"}});
    EXPECT_EQ(Direct(absl::StrCat("/v3/outgoingWebhooks/", id)).value("Description", ""), "integration test");
    json event = Result("create_a_caspio_outgoing_webhook_event",
                        {{"webhook_id", id}, {"EventType", "table.recordInsert"}, {"ObjectName", table}});
    ASSERT_TRUE(event.is_object() && event.contains("Id")) << event.dump();
    const std::string event_id = event["Id"];
    EXPECT_THAT(Names(Result("list_all_caspio_outgoing_webhook_events", {{"webhook_id", id}}), "Id"), Contains(event_id));
    EXPECT_EQ(Result("get_single_caspio_outgoing_webhook_event_by_id", {{"webhook_id", id}, {"event_id", event_id}})
                  .value("ObjectName", ""),
              table);
    Ok("update_a_caspio_outgoing_webhook_event_by_id", {{"webhook_id", id}, {"event_id", event_id},
                                                        {"EventType", "table.recordInsert"}, {"ObjectName", table},
                                                        {"Enabled", false}});
    EXPECT_EQ(Direct(absl::StrCat("/v3/outgoingWebhooks/", id, "/events/", event_id)).value("Status", ""), "Disabled");
    Ok("delete_a_caspio_outgoing_webhook_event_by_id", {{"webhook_id", id}, {"event_id", event_id}});
    Ok("delete_a_caspio_outgoing_webhook_by_id", {{"webhook_id", id}});
    EXPECT_EQ(h().Caspio("GET", absl::StrCat("/v3/outgoingWebhooks/", id)).status, 404);
  }
  {
    SCOPED_TRACE("import/export tasks, bridge applications, DataPages, deployments");
    EXPECT_THAT(Names(Result("list_all_caspio_import_export_tasks", json::object()), "ExternalKey"), Contains(kImportTask));
    EXPECT_EQ(Result("get_single_caspio_import_export_task_by_id", {{"external_key", kImportTask}}).value("Status", ""), "Ready");
    Ok("create_a_caspio_run", {{"external_key", kImportTask}});
    EXPECT_NE(Direct(absl::StrCat("/v3/dataImportExportTasks/", kImportTask)).value("Status", ""), "Ready");
    EXPECT_THAT(Names(Result("list_all_caspio_applications", json::object()), "ExternalKey"), Contains(kWarehouseApp));
    EXPECT_EQ(Result("get_single_caspio_application_by_id", {{"external_key", kWarehouseApp}}).value("AppName", ""),
              "Warehouse Operations");
    json pages = Result("list_all_caspio_datapages", {{"external_key", kWarehouseApp}});
    ASSERT_TRUE(pages.is_array() && !pages.empty());
    const std::string app_key = pages[0]["AppKey"];
    EXPECT_EQ(Result("get_single_caspio_datapage_by_id", {{"external_key", kWarehouseApp}, {"app_key", app_key}}).value("AppKey", ""),
              app_key);
    EXPECT_THAT(Result("get_single_caspio_deployment_by_id", {{"external_key", kWarehouseApp}, {"app_key", app_key}, {"method", "URL"}})
                    .dump(),
                HasSubstr(app_key));
    Ok("update_a_caspio_deployment_by_id", {{"external_key", kWarehouseApp}, {"app_key", app_key}, {"Deployed", true}});
    Ok("caspio_deployments_bulk_update", {{"external_key", kWarehouseApp}, {"Deployed", false}});
  }
  {
    SCOPED_TRACE("directories and users");
    EXPECT_THAT(Names(Result("list_all_caspio_directories", json::object()), "Id"), Contains(kDirectory));
    json created = Result("create_a_caspio_user", {{"directory_id", kDirectory}, {"response", "rows"},
                                                   {"user", {{"Email", "it.user@wholesale.example"}, {"First_Name", "Ida"}, {"Last_Name", "Test"}}}});
    ASSERT_TRUE(created.is_array() && created.size() == 1) << "no created user row";
    const std::string guid = created[0]["UserGUID"];
    const json who = "Email = 'it.user@wholesale.example'";
    json listed = Result("list_all_caspio_users", {{"directory_id", kDirectory}, {"q.where", who}});
    ASSERT_TRUE(listed.is_array() && listed.size() == 1);
    EXPECT_EQ(listed[0]["_status"], "ActivationPending");
    Ok("update_a_caspio_user_by_id", {{"directory_id", kDirectory}, {"Where", who}, {"values", {{"Last_Name", "Tested"}}}});
    EXPECT_EQ(Direct(absl::StrCat("/v3/directories/", kDirectory, "/users?q.where=", PercentEncode(who.get<std::string>())))[0]
                  .value("Last_Name", ""),
              "Tested");
    EXPECT_TRUE(Ok("caspio_users_activate", {{"directory_id", kDirectory}, {"UserGUID", guid}, {"SendEmail", false}}).contains("result"));
    Ok("delete_a_caspio_user_by_id", {{"directory_id", kDirectory}, {"Where", who}});
    EXPECT_TRUE(Direct(absl::StrCat("/v3/directories/", kDirectory, "/users?q.where=", PercentEncode(who.get<std::string>()))).empty());
  }

  std::vector<std::string> never;
  for (const auto& [name, tool] : h().catalog()) {
    if (!succeeded_.contains(name)) never.push_back(name);
  }
  EXPECT_TRUE(never.empty()) << "tools never called successfully: " << absl::StrJoin(never, ", ");
  EXPECT_EQ(succeeded_.size(), h().catalog().size());
}

// Uploads in both argument forms (content_text, content_base64), through
// every upload tool, come back byte for byte through every download tool,
// and the sandbox holds exactly those bytes.
TEST_F(ProxyToolsTest, MultipartUploadsRoundTripByteForByte) {
  const std::string binary = BinaryPayload();
  const std::string png = PngPayload();
  ASSERT_FALSE(png.empty());
  const std::string text = "Café crème, naïve façade — 日本語\nline 2\n";

  // Files library: one multipart request with two "Files" parts.
  json created = Result("create_a_caspio_file",
                        {{"externalKey", kReportsFolder},
                         {"files", {{{"file_name", "blob.bin"}, {"content_base64", Base64Encode(binary)}},
                                    {{"file_name", "notes.txt"}, {"content_text", text}}}}});
  ASSERT_TRUE(created.is_array() && created.size() == 2) << created.dump();
  std::map<std::string, std::string> key;
  for (const json& f : created) key[f["Name"].get<std::string>()] = f["ExternalKey"].get<std::string>();
  std::string mime;
  EXPECT_EQ(Download("get_single_caspio_file_content_by_id", {{"external_key", key["blob.bin"]}}, &mime), binary);
  EXPECT_EQ(mime, "application/octet-stream");
  EXPECT_EQ(Download("caspio_files_download_by_path", {{"filePath", "/Reports/notes.txt"}}, &mime), text);
  EXPECT_EQ(mime, "text/plain");
  EXPECT_EQ(DirectBytes(absl::StrCat("/v3/files/", key["blob.bin"])), binary);
  EXPECT_EQ(DirectBytes(absl::StrCat("/v3/files/", key["notes.txt"])), text);

  // Replace (part "File") with base64 and an image: comes back as image content.
  Ok("update_a_caspio_file_by_id", {{"file", {{"file_name", "pixel-copy.png"}, {"content_base64", Base64Encode(png)}}}});
  EXPECT_EQ(Download("caspio_files_download_by_path", {{"filePath", "/pixel-copy.png"}}, &mime), png);
  EXPECT_EQ(mime, "image/png");

  // Table attachments: base64 png and text.
  Ok("update_a_caspio_attachment_by_id", {{"table_name", "ComplianceLogs"}, {"attachment_field_name", "Evidence"},
                                          {"record_pk_id", "4"}, {"file", {{"file_name", "scan.png"}, {"content_base64", Base64Encode(png)}}}});
  EXPECT_EQ(Download("get_single_caspio_attachment_by_id",
                     {{"table_name", "ComplianceLogs"}, {"attachment_field_name", "Evidence"}, {"record_pk_id", "4"}}, &mime),
            png);
  EXPECT_EQ(mime, "image/png");
  EXPECT_EQ(DirectBytes("/v3/tables/ComplianceLogs/attachments/Evidence/4"), png);
  Ok("update_a_caspio_attachment_by_id", {{"table_name", "ComplianceLogs"}, {"attachment_field_name", "Evidence"},
                                          {"record_pk_id", "6"}, {"file", {{"file_name", "notes.txt"}, {"content_text", text}}}});
  EXPECT_EQ(Download("get_single_caspio_attachment_by_id",
                     {{"table_name", "ComplianceLogs"}, {"attachment_field_name", "Evidence"}, {"record_pk_id", "6"}}),
            text);

  // View attachments: binary through the view, read back through the table too.
  Ok("update_a_caspio_view_attachment_by_id",
     {{"view_name", kView}, {"attachment_field_name", "Contractors_Signed_Contract"}, {"record_pk_id", "2"},
      {"file", {{"file_name", "fischer.bin"}, {"content_base64", Base64Encode(binary)}}}});
  EXPECT_EQ(Download("get_single_caspio_view_attachment_by_id",
                     {{"view_name", kView}, {"attachment_field_name", "Contractors_Signed_Contract"}, {"record_pk_id", "2"}}),
            binary);
  EXPECT_EQ(Download("get_single_caspio_attachment_by_id",
                     {{"table_name", "Contractors"}, {"attachment_field_name", "Signed_Contract"}, {"record_pk_id", "2"}}),
            binary);
  EXPECT_EQ(DirectBytes("/v3/tables/Contractors/attachments/Signed_Contract/2"), binary);
}

// Follows next_cursor to the end and returns the pages' rows.
struct Walk {
  std::vector<json> rows;
  std::vector<size_t> page_sizes;
  bool last_page_has_cursor = false;
  bool every_other_page_has_cursor = true;
};

class ProxyPagingTest : public ProxyToolsTest {
 protected:
  Walk WalkAll(const std::string& tool, json arguments) {
    Walk walk;
    for (int page = 0; page < 200; ++page) {
      json s = Ok(tool, arguments);
      if (!s.contains("result") || !s["result"].is_array()) {
        ADD_FAILURE() << tool << " page " << page << " has no result array";
        break;
      }
      for (const json& row : s["result"]) walk.rows.push_back(row);
      walk.page_sizes.push_back(s["result"].size());
      if (!s.contains("next_cursor")) return walk;
      if (!s["next_cursor"].is_string() || s["next_cursor"].get<std::string>().empty()) {
        ADD_FAILURE() << tool << " page " << page << " has a malformed next_cursor";
        return walk;
      }
      arguments["next_cursor"] = s["next_cursor"];
    }
    ADD_FAILURE() << tool << " never stopped paging";
    walk.last_page_has_cursor = true;
    return walk;
  }

  // A table of `n` rows with N = 1..n.
  void MakeNumbers(const std::string& table, int n) {
    DirectWrite("POST", "/v3/tables",
                {{"Name", table}, {"Fields", {{{"Name", "N"}, {"Type", "INTEGER"}}, {{"Name", "Label"}, {"Type", "STRING"}}}}},
                201);
    for (int i = 1; i <= n; ++i) {
      DirectWrite("POST", absl::StrCat("/v3/tables/", table, "/records"), {{"N", i}, {"Label", absl::StrCat("row ", i)}}, 201);
    }
  }
};

std::vector<int64_t> Column(const std::vector<json>& rows, const std::string& key) {
  std::vector<int64_t> out;
  for (const json& r : rows) out.push_back(r.value(key, int64_t{-1}));
  return out;
}

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> out;
  for (int64_t i = from; i <= to; ++i) out.push_back(i);
  return out;
}

TEST_F(ProxyPagingTest, RecordPagesVisitEveryRowExactlyOnce) {
  MakeNumbers("Paged", 53);
  const json all_pks = Direct("/v3/tables/Paged/records?q.select=PK_ID&q.pageSize=1000&q.pageNumber=1");
  ASSERT_EQ(all_pks.size(), 53u);
  std::vector<int64_t> expected_pks;
  for (const json& r : all_pks) expected_pks.push_back(r["PK_ID"].get<int64_t>());

  // limit 10: five full pages and one of 3, PK_ID order, cursor on all but the last.
  Walk tens = WalkAll("list_all_caspio_records", {{"table_name", "Paged"}, {"limit", 10}});
  EXPECT_EQ(tens.page_sizes, std::vector<size_t>({10, 10, 10, 10, 10, 3}));
  EXPECT_EQ(Column(tens.rows, "PK_ID"), expected_pks);
  EXPECT_FALSE(tens.last_page_has_cursor);

  // A limit below Caspio's minimum page size (5), so pages and upstream pages disagree.
  Walk threes = WalkAll("list_all_caspio_records", {{"table_name", "Paged"}, {"limit", 3}});
  EXPECT_EQ(Column(threes.rows, "PK_ID"), expected_pks);
  for (size_t s : threes.page_sizes) EXPECT_LE(s, 3u);

  // A filter and an explicit order are kept across pages.
  Walk evens = WalkAll("list_all_caspio_records",
                       {{"table_name", "Paged"}, {"q.where", "N % 2 = 0"}, {"q.orderBy", "N DESC"}, {"limit", 4}});
  std::vector<int64_t> expected_evens;
  for (int64_t n = 52; n >= 2; n -= 2) expected_evens.push_back(n);
  EXPECT_EQ(Column(evens.rows, "N"), expected_evens);

  // Exactly a multiple of the limit: no trailing empty page, no cursor on the last.
  Walk fifties = WalkAll("list_all_caspio_records", {{"table_name", "Paged"}, {"q.where", "N <= 50"}, {"limit", 25}});
  EXPECT_EQ(fifties.page_sizes, std::vector<size_t>({25, 25}));
  EXPECT_EQ(Column(fifties.rows, "N"), Range(1, 50));
}

TEST_F(ProxyPagingTest, ViewUserFileAndSlicedListsPageCompletely) {
  // View records (query pages): 5 seeded active contractors plus 17 more.
  for (int i = 1; i <= 17; ++i) {
    DirectWrite("POST", "/v3/tables/Contractors/records", {{"Name", absl::StrCat("Temp ", i)}, {"Active", true}}, 201);
  }
  std::set<std::string> view_pks;
  for (const json& r : Direct("/v3/views/Active_Contractors/records?q.select=PK_ID&q.pageSize=1000&q.pageNumber=1")) {
    view_pks.insert(r["PK_ID"].is_string() ? r["PK_ID"].get<std::string>() : r["PK_ID"].dump());
  }
  ASSERT_EQ(view_pks.size(), 22u);
  Walk view = WalkAll("list_all_caspio_view_records", {{"view_name", kView}, {"limit", 6}});
  EXPECT_EQ(view.page_sizes, std::vector<size_t>({6, 6, 6, 4}));
  std::multiset<std::string> seen;
  for (const json& r : view.rows) seen.insert(r["PK_ID"].is_string() ? r["PK_ID"].get<std::string>() : r["PK_ID"].dump());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), view_pks);
  EXPECT_EQ(seen.size(), view_pks.size());

  // Directory users (query pages).
  Walk users = WalkAll("list_all_caspio_users", {{"directory_id", kDirectory}, {"limit", 3}});
  std::multiset<std::string> guids;
  for (const json& u : users.rows) guids.insert(u.value("UserGUID", ""));
  std::set<std::string> expected_guids;
  for (const json& u : Direct(absl::StrCat("/v3/directories/", kDirectory, "/users?q.pageSize=1000&q.pageNumber=1"))) {
    expected_guids.insert(u["UserGUID"].get<std::string>());
  }
  EXPECT_EQ(std::set<std::string>(guids.begin(), guids.end()), expected_guids);
  EXPECT_EQ(guids.size(), expected_guids.size());

  // Files (plain pages): 11 more files in the root folder next to readme.txt.
  json files = json::array();
  for (int i = 1; i <= 11; ++i) {
    files.push_back({{"file_name", absl::StrCat("page-", i, ".txt")}, {"content_text", absl::StrCat("file ", i)}});
  }
  ASSERT_EQ(Result("create_a_caspio_file", {{"files", files}}).size(), 11u);
  std::set<std::string> expected_files;
  for (const json& f : Direct("/v3/files?pageSize=1000")) expected_files.insert(f["ExternalKey"].get<std::string>());
  ASSERT_EQ(expected_files.size(), 12u);
  Walk listed = WalkAll("list_all_caspio_files", {{"limit", 5}});
  EXPECT_EQ(listed.page_sizes, std::vector<size_t>({5, 5, 2}));
  std::multiset<std::string> keys;
  for (const json& f : listed.rows) keys.insert(f.value("ExternalKey", ""));
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), expected_files);
  EXPECT_EQ(keys.size(), expected_files.size());

  // Client-side slices: the 13 fields of Support_Tickets, 4 at a time.
  Walk fields = WalkAll("list_all_caspio_fields", {{"table_name", "Support_Tickets"}, {"limit", 4}});
  EXPECT_EQ(fields.page_sizes, std::vector<size_t>({4, 4, 4, 1}));
  EXPECT_EQ(Names(json(fields.rows)), Names(Direct("/v3/tables/Support_Tickets/fields")));
}

TEST_F(ProxyPagingTest, ACursorOnlyContinuesItsOwnQuery) {
  MakeNumbers("Paged", 30);
  json first = Ok("list_all_caspio_records", {{"table_name", "Paged"}, {"q.where", "N > 10"}, {"limit", 5}});
  ASSERT_TRUE(first.contains("next_cursor"));
  const std::string cursor = first["next_cursor"];
  h().ClearLog();

  struct Misuse {
    std::string what, tool;
    json arguments;
  };
  const std::vector<Misuse> misuses = {
      {"another where clause", "list_all_caspio_records",
       {{"table_name", "Paged"}, {"q.where", "N > 20"}, {"limit", 5}, {"next_cursor", cursor}}},
      {"another table", "list_all_caspio_records",
       {{"table_name", "Inventory"}, {"q.where", "N > 10"}, {"limit", 5}, {"next_cursor", cursor}}},
      {"an added order", "list_all_caspio_records",
       {{"table_name", "Paged"}, {"q.where", "N > 10"}, {"q.orderBy", "N DESC"}, {"limit", 5}, {"next_cursor", cursor}}},
      {"another tool", "list_all_caspio_view_records", {{"view_name", kView}, {"limit", 5}, {"next_cursor", cursor}}},
      {"an altered cursor", "list_all_caspio_records",
       {{"table_name", "Paged"}, {"q.where", "N > 10"}, {"limit", 5}, {"next_cursor", absl::StrCat(cursor, "A")}}},
  };
  for (const Misuse& m : misuses) {
    ToolOutcome r = h().Call(m.tool, m.arguments);
    ASSERT_TRUE(r.status.ok()) << m.what << ": " << r.Describe();
    EXPECT_TRUE(r.response.is_error()) << m.what;
    EXPECT_EQ(r.response.error().reason(), caspio_mcp::common::v1::ERROR_REASON_INVALID_CURSOR) << m.what << ": " << r.Describe();
    EXPECT_EQ(r.response.error().field(), "next_cursor") << m.what;
    EXPECT_EQ(r.response.upstream().http_status(), 0) << m.what;
  }
  EXPECT_EQ(h().Log().api_calls, 0) << "a refused cursor must not reach Caspio";

  // The same query (limit may change) continues where it left off.
  json second = Ok("list_all_caspio_records", {{"table_name", "Paged"}, {"q.where", "N > 10"}, {"limit", 5}, {"next_cursor", cursor}});
  EXPECT_EQ(Column(second["result"].get<std::vector<json>>(), "N"), Range(16, 20));
}

// dry_run on every bulk update/delete tool: the right count, at most 20 sample
// rows, one GET and nothing else upstream, nothing changed; then each call
// made for real affects exactly the number of rows its dry run announced.
class ProxyDryRunTest : public ProxyPagingTest {
 protected:
  struct Case {
    std::string tool;
    json arguments;        // without dry_run
    int64_t expected;      // rows the real call affects, by construction
    std::string snapshot;  // direct read compared before and after
  };

  // The dry run's "matched".
  int64_t DryRun(const Case& c) {
    SCOPED_TRACE(c.tool);
    EXPECT_TRUE(h().catalog().contains(c.tool));
    if (!h().catalog().contains(c.tool)) return -1;
    EXPECT_TRUE(h().catalog().at(c.tool).binding().bulk_write()) << c.tool << " is not a bulk write";
    const HttpResult before = h().Caspio("GET", c.snapshot);
    EXPECT_EQ(before.status, 200) << before.raw;
    h().ClearLog();
    json arguments = c.arguments;
    arguments["dry_run"] = true;
    json s = Ok(c.tool, arguments);
    EXPECT_EQ(s.value("dry_run", false), true);
    const int64_t matched = s.value("matched", int64_t{-1});
    EXPECT_EQ(matched, c.expected);
    EXPECT_TRUE(s.contains("first") && s["first"].is_array());
    EXPECT_EQ(s.value("first", json::array()).size(), std::min<size_t>(c.expected, kDryRunSample));
    const SandboxLog log = h().Log();
    EXPECT_EQ(log.api_calls, 1);
    for (const json& request : log.requests) {
      if (request.value("target", "") == "/oauth/token") continue;
      EXPECT_EQ(request.value("method", ""), "GET") << request.dump();
    }
    const HttpResult after = h().Caspio("GET", c.snapshot);
    EXPECT_EQ(after.raw, before.raw) << "dry_run changed " << c.snapshot;
    covered_.insert(c.tool);
    return matched;
  }

  std::set<std::string> covered_;
};

TEST_F(ProxyDryRunTest, EveryBulkWriteToolChangesNothingAndCountsRight) {
  // DryRun_Items: 53 rows N = 1..53, a password on each, files on rows 1..25.
  DirectWrite("POST", "/v3/tables",
              {{"Name", "DryRun_Items"},
               {"Fields", {{{"Name", "N"}, {"Type", "INTEGER"}}, {{"Name", "Note"}, {"Type", "STRING"}},
                           {{"Name", "PIN"}, {"Type", "PASSWORD"}}, {{"Name", "Doc"}, {"Type", "ATTACHMENT"}}}}},
              201);
  for (int i = 1; i <= 53; ++i) DirectWrite("POST", "/v3/tables/DryRun_Items/records", {{"N", i}}, 201);
  DirectWrite("PUT", absl::StrCat("/v3/tables/DryRun_Items/passwordFields/PIN?q.where=", PercentEncode("N > 0")),
              {{"Value", "1111"}}, 200);
  for (int i = 1; i <= 25; ++i) {
    Ok("update_a_caspio_attachment_by_id", {{"table_name", "DryRun_Items"}, {"attachment_field_name", "Doc"},
                                            {"record_pk_id", absl::StrCat(i)},
                                            {"file", {{"file_name", absl::StrCat("doc-", i, ".txt")}, {"content_text", absl::StrCat("doc ", i)}}}});
  }
  // 30 more active contractors (35 rows in the view), 24 of them with a signed contract.
  for (int i = 1; i <= 30; ++i) {
    DirectWrite("POST", "/v3/tables/Contractors/records", {{"Name", absl::StrCat("Temp ", i)}, {"Active", true}}, 201);
  }
  const json temps = Direct(absl::StrCat("/v3/tables/Contractors/records?q.where=", PercentEncode("Name LIKE 'Temp %'"),
                                         "&q.pageSize=1000&q.pageNumber=1"));
  ASSERT_EQ(temps.size(), 30u);
  for (size_t i = 0; i < 24; ++i) {
    Ok("update_a_caspio_view_attachment_by_id",
       {{"view_name", kView}, {"attachment_field_name", "Contractors_Signed_Contract"},
        {"record_pk_id", absl::StrCat(temps[i]["PK_ID"].get<int64_t>())},
        {"file", {{"file_name", absl::StrCat("temp-", i, ".txt")}, {"content_text", "signed"}}}});
  }
  // 25 more directory users (33 in all).
  for (int i = 1; i <= 25; ++i) {
    DirectWrite("POST", absl::StrCat("/v3/directories/", kDirectory, "/users"),
                {{"Email", absl::StrCat("dry", i, "@dry.example")}, {"First_Name", "Dry"}, {"Last_Name", absl::StrCat("Run ", i)}},
                201);
  }

  const std::string records = "/v3/tables/DryRun_Items/records?q.pageSize=1000&q.pageNumber=1";
  const std::string file_info = "/v3/tables/DryRun_Items/attachments/Doc/fileInfo";
  const std::string view_records = "/v3/tables/Contractors/records?q.pageSize=1000&q.pageNumber=1";
  const std::string view_files = "/v3/tables/Contractors/attachments/Signed_Contract/fileInfo";
  const std::string users = absl::StrCat("/v3/directories/", kDirectory, "/users?q.pageSize=1000&q.pageNumber=1");
  const std::string temp_where = "Contractors_Name LIKE 'Temp %'";
  // In the order they are later made for real: no call changes what a later one matches.
  const std::vector<Case> cases = {
      {"update_a_caspio_record_by_id", {{"table_name", "DryRun_Items"}, {"q.where", "N > 10"}, {"values", {{"Note", "x"}}}}, 43, records},
      {"update_a_caspio_password_field_by_id",
       {{"table_name", "DryRun_Items"}, {"password_field_name", "PIN"}, {"q.where", "N > 0"}, {"Value", "9999"}}, 53, records},
      {"caspio_password_fields_reset",
       {{"table_name", "DryRun_Items"}, {"password_field_name", "PIN"}, {"q.where", "N = 7"}}, 1, records},
      {"caspio_attachments_rename",
       {{"table_name", "DryRun_Items"}, {"attachment_field_name", "Doc"}, {"q.where", "N <= 25"}, {"FileName", "x"}}, 25, file_info},
      {"update_a_caspio_view_record_by_id",
       {{"view_name", kView}, {"q.where", "Contractors_Active = 1"}, {"values", {{"Contractors_Hourly_Rate", 1}}}}, 35, view_records},
      // 30 rows match, 24 of them hold a file.
      {"caspio_view_attachments_rename",
       {{"view_name", kView}, {"attachment_field_name", "Contractors_Signed_Contract"}, {"q.where", temp_where}, {"FileName", "x"}},
       24, view_files},
      {"update_a_caspio_user_by_id",
       {{"directory_id", kDirectory}, {"Where", "Email LIKE '%@dry.example'"}, {"values", {{"Last_Name", "Changed"}}}}, 25, users},
      // 10 rows match, 5 of them (21..25) hold a file.
      {"delete_a_caspio_attachment_by_id",
       {{"table_name", "DryRun_Items"}, {"attachment_field_name", "Doc"}, {"q.where", "N > 20 AND N <= 30"}}, 5, file_info},
      {"delete_a_caspio_view_attachment_by_id",
       {{"view_name", kView}, {"attachment_field_name", "Contractors_Signed_Contract"}, {"q.where", "Contractors_Name = 'Sam Rivera'"}},
       1, view_files},
      {"delete_a_caspio_record_by_id", {{"table_name", "DryRun_Items"}, {"q.where", "N <= 5"}}, 5, records},
      {"delete_a_caspio_view_record_by_id", {{"view_name", kView}, {"q.where", temp_where}}, 30, view_records},
      {"delete_a_caspio_user_by_id", {{"directory_id", kDirectory}, {"Where", "First_Name <> 'Dry'"}}, 8, users},
  };
  std::vector<int64_t> matched;
  for (const Case& c : cases) matched.push_back(DryRun(c));

  // Every bulk tool of the catalog that offers dry_run was covered.
  for (const auto& [name, tool] : h().catalog()) {
    if (tool.binding().bulk_write() && tool.binding().has_dry_run()) {
      EXPECT_TRUE(covered_.contains(name)) << name;
    }
  }

  // The sample is the first matching rows in PK_ID order, without password fields.
  json s = Ok("update_a_caspio_record_by_id",
              {{"table_name", "DryRun_Items"}, {"q.where", "N > 10"}, {"values", {{"Note", "x"}}}, {"dry_run", true}});
  EXPECT_EQ(Column(s["first"].get<std::vector<json>>(), "N"), Range(11, 30));
  for (const json& row : s["first"]) EXPECT_FALSE(row.contains("PIN")) << "a password field was returned";
  json files = Ok("delete_a_caspio_attachment_by_id", {{"table_name", "DryRun_Items"}, {"attachment_field_name", "Doc"},
                                                       {"q.where", "N > 20 AND N <= 30"}, {"dry_run", true}});
  EXPECT_EQ(Column(files["first"].get<std::vector<json>>(), "PK_ID"), Range(21, 25));

  // Made for real, each call affects exactly the rows its dry run announced.
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].tool);
    json real = Ok(cases[i].tool, cases[i].arguments);
    const int64_t affected = real.value("RecordsAffected", real.value("UsersAffected", int64_t{-1}));
    EXPECT_EQ(affected, matched[i]);
    EXPECT_EQ(affected, cases[i].expected);
  }
}

}  // namespace
}  // namespace cmcp::proxy_it
