#include "cli/duration.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace cmcp::cli {

absl::StatusOr<absl::Duration> ParseHumanDuration(absl::string_view text) {
  const std::string s = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not a duration: write it like 90s, 30m, 24h, 7d or 1h30m"));
  };
  if (s.empty()) return bad();
  absl::Duration total = absl::ZeroDuration();
  size_t i = 0;
  while (i < s.size()) {
    int64_t n = 0;
    size_t digits = 0;
    while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
      if (n > 1'000'000'000) return bad();
      n = n * 10 + (s[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || i == s.size()) return bad();
    switch (s[i]) {
      case 's': total += absl::Seconds(n); break;
      case 'm': total += absl::Minutes(n); break;
      case 'h': total += absl::Hours(n); break;
      case 'd': total += absl::Hours(24 * n); break;
      case 'w': total += absl::Hours(24 * 7 * n); break;
      default: return bad();
    }
    ++i;
  }
  if (total <= absl::ZeroDuration()) return bad();
  return total;
}

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()); }

std::string Relative(absl::Time t, absl::Time now) {
  absl::Duration d = t - now;
  const bool future = d >= absl::ZeroDuration();
  // Rounded, not truncated: "--expires-in 24h" printed a moment later still reads "in 24h".
  const int64_t s = absl::ToInt64Seconds(absl::AbsDuration(d) + absl::Milliseconds(500));
  std::string text;
  if (s < 60) {
    text = absl::StrCat(s, "s");
  } else if (s < 3600) {
    text = absl::StrCat((s + 30) / 60, "m");
  } else if (s < 48 * 3600) {
    const int64_t minutes = (s + 30) / 60;
    text = absl::StrCat(minutes / 60, "h");
    if (minutes % 60 != 0) absl::StrAppend(&text, " ", minutes % 60, "m");
  } else {
    const int64_t hours = (s + 1800) / 3600;
    text = absl::StrCat(hours / 24, "d");
    if (hours % 24 != 0) absl::StrAppend(&text, " ", hours % 24, "h");
  }
  return future ? absl::StrCat("in ", text) : absl::StrCat(text, " ago");
}

}  // namespace cmcp::cli
