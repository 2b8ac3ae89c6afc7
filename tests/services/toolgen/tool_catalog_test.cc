#include "services/toolgen/tool_catalog.h"

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status/error.h"
#include "nlohmann/json.hpp"
#include "services/toolgen/schema_lint.h"
#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::toolgen {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using json = nlohmann::json;

json Definition() {
  return json::parse(R"({
    "name": "caspio", "base_path": "/integrations/rest",
    "resources": {
      "records": {"singular": "record", "plural": "records", "tags": ["tables"],
        "methods": {
          "list": {"operation_id": "ListTableRecords", "http_method": "GET", "path": "/v3/tables/{table_name}/records",
                   "pagination": "query_pages", "where": {"argument": "q.where", "use": "read"}},
          "update": {"operation_id": "UpdateTableRecords", "http_method": "PUT", "path": "/v3/tables/{table_name}/records",
                     "bulk_write": true, "where": {"argument": "q.where", "use": "write"}},
          "delete": {"operation_id": "DeleteTableRecords", "http_method": "DELETE", "path": "/v3/tables/{table_name}/records",
                     "bulk_write": true, "where": {"argument": "q.where", "use": "write"}}}},
      "deployments": {"singular": "deployment", "plural": "deployments", "tags": ["datapages"],
        "methods": {
          "bulk_update": {"operation_id": "UpdateBridgeApplicationDataPagesDeployment", "http_method": "PUT",
                          "path": "/v3/bridgeApplications/{external_key}/datapages/deployment", "response": "empty",
                          "success_statuses": [204], "tags": ["deploy"]}}},
      "users": {"singular": "user", "plural": "users", "tags": ["directory"],
        "methods": {"get": {"operation_id": "X", "http_method": "GET", "path": "/v3/x/{id}"}}}
    }})");
}

json Doc(const std::string& resource, const std::string& method, json path_props, json path_required,
         json query = nullptr, json body = nullptr) {
  json doc = {{"resource", resource}, {"method", method}, {"title", "T " + method},
              {"description", "Does " + method + "."}};
  if (!path_props.is_null()) doc["path_schema"] = {{"type", "object"}, {"properties", path_props}, {"required", path_required}};
  if (!query.is_null()) doc["query_schema"] = query;
  if (!body.is_null()) doc["body_schema"] = body;
  return doc;
}

std::vector<json> Docs() {
  const json table = {{"table_name", {{"type", "string"}}}};
  const json where = {{"type", "object"}, {"properties", {{"q.where", {{"type", "string"}}}}}, {"required", {"q.where"}}};
  return {Doc("records", "list", table, {"table_name"},
              {{"type", "object"}, {"properties", {{"q.where", {{"type", "string"}}}}}}),
          Doc("records", "update", table, {"table_name"}, where,
              {{"type", "object"}, {"properties", {{"Name", {{"type", "string"}}}}}}),
          Doc("records", "delete", table, {"table_name"}, where),
          Doc("deployments", "bulk_update", {{"external_key", {{"type", "string"}}}}, {"external_key"}, nullptr,
              {{"type", "object"}, {"properties", {{"Deployed", {{"type", "boolean"}}}}}, {"required", {"Deployed"}}})};
  // users.get has no documentation record: it must produce no tool.
}

std::unique_ptr<ToolCatalog> Catalog(std::vector<json> docs = Docs()) {
  auto integration = ParseIntegration(Definition(), docs);
  EXPECT_THAT(integration, IsOk());
  auto catalog = ToolCatalog::Build(*std::move(integration));
  EXPECT_THAT(catalog, IsOk());
  return *std::move(catalog);
}

std::vector<std::string> Names(const absl::StatusOr<std::vector<const Tool*>>& tools) {
  std::vector<std::string> out;
  if (tools.ok()) for (const Tool* t : *tools) out.push_back(t->name());
  return out;
}

ToolFilter Filter(std::vector<std::string> methods, std::vector<std::string> tags = {}) {
  ToolFilter f;
  for (auto& m : methods) f.add_methods(m);
  for (auto& t : tags) f.add_tags(t);
  return f;
}

TEST(ToolCatalogTest, NamesFollowTheSpecAndUndocumentedMethodsHaveNoTool) {
  auto catalog = Catalog();
  EXPECT_THAT(Names(catalog->List({})),
              ElementsAre("caspio_deployments_bulk_update", "delete_a_caspio_record_by_id", "list_all_caspio_records",
                          "update_a_caspio_record_by_id"));
}

TEST(ToolCatalogTest, InputSchemaIsFlatWithInjectedControls) {
  auto catalog = Catalog();
  auto tool = catalog->Get("list_all_caspio_records", {});
  ASSERT_THAT(tool, IsOk());
  json schema = json::parse((*tool)->input_schema_json());
  EXPECT_EQ(schema["type"], "object");
  EXPECT_EQ(schema["additionalProperties"], false);
  EXPECT_TRUE(schema["properties"].contains("table_name"));
  EXPECT_TRUE(schema["properties"].contains("q.where"));
  EXPECT_EQ(schema["properties"]["limit"]["maximum"], 1000);
  EXPECT_THAT(schema["properties"]["next_cursor"]["description"].get<std::string>(),
              HasSubstr(std::string(kCursorInstruction)));
  EXPECT_THAT(schema["required"], ::testing::ElementsAre("table_name"));
  const auto& binding = (*tool)->binding();
  EXPECT_EQ(binding.path_template(), "/integrations/rest/v3/tables/{table_name}/records");
  ASSERT_EQ(binding.parameters_size(), 4);
  EXPECT_EQ(binding.parameters(0).location(), caspio_mcp::toolgen::v1::PARAMETER_LOCATION_PATH);
  EXPECT_EQ(binding.parameters(1).location(), caspio_mcp::toolgen::v1::PARAMETER_LOCATION_QUERY);
  EXPECT_EQ(binding.parameters(2).location(), caspio_mcp::toolgen::v1::PARAMETER_LOCATION_CONTROL);
}

TEST(ToolCatalogTest, BulkWritesGetDryRunAndDestructiveAnnotations) {
  auto catalog = Catalog();
  auto update = catalog->Get("update_a_caspio_record_by_id", {});
  ASSERT_THAT(update, IsOk());
  json schema = json::parse((*update)->input_schema_json());
  EXPECT_TRUE(schema["properties"].contains("dry_run"));
  EXPECT_TRUE(schema["properties"].contains("Name"));
  EXPECT_TRUE((*update)->annotations().destructive_hint());
  EXPECT_FALSE((*update)->annotations().read_only_hint());
  EXPECT_EQ((*update)->binding().where_use(), caspio_mcp::toolgen::v1::WHERE_USE_WRITE);
  auto list = catalog->Get("list_all_caspio_records", {});
  EXPECT_TRUE((*list)->annotations().read_only_hint());
  EXPECT_FALSE((*list)->annotations().destructive_hint());
  EXPECT_EQ((*list)->annotations().title(), "T list");
}

TEST(ToolCatalogTest, MethodGroupsAndTagsFilterWithOrWithinTagsAndAndWithMethods) {
  auto catalog = Catalog();
  EXPECT_THAT(Names(catalog->List(Filter({"read"}))), ElementsAre("list_all_caspio_records"));
  EXPECT_THAT(Names(catalog->List(Filter({"write"}))),
              ElementsAre("delete_a_caspio_record_by_id", "update_a_caspio_record_by_id"));
  EXPECT_THAT(Names(catalog->List(Filter({"custom"}))), ElementsAre("caspio_deployments_bulk_update"));
  EXPECT_THAT(Names(catalog->List(Filter({"bulk_update", "list"}))),
              ElementsAre("caspio_deployments_bulk_update", "list_all_caspio_records"));
  EXPECT_THAT(Names(catalog->List(Filter({}, {"deploy"}))), ElementsAre("caspio_deployments_bulk_update"));
  EXPECT_THAT(Names(catalog->List(Filter({}, {"deploy", "tables"}))).size(), 4u);
  EXPECT_THAT(Names(catalog->List(Filter({"read"}, {"datapages"}))), ::testing::IsEmpty());
}

TEST(ToolCatalogTest, UnknownFilterEntriesAreNamed) {
  auto catalog = Catalog();
  EXPECT_THAT(catalog->List(Filter({"read", "frobnicate"})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown method \"frobnicate\"")));
  auto status = catalog->List(Filter({}, {"nope"})).status();
  EXPECT_EQ(GetErrorDetail(status)->field(), "config.tags[0]");
}

TEST(ToolCatalogTest, GetAppliesTheSamePredicateAsList) {
  auto catalog = Catalog();
  EXPECT_THAT(catalog->Get("delete_a_caspio_record_by_id", Filter({"read"})),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(catalog->Get("no_such_tool", {}), StatusIs(absl::StatusCode::kNotFound, HasSubstr("Unknown tool")));
  EXPECT_THAT(catalog->Get("list_all_caspio_records", Filter({"read"})), IsOk());
}

TEST(ToolCatalogTest, ArgumentNameClashBetweenLocationsIsALoadError) {
  std::vector<json> docs = Docs();
  docs[0]["query_schema"]["properties"]["table_name"] = {{"type", "string"}};
  auto integration = ParseIntegration(Definition(), docs);
  ASSERT_THAT(integration, IsOk());
  EXPECT_THAT(ToolCatalog::Build(*std::move(integration)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("defined both in path_schema and in query_schema")));
}

TEST(ToolCatalogTest, RefsAndDeepSchemasAreRejected) {
  std::vector<json> docs = Docs();
  docs[0]["response_schema"] = {{"$ref", "#/components/schemas/X"}};
  auto with_ref = ParseIntegration(Definition(), docs);
  EXPECT_THAT(ToolCatalog::Build(*std::move(with_ref)), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("$ref")));
  docs = Docs();
  json deep = {{"type", "string"}};
  for (int i = 0; i < 10; ++i) deep = {{"type", "object"}, {"properties", {{"x", deep}}}};
  docs[0]["response_schema"] = deep;
  auto too_deep = ParseIntegration(Definition(), docs);
  EXPECT_THAT(ToolCatalog::Build(*std::move(too_deep)), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deeper")));
}

TEST(ToolCatalogTest, PathParameterWithoutSchemaIsALoadError) {
  std::vector<json> docs = Docs();
  docs[0].erase("path_schema");
  auto integration = ParseIntegration(Definition(), docs);
  EXPECT_THAT(ToolCatalog::Build(*std::move(integration)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("path parameter \"table_name\"")));
}

TEST(ToolCatalogTest, RecordForUnknownMethodIsALoadError) {
  std::vector<json> docs = Docs();
  docs.push_back(Doc("records", "frobnicate", nullptr, nullptr));
  EXPECT_THAT(ParseIntegration(Definition(), docs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not define")));
}

TEST(ToolCatalogTest, TheRepositoryIntegrationLoads) {
  auto integration = LoadIntegration(cmcp::testing::SourcePath("integrations/caspio"));
  ASSERT_THAT(integration, IsOk());
  auto catalog = ToolCatalog::Build(*std::move(integration));
  ASSERT_THAT(catalog, IsOk());
  auto tool = (*catalog)->Get("list_all_caspio_records", {});
  ASSERT_THAT(tool, IsOk());
  EXPECT_THAT((*tool)->description(), HasSubstr("q.where"));
  EXPECT_THAT((*tool)->description(), HasSubstr("O''Brien"));
  EXPECT_FALSE((*catalog)->version().empty());
}


// --- loader: every refusal names the file and the field --------------------

TEST(IntegrationLoaderTest, UnknownKeysAreRefusedWithTheirPath) {
  std::vector<json> docs = Docs();
  docs[0]["query_shema"] = docs[0]["query_schema"];
  docs[0]["$source"] = "documentation/records/list.json";
  EXPECT_THAT(ParseIntegration(Definition(), docs),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("documentation/records/list.json.query_shema: unknown key")));
  json definition = Definition();
  definition["resources"]["records"]["methods"]["list"]["paginaton"] = "query_pages";
  EXPECT_THAT(ParseIntegration(definition, Docs()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("integration.json resources.records.methods.list.paginaton: unknown key")));
}

TEST(IntegrationLoaderTest, SnippetsExpandAndUnknownOnesAreRefused) {
  std::vector<json> docs = Docs();
  docs[0]["description"] = "Lists rows.\n\n{{paging}}";
  docs[0]["query_schema"]["properties"]["q.where"]["description"] = "Filter. {{quotes}}";
  auto ok = ParseIntegration(Definition(), docs, json{{"paging", "Use next_cursor."}, {"quotes", "Use 'single' quotes."}});
  ASSERT_THAT(ok, IsOk());
  const DocumentationRecord& record = ok->documentation.at({"records", "list"});
  EXPECT_EQ(record.description, "Lists rows.\n\nUse next_cursor.");
  EXPECT_EQ(record.query_schema["properties"]["q.where"]["description"], "Filter. Use 'single' quotes.");
  docs[0]["$source"] = "documentation/records/list.json";
  EXPECT_THAT(ParseIntegration(Definition(), docs, json{{"paging", "x"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("query_schema.properties.q.where.description: unknown snippet {{quotes}}")));
}

class LoadFromDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(cmcp::testing::SourcePath("integrations/caspio"), dir_.path(),
                          std::filesystem::copy_options::recursive);
  }
  void Write(const std::string& relative, const std::string& text) {
    std::ofstream(dir_.File(relative), std::ios::binary | std::ios::trunc) << text;
  }
  cmcp::testing::TempDir dir_;
};

TEST_F(LoadFromDiskTest, TheCopyLoads) { EXPECT_THAT(LoadIntegration(dir_.path()), IsOk()); }

TEST_F(LoadFromDiskTest, BrokenJsonNamesTheFileLineAndColumn) {
  Write("documentation/records/list.json", "{\n  \"resource\": \"records\",\n  \"method\": \"list\"\n  \"title\": \"x\"\n}\n");
  EXPECT_THAT(LoadIntegration(dir_.path()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("documentation/records/list.json: is not valid JSON"),
                                        HasSubstr("line 4"))));
}

TEST_F(LoadFromDiskTest, ARecordMustLiveAtResourceSlashMethod) {
  std::filesystem::rename(dir_.File("documentation/records/list.json"), dir_.File("documentation/records/lst.json"));
  EXPECT_THAT(LoadIntegration(dir_.path()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("documentation/records/lst.json: documents resource \"records\" method \"list\", so it "
                                 "belongs at documentation/records/list.json")));
}

TEST_F(LoadFromDiskTest, AnOpenApiKeywordInASchemaIsRefusedByPath) {
  std::ifstream in(dir_.File("documentation/tables/get.json"));
  nlohmann::ordered_json record = nlohmann::ordered_json::parse(in);
  record["response_schema"]["properties"]["Note"]["nullable"] = true;
  Write("documentation/tables/get.json", record.dump(2));
  auto integration = LoadIntegration(dir_.path());
  ASSERT_THAT(integration, IsOk());
  EXPECT_THAT(ToolCatalog::Build(*std::move(integration)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("documentation/tables/get.json response_schema.properties.Note.nullable: \"nullable\" "
                                 "is OpenAPI")));
}

TEST(SchemaLintTest, RefusesWhatIsNotJsonSchema202012) {
  EXPECT_THAT(LintSchema(json{{"type", "object"}, {"properties", {{"a", {{"type", "string"}}}}}}, "s"), IsOk());
  EXPECT_THAT(LintSchema(json{{"type", {"string", "null"}}}, "s"), IsOk());
  EXPECT_THAT(LintSchema(json{{"type", "text"}}, "s"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s.type")));
  EXPECT_THAT(LintSchema(json{{"desciption", "typo"}}, "s"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown JSON Schema 2020-12 keyword \"desciption\"")));
  EXPECT_THAT(LintSchema(json{{"$schema", "https://json-schema.org/draft/2020-12/schema"}}, "s"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leave $schema out")));
  EXPECT_THAT(LintSchema(json{{"type", "object"}, {"properties", json::object()}, {"required", {"a"}}}, "s"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s.required")));
  EXPECT_THAT(LintSchema(json{{"minLength", -1}}, "s"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LintSchema(json{{"pattern", "(["}}, "s"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LintSchema(json{{"anyOf", json::array()}}, "s"), StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- catalog ------------------------------------------------------------------

json FilesDefinition() {
  return json::parse(R"({"name": "caspio", "base_path": "/integrations/rest", "resources": {
    "attachments": {"singular": "attachment", "plural": "attachments", "methods": {
      "update": {"operation_id": "UploadFileToAttachmentTableField", "http_method": "PUT", "response": "empty",
                 "path": "/v3/tables/{table_name}/attachments/{attachment_field_name}/{record_pk_id}",
                 "success_statuses": [204], "multipart_files": {"file": "File"}}}},
    "files": {"singular": "file", "plural": "files", "methods": {
      "create": {"operation_id": "UploadFiles", "http_method": "POST", "path": "/v3/files", "success_statuses": [201],
                 "multipart_files": {"files": "Files"}}}}}})");
}

json FilesDoc(const std::string& resource, const std::string& method, const std::string& arg, json path_props) {
  json doc = {{"resource", resource}, {"method", method}, {"title", "t"}, {"description", "d"},
              {"body_schema", {{"type", "object"}, {"properties", {{arg, {{"description", "The file."}}}}}, {"required", {arg}}}}};
  if (!path_props.is_null()) {
    json required = json::array();
    for (const auto& [k, v] : path_props.items()) required.push_back(k);
    doc["path_schema"] = {{"type", "object"}, {"properties", path_props}, {"required", required}};
  }
  return doc;
}

TEST(ToolCatalogUploadTest, UploadArgumentsGetTheContractShapeAndTheirPart) {
  const json s = {{"type", "string"}};
  auto integration = ParseIntegration(
      FilesDefinition(), {FilesDoc("attachments", "update", "file", {{"table_name", s}, {"attachment_field_name", s}, {"record_pk_id", s}}),
                          FilesDoc("files", "create", "files", nullptr)});
  ASSERT_THAT(integration, IsOk());
  auto catalog = ToolCatalog::Build(*std::move(integration));
  ASSERT_THAT(catalog, IsOk());
  const Tool* one = *(*catalog)->Get("update_a_caspio_attachment_by_id", {});
  const json schema = json::parse(one->input_schema_json());
  EXPECT_EQ(schema["properties"]["file"]["type"], "object");
  EXPECT_EQ(schema["properties"]["file"]["description"], "The file.");
  EXPECT_EQ(schema["properties"]["file"]["required"], json({"file_name"}));
  EXPECT_TRUE(schema["properties"]["file"]["properties"].contains("content_base64"));
  EXPECT_TRUE(schema["properties"]["file"]["properties"].contains("content_text"));
  EXPECT_TRUE(schema["properties"]["file"]["properties"].contains("mime_type"));
  EXPECT_EQ(one->binding().body_kind(), caspio_mcp::toolgen::v1::REQUEST_BODY_KIND_MULTIPART);
  const auto& p = one->binding().parameters(3);
  EXPECT_EQ(p.name(), "file");
  EXPECT_EQ(p.api_name(), "File");
  EXPECT_EQ(p.location(), caspio_mcp::toolgen::v1::PARAMETER_LOCATION_MULTIPART_FILE);
  const Tool* many = *(*catalog)->Get("create_a_caspio_file", {});
  const json many_schema = json::parse(many->input_schema_json());
  EXPECT_EQ(many_schema["properties"]["files"]["type"], "array");
  EXPECT_EQ(many_schema["properties"]["files"]["items"]["type"], "object");
  EXPECT_EQ(many->binding().parameters(0).api_name(), "Files");
}

TEST(ToolCatalogUploadTest, AnUploadArgumentMayNotRedefineItsShape) {
  json doc = FilesDoc("files", "create", "files", nullptr);
  doc["body_schema"]["properties"]["files"]["type"] = "string";
  json definition = FilesDefinition();
  definition["resources"].erase("attachments");
  auto integration = ParseIntegration(definition, {doc});
  ASSERT_THAT(integration, IsOk());
  EXPECT_THAT(ToolCatalog::Build(*std::move(integration)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("body_schema.properties.files.type")));
}

TEST(ToolCatalogUploadTest, AWholeBodyUploadStillBindsAsOnePart) {
  json definition = FilesDefinition();
  definition["resources"].erase("files");
  json doc = {{"resource", "attachments"}, {"method", "update"}, {"title", "t"}, {"description", "d"},
              {"path_schema", {{"type", "object"},
                               {"properties", {{"table_name", {{"type", "string"}}}, {"attachment_field_name", {{"type", "string"}}},
                                               {"record_pk_id", {{"type", "string"}}}}},
                               {"required", {"table_name", "attachment_field_name", "record_pk_id"}}}},
              {"body_argument", "file"},
              {"body_schema", {{"type", "object"}, {"properties", {{"file_name", {{"type", "string"}}}}}}}};
  auto integration = ParseIntegration(definition, {doc});
  ASSERT_THAT(integration, IsOk());
  auto catalog = ToolCatalog::Build(*std::move(integration));
  ASSERT_THAT(catalog, IsOk());
  const auto& p = (*(*catalog)->Get("update_a_caspio_attachment_by_id", {}))->binding().parameters(3);
  EXPECT_EQ(p.location(), caspio_mcp::toolgen::v1::PARAMETER_LOCATION_MULTIPART_FILE);
  EXPECT_EQ(p.api_name(), "File");
}

TEST(ToolCatalogBuildTest, ExamplesMustFitTheTool) {
  std::vector<json> docs = Docs();
  docs[0]["examples"] = {{"arguments", {{"table_name", "Inventory"}, {"q.wher", "x"}}}};
  auto unknown = ParseIntegration(Definition(), docs);
  ASSERT_THAT(unknown, IsOk());
  EXPECT_THAT(ToolCatalog::Build(*std::move(unknown)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("examples.arguments.q.wher: is not an argument")));
  docs[0]["examples"] = {{"arguments", {{"q.where", "x"}}}};
  auto missing = ParseIntegration(Definition(), docs);
  EXPECT_THAT(ToolCatalog::Build(*std::move(missing)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("misses the required argument \"table_name\"")));
}

TEST(ToolCatalogBuildTest, TheWhereArgumentMustBeAQueryParameterAndRequiredOnBulkWrites) {
  std::vector<json> docs = Docs();
  docs[1]["query_schema"]["required"] = json::array();
  auto integration = ParseIntegration(Definition(), docs);
  ASSERT_THAT(integration, IsOk());
  EXPECT_THAT(ToolCatalog::Build(*std::move(integration)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("where argument \"q.where\" must be required")));
  docs = Docs();
  docs[0].erase("query_schema");
  auto no_where = ParseIntegration(Definition(), docs);
  EXPECT_THAT(ToolCatalog::Build(*std::move(no_where)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be a query parameter")));
}

TEST(ToolCatalogBuildTest, NamesAndOperationsAreChecked) {
  json definition = Definition();
  definition["resources"]["Records"] = definition["resources"]["records"];
  EXPECT_THAT(ParseIntegration(definition, {}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("snake_case")));
  definition = Definition();
  definition["resources"]["users"]["methods"]["get"]["operation_id"] = "ListTableRecords";
  EXPECT_THAT(ParseIntegration(definition, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ListTableRecords is mapped by another method")));
  definition = Definition();
  definition["resources"]["records"]["methods"]["update"]["annotations"] = {{"destructiveHint", "yes"}};
  EXPECT_THAT(ParseIntegration(definition, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("annotations.destructiveHint: must be true or false")));
  definition = Definition();
  definition["resources"]["records"]["methods"]["update"]["dry_run"] = {{"path", "/v3/views/{view_name}/records"},
                                                                        {"where_parameter", "q.where"}};
  EXPECT_THAT(ParseIntegration(definition, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("uses {view_name}")));
  EXPECT_TRUE(IsValidToolName("list_all_caspio_records"));
  EXPECT_FALSE(IsValidToolName("list all"));
  EXPECT_FALSE(IsValidToolName(std::string(129, 'a')));
}

TEST(ToolCatalogBuildTest, GetSerializedIsTheToolsOwnBytes) {
  auto catalog = Catalog();
  auto bytes = catalog->GetSerialized("list_all_caspio_records", {});
  ASSERT_THAT(bytes, IsOk());
  Tool parsed;
  ASSERT_TRUE(parsed.ParseFromString(**bytes));
  EXPECT_EQ(parsed.SerializeAsString(), (*catalog->Get("list_all_caspio_records", {}))->SerializeAsString());
  EXPECT_THAT(catalog->GetSerialized("delete_a_caspio_record_by_id", Filter({"read"})),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(ToolCatalogBuildTest, AnUndocumentedMethodLowersAiReadiness) {
  auto catalog = Catalog();
  auto capabilities = catalog->Capabilities({});
  ASSERT_THAT(capabilities, IsOk());
  EXPECT_EQ(capabilities->ai_readiness().total_methods(), 5);
  EXPECT_EQ(capabilities->ai_readiness().described_methods(), 4);
  EXPECT_DOUBLE_EQ(capabilities->ai_readiness().score(), 0.8);
  for (const auto& m : capabilities->methods()) {
    if (m.name() == "users_get") {
      EXPECT_FALSE(m.described());
      EXPECT_TRUE(m.tool_name().empty());
    }
  }
}

}  // namespace
}  // namespace cmcp::toolgen
