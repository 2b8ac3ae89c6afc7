// Contract test: walks the in-repo copy of Caspio's OpenAPI spec and calls
// every one of its operations on the real caspio-sandbox binary, checking
// that each is served with a status the spec documents and that every JSON
// body validates against the spec's response schema. The calls run in spec
// order against the seed, so writes target rows earlier calls created or
// rows the seed provides for that purpose.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tests/sandbox/openapi_checker.h"
#include "tests/sandbox/sandbox_process.h"
#include "tests/testing/child_process.h"

namespace cmcp::sandbox::testing {
namespace {

using json = nlohmann::json;
using ::testing::IsEmpty;

constexpr char kSpec[] = "integrations/caspio/openapi/caspio-rest-v3-openapi-2026-06-29.json";

// Keys the seed defines (sandbox/caspio/seed/seed.json).
constexpr char kReports[] = "3d9f1e22-7a41-4c1b-8f0e-5b6a2c9d0e11";
constexpr char kImages[] = "3d9f1e22-7a41-4c1b-8f0e-5b6a2c9d0e14";
constexpr char kReadme[] = "9a8b7c6d-1111-4e2f-8a9b-0c1d2e3f4a01";
constexpr char kPixel[] = "9a8b7c6d-1111-4e2f-8a9b-0c1d2e3f4a06";
constexpr char kOrderSync[] = "5e0c9b7a-2d4f-4a61-b8c3-7f1e2d3c4b01";
constexpr char kTicketHook[] = "5e0c9b7a-2d4f-4a61-b8c3-7f1e2d3c4b02";
constexpr char kSecurityHook[] = "5e0c9b7a-2d4f-4a61-b8c3-7f1e2d3c4b03";
constexpr char kStockEvent[] = "7c1d2e3f-0a9b-4c8d-9e1f-2a3b4c5d6e01";
constexpr char kInsertEvent[] = "7c1d2e3f-0a9b-4c8d-9e1f-2a3b4c5d6e02";
constexpr char kTask[] = "e4d3c2b1-0000-4a1b-9c8d-7e6f5a4b3c02";
constexpr char kApp[] = "c2a1f6e0-41b7-4f0c-9d2e-8e5b7a3c1d01";
constexpr char kDataPage[] = "a1b2c3d4e5f60718293a4b5c6d7e";
constexpr char kDirectory[] = "b7e4c3a0-5f2d-4e8b-9c61-2a7d9e0f1b34";

struct Fixture {
  std::map<std::string, std::string> path;
  std::string query;        // already encoded, without '?'
  std::string body;         // JSON
  std::string upload_part;  // multipart part name ("File" / "Files"); empty = JSON body
  int expect = 200;
};

std::string Where(const std::string& name, const std::string& clause) { return name + "=" + Q(clause); }

std::map<std::string, Fixture> Fixtures() {
  const std::map<std::string, std::string> inventory = {{"tableName", "Inventory"}};
  const std::map<std::string, std::string> contract = {{"tableName", "ContractTest"}};
  const std::map<std::string, std::string> evidence = {{"tableName", "ComplianceLogs"},
                                                       {"attachmentFieldName", "Evidence"}};
  const std::map<std::string, std::string> view = {{"viewName", "Active_Contractors"}};
  const std::map<std::string, std::string> view_att = {{"viewName", "Active_Contractors"},
                                                       {"attachmentFieldName", "Contractors_Signed_Contract"}};
  const std::map<std::string, std::string> badge = {{"tableName", "Contractors"}, {"passwordFieldName", "Badge_PIN"}};
  const std::map<std::string, std::string> app = {{"externalKey", kApp}};
  const std::map<std::string, std::string> page = {{"externalKey", kApp}, {"appKey", kDataPage}};
  const std::map<std::string, std::string> dir = {{"directoryId", kDirectory}};
  auto with = [](std::map<std::string, std::string> m, std::string k, std::string v) {
    m[k] = v;
    return m;
  };
  return {
      {"ListTables", {}},
      {"CreateTable",
       {{}, "",
        R"({"Name":"ContractTest","Fields":[{"Name":"Title","Type":"STRING","Unique":true},
            {"Name":"Secret","Type":"PASSWORD"},{"Name":"Doc","Type":"ATTACHMENT"}]})",
        "", 201}},
      {"GetTable", {inventory}},
      {"ListTableFields", {inventory}},
      {"CreateTableField", {contract, "", R"({"Name":"Score","Type":"NUMBER","Label":"Score"})", "", 201}},
      {"GetTableField", {with(inventory, "fieldName", "SKU")}},
      {"UpdateTableField", {with(contract, "fieldName", "Score"), "", R"j({"Label":"Score (0-10)"})j", "", 204}},
      {"DeleteTableField", {with(contract, "fieldName", "Score"), "", "", "", 204}},
      {"ListTableRecords",
       {inventory,
        Where("q.where", "Quantity > 10") + "&" + Where("q.orderBy", "Price DESC") +
            "&q.pageSize=5&q.pageNumber=2&q.getPaginationInfo=true"}},
      {"CreateTableRecord", {contract, "response=rows", R"({"Title":"first","Secret":"pw"})", "", 201}},
      {"UpdateTableRecords", {contract, Where("q.where", "Title = 'first'") + "&response=rows", R"({"Title":"second"})"}},
      {"DeleteTableRecords",
       {{{"tableName", "Support_Tickets"}}, Where("q.where", "Status = 'Closed' AND Satisfaction < 4")}},
      {"ListPasswordTableFields", {{{"tableName", "Contractors"}}}},
      {"UpdatePasswordTableField", {badge, Where("q.where", "PK_ID = 1"), R"({"Value":"9999"})"}},
      {"ResetPasswordTableField", {badge, Where("q.where", "PK_ID = 2")}},
      {"DownloadFileFromAttachmentTableField", {with(evidence, "recordPkId", "1")}},
      {"UploadFileToAttachmentTableField", {with(evidence, "recordPkId", "4"), "", "", "File", 204}},
      {"DeleteFileFromAttachmentTableFields", {evidence, Where("q.where", "PK_ID = 2")}},
      {"GetFileMetadataFromAttachmentTableFields", {evidence, Where("q.where", "PK_ID < 5")}},
      {"UpdateFileMetadataInAttachmentTableFields",
       {evidence, Where("q.where", "PK_ID = 1") + "&response=rows", R"({"FileName":"access-review"})"}},
      {"ListViews", {}},
      {"GetView", {view}},
      {"ListViewFields", {view}},
      {"GetViewField", {with(view, "fieldName", "Contractors_Name")}},
      {"ListViewRecords", {view, Where("q.select", "PK_ID, Contractors_Name") + "&" + Where("q.orderBy", "Contractors_Name")}},
      {"CreateViewRecord",
       {view, "response=rows",
        R"({"Contractors_Name":"Vic Stone","Contractors_Email":"vic@stone.example","Contractors_Active":true})", "",
        201}},
      {"UpdateViewRecords",
       {view, Where("q.where", "Contractors_Email = 'vic@stone.example'") + "&response=rows",
        R"({"Contractors_Hourly_Rate":90})"}},
      {"DeleteViewRecords", {view, Where("q.where", "Contractors_Email = 'vic@stone.example'")}},
      {"DownloadFileFromAttachmentViewField", {with(view_att, "recordPkId", "1")}},
      {"UploadFileToAttachmentViewField", {with(view_att, "recordPkId", "3"), "", "", "File", 204}},
      {"DeleteFileFromAttachmentViewFields", {view_att, Where("q.where", "PK_ID = 3")}},
      {"GetFileMetadataFromAttachmentViewFields", {view_att}},
      {"UpdateFileMetadataInAttachmentViewFields",
       {view_att, Where("q.where", "PK_ID = 1") + "&response=rows", R"({"FileName":"rivera-msa-signed"})"}},
      {"ListFilesFolders", {}},
      {"GetFilesFolderMetadataByKey", {{{"externalKey", kReports}}}},
      {"ListFiles", {{}, absl::StrCat("externalKey=", kReports, "&sortField=Size&sortDescending=true&pageSize=5")}},
      {"UploadFiles", {{}, absl::StrCat("externalKey=", kImages), "", "Files", 201}},
      // UploadFiles just stored contract-0.txt there: PUT overwrites it (200).
      {"UpdateFile", {{}, absl::StrCat("externalKey=", kImages), "", "File", 200}},
      {"GetFileMetadataByKey", {{{"externalKey", kReadme}}}},
      {"DownloadFileByKey", {{{"externalKey", kReadme}}}},
      {"DeleteFileByKey", {{{"externalKey", kPixel}}, "", "", "", 204}},
      {"GetFileMetadataByPath", {{}, "filePath=" + Q("/Reports/2024/q1-inventory-summary.csv")}},
      {"DownloadFileByPath", {{}, "filePath=" + Q("/Reports/2024/q1-inventory-summary.csv")}},
      {"DeleteFileByPath", {{}, "filePath=" + Q("/Contracts/msa-template.txt"), "", "", 204}},
      {"ListOutgoingWebhooks", {}},
      {"CreateOutgoingWebhook",
       {{}, "", R"({"Name":"ContractHook","Description":"d","OutgoingUrls":["https://hooks.example/x"],"CallThrottling":3})",
        "", 201}},
      {"GetOutgoingWebhook", {{{"webhookId", kOrderSync}}}},
      {"UpdateOutgoingWebhook", {{{"webhookId", kTicketHook}}, "", R"({"Description":"Updated","Enabled":true})"}},
      {"DeleteOutgoingWebhook", {{{"webhookId", kSecurityHook}}, "", "", "", 204}},
      {"ListOutgoingWebhookEvents", {{{"webhookId", kOrderSync}}}},
      {"CreateOutgoingWebhookEvent",
       {{{"webhookId", kOrderSync}}, "", R"({"EventType":"table.recordDelete","ObjectName":"Inventory"})", "", 201}},
      {"GetOutgoingWebhookEvent", {{{"webhookId", kOrderSync}, {"eventId", kStockEvent}}}},
      {"UpdateOutgoingWebhookEvent",
       {{{"webhookId", kOrderSync}, {"eventId", kStockEvent}},
        "",
        R"({"EventType":"table.recordUpdate","ObjectName":"Inventory","ObjectFields":["Quantity"],"Enabled":true})"}},
      {"DeleteOutgoingWebhookEvent", {{{"webhookId", kOrderSync}, {"eventId", kInsertEvent}}, "", "", "", 204}},
      {"ListDataImportExportTasks", {}},
      {"GetDataImportExportTask", {{{"externalKey", kTask}}}},
      {"RunDataImportExportTask", {{{"externalKey", kTask}}, "", "", "", 204}},
      {"ListBridgeApplications", {}},
      {"GetBridgeApplication", {app}},
      {"ListBridgeApplicationDataPages", {app}},
      {"GetBridgeApplicationDataPage", {page}},
      {"GetBridgeApplicationDataPageDeploymentCode", {page, "method=iFrame"}},
      {"UpdateBridgeApplicationDataPageDeployment", {page, "", R"({"Deployed":false})", "", 204}},
      {"UpdateBridgeApplicationDataPagesDeployment", {app, "", R"({"Deployed":true})", "", 204}},
      {"ListDirectories", {}},
      {"ListDirectoryUsers", {dir, Where("q.where", "_2fa_status = 'Enabled'") + "&q.getPaginationInfo=true"}},
      {"CreateUser",
       {dir, "response=rows", R"({"Email":"ivy.lopez@wholesale.example","First_Name":"Ivy","Password":"x"})", "", 201}},
      {"UpdateUsers",
       {dir, Where("Where", "Email = 'ivy.lopez@wholesale.example'") + "&response=rows", R"({"Department":"Sales"})"}},
      {"DeleteUsers", {dir, Where("Where", "Email = 'ivy.lopez@wholesale.example'")}},
      {"ActivateUser",
       {dir, "", R"({"UserGUID":"6f1c2a9e-0b1d-4c55-9a11-3f0e7a2b8c04","SendEmail":false})"}},
  };
}

std::string Multipart(const std::string& part, const std::string& boundary) {
  std::string body;
  const int files = part == "Files" ? 2 : 1;
  for (int i = 0; i < files; ++i) {
    absl::StrAppend(&body, "--", boundary, "\r\nContent-Disposition: form-data; name=\"", part, "\"; filename=\"contract-",
                    i, ".txt\"\r\nContent-Type: text/plain\r\n\r\ncontract test file ", i, "\r\n");
  }
  absl::StrAppend(&body, "--", boundary, "--\r\n");
  return body;
}

TEST(ContractIntegrationTest, ServesEveryOperationOfTheSpecWithValidResponses) {
  auto spec = OpenApiSpec::Load(cmcp::testing::SourcePath(kSpec));
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->operations().size(), 70u);
  auto started = SandboxProcess::Start();
  ASSERT_TRUE(started.ok()) << started.status();
  SandboxProcess& sandbox = **started;
  const std::map<std::string, Fixture> fixtures = Fixtures();
  std::set<std::string> served;

  for (const OpenApiSpec::Operation& op : spec->operations()) {
    SCOPED_TRACE(op.method + " " + op.path + " (" + op.operation_id + ")");
    auto fixture_it = fixtures.find(op.operation_id);
    ASSERT_NE(fixture_it, fixtures.end()) << "no fixture for " << op.operation_id;
    const Fixture& f = fixture_it->second;
    std::string target = "/integrations/rest" + op.path;
    for (const auto& [name, value] : f.path) {
      target = absl::StrReplaceAll(target, {{"{" + name + "}", PercentEncode(value)}});
    }
    ASSERT_EQ(target.find('{'), std::string::npos) << "unfilled path parameter in " << target;
    if (!f.query.empty()) target += "?" + f.query;
    Headers headers;
    std::string body = f.body;
    if (!f.upload_part.empty()) {
      headers.Add("Content-Type", "multipart/form-data; boundary=contract-boundary");
      body = Multipart(f.upload_part, "contract-boundary");
    }
    auto response = sandbox.Call(op.method, target, body, headers);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, f.expect) << response->body;
    const std::vector<int> documented = spec->DocumentedStatuses(op);
    EXPECT_THAT(documented, ::testing::Contains(response->status));
    EXPECT_TRUE(response->headers.Get("X-Caspio-Request-ID").has_value());
    if (response->status != f.expect) continue;
    served.insert(op.operation_id);

    const json schema = spec->ResponseSchema(op, response->status);
    if (schema.is_null()) {
      EXPECT_THAT(response->body, IsEmpty()) << "the spec documents no body for " << response->status;
      continue;
    }
    if (schema.value("format", "") == "binary") {
      EXPECT_FALSE(response->body.empty()) << "binary download is empty";
      continue;
    }
    EXPECT_THAT(std::string(response->headers.Get("Content-Type").value_or("")), ::testing::StartsWith("application/json"));
    const json value = Json(*response);
    ASSERT_FALSE(value.is_discarded()) << "not JSON: " << response->body;
    EXPECT_THAT(spec->Validate(schema, value), IsEmpty()) << response->body;
  }
  EXPECT_EQ(served.size(), 70u);
}

TEST(ContractIntegrationTest, ErrorsUseCaspiosErrorBody) {
  auto started = SandboxProcess::Start();
  ASSERT_TRUE(started.ok()) << started.status();
  SandboxProcess& sandbox = **started;
  const std::vector<std::pair<std::string, int>> cases = {
      {"/integrations/rest/v3/tables/NoSuchTable", 404},
      {"/integrations/rest/v3/tables/Inventory/fields/NoSuchField", 404},
      {"/integrations/rest/v3/tables/Inventory/records?q.where=" + Q("Nope = 1"), 400},
      {"/integrations/rest/v3/tables/Inventory/records?q.limit=5000", 400},
      {"/integrations/rest/v3/nothing-here", 404},
  };
  for (const auto& [target, status] : cases) {
    SCOPED_TRACE(target);
    auto r = sandbox.Call("GET", target);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, status);
    json body = Json(*r);
    ASSERT_TRUE(body.is_object()) << r->body;
    for (const char* key : {"Code", "Message", "Resource", "RequestId"}) {
      EXPECT_TRUE(body.contains(key) && body[key].is_string()) << key << " in " << r->body;
    }
    EXPECT_EQ(body["RequestId"].get<std::string>(), std::string(r->headers.Get("X-Caspio-Request-ID").value_or("")));
  }
}

}  // namespace
}  // namespace cmcp::sandbox::testing
