// The audit log's per-field redaction policy (services/edge/audit_redaction.h):
// keys and structure stay, values only for identifiers and paging controls,
// never for q.where, bodies, files, cursors or anything secret-looking.
#include "services/edge/audit_redaction.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cmcp::edge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;
namespace toolpb = ::caspio_mcp::toolgen::v1;

void Bind(toolpb::Tool& tool, const char* name, toolpb::ParameterLocation location) {
  toolpb::ParameterBinding* p = tool.mutable_binding()->add_parameters();
  p->set_name(name);
  p->set_api_name(name);
  p->set_location(location);
}

// list_all_caspio_records as toolgen binds it.
toolpb::Tool ListRecords() {
  toolpb::Tool tool;
  tool.set_name("list_all_caspio_records");
  tool.mutable_binding()->set_resource("records");
  tool.mutable_binding()->set_method("list");
  tool.mutable_binding()->set_where_argument("q.where");
  Bind(tool, "table_name", toolpb::PARAMETER_LOCATION_PATH);
  for (const char* q : {"q.where", "q.select", "q.orderBy", "q.groupBy"}) Bind(tool, q, toolpb::PARAMETER_LOCATION_QUERY);
  for (const char* c : {"limit", "next_cursor"}) Bind(tool, c, toolpb::PARAMETER_LOCATION_CONTROL);
  return tool;
}

// create_a_caspio_record: the record is the body.
toolpb::Tool CreateRecord() {
  toolpb::Tool tool;
  tool.set_name("create_a_caspio_record");
  Bind(tool, "table_name", toolpb::PARAMETER_LOCATION_PATH);
  Bind(tool, "record", toolpb::PARAMETER_LOCATION_BODY_WHOLE);
  Bind(tool, "Password", toolpb::PARAMETER_LOCATION_BODY);
  Bind(tool, "file", toolpb::PARAMETER_LOCATION_MULTIPART_FILE);
  Bind(tool, "dry_run", toolpb::PARAMETER_LOCATION_CONTROL);
  Bind(tool, "response", toolpb::PARAMETER_LOCATION_QUERY);
  return tool;
}

json Redact(const json& arguments, const toolpb::Tool* tool) {
  return json::parse(RedactArguments(arguments, tool));
}

TEST(AuditRedactionTest, KeepsIdentifiersAndPagingRedactsTheWhereClause) {
  const toolpb::Tool tool = ListRecords();
  const json out = Redact({{"table_name", "Inventory"},
                           {"q.where", "Email = 'ceo@example.com' AND Salary > 250000"},
                           {"q.select", "SKU, Name, COUNT(*)"},
                           {"q.orderBy", "Name DESC"},
                           {"limit", 25},
                           {"next_cursor", "c1.AAAABBBB"}},
                          &tool);
  EXPECT_EQ(out["table_name"], "Inventory");
  EXPECT_EQ(out["q.where"], kAuditRedacted);
  EXPECT_EQ(out["q.select"], "SKU, Name, COUNT(*)");
  EXPECT_EQ(out["q.orderBy"], "Name DESC");
  EXPECT_EQ(out["limit"], 25);
  EXPECT_EQ(out["next_cursor"], kAuditRedacted);
  EXPECT_THAT(out.dump(), Not(HasSubstr("ceo@example.com")));
  EXPECT_THAT(out.dump(), Not(HasSubstr("250000")));
}

TEST(AuditRedactionTest, ColumnListsWithLiteralsAreRedacted) {
  const toolpb::Tool tool = ListRecords();
  const json out = Redact({{"q.select", "CASE WHEN Name = 'Alice' THEN 1 END"}, {"q.groupBy", "Region"}}, &tool);
  EXPECT_EQ(out["q.select"], kAuditRedacted);
  EXPECT_EQ(out["q.groupBy"], "Region");
}

TEST(AuditRedactionTest, BodiesFilesAndPasswordsKeepTheirShapeOnly) {
  const toolpb::Tool tool = CreateRecord();
  const json out = Redact({{"table_name", "Contractors"},
                           {"record", {{"Name", "Jane Roe"}, {"Badge_PIN", 4417}, {"Active", true},
                                       {"Tags", {"vip", "night"}}, {"Manager", nullptr}}},
                           {"Password", "hunter2"},
                           {"file", {{"file_name", "salaries.csv"}, {"content_text", "Jane,250000"}}},
                           {"dry_run", true},
                           {"response", "rows"}},
                          &tool);
  EXPECT_EQ(out["table_name"], "Contractors");
  EXPECT_EQ(out["record"], json({{"Name", kAuditRedacted}, {"Badge_PIN", kAuditRedacted}, {"Active", kAuditRedacted},
                                 {"Tags", {kAuditRedacted, kAuditRedacted}}, {"Manager", nullptr}}));
  EXPECT_EQ(out["Password"], kAuditRedacted);
  EXPECT_EQ(out["file"], json({{"file_name", kAuditRedacted}, {"content_text", kAuditRedacted}}));
  EXPECT_EQ(out["dry_run"], true);
  EXPECT_EQ(out["response"], "rows");
  for (const char* secret : {"Jane", "4417", "hunter2", "salaries", "250000"}) {
    EXPECT_THAT(out.dump(), Not(HasSubstr(secret))) << secret;
  }
}

TEST(AuditRedactionTest, UnknownArgumentsAndUnknownToolsKeepNoValues) {
  const toolpb::Tool tool = ListRecords();
  EXPECT_EQ(Redact({{"surprise", "value"}}, &tool)["surprise"], kAuditRedacted);
  const json out = Redact({{"table_name", "Inventory"}, {"limit", 5}}, nullptr);
  EXPECT_EQ(out, json({{"table_name", kAuditRedacted}, {"limit", kAuditRedacted}}));
  EXPECT_EQ(PolicyFor("table_name", nullptr), ArgumentPolicy::kRedact);
  EXPECT_EQ(PolicyFor("table_name", &tool), ArgumentPolicy::kKeep);
  EXPECT_EQ(PolicyFor("q.where", &tool), ArgumentPolicy::kRedact);
  EXPECT_EQ(PolicyFor("q.select", &tool), ArgumentPolicy::kKeepColumnList);
}

TEST(AuditRedactionTest, SecretLookingValuesInKeptFieldsAreRedactedAnyway) {
  toolpb::Tool tool = ListRecords();
  Bind(tool, "api_token", toolpb::PARAMETER_LOCATION_PATH);
  const json out = Redact({{"table_name", "Bearer abcdefghijklmnop"},
                           {"api_token", "plain-looking"},
                           {"q.orderBy", "client_secret=xyz"}},
                          &tool);
  EXPECT_EQ(out["table_name"], kAuditRedacted);
  EXPECT_EQ(out["api_token"], kAuditRedacted);  // the key names a secret
  EXPECT_EQ(out["q.orderBy"], kAuditRedacted);
  // Kept values are structured scalars only, and long ones are cut.
  const json shaped = Redact({{"table_name", {{"nested", "x"}}}, {"limit", std::string(500, 'a')}}, &tool);
  EXPECT_EQ(shaped["table_name"], json({{"nested", kAuditRedacted}}));
  EXPECT_LT(shaped["limit"].get<std::string>().size(), 210u);
}

TEST(AuditRedactionTest, BoundsArraysDepthAndSize) {
  const toolpb::Tool tool = CreateRecord();
  json many = json::array();
  for (int i = 0; i < 50; ++i) many.push_back(i);
  const json arrays = Redact({{"record", {{"Ids", many}}}}, &tool);
  ASSERT_EQ(arrays["record"]["Ids"].size(), 21u);
  EXPECT_EQ(arrays["record"]["Ids"].back(), "[+30 more]");

  json deep = "leaf";
  for (int i = 0; i < 20; ++i) deep = json{{"d", deep}};
  EXPECT_THAT(RedactArguments({{"record", deep}}, &tool), Not(HasSubstr("leaf")));

  json wide = json::object();
  for (int i = 0; i < 2000; ++i) wide["Field_" + std::to_string(i)] = "v";
  const json truncated = Redact({{"record", wide}, {"table_name", "T"}}, &tool);
  EXPECT_EQ(truncated["_truncated"], true);
  EXPECT_EQ(truncated["keys"], json({"record", "table_name"}));
  EXPECT_EQ(Redact(json::array({1, 2}), &tool), json::object());
}

}  // namespace
}  // namespace cmcp::edge
