// The toolgen binary reloads integrations/ on SIGHUP: a broken file is refused
// (the log and DescribeIntegration name the file and field) while the last
// good catalog keeps answering; a fixed file is picked up; no call fails.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::toolgen {
namespace {

using ::cmcp::testing::IsOk;
using ::testing::HasSubstr;
namespace pb = ::caspio_mcp::toolgen::v1;

TEST(ToolgenReloadIntegrationTest, SighupReloadsAndRefusesABrokenFileWithoutDroppingCalls) {
  cmcp::testing::TempDir dir;
  const std::string integration = dir.File("caspio");
  std::filesystem::copy(cmcp::testing::SourcePath("integrations/caspio"), integration,
                        std::filesystem::copy_options::recursive);
  auto toolgen = cmcp::testing::ChildProcess::Start(
      {cmcp::testing::BinPath("toolgen"), "--listen=127.0.0.1:0", "--port-file=" + dir.File("toolgen.port"),
       "--admin-listen=127.0.0.1:0", "--integration-dir=" + integration},
      {.port_file = dir.File("toolgen.port")});
  ASSERT_THAT(toolgen, IsOk());
  auto stub = pb::ToolgenService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*toolgen)->port()), grpc::InsecureChannelCredentials()));
  auto describe = [&] {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    pb::IntegrationSummary summary;
    EXPECT_TRUE(stub->DescribeIntegration(&context, {}, &summary).ok());
    return summary;
  };
  auto edit = [&](const std::function<void(nlohmann::ordered_json&)>& change) {
    const std::string file = integration + "/documentation/records/list.json";
    std::ifstream in(file);
    nlohmann::ordered_json record = nlohmann::ordered_json::parse(in);
    change(record);
    std::ofstream(file, std::ios::trunc) << record.dump(2);
  };
  auto wait_for = [&](const std::function<bool(const pb::IntegrationSummary&)>& done) {
    const absl::Time deadline = absl::Now() + absl::Seconds(15);
    while (absl::Now() < deadline) {
      if (done(describe())) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  };
  const std::string first_version = describe().catalog_version();

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0};
  std::thread client([&] {
    while (!stop.load()) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      pb::ListToolsResponse response;
      if (!stub->ListTools(&context, {}, &response).ok() || response.tools_size() != 70) ++failures;
      ++calls;
    }
  });

  edit([](auto& r) { r["title"] = 42; });
  ASSERT_EQ(kill((*toolgen)->pid(), SIGHUP), 0);
  ASSERT_TRUE(wait_for([](const pb::IntegrationSummary& s) { return !s.last_reload_error().empty(); }));
  const pb::IntegrationSummary refused = describe();
  EXPECT_THAT(refused.last_reload_error(), HasSubstr("documentation/records/list.json.title"));
  EXPECT_EQ(refused.catalog_version(), first_version) << "the last good catalog stays in service";

  edit([](auto& r) { r["title"] = "List the rows of a Caspio table"; });
  ASSERT_EQ(kill((*toolgen)->pid(), SIGHUP), 0);
  ASSERT_TRUE(wait_for([&](const pb::IntegrationSummary& s) {
    return s.last_reload_error().empty() && s.catalog_version() != first_version;
  }));
  grpc::ClientContext context;
  pb::GetToolRequest request;
  request.set_name("list_all_caspio_records");
  pb::Tool tool;
  ASSERT_TRUE(stub->GetTool(&context, request, &tool).ok());
  EXPECT_EQ(tool.title(), "List the rows of a Caspio table");

  stop = true;
  client.join();
  EXPECT_GT(calls.load(), 10);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_THAT((*toolgen)->ReadLog(), HasSubstr("reload refused"));
  EXPECT_EQ((*toolgen)->Stop(), 0) << (*toolgen)->ReadLog();
}

}  // namespace
}  // namespace cmcp::toolgen
