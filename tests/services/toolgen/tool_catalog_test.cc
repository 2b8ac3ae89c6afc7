#include "services/toolgen/tool_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status/error.h"
#include "nlohmann/json.hpp"
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

}  // namespace
}  // namespace cmcp::toolgen
