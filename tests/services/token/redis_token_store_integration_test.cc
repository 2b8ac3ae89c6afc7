// RedisTokenStore against a real redis-server (started on a free port).
#include "services/token/redis_token_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/crypto.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::token {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::RedisServer;
using ::cmcp::testing::StatusIs;

class RedisTokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_THAT(redis, IsOk());
    redis_ = *std::move(redis);
    client_ = std::make_shared<RedisClient>(RedisSettings{.address = redis_->address()});
    store_ = std::make_unique<RedisTokenStore>(client_);
  }

  AccountRecord Account(const std::string& id) {
    AccountRecord a;
    a.id = id;
    a.integration = "caspio";
    a.name = "n";
    a.base_url = "https://x.caspio.com";
    a.client_id = "cid";
    a.sealed_client_secret = RandomBytes(40);
    a.key_id = "k1";
    a.created_at = a.updated_at = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now()));
    return a;
  }

  ServerRecord Server(const std::string& account, const std::string& id, std::optional<absl::Time> expires = {}) {
    ServerRecord s;
    s.id = id;
    s.name = "server " + id;
    s.account_id = account;
    s.config.methods = {"read"};
    s.config.tags = {"tables"};
    s.config.require_api_token_auth = true;
    s.expires_at = expires;
    s.created_at = s.updated_at = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now())) + absl::Milliseconds(id.size());
    s.token_hash = Hex(Sha256(id));
    return s;
  }

  std::unique_ptr<RedisServer> redis_;
  std::shared_ptr<RedisClient> client_;
  std::unique_ptr<RedisTokenStore> store_;
};

TEST_F(RedisTokenStoreTest, AccountRoundTrips) {
  AccountRecord a = Account("acct-1");
  ASSERT_THAT(store_->PutAccount(a), IsOk());
  auto got = store_->GetAccount("acct-1");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->sealed_client_secret, a.sealed_client_secret);
  EXPECT_EQ(got->created_at, a.created_at);
  EXPECT_THAT(store_->GetAccount("nope"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(RedisTokenStoreTest, ServerResolvesByTokenHashAndCarriesItsConfig) {
  ASSERT_THAT(store_->PutAccount(Account("a1")), IsOk());
  ServerRecord s = Server("a1", "s1", absl::Now() + absl::Hours(1));
  ASSERT_THAT(store_->PutServer(s), IsOk());
  auto got = store_->GetServerByTokenHash(s.token_hash);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->id, "s1");
  EXPECT_EQ(got->config.methods, std::vector<std::string>{"read"});
  EXPECT_TRUE(got->config.require_api_token_auth);
  ASSERT_TRUE(got->expires_at.has_value());
  // Both the server and its token key carry the Redis TTL.
  auto ttl = client_->Command({"PTTL", store_->TokenKey(s.token_hash)});
  ASSERT_THAT(ttl, IsOk());
  EXPECT_GT(ttl->integer, 3500 * 1000);
  auto server_ttl = client_->Command({"PTTL", store_->ServerKey("a1", "s1")});
  EXPECT_GT(server_ttl->integer, 3500 * 1000);
}

TEST_F(RedisTokenStoreTest, ClearingExpiryPersistsKeys) {
  ASSERT_THAT(store_->PutAccount(Account("a1")), IsOk());
  ServerRecord s = Server("a1", "s1", absl::Now() + absl::Hours(1));
  ASSERT_THAT(store_->PutServer(s), IsOk());
  s.expires_at.reset();
  ASSERT_THAT(store_->PutServer(s), IsOk());
  EXPECT_EQ(client_->Command({"PTTL", store_->TokenKey(s.token_hash)})->integer, -1);
}

TEST_F(RedisTokenStoreTest, ExpiredServersDisappearAndAreSkippedInLists) {
  ASSERT_THAT(store_->PutAccount(Account("a1")), IsOk());
  ServerRecord s = Server("a1", "s1", absl::Now() + absl::Milliseconds(150));
  ASSERT_THAT(store_->PutServer(s), IsOk());
  ASSERT_THAT(store_->PutServer(Server("a1", "s22")), IsOk());
  // Wait for Redis to expire the key (bounded).
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (store_->GetServerByTokenHash(s.token_hash).ok() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  EXPECT_THAT(store_->GetServerByTokenHash(s.token_hash), StatusIs(absl::StatusCode::kNotFound));
  auto page = store_->ListServers("a1", {.page_size = 10});
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, "s22");
  // The stale index entry was pruned.
  EXPECT_EQ(client_->Command({"ZCARD", store_->ServersIndexKey("a1")})->integer, 1);
}

TEST_F(RedisTokenStoreTest, SweepLeavesNoKeyOfAnExpiredServer) {
  ASSERT_THAT(store_->PutAccount(Account("a1")), IsOk());
  ServerRecord s = Server("a1", "s1", absl::Now() + absl::Milliseconds(150));
  ASSERT_THAT(store_->PutServer(s), IsOk());
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (store_->GetServerByTokenHash(s.token_hash).ok() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  auto swept = store_->SweepExpiredServers(absl::Now(), 100);
  ASSERT_THAT(swept, IsOk());
  EXPECT_EQ(*swept, 1);
  // Only the account's own keys remain (SCAN skips logically expired keys).
  auto keys = client_->Command({"KEYS", "*"});
  ASSERT_THAT(keys, IsOk());
  std::vector<std::string> names;
  for (const auto& k : keys->elements) names.push_back(k.str);
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("cmcp:accounts", "cmcp:{a:a1}:account"));
  EXPECT_EQ(*store_->SweepExpiredServers(absl::Now(), 100), 0);  // idempotent
}

TEST_F(RedisTokenStoreTest, SweepNeverRemovesAServerWhoseExpiryWasExtended) {
  ASSERT_THAT(store_->PutAccount(Account("a1")), IsOk());
  ServerRecord s = Server("a1", "s1", absl::Now() + absl::Seconds(10));
  ASSERT_THAT(store_->PutServer(s), IsOk());
  // A sweeper whose clock runs far ahead sees it due, but the record exists.
  EXPECT_EQ(*store_->SweepExpiredServers(absl::Now() + absl::Minutes(5), 100), 0);
  EXPECT_THAT(store_->GetServerByTokenHash(s.token_hash), IsOk());
  EXPECT_EQ(store_->ListServers("a1", {.page_size = 10})->items.size(), 1u);
  // Clearing the expiry takes it out of the expiries index.
  s.expires_at.reset();
  ASSERT_THAT(store_->PutServer(s), IsOk());
  EXPECT_EQ(client_->Command({"ZCARD", store_->ExpiriesKey()})->integer, 0);
}

TEST_F(RedisTokenStoreTest, ListsPageWithOpaqueCursors) {
  ASSERT_THAT(store_->PutAccount(Account("a1")), IsOk());
  for (int i = 0; i < 5; ++i) ASSERT_THAT(store_->PutServer(Server("a1", std::string(i + 1, 's'))), IsOk());
  std::vector<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->ListServers("a1", {.page_size = 2, .cursor = cursor});
    ASSERT_THAT(page, IsOk());
    for (const ServerRecord& s : page->items) seen.push_back(s.id);
    cursor = page->next_cursor;
    if (cursor.empty()) break;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"s", "ss", "sss", "ssss", "sssss"}));
  EXPECT_THAT(store_->ListServers("a1", {.page_size = 2, .cursor = "garbage!"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RedisTokenStoreTest, DeletingAnAccountRemovesItsServersAndTokens) {
  ASSERT_THAT(store_->PutAccount(Account("a1")), IsOk());
  ServerRecord s1 = Server("a1", "s1"), s2 = Server("a1", "s2");
  ASSERT_THAT(store_->PutServer(s1), IsOk());
  ASSERT_THAT(store_->PutServer(s2), IsOk());
  auto deleted = store_->DeleteAccount("a1");
  ASSERT_THAT(deleted, IsOk());
  EXPECT_EQ(*deleted, 2);
  EXPECT_THAT(store_->GetServerByTokenHash(s1.token_hash), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->GetAccount("a1"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(client_->Command({"DBSIZE"})->integer, 0);
}

TEST_F(RedisTokenStoreTest, KeysOfOneAccountShareAHashTag) {
  ASSERT_THAT(store_->PutAccount(Account("a1")), IsOk());
  EXPECT_EQ(store_->AccountKey("a1"), "cmcp:{a:a1}:account");
  EXPECT_EQ(store_->ServerKey("a1", "s"), "cmcp:{a:a1}:server:s");
  EXPECT_EQ(store_->ServersIndexKey("a1"), "cmcp:{a:a1}:servers");
}

// A server lives under its account's keys: named through another account it
// does not exist, so one account's id never reaches another's server.
TEST_F(RedisTokenStoreTest, ServersAreReachableOnlyThroughTheirOwnAccount) {
  ASSERT_THAT(store_->PutAccount(Account("a1")), IsOk());
  ASSERT_THAT(store_->PutAccount(Account("a2")), IsOk());
  ASSERT_THAT(store_->PutServer(Server("a1", "s1")), IsOk());
  EXPECT_THAT(store_->GetServer("a2", "s1"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->DeleteServer("a2", "s1"), StatusIs(absl::StatusCode::kNotFound));
  auto page = store_->ListServers("a2", {.page_size = 100});
  ASSERT_THAT(page, IsOk());
  EXPECT_TRUE(page->items.empty());
  EXPECT_THAT(store_->GetServer("a1", "s1"), IsOk());
}

TEST_F(RedisTokenStoreTest, SurvivesARedisRestartThanksToAof) {
  ASSERT_THAT(store_->PutAccount(Account("a1")), IsOk());
  ServerRecord s = Server("a1", "s1");
  ASSERT_THAT(store_->PutServer(s), IsOk());
  ASSERT_THAT(redis_->Restart(), IsOk());
  // The pooled connection died with the old process; the first call may fail, then it reconnects.
  (void)store_->Ping();
  auto got = store_->GetServerByTokenHash(s.token_hash);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->id, "s1");
}

TEST_F(RedisTokenStoreTest, UnreachableRedisIsUnavailableNotNotFound) {
  RedisTokenStore dead(std::make_shared<RedisClient>(RedisSettings{.address = "127.0.0.1:1",
                                                                   .connect_timeout = absl::Milliseconds(200)}));
  EXPECT_THAT(dead.GetServerByTokenHash("x"), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(RedisTokenStoreTest, ApiTokensRoundTripAndDelete) {
  ApiTokenRecord t;
  t.id = "t1";
  t.name = "agent";
  t.scope = ApiTokenScope::kMcpClient;
  t.account_ids = {"a1", "a2"};
  t.created_at = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now()));
  t.token_hash = Hex(Sha256("t1"));
  ASSERT_THAT(store_->PutApiToken(t), IsOk());
  auto got = store_->GetApiTokenByHash(t.token_hash);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->account_ids, t.account_ids);
  EXPECT_EQ(got->scope, ApiTokenScope::kMcpClient);
  ASSERT_THAT(store_->DeleteApiToken("t1"), IsOk());
  EXPECT_THAT(store_->GetApiTokenByHash(t.token_hash), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace cmcp::token
