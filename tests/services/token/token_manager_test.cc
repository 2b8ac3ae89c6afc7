#include "services/token/token_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/crypto.h"
#include "common/status/error.h"
#include "tests/services/token/in_memory_token_store.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::token {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

class FakeToolChecker final : public ToolChecker {
 public:
  absl::StatusOr<int> CountTools(const ServerConfig& config) override {
    ++calls;
    for (const std::string& tag : config.tags) {
      if (tag == "bogus") return InvalidFieldError("config.tags[0]", "unknown tag \"bogus\"");
      if (tag == "empty") return 0;
    }
    return 12;
  }
  int calls = 0;
};

class TokenManagerTest : public ::testing::Test {
 protected:
  TokenManagerTest()
      : now_(absl::FromUnixSeconds(1800000000)),
        store_([this] { return now_; }),
        secrets_(*SecretBox::Create("k1", {{"k1", RandomBytes(32)}})),
        manager_({.pepper = std::string(32, 'p')}, &store_, &secrets_,
                 BaseUrlPolicy({"https://*.caspio.com"}, /*allow_loopback=*/false), &tools_, [this] { return now_; }) {}

  AccountRecord Account() {
    auto account = manager_.CreateAccount({"caspio", "Prod", "https://c1abc234.caspio.com/", "client-1", "s3cr3t-value"});
    EXPECT_THAT(account, IsOk());
    return *account;
  }

  absl::Time now_;
  InMemoryTokenStore store_;
  SecretBox secrets_;
  FakeToolChecker tools_;
  TokenManager manager_;
};

TEST_F(TokenManagerTest, AccountSecretIsSealedAndOnlyCredentialsOpenIt) {
  AccountRecord account = Account();
  EXPECT_EQ(account.base_url, "https://c1abc234.caspio.com");
  EXPECT_THAT(store_.DumpForTesting(), Not(HasSubstr("s3cr3t-value")));
  auto credentials = manager_.GetCredentials(account.id);
  ASSERT_THAT(credentials, IsOk());
  EXPECT_EQ(credentials->client_secret, "s3cr3t-value");
}

TEST_F(TokenManagerTest, AccountFieldsAreValidatedByName) {
  EXPECT_THAT(manager_.CreateAccount({"hubspot", "x", "https://a.caspio.com", "i", "s"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("integration")));
  auto no_name = manager_.CreateAccount({"caspio", "", "https://a.caspio.com", "i", "s"});
  EXPECT_EQ(GetErrorDetail(no_name.status())->field(), "name");
  auto evil = manager_.CreateAccount({"caspio", "x", "https://evil.example.com", "i", "s"});
  EXPECT_EQ(GetErrorDetail(evil.status())->field(), "credentials.base_url");
  EXPECT_THAT(evil, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not an allowed Caspio base URL")));
  auto no_secret = manager_.CreateAccount({"caspio", "x", "https://a.caspio.com", "i", ""});
  EXPECT_EQ(GetErrorDetail(no_secret.status())->field(), "credentials.client_secret");
}

TEST_F(TokenManagerTest, ServerTokenIsReturnedOnceAndStoredOnlyAsAKeyedHash) {
  AccountRecord account = Account();
  auto created = manager_.CreateServer({account.id, "agent", {}, std::nullopt});
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->token.size(), 43u);  // 256 bits, base64url
  EXPECT_THAT(store_.DumpForTesting(), Not(HasSubstr(created->token)));
  EXPECT_EQ(created->server.token_hash, Hex(HmacSha256(std::string(32, 'p'), created->token)));
  auto resolved = manager_.Resolve(created->token);
  ASSERT_THAT(resolved, IsOk());
  EXPECT_EQ(resolved->server.id, created->server.id);
  EXPECT_EQ(resolved->cache_ttl, absl::Milliseconds(500));
  EXPECT_THAT(manager_.Resolve(Base64UrlEncode(RandomBytes(32))), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(manager_.Resolve("short"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(TokenManagerTest, ExpiryMustBeAtLeastSixtySecondsAhead) {
  AccountRecord account = Account();
  auto too_soon = manager_.CreateServer({account.id, "a", {}, now_ + absl::Seconds(59)});
  EXPECT_THAT(too_soon, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least 60 seconds")));
  EXPECT_EQ(GetErrorDetail(too_soon.status())->field(), "expires_at");
  EXPECT_THAT(manager_.CreateServer({account.id, "a", {}, now_ + absl::Seconds(60)}), IsOk());
}

TEST_F(TokenManagerTest, TokenStopsWorkingExactlyAtExpiryAndCacheNeverOutlivesIt) {
  AccountRecord account = Account();
  auto created = manager_.CreateServer({account.id, "a", {}, now_ + absl::Seconds(90)});
  ASSERT_THAT(created, IsOk());
  now_ += absl::Seconds(89) + absl::Milliseconds(700);
  auto resolved = manager_.Resolve(created->token);
  ASSERT_THAT(resolved, IsOk());
  EXPECT_EQ(resolved->cache_ttl, absl::Milliseconds(300));  // capped by expiry, below the 500 ms TTL
  now_ += absl::Milliseconds(300);
  EXPECT_THAT(manager_.Resolve(created->token), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(TokenManagerTest, FilterThatMatchesNoToolIsRefused) {
  AccountRecord account = Account();
  ServerConfig config;
  config.tags = {"empty"};
  auto none = manager_.CreateServer({account.id, "a", config, std::nullopt});
  EXPECT_THAT(none, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("matches no tool")));
  EXPECT_EQ(GetErrorDetail(none.status())->reason(), caspio_mcp::common::v1::ERROR_REASON_NO_MATCHING_TOOLS);
  config.tags = {"bogus"};
  auto bogus = manager_.CreateServer({account.id, "a", config, std::nullopt});
  EXPECT_EQ(GetErrorDetail(bogus.status())->field(), "config.tags[0]");
}

TEST_F(TokenManagerTest, UnknownAccountIsNotFound) {
  EXPECT_THAT(manager_.CreateServer({"0b7c3a52-0000-4000-8000-000000000000", "a", {}, std::nullopt}),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(manager_.GetAccount("../../etc"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(TokenManagerTest, PatchRules) {
  AccountRecord account = Account();
  auto created = manager_.CreateServer({account.id, "a", {}, now_ + absl::Hours(1)});
  ASSERT_THAT(created, IsOk());
  const int checks_before = tools_.calls;

  // Without config: no tool check; name changes.
  ServerUpdate rename{account.id, created->server.id, std::string("renamed"), std::nullopt};
  auto renamed = manager_.UpdateServer(rename);
  ASSERT_THAT(renamed, IsOk());
  EXPECT_EQ(renamed->name, "renamed");
  EXPECT_EQ(tools_.calls, checks_before);
  EXPECT_TRUE(renamed->expires_at.has_value());

  // expires_at: null clears the expiry.
  ServerUpdate clear{account.id, created->server.id, std::nullopt, std::nullopt, ServerUpdate::Expiry::kClear};
  auto cleared = manager_.UpdateServer(clear);
  ASSERT_THAT(cleared, IsOk());
  EXPECT_FALSE(cleared->expires_at.has_value());
  now_ += absl::Hours(2);
  EXPECT_THAT(manager_.Resolve(created->token), IsOk());

  // With config: checked.
  ServerConfig empty;
  empty.tags = {"empty"};
  ServerUpdate bad{account.id, created->server.id, std::nullopt, empty};
  EXPECT_THAT(manager_.UpdateServer(bad), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_GT(tools_.calls, checks_before);

  // The same token keeps working after updates.
  auto resolved = manager_.Resolve(created->token);
  ASSERT_THAT(resolved, IsOk());
  EXPECT_EQ(resolved->server.name, "renamed");
}

TEST_F(TokenManagerTest, DeletedServerTokenStopsResolving) {
  AccountRecord account = Account();
  auto created = manager_.CreateServer({account.id, "a", {}, std::nullopt});
  ASSERT_THAT(created, IsOk());
  ASSERT_THAT(manager_.DeleteServer(account.id, created->server.id), IsOk());
  EXPECT_THAT(manager_.Resolve(created->token), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(TokenManagerTest, ApiTokenScopes) {
  AccountRecord account = Account();
  auto client = manager_.CreateApiToken({"agent", ApiTokenScope::kMcpClient, {account.id}, std::nullopt});
  ASSERT_THAT(client, IsOk());
  EXPECT_TRUE(client->token.starts_with("cmcp_"));
  EXPECT_THAT(manager_.VerifyApiToken(client->token, ApiTokenScope::kMcpClient, account.id), IsOk());
  EXPECT_THAT(manager_.VerifyApiToken(client->token, ApiTokenScope::kMcpClient, "other-account"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(manager_.VerifyApiToken(client->token, ApiTokenScope::kAdmin, ""),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(manager_.VerifyApiToken("cmcp_wrong", ApiTokenScope::kMcpClient, account.id),
              StatusIs(absl::StatusCode::kUnauthenticated));
  auto admin = manager_.CreateApiToken({"ops", ApiTokenScope::kAdmin, {}, std::nullopt});
  ASSERT_THAT(admin, IsOk());
  EXPECT_THAT(manager_.VerifyApiToken(admin->token, ApiTokenScope::kAdmin, ""), IsOk());
  EXPECT_THAT(manager_.VerifyApiToken(admin->token, ApiTokenScope::kMcpClient, account.id), IsOk());
  ASSERT_THAT(manager_.DeleteApiToken(admin->record.id), IsOk());
  EXPECT_THAT(manager_.VerifyApiToken(admin->token, ApiTokenScope::kAdmin, ""),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(TokenManagerTest, ApiTokensStopWorkingAtTheirExpiry) {
  AccountRecord account = Account();
  auto created = manager_.CreateApiToken({"agent", ApiTokenScope::kMcpClient, {account.id}, now_ + absl::Seconds(60)});
  ASSERT_THAT(created, IsOk());
  EXPECT_THAT(store_.DumpForTesting(), Not(HasSubstr(created->token)));
  now_ += absl::Seconds(59);
  EXPECT_THAT(manager_.VerifyApiToken(created->token, ApiTokenScope::kMcpClient, account.id), IsOk());
  now_ += absl::Seconds(1);
  EXPECT_THAT(manager_.VerifyApiToken(created->token, ApiTokenScope::kMcpClient, account.id),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(manager_.CreateApiToken({"late", ApiTokenScope::kAdmin, {}, now_ + absl::Seconds(1)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least 60 seconds")));
}

TEST_F(TokenManagerTest, BootstrapAdminTokenRotatesWithConfiguration) {
  const std::string first = "cmcp_" + std::string(40, 'a');
  const std::string second = "cmcp_" + std::string(40, 'b');
  ASSERT_THAT(manager_.EnsureBootstrapAdminToken(first), IsOk());
  ASSERT_THAT(manager_.EnsureBootstrapAdminToken(first), IsOk());  // idempotent
  EXPECT_THAT(manager_.VerifyApiToken(first, ApiTokenScope::kAdmin, ""), IsOk());
  ASSERT_THAT(manager_.EnsureBootstrapAdminToken(second), IsOk());
  EXPECT_THAT(manager_.VerifyApiToken(second, ApiTokenScope::kAdmin, ""), IsOk());
  EXPECT_THAT(manager_.VerifyApiToken(first, ApiTokenScope::kAdmin, ""), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(manager_.DeleteApiToken("bootstrap"), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(BaseUrlPolicyTest, AllowsCaspioSubdomainsAndLoopbackOnlyWhenEnabled) {
  BaseUrlPolicy strict({"https://*.caspio.com"}, false);
  EXPECT_THAT(strict.Check("https://c1abc234.caspio.com"), IsOk());
  EXPECT_THAT(strict.Check("HTTPS://C1ABC234.Caspio.com/"), IsOk());
  EXPECT_THAT(strict.Check("https://caspio.com"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(strict.Check("https://c1.caspio.com.evil.io"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(strict.Check("https://evilcaspio.com"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(strict.Check("http://c1.caspio.com"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(strict.Check("https://c1.caspio.com/rest/v3"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(strict.Check("https://user@c1.caspio.com"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(strict.Check("http://127.0.0.1:8081"), StatusIs(absl::StatusCode::kInvalidArgument));
  BaseUrlPolicy local({"https://*.caspio.com"}, true);
  auto loopback = local.Check("http://127.0.0.1:8081");
  ASSERT_THAT(loopback, IsOk());
  EXPECT_EQ(*loopback, "http://127.0.0.1:8081");
  EXPECT_THAT(local.Check("http://10.0.0.1:8081"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SecretBoxTest, OldKeysStillOpenAfterRotation) {
  const std::string k1 = RandomBytes(32), k2 = RandomBytes(32);
  auto before = SecretBox::Create("k1", {{"k1", k1}});
  auto sealed = before->Seal("secret", "account:a");
  ASSERT_THAT(sealed, IsOk());
  auto after = SecretBox::Create("k2", {{"k1", k1}, {"k2", k2}});
  auto opened = after->Open(*sealed, "account:a");
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(*opened, "secret");
  EXPECT_EQ(after->Seal("x", "y")->key_id, "k2");
  auto without = SecretBox::Create("k2", {{"k2", k2}});
  EXPECT_THAT(without->Open(*sealed, "account:a"), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("k1")));
  EXPECT_THAT(SecretBox::Create("k1", {{"k1", "short"}}), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace cmcp::token
