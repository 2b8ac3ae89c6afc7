#include "services/edge/quota_leases.h"

#include <gtest/gtest.h>

namespace cmcp::edge {
namespace {

namespace pb = ::caspio_mcp::token::v1;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

pb::ConsumeQuotaRequest Request(std::initializer_list<const char*> keys, int64_t window_ms = 60000) {
  pb::ConsumeQuotaRequest r;
  for (const char* key : keys) {
    pb::QuotaBucket* b = r.add_buckets();
    b->set_key(key);
    b->set_limit(1000);
    b->set_window_ms(window_ms);
    b->set_permits(4);
  }
  return r;
}

pb::ConsumeQuotaResponse Granted(std::initializer_list<std::pair<const char*, int64_t>> grants, int64_t reset_ms = 30000) {
  pb::ConsumeQuotaResponse r;
  r.set_allowed(true);
  for (const auto& [key, granted] : grants) {
    pb::QuotaState* s = r.add_states();
    s->set_key(key);
    s->set_granted(granted);
    s->set_reset_ms(reset_ms);
    if (granted == 0) r.set_allowed(false);
  }
  return r;
}

TEST(QuotaLeasesTest, LeaseIsAFiftiethOfTheLimitWithinOneAndTheMaximum) {
  QuotaLeases leases(20);
  EXPECT_EQ(leases.LeaseSize(10), 1);
  EXPECT_EQ(leases.LeaseSize(300), 6);
  EXPECT_EQ(leases.LeaseSize(1500), 20);
  EXPECT_EQ(QuotaLeases(1).LeaseSize(1000000), 1);
  EXPECT_EQ(QuotaLeases(0).LeaseSize(1000000), 1);
}

TEST(QuotaLeasesTest, GrantsAreSpentLocallyAllOrNothing) {
  QuotaLeases leases(20);
  const pb::ConsumeQuotaRequest both = Request({"server:s", "account:a"});
  EXPECT_FALSE(leases.TryTake(both, kNow));
  ASSERT_TRUE(leases.Grant(both, Granted({{"server:s", 3}, {"account:a", 2}}), kNow));  // takes 1 + 1
  EXPECT_TRUE(leases.TryTake(both, kNow));    // server 1 left, account 0
  EXPECT_FALSE(leases.TryTake(both, kNow));   // the account has none: nothing taken
  EXPECT_TRUE(leases.TryTake(Request({"server:s"}), kNow));  // so the server's last one is still here
  EXPECT_FALSE(leases.TryTake(Request({"server:s"}), kNow));
}

TEST(QuotaLeasesTest, AGrantOfZeroRefusesButKeepsTheOtherBucketsPermits) {
  QuotaLeases leases(20);
  const pb::ConsumeQuotaRequest both = Request({"server:s", "account:a"});
  EXPECT_FALSE(leases.Grant(both, Granted({{"server:s", 4}, {"account:a", 0}}), kNow));
  EXPECT_TRUE(leases.TryTake(Request({"server:s"}), kNow));
}

TEST(QuotaLeasesTest, PermitsEndWithTheirWindow) {
  QuotaLeases leases(20);
  const pb::ConsumeQuotaRequest one = Request({"server:s"});
  ASSERT_TRUE(leases.Grant(one, Granted({{"server:s", 4}}, 1000), kNow));
  EXPECT_TRUE(leases.TryTake(one, kNow + absl::Milliseconds(999)));
  EXPECT_FALSE(leases.TryTake(one, kNow + absl::Milliseconds(1000)));
  // A grant of the next window does not add to what was left of this one.
  ASSERT_TRUE(leases.Grant(one, Granted({{"server:s", 4}}, 30000), kNow));
  ASSERT_TRUE(leases.Grant(one, Granted({{"server:s", 1}}, 5000), kNow + absl::Seconds(55)));  // 3 left, now stale
  EXPECT_FALSE(leases.TryTake(one, kNow + absl::Seconds(55)));
}

TEST(QuotaLeasesTest, ATokenServiceWithoutLeasesGrantsOnePermitWhenItAllows) {
  QuotaLeases leases(20);
  const pb::ConsumeQuotaRequest one = Request({"server:s"});
  pb::ConsumeQuotaResponse old = Granted({{"server:s", 0}});
  old.set_allowed(true);
  EXPECT_TRUE(leases.Grant(one, old, kNow));
  EXPECT_FALSE(leases.TryTake(one, kNow));
  old.set_allowed(false);
  EXPECT_FALSE(leases.Grant(one, old, kNow));
}

}  // namespace
}  // namespace cmcp::edge
