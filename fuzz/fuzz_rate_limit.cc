// Fuzz target: the rate-limit header parser (services/proxy/rate_limit.h).
// Input: header lines "Name: value" as an upstream (Caspio, or a proxy in
// front of it) might send them; the parser reads X-RateLimit-*, RateLimit-*,
// RateLimit, RateLimit-Policy and Retry-After. Every number it reports is a
// count or a delta in seconds, so none may be negative.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/http/http_types.h"
#include "services/proxy/rate_limit.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_rate_limit: %s\n", what);
  std::abort();
}

void NotNegative(const std::optional<int64_t>& v, const char* what) {
  if (v.has_value() && *v < 0) Fail(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  cmcp::Headers headers;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::ConsumeSuffix(&line, "\r");
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    headers.Add(std::string(line.substr(0, colon)), std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  // A fixed clock keeps runs reproducible: 2024-05-01T00:00:00Z.
  const absl::Time now = absl::FromUnixSeconds(1714521600);
  const cmcp::proxy::RateLimitInfo info = cmcp::proxy::ParseRateLimitHeaders(headers, now);
  NotNegative(info.reset_seconds, "negative reset");
  NotNegative(info.retry_after_seconds, "negative retry-after");
  if (auto v = headers.Get("Retry-After")) {
    const auto direct = cmcp::proxy::ParseRetryAfter(*v, now);
    NotNegative(direct, "negative ParseRetryAfter");
    if (direct != info.retry_after_seconds) Fail("Retry-After read two ways");
  }
  if (!info.reset_seconds.has_value() && info.retry_after_seconds.has_value()) Fail("reset not taken from Retry-After");
  (void)info.empty();
  return 0;
}
