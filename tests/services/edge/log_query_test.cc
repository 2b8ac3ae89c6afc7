// GET /log?log_type=mcp: query string -> ListToolCalls request (Truto's
// filters, status, time range, paging) and an entry's JSON.
#include "services/edge/log_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status/error.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::edge {
namespace {

using ::cmcp::testing::IsOk;
namespace pb = ::caspio_mcp::token::v1;

std::string FieldOf(const absl::Status& status) {
  auto detail = GetErrorDetail(status);
  return detail.has_value() ? detail->field() : "";
}

TEST(LogQueryTest, ReadsEveryTrutoFilter) {
  auto r = ParseLogQuery(
      "log_type=mcp&integrated_account_id=acc&mcp_server_id=srv&tool_name=list_all_caspio_records&mcp_method=tools%2Fcall"
      "&resource=records&method=list&client_name=Claude+Desktop&client_version=1.2&request_id=rid&integration=caspio");
  ASSERT_THAT(r, IsOk());
  const pb::ToolCallFilter& f = r->filter();
  EXPECT_EQ(f.integrated_account_id(), "acc");
  EXPECT_EQ(f.mcp_server_id(), "srv");
  EXPECT_EQ(f.tool_name(), "list_all_caspio_records");
  EXPECT_EQ(f.mcp_method(), "tools/call");
  EXPECT_EQ(f.resource(), "records");
  EXPECT_EQ(f.method(), "list");
  EXPECT_EQ(f.client_name(), "Claude Desktop");
  EXPECT_EQ(f.client_version(), "1.2");
  EXPECT_EQ(f.request_id(), "rid");
  EXPECT_EQ(f.integration(), "caspio");
  EXPECT_EQ(r->page_size(), 0);
  EXPECT_EQ(r->cursor(), "");
}

TEST(LogQueryTest, StatusTimeRangeAndPaging) {
  auto r = ParseLogQuery(
      "log_type=mcp&status=tool_error&start_time=2026-11-22T10:00:00Z&end_time=2026-11-22T11:00:00.5%2B01:00"
      "&limit=7&next_cursor=abc");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->filter().status(), pb::TOOL_CALL_STATUS_TOOL_ERROR);
  EXPECT_EQ(r->filter().start_time().seconds(), 1795341600);
  EXPECT_EQ(r->filter().end_time().seconds(), 1795341600);  // 11:00+01:00 is 10:00Z
  EXPECT_EQ(r->filter().end_time().nanos(), 500000000);
  EXPECT_EQ(r->page_size(), 7);
  EXPECT_EQ(r->cursor(), "abc");
  EXPECT_EQ(ParseLogQuery("log_type=mcp&status=ok")->filter().status(), pb::TOOL_CALL_STATUS_OK);
  EXPECT_EQ(ParseLogQuery("log_type=mcp&status=rpc_error")->filter().status(), pb::TOOL_CALL_STATUS_RPC_ERROR);
}

TEST(LogQueryTest, RefusalsNameTheParameter) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "log_type"},
      {"tool_name=x", "log_type"},
      {"log_type=http", "log_type"},
      {"log_type=mcp&status=failed", "status"},
      {"log_type=mcp&limit=0", "limit"},
      {"log_type=mcp&limit=101", "limit"},
      {"log_type=mcp&limit=ten", "limit"},
      {"log_type=mcp&start_time=yesterday", "start_time"},
      {"log_type=mcp&end_time=2026-13-01T00:00:00Z", "end_time"},
      {"log_type=mcp&start_time=2026-11-22T11:00:00Z&end_time=2026-11-22T10:00:00Z", "end_time"},
      {"log_type=mcp&environment_id=prod", "environment_id"},
      {"log_type=mcp&tool=x", "tool"},
      {"log_type=mcp&tool_name=a&tool_name=b", "tool_name"},
      {"log_type=mcp&tool_name=%zz", "query"},
  };
  for (const auto& [query, field] : cases) {
    auto r = ParseLogQuery(query);
    ASSERT_FALSE(r.ok()) << query;
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << query;
    EXPECT_EQ(FieldOf(r.status()), field) << query;
  }
}

TEST(LogQueryTest, EntryJsonUsesTrutoNamesAndNulls) {
  pb::ToolCallEntry e;
  e.set_id("1795341600000-0");
  e.mutable_created_at()->set_seconds(1795341600);
  e.mutable_created_at()->set_nanos(123000000);
  e.set_request_id("rid");
  e.set_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");
  e.set_integrated_account_id("acc");
  e.set_integration("caspio");
  e.set_mcp_server_id("srv");
  e.set_mcp_server_name("agent");
  e.set_mcp_method("tools/call");
  e.set_tool_name("list_all_caspio_records");
  e.set_resource("records");
  e.set_method("list");
  e.set_arguments_json(R"({"table_name":"Inventory","q.where":"[REDACTED]"})");
  e.set_status(pb::TOOL_CALL_STATUS_TOOL_ERROR);
  e.set_error_code("SqlServerError");
  e.set_http_status_code(400);
  e.set_duration_us(12345);
  e.set_fetch_duration_us(9000);
  const auto j = LogEntryJson(e);
  EXPECT_EQ(j["id"], "1795341600000-0");
  EXPECT_EQ(j["log_type"], "mcp");
  EXPECT_EQ(j["created_at"], "2026-11-22T10:00:00.123Z");
  EXPECT_EQ(j["arguments"]["table_name"], "Inventory");
  EXPECT_EQ(j["status"], "tool_error");
  EXPECT_EQ(j["error_code"], "SqlServerError");
  EXPECT_TRUE(j["rpc_error_code"].is_null());
  EXPECT_EQ(j["http_status_code"], 400);
  EXPECT_DOUBLE_EQ(j["duration"].get<double>(), 12.345);
  EXPECT_DOUBLE_EQ(j["fetch_duration"].get<double>(), 9.0);
  EXPECT_TRUE(j["client_name"].is_null());

  pb::ToolCallEntry refused;
  refused.set_status(pb::TOOL_CALL_STATUS_RPC_ERROR);
  refused.set_error_code("unknown_tool");
  refused.set_rpc_error_code(-32602);
  refused.set_arguments_json("not json");
  const auto r = LogEntryJson(refused);
  EXPECT_EQ(r["status"], "rpc_error");
  EXPECT_EQ(r["rpc_error_code"], -32602);
  EXPECT_TRUE(r["http_status_code"].is_null());
  EXPECT_TRUE(r["fetch_duration"].is_null());
  EXPECT_EQ(r["arguments"], nlohmann::ordered_json::object());
}

}  // namespace
}  // namespace cmcp::edge
