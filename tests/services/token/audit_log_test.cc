// AuditLog's rules over a fake store: validation, the entry's field
// encoding, every filter, newest-first paging with cursors, the time range
// and the per-call scan budget.
#include "services/token/audit_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/error.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::token {
namespace {

using ::cmcp::testing::IsOk;
using ::testing::HasSubstr;
namespace pb = ::caspio_mcp::token::v1;

// An in-memory stream: ids from a settable clock, trimmed to max_entries.
class FakeAuditStore final : public AuditStore {
 public:
  absl::StatusOr<StreamId> Append(const AuditFields& fields) override {
    if (fail) return StorageUnavailableError("down");
    StreamId id{now_ms, 0};
    if (!records.empty() && records.back().id.ms >= now_ms) id = {records.back().id.ms, records.back().id.seq + 1};
    records.push_back({id, fields});
    while (static_cast<int64_t>(records.size()) > max_entries) records.erase(records.begin());
    return id;
  }
  absl::StatusOr<std::vector<StreamId>> AppendMany(const std::vector<AuditFields>& entries) override {
    ++batches;
    std::vector<StreamId> ids;
    for (const AuditFields& fields : entries) {
      absl::StatusOr<StreamId> id = Append(fields);
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
    return ids;
  }
  absl::StatusOr<std::vector<AuditRecord>> ReadNewestFirst(std::optional<StreamId> before,
                                                           std::optional<StreamId> oldest, int count) override {
    ++reads;
    std::vector<AuditRecord> out;
    for (auto it = records.rbegin(); it != records.rend() && static_cast<int>(out.size()) < count; ++it) {
      if (before.has_value() && !(it->id < *before)) continue;
      if (oldest.has_value() && it->id < *oldest) break;
      out.push_back(*it);
    }
    return out;
  }

  uint64_t now_ms = 1795341600000;  // 2026-11-22T10:00:00Z
  int64_t max_entries = 1000000;
  bool fail = false;
  int reads = 0;
  int batches = 0;
  std::vector<AuditRecord> records;
};

google::protobuf::Timestamp At(int64_t ms) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(ms / 1000);
  ts.set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
  return ts;
}

pb::ToolCallEntry Entry(const std::string& server, const std::string& tool, int64_t created_ms,
                        pb::ToolCallStatus status = pb::TOOL_CALL_STATUS_OK) {
  pb::ToolCallEntry e;
  *e.mutable_created_at() = At(created_ms);
  e.set_request_id(absl::StrCat("req-", tool, "-", created_ms));
  e.set_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");
  e.set_integrated_account_id(absl::StrCat("acc-", server));
  e.set_integration("caspio");
  e.set_mcp_server_id(server);
  e.set_mcp_server_name(absl::StrCat("name ", server));
  e.set_mcp_method("tools/call");
  e.set_tool_name(tool);
  e.set_resource("records");
  e.set_method("list");
  e.set_arguments_json(R"({"table_name":"Inventory"})");
  e.set_status(status);
  e.set_duration_us(1500);
  e.set_client_name("cmcp-test");
  e.set_client_version("1");
  e.set_protocol_version("2025-06-18");
  return e;
}

class AuditLogTest : public ::testing::Test {
 protected:
  // Records at the store's clock, advancing it by `step_ms`.
  void Add(const pb::ToolCallEntry& e, int64_t step_ms = 1) {
    ASSERT_THAT(log_.Record(e), IsOk());
    store_.now_ms += step_ms;
  }
  std::vector<std::string> Ids(const pb::ListToolCallsResponse& r) {
    std::vector<std::string> out;
    for (const auto& e : r.entries()) out.push_back(e.request_id());
    return out;
  }

  FakeAuditStore store_;
  AuditLogSettings settings_;
  AuditLog log_{settings_, &store_};
};

TEST_F(AuditLogTest, RecordChecksTheEntryAndRoundTripsEveryField) {
  pb::ToolCallEntry e = Entry("srv", "list_all_caspio_records", 1795341600000, pb::TOOL_CALL_STATUS_TOOL_ERROR);
  e.set_error_code("SqlServerError");
  e.set_http_status_code(400);
  e.set_fetch_duration_us(900);
  auto id = log_.Record(e);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(*id, "1795341600000-0");
  pb::ToolCallEntry back = AuditLog::Decode(store_.records.back());
  EXPECT_EQ(back.id(), *id);
  back.clear_id();
  EXPECT_EQ(back.SerializeAsString(), e.SerializeAsString());

  for (auto clear : std::vector<std::function<void(pb::ToolCallEntry&)>>{
           [](pb::ToolCallEntry& x) { x.clear_mcp_server_id(); },
           [](pb::ToolCallEntry& x) { x.clear_integrated_account_id(); },
           [](pb::ToolCallEntry& x) { x.clear_created_at(); },
           [](pb::ToolCallEntry& x) { x.clear_status(); },
           [](pb::ToolCallEntry& x) { x.set_arguments_json(std::string(70 * 1024, 'x')); }}) {
    pb::ToolCallEntry bad = e;
    clear(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(log_.Record(bad).status()));
  }
  store_.fail = true;
  EXPECT_TRUE(absl::IsUnavailable(log_.Record(e).status()));
}

TEST_F(AuditLogTest, ListsNewestFirstAndPagesWithACursor) {
  for (int i = 0; i < 7; ++i) Add(Entry("srv", absl::StrCat("t", i), store_.now_ms));
  pb::ListToolCallsRequest request;
  request.set_page_size(3);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    auto r = log_.List(request);
    ASSERT_THAT(r, IsOk());
    for (const auto& e : r->entries()) seen.push_back(e.tool_name());
    if (r->next_cursor().empty()) break;
    request.set_cursor(r->next_cursor());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"t6", "t5", "t4", "t3", "t2", "t1", "t0"}));
  // Default page size.
  pb::ListToolCallsRequest all;
  EXPECT_EQ(log_.List(all)->entries_size(), 7);
}

TEST_F(AuditLogTest, EveryFilterNarrows) {
  Add(Entry("a", "list_all_caspio_records", store_.now_ms));
  Add(Entry("b", "list_all_caspio_records", store_.now_ms, pb::TOOL_CALL_STATUS_TOOL_ERROR));
  pb::ToolCallEntry other = Entry("a", "get_single_caspio_record_by_id", store_.now_ms, pb::TOOL_CALL_STATUS_RPC_ERROR);
  other.set_client_name("Claude");
  other.set_method("get");
  Add(other);
  auto count = [this](std::function<void(pb::ToolCallFilter&)> set) {
    pb::ListToolCallsRequest r;
    set(*r.mutable_filter());
    auto out = log_.List(r);
    EXPECT_THAT(out, IsOk());
    return out.ok() ? out->entries_size() : -1;
  };
  EXPECT_EQ(count([](auto& f) {}), 3);
  EXPECT_EQ(count([](auto& f) { f.set_mcp_server_id("a"); }), 2);
  EXPECT_EQ(count([](auto& f) { f.set_integrated_account_id("acc-b"); }), 1);
  EXPECT_EQ(count([](auto& f) { f.set_tool_name("list_all_caspio_records"); }), 2);
  EXPECT_EQ(count([](auto& f) { f.set_status(pb::TOOL_CALL_STATUS_TOOL_ERROR); }), 1);
  EXPECT_EQ(count([](auto& f) { f.set_status(pb::TOOL_CALL_STATUS_RPC_ERROR); }), 1);
  EXPECT_EQ(count([](auto& f) { f.set_client_name("Claude"); }), 1);
  EXPECT_EQ(count([](auto& f) { f.set_client_version("1"); }), 3);
  EXPECT_EQ(count([](auto& f) { f.set_method("get"); }), 1);
  EXPECT_EQ(count([](auto& f) { f.set_resource("records"); }), 3);
  EXPECT_EQ(count([](auto& f) { f.set_mcp_method("tools/call"); }), 3);
  EXPECT_EQ(count([](auto& f) { f.set_integration("caspio"); }), 3);
  EXPECT_EQ(count([](auto& f) { f.set_integration("hubspot"); }), 0);
  EXPECT_EQ(count([](auto& f) { f.set_request_id("req-get_single_caspio_record_by_id-1795341600002"); }), 1);
  EXPECT_EQ(count([](auto& f) {
              f.set_mcp_server_id("a");
              f.set_status(pb::TOOL_CALL_STATUS_OK);
            }),
            1);
}

// The edge sends its entries in batches: one store round trip per batch,
// ids in order, an invalid entry refused alone (its index and field named).
TEST_F(AuditLogTest, RecordManyAppendsTheValidEntriesInOneRoundTripAndNamesTheRefused) {
  google::protobuf::RepeatedPtrField<pb::ToolCallEntry> batch;
  *batch.Add() = Entry("srv", "first", store_.now_ms);
  pb::ToolCallEntry bad = Entry("srv", "bad", store_.now_ms);
  bad.clear_mcp_server_id();
  *batch.Add() = bad;
  *batch.Add() = Entry("srv", "third", store_.now_ms);
  auto written = log_.RecordMany(batch);
  ASSERT_THAT(written, IsOk());
  EXPECT_EQ(store_.batches, 1);
  ASSERT_EQ(written->ids_size(), 3);
  EXPECT_EQ(written->ids(0), store_.records[0].id.ToString());
  EXPECT_EQ(written->ids(1), "");
  EXPECT_EQ(written->ids(2), store_.records[1].id.ToString());
  ASSERT_EQ(written->refused_size(), 1);
  EXPECT_EQ(written->refused(0).index(), 1);
  EXPECT_THAT(written->refused(0).message(), HasSubstr("entry.mcp_server_id"));
  ASSERT_EQ(store_.records.size(), 2u);
  EXPECT_EQ(AuditLog::Decode(store_.records[1]).tool_name(), "third");

  store_.fail = true;
  EXPECT_TRUE(absl::IsUnavailable(log_.RecordMany(batch).status()));
  store_.fail = false;
  AuditLogSettings small;
  small.max_batch = 2;
  AuditLog limited(small, &store_);
  auto too_many = limited.RecordMany(batch);
  EXPECT_TRUE(absl::IsInvalidArgument(too_many.status()));
  EXPECT_THAT(too_many.status().message(), HasSubstr("at most 2 entries"));
}

TEST_F(AuditLogTest, TimeRangeSelectsOnCreatedAtNotAppendTime) {
  const int64_t t0 = store_.now_ms;
  // A long call: created at t0, appended 30 s later.
  store_.now_ms = t0 + 30000;
  Add(Entry("srv", "slow", t0));
  Add(Entry("srv", "fast", t0 + 30000));
  Add(Entry("srv", "later", t0 + 120000));
  auto tools = [this](int64_t start_ms, int64_t end_ms) {
    pb::ListToolCallsRequest r;
    if (start_ms) *r.mutable_filter()->mutable_start_time() = At(start_ms);
    if (end_ms) *r.mutable_filter()->mutable_end_time() = At(end_ms);
    std::vector<std::string> out;
    auto page = log_.List(r);
    EXPECT_THAT(page, IsOk());
    if (page.ok()) for (const auto& e : page->entries()) out.push_back(e.tool_name());
    return out;
  };
  EXPECT_EQ(tools(t0, t0 + 1), std::vector<std::string>{"slow"});
  EXPECT_EQ(tools(t0 + 1, 0), (std::vector<std::string>{"later", "fast"}));
  EXPECT_EQ(tools(0, t0 + 30000), std::vector<std::string>{"slow"});
  EXPECT_EQ(tools(0, t0 + 30001), (std::vector<std::string>{"fast", "slow"}));
  pb::ListToolCallsRequest backwards;
  *backwards.mutable_filter()->mutable_start_time() = At(t0 + 10);
  *backwards.mutable_filter()->mutable_end_time() = At(t0);
  EXPECT_TRUE(absl::IsInvalidArgument(log_.List(backwards).status()));
}

TEST_F(AuditLogTest, ASelectiveFilterPagesOnWithinTheScanBudget) {
  AuditLogSettings small;
  small.scan_limit = 100;
  small.batch_size = 30;
  AuditLog log(small, &store_);
  Add(Entry("needle", "t", store_.now_ms));
  for (int i = 0; i < 250; ++i) Add(Entry("hay", "t", store_.now_ms));
  pb::ListToolCallsRequest r;
  r.mutable_filter()->set_mcp_server_id("needle");
  int pages = 0, found = 0;
  while (true) {
    store_.reads = 0;
    auto page = log.List(r);
    ASSERT_THAT(page, IsOk());
    EXPECT_LE(store_.reads, 4);  // 100 entries in batches of 30
    ++pages;
    found += page->entries_size();
    if (page->next_cursor().empty()) break;
    r.set_cursor(page->next_cursor());
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(found, 1);
  EXPECT_EQ(pages, 3);  // 251 entries, 100 examined per call
}

TEST_F(AuditLogTest, BadCursorsAndPageSizesAreRefused) {
  Add(Entry("srv", "t", store_.now_ms));
  for (const char* cursor : {"nope", "YTE6eA", "!!"}) {
    pb::ListToolCallsRequest r;
    r.set_cursor(cursor);
    auto out = log_.List(r);
    ASSERT_FALSE(out.ok()) << cursor;
    EXPECT_EQ(GetErrorDetail(out.status())->field(), "cursor");
  }
  pb::ListToolCallsRequest big;
  big.set_page_size(101);
  EXPECT_TRUE(absl::IsInvalidArgument(log_.List(big).status()));
}

}  // namespace
}  // namespace cmcp::token
