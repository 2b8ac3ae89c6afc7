// ToolgenService over an in-process gRPC channel, through the real generated
// stub: the raw (pre-serialized) ListTools and GetTool answer exactly what the
// typed messages would, errors carry their typed detail, and a reload swaps
// the catalog for new calls while a refused one keeps the last good catalog.
#include "services/toolgen/toolgen_service.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/status/error.h"
#include "common/status/grpc_status.h"
#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::toolgen {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::StatusIs;
using ::testing::HasSubstr;
namespace pb = ::caspio_mcp::toolgen::v1;

class ToolgenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(cmcp::testing::SourcePath("integrations/caspio"), dir_.path(),
                          std::filesystem::copy_options::recursive);
    auto catalog = LoadCatalog(dir_.path());
    ASSERT_THAT(catalog, IsOk());
    holder_ = std::make_unique<CatalogHolder>(std::shared_ptr<const ToolCatalog>(*std::move(catalog)));
    service_ = std::make_unique<ToolgenServiceImpl>(holder_.get());
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = pb::ToolgenService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  absl::StatusOr<pb::ListToolsResponse> List(const pb::ListToolsRequest& request) {
    grpc::ClientContext context;
    pb::ListToolsResponse response;
    grpc::Status status = stub_->ListTools(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }
  absl::StatusOr<pb::Tool> Get(const std::string& name, const pb::ListToolsRequest& filter_holder = {}) {
    grpc::ClientContext context;
    pb::GetToolRequest request;
    request.set_name(name);
    *request.mutable_filter() = filter_holder.filter();
    pb::Tool response;
    grpc::Status status = stub_->GetTool(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }
  pb::IntegrationSummary Describe() {
    grpc::ClientContext context;
    pb::IntegrationSummary summary;
    EXPECT_TRUE(stub_->DescribeIntegration(&context, {}, &summary).ok());
    return summary;
  }
  void Rewrite(const std::string& relative, const std::function<void(nlohmann::ordered_json&)>& edit) {
    std::ifstream in(dir_.File(relative));
    nlohmann::ordered_json doc = nlohmann::ordered_json::parse(in);
    edit(doc);
    std::ofstream(dir_.File(relative), std::ios::trunc) << doc.dump(2);
  }

  cmcp::testing::TempDir dir_;
  std::unique_ptr<CatalogHolder> holder_;
  std::unique_ptr<ToolgenServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::ToolgenService::Stub> stub_;
};

TEST_F(ToolgenServiceTest, ListToolsAnswersTheWholeCatalogAsTypedMessages) {
  auto response = List({});
  ASSERT_THAT(response, IsOk());
  ASSERT_EQ(response->tools_size(), 70);
  EXPECT_EQ(response->catalog_version(), holder_->Current()->version());
  EXPECT_TRUE(response->next_cursor().empty());
  auto expected = holder_->Current()->List({});
  for (int i = 0; i < response->tools_size(); ++i) {
    EXPECT_EQ(response->tools(i).SerializeAsString(), (*expected)[i]->SerializeAsString());
  }
}

TEST_F(ToolgenServiceTest, ListToolsPagesWithItsCursor) {
  pb::ListToolsRequest request;
  request.mutable_filter()->add_methods("read");
  request.set_page_size(10);
  int total = 0;
  for (int i = 0; i < 10; ++i) {
    auto page = List(request);
    ASSERT_THAT(page, IsOk());
    total += page->tools_size();
    for (const pb::Tool& t : page->tools()) EXPECT_TRUE(t.annotations().read_only_hint()) << t.name();
    if (page->next_cursor().empty()) break;
    request.set_cursor(page->next_cursor());
  }
  EXPECT_EQ(total, static_cast<int>((*holder_->Current()->List(request.filter())).size()));
  request.set_cursor("9999");
  EXPECT_THAT(List(request), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ToolgenServiceTest, ErrorsCarryTheirTypedDetail) {
  pb::ListToolsRequest bad;
  bad.mutable_filter()->add_methods("frobnicate");
  auto listed = List(bad);
  ASSERT_THAT(listed, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("frobnicate")));
  EXPECT_EQ(GetErrorDetail(listed.status())->field(), "config.methods[0]");

  pb::ListToolsRequest read_only;
  read_only.mutable_filter()->add_methods("read");
  auto hidden = Get("delete_a_caspio_record_by_id", read_only);
  ASSERT_THAT(hidden, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(GetErrorDetail(hidden.status())->reason(), caspio_mcp::common::v1::ERROR_REASON_TOOL_NOT_ALLOWED);
  EXPECT_THAT(Get("drop_all_caspio_tables"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("Unknown tool")));
  auto visible = Get("list_all_caspio_records", read_only);
  ASSERT_THAT(visible, IsOk());
  EXPECT_EQ(visible->binding().operation_id(), "ListTableRecords");
}

TEST_F(ToolgenServiceTest, CountDescribeAndCapabilities) {
  grpc::ClientContext c1;
  pb::CountToolsRequest count_request;
  count_request.mutable_filter()->add_tags("webhooks");
  pb::CountToolsResponse count;
  ASSERT_TRUE(stub_->CountTools(&c1, count_request, &count).ok());
  EXPECT_EQ(count.count(), 10);
  EXPECT_EQ(count.names_size(), 10);

  const pb::IntegrationSummary summary = Describe();
  EXPECT_EQ(summary.integration(), "caspio");
  EXPECT_EQ(summary.tool_count(), 70);
  EXPECT_THAT(summary.methods(), ::testing::Contains("bulk_update"));
  EXPECT_THAT(summary.tags(), ::testing::Contains("webhooks"));
  EXPECT_TRUE(summary.last_reload_error().empty());

  grpc::ClientContext c2;
  pb::Capabilities capabilities;
  ASSERT_TRUE(stub_->GetCapabilities(&c2, {}, &capabilities).ok());
  EXPECT_EQ(capabilities.ai_readiness().total_methods(), 70);
  EXPECT_DOUBLE_EQ(capabilities.ai_readiness().score(), 1.0);
}

TEST_F(ToolgenServiceTest, AReloadSwapsTheCatalogAndARefusedOneKeepsTheLastGoodCatalog) {
  const std::string before = holder_->Current()->version();
  Rewrite("documentation/tables/list.json", [](auto& r) { r["title"] = "List every Caspio table"; });
  ASSERT_THAT(holder_->Reload(dir_.path()), IsOk());
  EXPECT_NE(holder_->Current()->version(), before);
  EXPECT_EQ(Get("list_all_caspio_tables")->title(), "List every Caspio table");

  const std::string good = holder_->Current()->version();
  Rewrite("documentation/records/list.json", [](auto& r) { r["query_schema"]["properties"]["q.where"]["type"] = "text"; });
  EXPECT_THAT(holder_->Reload(dir_.path()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("documentation/records/list.json query_schema.properties.q.where.type")));
  EXPECT_EQ(holder_->Current()->version(), good);
  EXPECT_THAT(Describe().last_reload_error(), HasSubstr("documentation/records/list.json"));
  auto still = List({});
  ASSERT_THAT(still, IsOk());
  EXPECT_EQ(still->catalog_version(), good);

  Rewrite("documentation/records/list.json", [](auto& r) { r["query_schema"]["properties"]["q.where"]["type"] = "string"; });
  ASSERT_THAT(holder_->Reload(dir_.path()), IsOk());
  EXPECT_TRUE(Describe().last_reload_error().empty());
}

TEST_F(ToolgenServiceTest, CallsDuringReloadsNeverFail) {
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 2; ++i) {
    clients.emplace_back([&] {
      while (!stop.load()) {
        auto r = List({});
        if (!r.ok() || r->tools_size() != 70) ++failures;
        auto g = Get("list_all_caspio_records");
        if (!g.ok()) ++failures;
        ++calls;
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    Rewrite("documentation/tables/list.json", [i](auto& r) { r["title"] = "List Caspio tables " + std::to_string(i); });
    EXPECT_THAT(holder_->Reload(dir_.path()), IsOk());
    Rewrite("documentation/tables/list.json", [](auto& r) { r["bogus"] = true; });
    EXPECT_FALSE(holder_->Reload(dir_.path()).ok());
    Rewrite("documentation/tables/list.json", [](auto& r) { r.erase("bogus"); });
  }
  stop = true;
  for (std::thread& t : clients) t.join();
  EXPECT_GT(calls.load(), 0);
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace cmcp::toolgen
