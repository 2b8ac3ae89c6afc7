// The method/tag filter matrix on the repository's integration: every method
// group, exact method names, tags (OR), tags AND methods, and the rule that
// one predicate decides both tools/list and tools/call (List vs Get agree for
// every tool under every filter). Also the pre-serialized listings and
// capabilities with ai_readiness.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "common/status/error.h"
#include "services/toolgen/tool_catalog.h"
#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::toolgen {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::StatusIs;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace pb = ::caspio_mcp::toolgen::v1;

ToolFilter Filter(std::vector<std::string> methods, std::vector<std::string> tags = {}) {
  ToolFilter f;
  for (auto& m : methods) f.add_methods(m);
  for (auto& t : tags) f.add_tags(t);
  return f;
}

class FilterMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto integration = LoadIntegration(cmcp::testing::SourcePath("integrations/caspio"));
    ASSERT_THAT(integration, IsOk());
    auto catalog = ToolCatalog::Build(*std::move(integration));
    ASSERT_THAT(catalog, IsOk());
    catalog_ = std::move(*catalog).release();
  }

  static std::vector<std::string> Names(const ToolFilter& filter) {
    auto tools = catalog_->List(filter);
    EXPECT_THAT(tools, IsOk());
    std::vector<std::string> out;
    if (tools.ok()) {
      for (const Tool* t : *tools) out.push_back(t->name());
    }
    return out;
  }

  static ToolCatalog* catalog_;
};
ToolCatalog* FilterMatrixTest::catalog_ = nullptr;

bool IsRead(const std::string& n) { return absl::StartsWith(n, "list_all_") || absl::StartsWith(n, "get_single_"); }
bool IsWrite(const std::string& n) {
  return absl::StartsWith(n, "create_a_") || absl::StartsWith(n, "update_a_") || absl::StartsWith(n, "delete_a_");
}
bool IsCustom(const std::string& n) { return absl::StartsWith(n, "caspio_"); }

TEST_F(FilterMatrixTest, MethodGroupsPartitionTheCatalog) {
  const std::vector<std::string> all = Names({});
  const std::vector<std::string> read = Names(Filter({"read"}));
  const std::vector<std::string> write = Names(Filter({"write"}));
  const std::vector<std::string> custom = Names(Filter({"custom"}));
  EXPECT_EQ(all.size(), 70u);
  EXPECT_EQ(read.size() + write.size() + custom.size(), all.size());
  for (const std::string& n : read) EXPECT_TRUE(IsRead(n)) << n;
  for (const std::string& n : write) EXPECT_TRUE(IsWrite(n)) << n;
  for (const std::string& n : custom) EXPECT_TRUE(IsCustom(n)) << n;
  EXPECT_EQ(Names(Filter({"read", "write", "custom"})), all);
  // Every read tool is read-only; no write or custom tool sneaks into "read".
  for (const std::string& n : read) EXPECT_TRUE((*catalog_->Get(n, {}))->annotations().read_only_hint()) << n;
}

TEST_F(FilterMatrixTest, ExactMethodNamesSelectThoseMethodsOnly) {
  EXPECT_THAT(Names(Filter({"bulk_update"})), ::testing::ElementsAre("caspio_deployments_bulk_update"));
  EXPECT_THAT(Names(Filter({"list"})), Each(StartsWith("list_all_caspio_")));
  EXPECT_THAT(Names(Filter({"activate", "rename"})),
              ::testing::ElementsAre("caspio_attachments_rename", "caspio_users_activate", "caspio_view_attachments_rename"));
  // A group and a name add up; duplicates change nothing.
  const std::vector<std::string> read_and_run = Names(Filter({"read", "create", "read"}));
  EXPECT_EQ(read_and_run.size(), Names(Filter({"read"})).size() + Names(Filter({"create"})).size());
}

TEST_F(FilterMatrixTest, TagsAreOredAndAndedWithMethods) {
  const std::vector<std::string> webhooks = Names(Filter({}, {"webhooks"}));
  EXPECT_EQ(webhooks.size(), 10u);
  for (const std::string& n : webhooks) EXPECT_THAT(n, HasSubstr("outgoing_webhook")) << n;
  const std::vector<std::string> either = Names(Filter({}, {"webhooks", "tasks"}));
  EXPECT_EQ(either.size(), webhooks.size() + Names(Filter({}, {"tasks"})).size());
  EXPECT_THAT(Names(Filter({"read"}, {"webhooks"})),
              ::testing::ElementsAre("get_single_caspio_outgoing_webhook_by_id", "get_single_caspio_outgoing_webhook_event_by_id",
                                     "list_all_caspio_outgoing_webhook_events", "list_all_caspio_outgoing_webhooks"));
  EXPECT_THAT(Names(Filter({"custom"}, {"deploy"})), ::testing::ElementsAre("caspio_deployments_bulk_update"));
  EXPECT_THAT(Names(Filter({"read"}, {"passwords"})), ::testing::ElementsAre("list_all_caspio_password_fields"));
  EXPECT_THAT(Names(Filter({"write"}, {"deploy"})), ::testing::ElementsAre("update_a_caspio_deployment_by_id"));
  // Records of tables but not of views.
  for (const std::string& n : Names(Filter({}, {"tables"}))) EXPECT_THAT(n, ::testing::Not(HasSubstr("view"))) << n;
}

TEST_F(FilterMatrixTest, ListAndGetApplyTheSamePredicateToEveryTool) {
  const std::vector<ToolFilter> filters = {
      Filter({}), Filter({"read"}), Filter({"write"}), Filter({"custom"}), Filter({"list", "bulk_update"}),
      Filter({}, {"webhooks", "files"}), Filter({"read"}, {"tables"}), Filter({"write", "custom"}, {"users", "deploy"}),
      Filter({"delete"}, {"views"})};
  const std::vector<std::string> all = Names({});
  for (const ToolFilter& f : filters) {
    const std::vector<std::string> listed = Names(f);
    const std::set<std::string> visible(listed.begin(), listed.end());
    for (const std::string& name : all) {
      auto got = catalog_->Get(name, f);
      if (visible.contains(name)) {
        EXPECT_THAT(got, IsOk()) << name << " under " << f.ShortDebugString();
      } else {
        EXPECT_THAT(got, StatusIs(absl::StatusCode::kPermissionDenied)) << name << " under " << f.ShortDebugString();
        EXPECT_EQ(GetErrorDetail(got.status())->reason(), caspio_mcp::common::v1::ERROR_REASON_TOOL_NOT_ALLOWED);
      }
    }
  }
}

TEST_F(FilterMatrixTest, UnknownEntriesAreRefusedByTheirIndex) {
  auto bad_method = catalog_->List(Filter({"read", "drop_everything"}));
  EXPECT_THAT(bad_method, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown method \"drop_everything\"")));
  EXPECT_EQ(GetErrorDetail(bad_method.status())->field(), "config.methods[1]");
  auto bad_tag = catalog_->Get("list_all_caspio_records", Filter({}, {"tables", "secrets"}));
  EXPECT_EQ(GetErrorDetail(bad_tag.status())->field(), "config.tags[1]");
  EXPECT_THAT(catalog_->Capabilities(Filter({"nope"})), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(FilterMatrixTest, ListingsAreSerializedOnceAndShared) {
  auto a = catalog_->Listing(Filter({"write", "read"}, {"tables"}));
  auto b = catalog_->Listing(Filter({"read", "write", "read"}, {"tables", "tables"}));
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(a->get(), b->get()) << "equivalent filters share one memo entry";
  pb::ListToolsResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString((*a)->response));
  pb::ListToolsResponse expected;
  for (const Tool* t : (*a)->tools) *expected.add_tools() = *t;
  expected.set_catalog_version(catalog_->version());
  EXPECT_EQ(parsed.SerializeAsString(), expected.SerializeAsString());
}

TEST_F(FilterMatrixTest, PagesSliceTheSerializedListWithoutGapsOrRepeats) {
  pb::ListToolsRequest request;
  request.set_page_size(7);
  std::vector<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto bytes = catalog_->ListToolsResponse(request);
    ASSERT_THAT(bytes, IsOk());
    pb::ListToolsResponse page;
    ASSERT_TRUE(page.ParseFromString(**bytes));
    EXPECT_EQ(page.catalog_version(), catalog_->version());
    for (const Tool& t : page.tools()) seen.push_back(t.name());
    if (page.next_cursor().empty()) break;
    request.set_cursor(page.next_cursor());
  }
  EXPECT_EQ(seen, Names({}));
  request.set_cursor("not-a-cursor");
  EXPECT_THAT(catalog_->ListToolsResponse(request), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(FilterMatrixTest, CapabilitiesListEveryMethodWithAiReadiness) {
  auto all = catalog_->Capabilities({});
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->methods_size(), 70);
  EXPECT_EQ(all->ai_readiness().total_methods(), 70);
  EXPECT_EQ(all->ai_readiness().described_methods(), 70);
  EXPECT_DOUBLE_EQ(all->ai_readiness().score(), 1.0);
  for (const pb::MethodCapability& c : all->methods()) {
    EXPECT_TRUE(c.described()) << c.name();
    EXPECT_THAT(catalog_->Get(c.tool_name(), {}), IsOk()) << c.name();
    EXPECT_EQ(c.name(), c.resource() + "_" + c.method());
  }
  auto webhooks = catalog_->Capabilities(Filter({"read"}, {"webhooks"}));
  ASSERT_THAT(webhooks, IsOk());
  EXPECT_EQ(webhooks->ai_readiness().total_methods(), 4);
}

}  // namespace
}  // namespace cmcp::toolgen
