// RedisAuditStore against a real redis-server: XADD MAXLEN ~ caps the
// stream, XREVRANGE reads newest first with exclusive and inclusive bounds.
#include "services/token/audit_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::token {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::RedisServer;

class AuditStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_THAT(redis, IsOk());
    redis_server_ = *std::move(redis);
    redis_ = std::make_shared<RedisClient>(RedisSettings{.address = redis_server_->address()});
    // Small stream nodes, so approximate trimming shows with few entries.
    ASSERT_THAT(redis_->Command({"CONFIG", "SET", "stream-node-max-entries", "5"}), IsOk());
  }
  std::unique_ptr<RedisServer> redis_server_;
  std::shared_ptr<RedisClient> redis_;
};

TEST_F(AuditStoreTest, AppendsAndReadsNewestFirstWithinBounds) {
  RedisAuditStore store(redis_, "t", 1000);
  std::vector<StreamId> ids;
  for (int i = 0; i < 6; ++i) {
    auto id = store.Append({{"n", absl::StrCat(i)}, {"arguments", "{}"}});
    ASSERT_THAT(id, IsOk());
    if (!ids.empty()) {
      EXPECT_LT(ids.back(), *id);
    }
    ids.push_back(*id);
  }
  auto all = store.ReadNewestFirst(std::nullopt, std::nullopt, 100);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 6u);
  EXPECT_EQ(all->front().id, ids.back());
  EXPECT_EQ(all->front().fields, (AuditFields{{"n", "5"}, {"arguments", "{}"}}));
  // Strictly before ids[3], at least ids[1], at most 10.
  auto window = store.ReadNewestFirst(ids[3], ids[1], 10);
  ASSERT_THAT(window, IsOk());
  ASSERT_EQ(window->size(), 2u);
  EXPECT_EQ((*window)[0].id, ids[2]);
  EXPECT_EQ((*window)[1].id, ids[1]);
  auto two = store.ReadNewestFirst(std::nullopt, std::nullopt, 2);
  ASSERT_THAT(two, IsOk());
  EXPECT_EQ(two->size(), 2u);
  EXPECT_EQ(store.key(), "t:audit:mcp");
}

TEST_F(AuditStoreTest, TheStreamIsCappedAtAboutMaxEntries) {
  RedisAuditStore store(redis_, "t", 10);
  for (int i = 0; i < 60; ++i) ASSERT_THAT(store.Append({{"n", absl::StrCat(i)}}), IsOk());
  auto length = redis_->Command({"XLEN", store.key()});
  ASSERT_THAT(length, IsOk());
  // "~" trims whole nodes of 5: never below the cap, never a node above it.
  EXPECT_GE(length->integer, 10);
  EXPECT_LE(length->integer, 15);
  auto newest = store.ReadNewestFirst(std::nullopt, std::nullopt, 1);
  ASSERT_THAT(newest, IsOk());
  EXPECT_EQ(newest->front().fields, (AuditFields{{"n", "59"}}));
}

TEST_F(AuditStoreTest, AppendManyPipelinesInOrderAndKeepsTheCap) {
  RedisAuditStore store(redis_, "t", 10);
  std::vector<AuditFields> batch;
  for (int i = 0; i < 40; ++i) batch.push_back({{"n", absl::StrCat(i)}});
  auto ids = store.AppendMany(batch);
  ASSERT_THAT(ids, IsOk());
  ASSERT_EQ(ids->size(), 40u);
  for (size_t i = 1; i < ids->size(); ++i) EXPECT_LT((*ids)[i - 1], (*ids)[i]);
  auto newest = store.ReadNewestFirst(std::nullopt, std::nullopt, 1);
  ASSERT_THAT(newest, IsOk());
  EXPECT_EQ(newest->front().id, ids->back());
  EXPECT_EQ(newest->front().fields, (AuditFields{{"n", "39"}}));
  auto length = redis_->Command({"XLEN", store.key()});
  ASSERT_THAT(length, IsOk());
  EXPECT_LE(length->integer, 15);
  auto none = store.AppendMany({});
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());
}

TEST(StreamIdTest, ParsesOnlyFullIds) {
  EXPECT_EQ(StreamId::Parse("1795341600000-3"), (StreamId{1795341600000, 3}));
  EXPECT_EQ(StreamId::Parse("1795341600000-3")->ToString(), "1795341600000-3");
  for (const char* bad : {"", "-", "1-", "-1", "1", "1-2-3", "a-1", "1-b", "+", "(1-2"}) {
    EXPECT_FALSE(StreamId::Parse(bad).has_value()) << bad;
  }
  EXPECT_LT((StreamId{1, 9}), (StreamId{2, 0}));
}

}  // namespace
}  // namespace cmcp::token
