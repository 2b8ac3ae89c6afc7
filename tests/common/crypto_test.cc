#include "common/crypto/crypto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace cmcp {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::StatusIs;

TEST(CryptoTest, HmacSha256MatchesRfc4231Case2) {
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoTest, Sha256OfEmptyString) {
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CryptoTest, RandomBytesAreFreshEachCall) {
  EXPECT_EQ(RandomBytes(32).size(), 32u);
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST(CryptoTest, Base64UrlRoundTripsWithoutPadding) {
  const std::string raw = RandomBytes(32);
  const std::string text = Base64UrlEncode(raw);
  EXPECT_EQ(text.size(), 43u);
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
  auto back = Base64UrlDecode(text);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, raw);
  EXPECT_THAT(Base64UrlDecode("not*base64"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CryptoTest, ConstantTimeEqualsComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(CryptoTest, UuidIsVersion4) {
  const std::string id = NewUuid();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(NewUuid(), id);
}

TEST(CryptoTest, AesGcmRoundTripsAndDetectsTampering) {
  const std::string key = RandomBytes(32);
  auto sealed = AesGcmSeal(key, "client-secret", "account:1");
  ASSERT_THAT(sealed, IsOk());
  EXPECT_EQ(sealed->find("client-secret"), std::string::npos);
  auto opened = AesGcmOpen(key, *sealed, "account:1");
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(*opened, "client-secret");

  EXPECT_THAT(AesGcmOpen(key, *sealed, "account:2"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(AesGcmOpen(RandomBytes(32), *sealed, "account:1"), StatusIs(absl::StatusCode::kDataLoss));
  std::string flipped = *sealed;
  flipped[14] ^= 1;
  EXPECT_THAT(AesGcmOpen(key, flipped, "account:1"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(AesGcmSeal("short", "x", ""), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace cmcp

namespace cmcp {
namespace {

TEST(EnvelopeTest, OpensOnlyWithTheSameKeyAndUnchanged) {
  const std::string key(32, 'k');
  const std::string sealed = SealEnvelope(key, "payload|1");
  for (char c : sealed) EXPECT_TRUE(c >= 0x21 && c <= 0x7e);
  auto opened = OpenEnvelope(key, sealed, 100);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "payload|1");
  EXPECT_FALSE(OpenEnvelope(std::string(32, 'x'), sealed, 100).ok());
  EXPECT_FALSE(OpenEnvelope(key, sealed, 5).ok());
  EXPECT_FALSE(OpenEnvelope(key, "no-dot", 100).ok());
  std::string tampered = sealed;
  tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(OpenEnvelope(key, tampered, 100).ok());
}

}  // namespace
}  // namespace cmcp
