#include "services/proxy/cursor_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/crypto.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::proxy {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::StatusIs;
using ::testing::HasSubstr;

TEST(CursorCodecTest, RoundTripsForTheSameToolAndQuery) {
  CursorCodec codec(std::string(32, 'k'));
  const std::string cursor = codec.Encode({"list_all_caspio_records", "digest", 200, 100});
  auto state = codec.Decode(cursor, "list_all_caspio_records", "digest");
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->offset, 200);
  EXPECT_EQ(state->page_size, 100);
}

TEST(CursorCodecTest, RefusesOtherQueriesToolsKeysAndTampering) {
  CursorCodec codec(std::string(32, 'k'));
  const std::string cursor = codec.Encode({"list_all_caspio_records", "digest", 200, 100});
  EXPECT_THAT(codec.Decode(cursor, "list_all_caspio_records", "other"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("different query")));
  EXPECT_THAT(codec.Decode(cursor, "list_all_caspio_users", "digest"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("another tool")));
  EXPECT_THAT(CursorCodec(std::string(32, 'x')).Decode(cursor, "list_all_caspio_records", "digest"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::string tampered = cursor;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_THAT(codec.Decode(tampered, "list_all_caspio_records", "digest"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(codec.Decode("eyJvIjoxMH0", "list_all_caspio_records", "digest"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(codec.Decode("", "t", "d"), StatusIs(absl::StatusCode::kInvalidArgument));
}

// Found by fuzz/fuzz_cursor_codec: an authentic payload with a field of the
// wrong type threw out of nlohmann's value() and would have killed the proxy.
TEST(CursorCodecTest, AuthenticPayloadsOfTheWrongShapeAreRefusedNotThrown) {
  const std::string key(32, 'k');
  CursorCodec codec(key);
  for (const char* payload : {
           R"({"v":1,"t":"list_all_caspio_records","q":0})",
           R"({"v":1,"t":"list_all_caspio_records","q":"digest","o":"10","p":100})",
           R"({"v":1,"t":7,"q":"digest","o":0,"p":100})",
           R"({"v":"1","t":"list_all_caspio_records","q":"digest","o":0,"p":100})",
           R"({"v":1,"t":"list_all_caspio_records","q":"digest","o":1.5,"p":100})",
           R"({"v":1,"t":"list_all_caspio_records","q":"digest","p":100})",
           R"([1])",
       }) {
    EXPECT_THAT(codec.Decode(SealEnvelope(key, payload), "list_all_caspio_records", "digest"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown format")))
        << payload;
  }
}

}  // namespace
}  // namespace cmcp::proxy
