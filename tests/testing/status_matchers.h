// File: status_matchers.h
// GoogleTest matchers for absl::Status / StatusOr (Abseil's own
// status_matchers.h is newer than Debian's Abseil).
//
//   EXPECT_THAT(store.Get("x"), IsOk());
//   EXPECT_THAT(Parse(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cmcp::testing {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P(StatusIs, code, "has status code " + ::testing::PrintToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher, "has status code and message") {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}

}  // namespace cmcp::testing

#define CMCP_ASSERT_OK_AND_ASSIGN(lhs, expr)         \
  auto CMCP_TEST_CONCAT_(tmp_, __LINE__) = (expr);   \
  ASSERT_TRUE(CMCP_TEST_CONCAT_(tmp_, __LINE__).ok()) \
      << CMCP_TEST_CONCAT_(tmp_, __LINE__).status(); \
  lhs = std::move(CMCP_TEST_CONCAT_(tmp_, __LINE__)).value()
#define CMCP_TEST_CONCAT_INNER_(a, b) a##b
#define CMCP_TEST_CONCAT_(a, b) CMCP_TEST_CONCAT_INNER_(a, b)
