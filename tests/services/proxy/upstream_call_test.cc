#include "services/proxy/upstream_call.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/crypto.h"
#include "common/status/error.h"
#include "services/proxy/argument_validator.h"
#include "services/proxy/dry_run.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::proxy {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::StatusIs;
using ::testing::HasSubstr;
using json = nlohmann::json;
namespace pb = ::caspio_mcp::toolgen::v1;

pb::ParameterBinding* Param(pb::Tool& tool, const std::string& name, pb::ParameterLocation location,
                            const std::string& api_name, bool required) {
  pb::ParameterBinding* p = tool.mutable_binding()->add_parameters();
  p->set_name(name);
  p->set_api_name(api_name);
  p->set_location(location);
  p->set_required(required);
  return p;
}

pb::Tool UploadTool(const std::string& part = "File") {
  pb::Tool tool;
  tool.set_name("update_a_caspio_attachment_by_id");
  tool.mutable_binding()->set_http_method(pb::HTTP_METHOD_PUT);
  tool.mutable_binding()->set_path_template("/integrations/rest/v3/tables/{table_name}/attachments/{attachment_field_name}/{id}");
  Param(tool, "table_name", pb::PARAMETER_LOCATION_PATH, "table_name", true);
  Param(tool, "attachment_field_name", pb::PARAMETER_LOCATION_PATH, "attachment_field_name", true);
  Param(tool, "id", pb::PARAMETER_LOCATION_PATH, "id", true);
  Param(tool, "file", pb::PARAMETER_LOCATION_MULTIPART_FILE, part, true);
  json file = {{"type", "object"},
               {"properties", {{"file_name", {{"type", "string"}}}, {"content_base64", {{"type", "string"}}},
                               {"content_text", {{"type", "string"}}}, {"mime_type", {{"type", "string"}}}}},
               {"required", {"file_name"}}};
  json schema = {{"type", "object"},
                 {"properties", {{"table_name", {{"type", "string"}}}, {"attachment_field_name", {{"type", "string"}}},
                                 {"id", {{"type", "integer"}}},
                                 {"file", part == "Files" ? json{{"type", "array"}, {"items", file}} : file}}},
                 {"required", {"table_name", "attachment_field_name", "id", "file"}},
                 {"additionalProperties", false}};
  tool.set_input_schema_json(schema.dump());
  return tool;
}

json Args(json file) {
  return {{"table_name", "ComplianceLogs"}, {"attachment_field_name", "Evidence"}, {"id", 7}, {"file", file}};
}

TEST(UpstreamCallTest, FileArgumentsBecomeMultipartParts) {
  auto call = BuildUpstreamCall(UploadTool(), Args({{"file_name", "scan.png"}, {"content_base64", Base64Encode("\x89PNG\r\n")}}));
  ASSERT_THAT(call, IsOk());
  EXPECT_EQ(call->path, "/integrations/rest/v3/tables/ComplianceLogs/attachments/Evidence/7");
  ASSERT_EQ(call->files.size(), 1u);
  EXPECT_EQ(call->files[0].part_name, "File");
  EXPECT_EQ(call->files[0].content, "\x89PNG\r\n");
  EXPECT_EQ(call->files[0].mime_type, "image/png");
  const std::string body = MultipartBody(call->files, "B0UND");
  EXPECT_EQ(body,
            "--B0UND\r\nContent-Disposition: form-data; name=\"File\"; filename=\"scan.png\"\r\n"
            "Content-Type: image/png\r\n\r\n\x89PNG\r\n\r\n--B0UND--\r\n");
}

TEST(UpstreamCallTest, TextContentAndExplicitMimeType) {
  auto call = BuildUpstreamCall(UploadTool(), Args({{"file_name", "notes.csv"}, {"content_text", "a,b\n1,2\n"}}));
  ASSERT_THAT(call, IsOk());
  EXPECT_EQ(call->files[0].mime_type, "text/csv");
  auto typed = BuildUpstreamCall(UploadTool(), Args({{"file_name", "x.bin"}, {"content_text", "hi"}, {"mime_type", "text/plain"}}));
  ASSERT_THAT(typed, IsOk());
  EXPECT_EQ(typed->files[0].mime_type, "text/plain");
}

TEST(UpstreamCallTest, BadFileArgumentsAreNamed) {
  struct Case {
    json file;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {{{"content_text", "x"}}, "file.file_name"},
           {{{"file_name", "a.txt"}}, "file"},
           {{{"file_name", "a.txt"}, {"content_text", "x"}, {"content_base64", "eA=="}}, "file"},
           {{{"file_name", "../etc/passwd"}, {"content_text", "x"}}, "file.file_name"},
           {{{"file_name", "a\".txt"}, {"content_text", "x"}}, "file.file_name"},
           {{{"file_name", "a.txt"}, {"content_base64", "***"}}, "file.content_base64"},
           {{{"file_name", "a.txt"}, {"content_text", "x"}, {"mime_type", "text/plain\r\nX-Evil: 1"}}, "file.mime_type"},
           {json("just a string"), "file"},
       }) {
    auto call = BuildUpstreamCall(UploadTool(), Args(c.file));
    ASSERT_FALSE(call.ok()) << c.file.dump();
    EXPECT_EQ(GetErrorDetail(call.status())->field(), c.field) << c.file.dump() << " " << call.status();
  }
}

TEST(UpstreamCallTest, PathArgumentsAreOneSegmentNeverAPath) {
  json base = Args({{"file_name", "a.txt"}, {"content_text", "x"}});
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "../../oauth/token", "Evidence/../../files", "..\\x", "a\nb",
                                 std::string("a\0b", 3)}) {
    json args = base;
    args["attachment_field_name"] = bad;
    auto call = BuildUpstreamCall(UploadTool(), args);
    ASSERT_FALSE(call.ok()) << bad;
    EXPECT_EQ(GetErrorDetail(call.status())->field(), "attachment_field_name") << bad;
    EXPECT_THAT(call.status().message(), HasSubstr("attachment_field_name")) << bad;
  }
  // Anything else is encoded into its own segment.
  json odd = base;
  odd["table_name"] = "My Table?x=1#%2e%2e";
  auto call = BuildUpstreamCall(UploadTool(), odd);
  ASSERT_THAT(call, IsOk());
  EXPECT_EQ(call->path, "/integrations/rest/v3/tables/My%20Table%3Fx%3D1%23%252e%252e/attachments/Evidence/7");
}

TEST(UpstreamCallTest, UploadsAreCapped) {
  auto call = BuildUpstreamCall(UploadTool(), Args({{"file_name", "big.txt"}, {"content_text", std::string(2048, 'x')}}),
                                {.max_upload_bytes = 1024});
  EXPECT_THAT(call, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limited to 1024 bytes")));
  EXPECT_EQ(GetErrorDetail(call.status())->reason(), caspio_mcp::common::v1::ERROR_REASON_PAYLOAD_TOO_LARGE);
}

TEST(UpstreamCallTest, SeveralFilesOnlyWhereThePartTakesThem) {
  auto many = BuildUpstreamCall(UploadTool("Files"), Args(json::array({{{"file_name", "a.txt"}, {"content_text", "1"}},
                                                                       {{"file_name", "b.txt"}, {"content_text", "2"}}})));
  ASSERT_THAT(many, IsOk());
  ASSERT_EQ(many->files.size(), 2u);
  EXPECT_EQ(many->files[1].part_name, "Files");
  EXPECT_FALSE(BuildUpstreamCall(UploadTool("File"), Args(json::array({{{"file_name", "a.txt"}, {"content_text", "1"}}}))).ok());
}

TEST(ArgumentValidatorTest, CatchesWhatTheQuickChecksDoNot) {
  ArgumentValidator validator;
  pb::Tool tool = UploadTool();
  EXPECT_THAT(validator.Validate(tool, Args({{"file_name", "a.txt"}, {"content_text", "1"}})), IsOk());
  auto nested = validator.Validate(tool, Args({{"file_name", 5}, {"content_text", "1"}}));
  EXPECT_THAT(nested, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("file.file_name")));
  EXPECT_EQ(GetErrorDetail(nested)->field(), "file.file_name");
  json extra = Args({{"file_name", "a.txt"}, {"content_text", "1"}});
  extra["bogus"] = 1;
  EXPECT_THAT(validator.Validate(tool, extra), StatusIs(absl::StatusCode::kInvalidArgument));
  // The compiled schema is cached: validating again gives the same answer.
  EXPECT_THAT(validator.Validate(tool, Args({{"file_name", "a.txt"}, {"content_text", "1"}})), IsOk());
}

pb::ToolBinding BulkBinding(const std::string& where_argument, const std::string& read_path) {
  pb::ToolBinding b;
  b.set_bulk_write(true);
  b.set_where_argument(where_argument);
  if (!read_path.empty()) {
    b.mutable_dry_run()->set_path_template(read_path);
    b.mutable_dry_run()->set_where_parameter("q.where");
  }
  return b;
}

TEST(DryRunTest, ReadsWhatTheBindingSaysWithTheToolsOwnArguments) {
  UpstreamCall call;
  call.query = {{"q.where", "Qty = 0"}};
  call.path_values = {{"table_name", "My%20Table"}};
  auto records = PlanDryRun(BulkBinding("q.where", "/integrations/rest/v3/tables/{table_name}/records"), call);
  ASSERT_THAT(records, IsOk());
  EXPECT_EQ(records->path, "/integrations/rest/v3/tables/My%20Table/records");
  EXPECT_TRUE(records->paged);
  EXPECT_THAT(records->query, ::testing::Contains(std::pair<std::string, std::string>("q.getPaginationInfo", "true")));
  EXPECT_THAT(records->query, ::testing::Contains(std::pair<std::string, std::string>("q.where", "Qty = 0")));

  UpstreamCall users;
  users.query = {{"Where", "Email LIKE '%@old.com'"}};
  users.path_values = {{"directory_id", "abc"}};
  auto u = PlanDryRun(BulkBinding("Where", "/integrations/rest/v3/directories/{directory_id}/users"), users);
  ASSERT_THAT(u, IsOk());
  EXPECT_THAT(u->query, ::testing::Contains(std::pair<std::string, std::string>("q.where", "Email LIKE '%@old.com'")));

  UpstreamCall attachments;
  attachments.query = {{"q.where", "PK_ID < 5"}};
  attachments.path_values = {{"table_name", "T"}, {"attachment_field_name", "Doc"}};
  auto a = PlanDryRun(
      BulkBinding("q.where", "/integrations/rest/v3/tables/{table_name}/attachments/{attachment_field_name}/fileInfo"),
      attachments);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->path, "/integrations/rest/v3/tables/T/attachments/Doc/fileInfo");
  EXPECT_FALSE(a->paged);
  EXPECT_TRUE(a->files_only);
  EXPECT_FALSE(records->files_only);

  EXPECT_THAT(PlanDryRun(BulkBinding("q.where", ""), call), StatusIs(absl::StatusCode::kInvalidArgument));
  pb::ToolBinding not_bulk = BulkBinding("q.where", "/x/{table_name}");
  not_bulk.set_bulk_write(false);
  EXPECT_THAT(PlanDryRun(not_bulk, call), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PlanDryRun(BulkBinding("q.where", "/x/{unknown}"), call), StatusIs(absl::StatusCode::kInternal));
}

TEST(DryRunTest, AttachmentWritesOnlyAffectRecordsThatHoldAFile) {
  const nlohmann::json info = nlohmann::json::parse(
      R"([{"PK_ID":1,"FileName":"a"},{"PK_ID":2,"FileName":null},{"PK_ID":3,"FileName":"c"},{"PK_ID":4}])");
  DryRunPlan files;
  files.files_only = true;
  EXPECT_EQ(AffectedRows(files, info), nlohmann::json::parse(R"([{"PK_ID":1,"FileName":"a"},{"PK_ID":3,"FileName":"c"}])"));
  DryRunPlan records;
  EXPECT_EQ(AffectedRows(records, info).size(), 4u);
  EXPECT_EQ(AffectedRows(records, nlohmann::json()), nlohmann::json::array());
}

}  // namespace
}  // namespace cmcp::proxy
