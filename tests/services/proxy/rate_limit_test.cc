#include "services/proxy/rate_limit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cmcp::proxy {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

struct Case {
  const char* name;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<int64_t> limit, remaining, reset, retry_after, window;
};

class RateLimitTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(RateLimitTableTest, Normalizes) {
  const Case& c = GetParam();
  Headers headers;
  for (const auto& [k, v] : c.headers) headers.Add(k, v);
  RateLimitInfo info = ParseRateLimitHeaders(headers, kNow);
  EXPECT_EQ(info.limit, c.limit);
  EXPECT_EQ(info.remaining, c.remaining);
  EXPECT_EQ(info.reset_seconds, c.reset);
  EXPECT_EQ(info.retry_after_seconds, c.retry_after);
  EXPECT_EQ(info.window_seconds, c.window);
}

INSTANTIATE_TEST_SUITE_P(
    AllForms, RateLimitTableTest,
    ::testing::Values(
        Case{"x_delta", {{"X-RateLimit-Limit", "2000"}, {"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "42"}},
             2000, 0, 42, std::nullopt, std::nullopt},
        Case{"x_epoch_seconds", {{"X-RateLimit-Limit", "100"}, {"X-RateLimit-Reset", "1800000030"}},
             100, std::nullopt, 30, std::nullopt, std::nullopt},
        Case{"x_epoch_millis", {{"x-ratelimit-reset", "1800000005000"}}, std::nullopt, std::nullopt, 5, std::nullopt,
             std::nullopt},
        Case{"x_epoch_in_the_past_clamps_to_zero", {{"X-RateLimit-Reset", "1799999990"}}, std::nullopt, std::nullopt, 0,
             std::nullopt, std::nullopt},
        Case{"draft06_fields_with_policy", {{"RateLimit-Limit", "100, 100;w=60"}, {"RateLimit-Remaining", "7"},
                                            {"RateLimit-Reset", "12"}},
             100, 7, 12, std::nullopt, 60},
        Case{"truto_style", {{"ratelimit-limit", "110;w=10"}, {"ratelimit-remaining", "109"}, {"ratelimit-reset", "60"}},
             110, 109, 60, std::nullopt, 10},
        Case{"draft07_structured", {{"RateLimit-Policy", "\"default\";q=500;w=300"}, {"RateLimit", "\"default\";r=0;t=17"}},
             500, 0, 17, std::nullopt, 300},
        Case{"combined_form", {{"RateLimit", "limit=50, remaining=3, reset=9"}}, 50, 3, 9, std::nullopt, std::nullopt},
        Case{"standard_beats_legacy", {{"X-RateLimit-Remaining", "99"}, {"RateLimit-Remaining", "1"}},
             std::nullopt, 1, std::nullopt, std::nullopt, std::nullopt},
        Case{"retry_after_seconds_fills_reset", {{"Retry-After", "120"}}, std::nullopt, std::nullopt, 120, 120,
             std::nullopt},
        Case{"retry_after_http_date", {{"Retry-After", "Fri, 15 Jan 2027 08:00:30 GMT"}}, std::nullopt, std::nullopt,
             30, 30, std::nullopt},
        Case{"retry_after_with_explicit_reset", {{"Retry-After", "10"}, {"X-RateLimit-Reset", "15"}}, std::nullopt,
             std::nullopt, 15, 10, std::nullopt},
        Case{"garbage_is_ignored", {{"X-RateLimit-Limit", "lots"}, {"Retry-After", "soon"}}, std::nullopt, std::nullopt,
             std::nullopt, std::nullopt, std::nullopt},
        Case{"nothing", {}, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(RetryAfterTest, HttpDateIsRelativeToNow) {
  // kNow is 2027-01-15T08:00:00Z.
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M:%S", kNow, absl::UTCTimeZone()), "2027-01-15T08:00:00");
  EXPECT_EQ(ParseRetryAfter("Fri, 15 Jan 2027 08:01:00 GMT", kNow), 60);
  EXPECT_EQ(ParseRetryAfter("Fri, 15 Jan 2027 07:00:00 GMT", kNow), 0);
  EXPECT_EQ(ParseRetryAfter("-5", kNow), 0);
  EXPECT_EQ(ParseRetryAfter("", kNow), std::nullopt);
}

// Found by fuzz/fuzz_rate_limit: a huge or non-finite number was cast to
// int64 (undefined behavior); such values are garbage, like "lots".
TEST(RateLimitTest, NumbersNoInt64HoldsAreIgnored) {
  for (const char* value : {"171426080999999999999999999999999992500", "1e300", "-1e300", "inf", "nan", "-inf"}) {
    Headers headers;
    headers.Add("X-RateLimit-Reset", value);
    headers.Add("X-RateLimit-Remaining", value);
    const RateLimitInfo info = ParseRateLimitHeaders(headers, kNow);
    EXPECT_EQ(info.reset_seconds, std::nullopt) << value;
    EXPECT_EQ(info.remaining, std::nullopt) << value;
    EXPECT_EQ(ParseRetryAfter(value, kNow), std::nullopt) << value;
  }
  Headers headers;
  headers.Add("X-RateLimit-Remaining", "2.5");
  EXPECT_EQ(ParseRateLimitHeaders(headers, kNow).remaining, 3);
}

}  // namespace
}  // namespace cmcp::proxy
