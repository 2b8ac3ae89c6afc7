// File: rate_limit.h
// Normalizes every common rate-limit header form into one shape with delta
// seconds (SPEC §6, IETF RateLimit draft semantics):
//   X-RateLimit-Limit / -Remaining / -Reset (reset as delta, epoch s or epoch ms)
//   RateLimit-Limit / -Remaining / -Reset   (drafts 00-06; Limit may carry ";w=")
//   RateLimit: "policy";r=..;t=..  and  RateLimit-Policy: "policy";q=..;w=..  (drafts 07+)
//   RateLimit: limit=.., remaining=.., reset=..                        (combined form)
//   Retry-After: <seconds> | <HTTP-date>
// Standard fields win over X- ones. When only Retry-After says when the
// window reopens, reset takes its value.
//
//   RateLimitInfo info = ParseRateLimitHeaders(response.headers, absl::Now());
#pragma once

#include <cstdint>
#include <optional>

#include "absl/time/time.h"
#include "common/http/http_types.h"

namespace cmcp::proxy {

struct RateLimitInfo {
  std::optional<int64_t> limit;
  std::optional<int64_t> remaining;
  std::optional<int64_t> reset_seconds;
  std::optional<int64_t> retry_after_seconds;
  std::optional<int64_t> window_seconds;

  bool empty() const {
    return !limit && !remaining && !reset_seconds && !retry_after_seconds && !window_seconds;
  }
};

RateLimitInfo ParseRateLimitHeaders(const Headers& headers, absl::Time now);

// Parses "Retry-After": delta seconds or an IMF-fixdate; nullopt if neither.
std::optional<int64_t> ParseRetryAfter(absl::string_view value, absl::Time now);

}  // namespace cmcp::proxy
