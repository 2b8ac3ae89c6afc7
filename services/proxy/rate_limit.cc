#include "services/proxy/rate_limit.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace cmcp::proxy {
namespace {

// Epoch timestamps are far larger than any plausible window: 10^9 s is 2001.
constexpr int64_t kEpochSecondsThreshold = 1000000000;
constexpr int64_t kEpochMillisThreshold = 1000000000000;

std::optional<int64_t> ParseInt(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  absl::ConsumePrefix(&text, "\"");
  absl::ConsumeSuffix(&text, "\"");
  int64_t value = 0;
  if (absl::SimpleAtoi(text, &value)) return value;
  double d = 0;
  if (!absl::SimpleAtod(text, &d)) return std::nullopt;
  d += 0.999;  // round fractional seconds up
  // NaN, infinities and values no int64 holds are garbage, not a number of
  // seconds (the cast would be undefined behavior).
  if (!(d > -9.2e18 && d < 9.2e18)) return std::nullopt;
  return static_cast<int64_t>(d);
}

// A reset value may be a delta, epoch seconds or epoch milliseconds.
std::optional<int64_t> ResetToDelta(std::optional<int64_t> value, absl::Time now) {
  if (!value.has_value()) return std::nullopt;
  int64_t v = *value;
  if (v >= kEpochMillisThreshold) v = v / 1000 - absl::ToUnixSeconds(now);
  else if (v >= kEpochSecondsThreshold) v = v - absl::ToUnixSeconds(now);
  return std::max<int64_t>(v, 0);
}

// Parameters of a structured-field item or a comma list: `"x";r=5;t=3` or
// `limit=100, remaining=4`. Returns lower-cased key -> raw value; the bare
// leading number (draft-06 `100;w=10`) comes back under key "".
std::vector<std::pair<std::string, std::string>> Params(absl::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view item : absl::StrSplit(value, absl::ByAnyChar(",;"), absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos) {
      out.emplace_back("", std::string(item));
    } else {
      out.emplace_back(absl::AsciiStrToLower(absl::StripAsciiWhitespace(item.substr(0, eq))),
                       std::string(absl::StripAsciiWhitespace(item.substr(eq + 1))));
    }
  }
  return out;
}

std::optional<int64_t> Param(const std::vector<std::pair<std::string, std::string>>& params,
                             absl::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return ParseInt(v);
  }
  return std::nullopt;
}

// The first bare number of a list ("100, 100;w=10" -> 100).
std::optional<int64_t> LeadingNumber(const std::vector<std::pair<std::string, std::string>>& params) {
  for (const auto& [k, v] : params) {
    if (k.empty()) {
      if (auto n = ParseInt(v)) return n;
    }
  }
  return std::nullopt;
}

template <typename T>
void Prefer(std::optional<T>& target, std::optional<T> value) {
  if (value.has_value()) target = value;
}

}  // namespace

std::optional<int64_t> ParseRetryAfter(absl::string_view value, absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (auto seconds = ParseInt(value)) return std::max<int64_t>(*seconds, 0);
  absl::Time when;
  std::string err;
  if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(value), absl::UTCTimeZone(), &when, &err) ||
      absl::ParseTime("%A, %d-%b-%y %H:%M:%S GMT", std::string(value), absl::UTCTimeZone(), &when, &err)) {
    return std::max<int64_t>(absl::ToInt64Seconds(absl::Ceil(when - now, absl::Seconds(1))), 0);
  }
  return std::nullopt;
}

RateLimitInfo ParseRateLimitHeaders(const Headers& headers, absl::Time now) {
  RateLimitInfo info;
  auto get = [&](absl::string_view name) { return headers.Get(name); };

  // Lowest precedence first: legacy X- headers.
  if (auto v = get("X-RateLimit-Limit")) info.limit = LeadingNumber(Params(*v));
  if (auto v = get("X-RateLimit-Remaining")) info.remaining = ParseInt(*v);
  if (auto v = get("X-RateLimit-Reset")) info.reset_seconds = ResetToDelta(ParseInt(*v), now);

  // Drafts 00-06 separate fields.
  if (auto v = get("RateLimit-Limit")) {
    const auto params = Params(*v);
    Prefer(info.limit, LeadingNumber(params));
    Prefer(info.window_seconds, Param(params, "w"));
  }
  if (auto v = get("RateLimit-Remaining")) Prefer(info.remaining, ParseInt(*v));
  if (auto v = get("RateLimit-Reset")) Prefer(info.reset_seconds, ResetToDelta(ParseInt(*v), now));

  // Drafts 07+: RateLimit-Policy carries quota and window ...
  if (auto v = get("RateLimit-Policy")) {
    const auto params = Params(*v);
    Prefer(info.limit, Param(params, "q"));
    if (!Param(params, "q").has_value()) Prefer(info.limit, LeadingNumber(params));
    Prefer(info.window_seconds, Param(params, "w"));
  }
  // ... and RateLimit carries remaining (r) and reset (t); also the combined
  // "limit=, remaining=, reset=" form some servers send.
  if (auto v = get("RateLimit")) {
    const auto params = Params(*v);
    Prefer(info.remaining, Param(params, "r"));
    Prefer(info.reset_seconds, ResetToDelta(Param(params, "t"), now));
    Prefer(info.limit, Param(params, "limit"));
    Prefer(info.remaining, Param(params, "remaining"));
    Prefer(info.reset_seconds, ResetToDelta(Param(params, "reset"), now));
  }

  if (auto v = get("Retry-After")) info.retry_after_seconds = ParseRetryAfter(*v, now);
  if (!info.reset_seconds.has_value() && info.retry_after_seconds.has_value()) {
    info.reset_seconds = info.retry_after_seconds;
  }
  return info;
}

}  // namespace cmcp::proxy
