// RedisCoordinationStore against a real redis-server.
#include "services/token/coordination_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/testing/redis_server.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::token {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::RedisServer;

class CoordinationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_THAT(redis, IsOk());
    redis_ = *std::move(redis);
    store_ = std::make_unique<RedisCoordinationStore>(std::make_shared<RedisClient>(RedisSettings{.address = redis_->address()}));
  }
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<RedisCoordinationStore> store_;
};

TEST_F(CoordinationStoreTest, RevokedSessionsStayRevokedUntilTheirTime) {
  EXPECT_FALSE(*store_->IsSessionRevoked("abc"));
  ASSERT_THAT(store_->RevokeSession("abc", absl::Now() + absl::Hours(1)), IsOk());
  EXPECT_TRUE(*store_->IsSessionRevoked("abc"));
  EXPECT_FALSE(*store_->IsSessionRevoked("abd"));
}

TEST_F(CoordinationStoreTest, PublishReachesSubscribersAndCountsThem) {
  EXPECT_EQ(*store_->Publish("edge:a", "nobody"), 0);
  auto sub = store_->Subscribe({"edge:a", "edge:broadcast"});
  ASSERT_THAT(sub, IsOk());
  EXPECT_EQ(*store_->Publish("edge:a", "hello"), 1);
  EXPECT_EQ(*store_->Publish("edge:broadcast", std::string("bin\0ary", 7)), 1);
  auto first = (*sub)->Next();
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->channel, "cmcp:bus:edge:a");
  EXPECT_EQ(first->payload, "hello");
  auto second = (*sub)->Next();
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->payload, std::string("bin\0ary", 7));
}

TEST_F(CoordinationStoreTest, CloseUnblocksAWaitingReader) {
  auto sub = store_->Subscribe({"edge:quiet"});
  ASSERT_THAT(sub, IsOk());
  std::thread closer([&] {
    absl::SleepFor(absl::Milliseconds(100));
    (*sub)->Close();
  });
  EXPECT_FALSE((*sub)->Next().ok());
  closer.join();
}

TEST_F(CoordinationStoreTest, StreamLogsReplayAfterAnIdAndKnowWhenComplete) {
  EXPECT_FALSE(store_->ReadStreamEvents("s1", 0)->found);
  ASSERT_THAT(store_->AppendStreamEvents("s1", {{1, "{\"a\":1}"}, {2, "{\"a\":2}"}}, false, absl::Seconds(60)), IsOk());
  auto partial = store_->ReadStreamEvents("s1", 1);
  ASSERT_THAT(partial, IsOk());
  EXPECT_TRUE(partial->found);
  EXPECT_FALSE(partial->complete);
  ASSERT_EQ(partial->events.size(), 1u);
  EXPECT_EQ(partial->events[0].id, 2);
  EXPECT_EQ(partial->events[0].data, "{\"a\":2}");
  ASSERT_THAT(store_->AppendStreamEvents("s1", {{3, "{\"done\":true}"}}, true, absl::Seconds(60)), IsOk());
  auto all = store_->ReadStreamEvents("s1", 0);
  EXPECT_TRUE(all->complete);
  EXPECT_EQ(all->events.size(), 3u);
}

TEST_F(CoordinationStoreTest, QuotasCountPerWindowAcrossBuckets) {
  const absl::Time now = absl::FromUnixMillis(1800000000000);
  std::vector<QuotaBucketSpec> buckets = {{"server:s", 2, absl::Seconds(60)}, {"account:a", 10, absl::Seconds(60)}};
  auto first = store_->ConsumeQuota(buckets, now);
  ASSERT_THAT(first, IsOk());
  EXPECT_TRUE(first->allowed);
  EXPECT_EQ(first->states[0].remaining, 1);
  EXPECT_EQ(first->states[1].remaining, 9);
  EXPECT_EQ(first->states[0].reset, absl::Seconds(60));  // 1800000000 s starts a minute
  EXPECT_EQ(store_->ConsumeQuota({{"other", 5, absl::Seconds(60)}}, now + absl::Seconds(20))->states[0].reset, absl::Seconds(40));
  EXPECT_TRUE(store_->ConsumeQuota(buckets, now)->allowed);
  auto third = store_->ConsumeQuota(buckets, now);
  EXPECT_FALSE(third->allowed);
  EXPECT_EQ(third->states[0].remaining, 0);
  // The next window starts fresh.
  EXPECT_TRUE(store_->ConsumeQuota(buckets, now + absl::Seconds(60))->allowed);
}

// A replica takes a lease of several permits at once; grants are cut at the
// limit, so all the callers of one window together never get more than it.
TEST_F(CoordinationStoreTest, LeasesGrantUpToTheLimitAndNeverPastIt) {
  const absl::Time now = absl::FromUnixMillis(1800000000000);
  const QuotaBucketSpec lease{"server:l", 10, absl::Seconds(60), 4};
  int64_t granted = 0;
  std::vector<int64_t> grants;
  for (int i = 0; i < 5; ++i) {
    auto d = store_->ConsumeQuota({lease}, now);
    ASSERT_THAT(d, IsOk());
    grants.push_back(d->states[0].granted);
    granted += d->states[0].granted;
    EXPECT_EQ(d->allowed, d->states[0].granted > 0);
  }
  EXPECT_EQ(grants, (std::vector<int64_t>{4, 4, 2, 0, 0}));
  EXPECT_EQ(granted, 10);
  // A single permit (the default) next to it: nothing left either.
  auto one = store_->ConsumeQuota({{"server:l", 10, absl::Seconds(60)}}, now);
  ASSERT_THAT(one, IsOk());
  EXPECT_FALSE(one->allowed);
  EXPECT_EQ(one->states[0].granted, 0);
  // Two buckets: the one with room still grants (the caller may keep it).
  auto mixed = store_->ConsumeQuota({lease, {"account:m", 100, absl::Seconds(60), 4}}, now);
  ASSERT_THAT(mixed, IsOk());
  EXPECT_FALSE(mixed->allowed);
  EXPECT_EQ(mixed->states[0].granted, 0);
  EXPECT_EQ(mixed->states[1].granted, 4);
}

}  // namespace
}  // namespace cmcp::token
