// The complete tools/list a client sees for the repository's integration,
// checked against a golden file and against MCP 2025-11-25's rules for Tool.
// Regenerate the golden file after an intended change with
//   CMCP_UPDATE_GOLDEN=1 build/tests/tools_list_golden_test
// and read the diff as a model would before committing it.
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "services/toolgen/schema_lint.h"
#include "services/toolgen/tool_catalog.h"
#include "tests/services/toolgen/json_schema_validator.h"
#include "tests/services/toolgen/mcp_rendering.h"
#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::toolgen {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::toolgen::testing::RenderToolsList;
using ::cmcp::toolgen::testing::ValidateInstance;
using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr char kGolden[] = "tests/services/toolgen/golden/tools_list.json";

class ToolsListTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto integration = LoadIntegration(cmcp::testing::SourcePath("integrations/caspio"));
    ASSERT_THAT(integration, IsOk());
    auto catalog = ToolCatalog::Build(*std::move(integration));
    ASSERT_THAT(catalog, IsOk());
    catalog_ = std::move(*catalog).release();
    auto tools = catalog_->List({});
    ASSERT_THAT(tools, IsOk());
    list_ = new ordered_json(RenderToolsList(*tools));
  }

  // The documentation record behind a tool.
  static const DocumentationRecord& RecordOf(const std::string& tool_name) {
    for (const ResourceDefinition& r : catalog_->integration().resources) {
      for (const MethodDefinition& m : r.methods) {
        if (ToolName(r, m) == tool_name) return catalog_->integration().documentation.at({r.name, m.name});
      }
    }
    ADD_FAILURE() << "no record for " << tool_name;
    static DocumentationRecord none;
    return none;
  }

  static const ordered_json& Tools() { return (*list_)["tools"]; }

  static ToolCatalog* catalog_;
  static ordered_json* list_;
};
ToolCatalog* ToolsListTest::catalog_ = nullptr;
ordered_json* ToolsListTest::list_ = nullptr;

TEST_F(ToolsListTest, MatchesTheGoldenFile) {
  const std::string rendered = list_->dump(2) + "\n";
  const std::string path = cmcp::testing::SourcePath(kGolden);
  if (const char* update = std::getenv("CMCP_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << rendered;
    GTEST_SKIP() << "rewrote " << path;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing " << path << "; create it with CMCP_UPDATE_GOLDEN=1";
  std::stringstream golden;
  golden << in.rdbuf();
  if (golden.str() == rendered) return;
  const ordered_json expected = ordered_json::parse(golden.str(), nullptr, false);
  ASSERT_FALSE(expected.is_discarded()) << path << " is not JSON";
  for (size_t i = 0; i < std::max(expected["tools"].size(), Tools().size()); ++i) {
    const ordered_json want = i < expected["tools"].size() ? expected["tools"][i] : ordered_json();
    const ordered_json got = i < Tools().size() ? Tools()[i] : ordered_json();
    if (want != got) {
      ADD_FAILURE() << "tool #" << i << " differs from " << kGolden << "\nexpected: " << want.dump(2).substr(0, 3000)
                    << "\nactual:   " << got.dump(2).substr(0, 3000)
                    << "\nIf the change is intended, rerun with CMCP_UPDATE_GOLDEN=1 and review the diff.";
      return;
    }
  }
  ADD_FAILURE() << "formatting differs from " << kGolden << "; rerun with CMCP_UPDATE_GOLDEN=1";
}

TEST_F(ToolsListTest, EveryOperationOfTheSpecIsOneTool) { EXPECT_EQ(Tools().size(), 70u); }

TEST_F(ToolsListTest, TheTwelveNamesOfSpecSection5Exist) {
  std::set<std::string> names;
  for (const ordered_json& t : Tools()) names.insert(t["name"].get<std::string>());
  for (const char* required :
       {"list_all_caspio_records", "update_a_caspio_record_by_id", "create_a_caspio_view_record",
        "caspio_deployments_bulk_update", "update_a_caspio_outgoing_webhook_by_id",
        "get_single_caspio_outgoing_webhook_by_id", "list_all_caspio_outgoing_webhooks", "list_all_caspio_users",
        "delete_a_caspio_user_by_id", "create_a_caspio_run", "update_a_caspio_attachment_by_id",
        "list_all_caspio_datapages"}) {
    EXPECT_TRUE(names.contains(required)) << required;
  }
}

TEST_F(ToolsListTest, NamesFollowTheNamingRulesOfEachMethodKind) {
  for (const ResourceDefinition& r : catalog_->integration().resources) {
    for (const MethodDefinition& m : r.methods) {
      const std::string name = ToolName(r, m);
      switch (m.kind) {
        case MethodKind::kList: EXPECT_EQ(name, "list_all_caspio_" + r.plural); break;
        case MethodKind::kGet: EXPECT_EQ(name, "get_single_caspio_" + r.singular + "_by_id"); break;
        case MethodKind::kCreate: EXPECT_EQ(name, "create_a_caspio_" + r.singular); break;
        case MethodKind::kUpdate: EXPECT_EQ(name, "update_a_caspio_" + r.singular + "_by_id"); break;
        case MethodKind::kDelete: EXPECT_EQ(name, "delete_a_caspio_" + r.singular + "_by_id"); break;
        case MethodKind::kCustom: EXPECT_EQ(name, "caspio_" + r.name + "_" + m.name); break;
      }
    }
  }
}

// MCP 2025-11-25 schema.ts `interface Tool` (and the SDK's ToolSchema).
void ExpectObjectSchema(const ordered_json& schema, const std::string& what) {
  ASSERT_TRUE(schema.is_object()) << what;
  EXPECT_EQ(schema.value("type", ""), "object") << what;
  if (schema.contains("properties")) {
    ASSERT_TRUE(schema["properties"].is_object()) << what;
    for (const auto& [name, prop] : schema["properties"].items()) EXPECT_TRUE(prop.is_object()) << what << "." << name;
  }
  if (schema.contains("required")) {
    ASSERT_TRUE(schema["required"].is_array()) << what;
    for (const ordered_json& r : schema["required"]) {
      ASSERT_TRUE(r.is_string()) << what;
      EXPECT_TRUE(schema["properties"].contains(r.get<std::string>())) << what << " requires undefined " << r.dump();
    }
  }
}

TEST_F(ToolsListTest, EveryToolValidatesAgainstTheMcp20251125ToolSchema) {
  const std::regex name_rule("^[A-Za-z0-9_.-]{1,128}$");
  const std::set<std::string> tool_keys = {"name", "title", "description", "inputSchema", "outputSchema",
                                           "annotations", "icons", "execution", "_meta"};
  const std::set<std::string> annotation_keys = {"title", "readOnlyHint", "destructiveHint", "idempotentHint",
                                                 "openWorldHint"};
  std::set<std::string> seen;
  for (const ordered_json& t : Tools()) {
    const std::string name = t.value("name", "");
    SCOPED_TRACE(name);
    EXPECT_TRUE(std::regex_match(name, name_rule));
    EXPECT_TRUE(seen.insert(name).second) << "duplicate name";
    for (const auto& [key, value] : t.items()) EXPECT_TRUE(tool_keys.contains(key)) << key;
    ASSERT_TRUE(t["title"].is_string());
    EXPECT_FALSE(t["title"].get<std::string>().empty());
    ASSERT_TRUE(t["description"].is_string());  // optional in MCP, required by the conformance suite
    EXPECT_GT(t["description"].get<std::string>().size(), 150u);
    ExpectObjectSchema(t["inputSchema"], "inputSchema");
    if (t.contains("outputSchema")) ExpectObjectSchema(t["outputSchema"], "outputSchema");
    ASSERT_TRUE(t["annotations"].is_object());
    for (const auto& [key, value] : t["annotations"].items()) {
      EXPECT_TRUE(annotation_keys.contains(key)) << key;
      EXPECT_TRUE(key == "title" ? value.is_string() : value.is_boolean()) << key;
    }
    EXPECT_EQ(t["annotations"]["title"], t["title"]);
  }
}

TEST_F(ToolsListTest, EverySchemaIsValidJsonSchema202012WithoutRefsAndWithCappedDepth) {
  for (const ordered_json& t : Tools()) {
    SCOPED_TRACE(t["name"].get<std::string>());
    EXPECT_THAT(LintSchema(t["inputSchema"], "inputSchema"), IsOk());
    if (t.contains("outputSchema")) {
      EXPECT_THAT(LintSchema(t["outputSchema"], "outputSchema"), IsOk());
    }
    // A date-time or uuid format would make the MCP SDK's Ajv (ajv-formats)
    // reject Caspio's offset-less dates, so no schema asserts a format.
    EXPECT_FALSE(absl::StrContains(t.dump(), "\"format\"")) << "formats are validated by MCP clients";
  }
}

TEST_F(ToolsListTest, EveryArgumentIsDescribed) {
  for (const ordered_json& t : Tools()) {
    for (const auto& [name, prop] : t["inputSchema"]["properties"].items()) {
      EXPECT_GT(prop.value("description", "").size(), 10u) << t["name"] << " argument " << name;
    }
  }
}

TEST_F(ToolsListTest, DescriptionsNameOnlyToolsThatExist) {
  std::set<std::string> names;
  for (const ordered_json& t : Tools()) names.insert(t["name"].get<std::string>());
  const std::regex mention(
      "\\b(list_all_caspio_\\w+|get_single_caspio_\\w+|create_a_caspio_\\w+|update_a_caspio_\\w+|"
      "delete_a_caspio_\\w+|caspio_[a-z_]+)");
  for (const ordered_json& t : Tools()) {
    const std::string text = t.dump();
    for (auto it = std::sregex_iterator(text.begin(), text.end(), mention); it != std::sregex_iterator(); ++it) {
      EXPECT_TRUE(names.contains((*it)[1].str())) << t["name"] << " mentions unknown tool " << (*it)[1].str();
    }
  }
}

TEST_F(ToolsListTest, ExamplesFitTheToolsOwnSchemas) {
  int checked = 0;
  for (const ordered_json& t : Tools()) {
    const std::string name = t["name"];
    const DocumentationRecord& record = RecordOf(name);
    ASSERT_TRUE(record.examples.is_object()) << name << " has no examples";
    ASSERT_TRUE(record.examples.contains("arguments")) << name;
    EXPECT_EQ(ValidateInstance(t["inputSchema"], record.examples["arguments"]), "") << name;
    if (t.contains("outputSchema")) {
      ASSERT_TRUE(record.examples.contains("result")) << name << " has an outputSchema but no example result";
      EXPECT_EQ(ValidateInstance(t["outputSchema"], record.examples["result"]), "") << name;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
}

TEST_F(ToolsListTest, EveryResultShapeOfTheProxyFitsEveryOutputSchema) {
  const json caspio_error = {{"status", 404}, {"code", "ObjectNotFound"}, {"message", "Table not found"},
                             {"request_id", "9f1c"}};
  const json no_code = {{"status", 500}, {"code", ""}, {"message", "Caspio had an internal error"}};
  const json rate_limited = {{"status", 429},
                             {"error", "rate_limited"},
                             {"ratelimit", {{"limit", 2000}, {"remaining", 0}, {"reset", 42}}},
                             {"retry_after", 42}};
  const json dry_run = {{"dry_run", true}, {"matched", 3}, {"first", {{{"PK_ID", 1}}, {{"PK_ID", 2}}}}};
  for (const ordered_json& t : Tools()) {
    if (!t.contains("outputSchema")) continue;
    const std::string name = t["name"];
    const json schema = t["outputSchema"];
    EXPECT_EQ(ValidateInstance(schema, caspio_error), "") << name;
    EXPECT_EQ(ValidateInstance(schema, no_code), "") << name;
    EXPECT_EQ(ValidateInstance(schema, rate_limited), "") << name;
    if (t["inputSchema"]["properties"].contains("dry_run")) {
      EXPECT_EQ(ValidateInstance(schema, dry_run), "") << name;
    }
    if (schema["properties"]["result"].value("type", json()) == "null") {
      EXPECT_EQ(ValidateInstance(schema, {{"status", 204}, {"result", nullptr}}), "") << name;
    }
    // Nothing else passes: an empty object is neither a result nor an error.
    EXPECT_NE(ValidateInstance(schema, json::object()), "") << name;
  }
}

TEST_F(ToolsListTest, ControlsAreInjectedWhereTheyBelong) {
  for (const ordered_json& t : Tools()) {
    const std::string name = t["name"];
    const auto& props = t["inputSchema"]["properties"];
    const bool list = absl::StartsWith(name, "list_all_");
    EXPECT_EQ(props.contains("limit"), list) << name;
    EXPECT_EQ(props.contains("next_cursor"), list) << name;
    if (list) {
      EXPECT_THAT(props["next_cursor"]["description"].get<std::string>(),
                  ::testing::HasSubstr(std::string(kCursorInstruction)));
      EXPECT_TRUE(t["outputSchema"]["properties"].contains("next_cursor")) << name;
    }
    EXPECT_EQ(t["inputSchema"]["additionalProperties"], false) << name;
  }
}

TEST_F(ToolsListTest, DescriptionsTeachCaspio) {
  for (const ordered_json& t : Tools()) {
    const std::string name = t["name"];
    const std::string description = t["description"];
    const auto& props = t["inputSchema"]["properties"];
    if (props.contains("q.where") && !props.contains("dry_run")) {
      EXPECT_THAT(description, ::testing::HasSubstr("O''Brien")) << name;
      EXPECT_THAT(description, ::testing::HasSubstr("single quotes")) << name;
    }
    if (props.contains("dry_run")) {
      EXPECT_THAT(description, ::testing::HasSubstr("EVERY")) << name;
      EXPECT_THAT(description, ::testing::HasSubstr("dry_run")) << name;
      EXPECT_TRUE(t["annotations"]["destructiveHint"].get<bool>()) << name;
    }
    if (props.contains("Where") || name == "list_all_caspio_users") {
      EXPECT_THAT(description, ::testing::HasSubstr("_2fa_status")) << name;
      EXPECT_THAT(description, ::testing::HasSubstr("_sign_in_method")) << name;
    }
    if (t["inputSchema"].contains("required")) {
      EXPECT_THAT(description, ::testing::HasSubstr("Example arguments: {")) << name;
    }
  }
}

TEST_F(ToolsListTest, AnnotationsFollowTheMethodKind) {
  for (const ordered_json& t : Tools()) {
    const std::string name = t["name"];
    const auto& a = t["annotations"];
    if (absl::StartsWith(name, "list_all_") || absl::StartsWith(name, "get_single_")) {
      EXPECT_TRUE(a["readOnlyHint"].get<bool>()) << name;
      EXPECT_FALSE(a["destructiveHint"].get<bool>()) << name;
    }
    if (absl::StartsWith(name, "delete_a_") || absl::StartsWith(name, "update_a_")) {
      EXPECT_FALSE(a["readOnlyHint"].get<bool>()) << name;
      EXPECT_TRUE(a["destructiveHint"].get<bool>()) << name;
      EXPECT_TRUE(a["idempotentHint"].get<bool>()) << name;
    }
    if (absl::StartsWith(name, "create_a_")) {
      EXPECT_FALSE(a["readOnlyHint"].get<bool>()) << name;
      EXPECT_FALSE(a["idempotentHint"].get<bool>()) << name;
    }
    EXPECT_TRUE(a["openWorldHint"].get<bool>()) << name;
  }
  // Custom methods say what they do.
  auto find = [](const std::string& name) {
    for (const ordered_json& t : Tools()) {
      if (t["name"] == name) return t["annotations"];
    }
    return ordered_json();
  };
  EXPECT_TRUE(find("caspio_deployments_bulk_update")["destructiveHint"].get<bool>());
  EXPECT_TRUE(find("caspio_files_download_by_path")["readOnlyHint"].get<bool>());
  EXPECT_TRUE(find("caspio_files_delete_by_path")["destructiveHint"].get<bool>());
  EXPECT_FALSE(find("caspio_users_activate")["idempotentHint"].get<bool>());
  EXPECT_TRUE(find("create_a_caspio_run")["destructiveHint"].get<bool>());
}

}  // namespace
}  // namespace cmcp::toolgen
