// Text semantics of SQL Server's default collation and conversions, shared by
// the translator (literal coercion) and the SQLite functions it relies on.
#include <cstdio>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "sandbox/caspio/tsql/tsql.h"

namespace cmcp::sandbox::tsql {
namespace {

absl::string_view StripTrailingSpaces(absl::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Reads exactly `width` digits (or 1..width when `exact` is false).
bool ReadDigits(absl::string_view& s, int min_width, int max_width, int* out) {
  int value = 0;
  int count = 0;
  while (count < max_width && !s.empty() && absl::ascii_isdigit(static_cast<unsigned char>(s[0]))) {
    value = value * 10 + (s[0] - '0');
    s.remove_prefix(1);
    ++count;
  }
  if (count < min_width) return false;
  *out = value;
  return true;
}

bool Consume(absl::string_view& s, char c) {
  if (s.empty() || s[0] != c) return false;
  s.remove_prefix(1);
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysIn(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

absl::StatusOr<std::string> NormalizeDateTime(absl::string_view text) {
  const std::string original(text);
  absl::string_view s = absl::StripAsciiWhitespace(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  bool ok = false;
  absl::string_view probe = s;
  int first = 0;
  if (ReadDigits(probe, 4, 4, &first) && (probe.empty() || probe[0] == '-' || probe[0] == '/' ||
                                          probe[0] == 'T' || probe[0] == ' ')) {
    // ISO: YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD handled below.
    year = first;
    s = probe;
    const char sep = s.empty() ? '\0' : s[0];
    if ((sep == '-' || sep == '/') && Consume(s, sep) && ReadDigits(s, 1, 2, &month) &&
        Consume(s, sep) && ReadDigits(s, 1, 2, &day)) {
      ok = true;
    }
  } else {
    probe = s;
    if (ReadDigits(probe, 8, 8, &first) && (probe.empty() || probe[0] == ' ' || probe[0] == 'T')) {
      year = first / 10000;
      month = first / 100 % 100;
      day = first % 100;
      s = probe;
      ok = true;
    } else if (ReadDigits(s, 1, 2, &month) && Consume(s, '/') && ReadDigits(s, 1, 2, &day) &&
               Consume(s, '/') && ReadDigits(s, 4, 4, &year)) {
      // US style MM/DD/YYYY (SQL Server's default us_english DATEFORMAT mdy).
      ok = true;
    }
  }
  if (ok && !s.empty()) {
    if (s[0] == 'T' || s[0] == ' ') {
      s.remove_prefix(1);
      while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
      ok = ReadDigits(s, 1, 2, &hour) && Consume(s, ':') && ReadDigits(s, 2, 2, &minute);
      if (ok && Consume(s, ':')) ok = ReadDigits(s, 2, 2, &second);
      if (ok && Consume(s, '.')) {
        int fraction = 0;
        ok = ReadDigits(s, 1, 7, &fraction);
      }
      while (ok && !s.empty() && s[0] == ' ') s.remove_prefix(1);
      if (ok && !s.empty()) {
        const std::string suffix = absl::AsciiStrToUpper(s);
        if ((suffix == "AM" || suffix == "PM") && hour >= 1 && hour <= 12) {
          if (suffix == "AM" && hour == 12) hour = 0;
          if (suffix == "PM" && hour != 12) hour += 12;
          s = absl::string_view();
        } else if (suffix == "Z") {
          s = absl::string_view();
        }
      }
      ok = ok && s.empty();
    } else {
      ok = false;
    }
  }
  if (ok) {
    ok = year >= 1753 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= DaysIn(year, month) && hour <= 23 && minute <= 59 && second <= 59;
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Conversion failed when converting date and/or time from character string '", original,
        "'."));
  }
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute, second);
}

int CompareCi(absl::string_view a, absl::string_view b) {
  a = StripTrailingSpaces(a);
  b = StripTrailingSpaces(b);
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char ca = absl::ascii_tolower(static_cast<unsigned char>(a[i]));
    const unsigned char cb = absl::ascii_tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

namespace {

// Matches one bracket set "[...]" starting after '['. Sets `*consumed` to the
// bytes used including ']'. A set without ']' matches '[' literally.
bool MatchSet(absl::string_view pattern, char c, size_t* consumed, bool* valid) {
  size_t i = 0;
  bool negate = false;
  if (i < pattern.size() && pattern[i] == '^') {
    negate = true;
    ++i;
  }
  bool matched = false;
  const char lc = absl::ascii_tolower(static_cast<unsigned char>(c));
  bool first = true;
  while (i < pattern.size() && (pattern[i] != ']' || first)) {
    first = false;
    char lo = absl::ascii_tolower(static_cast<unsigned char>(pattern[i]));
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      char hi = absl::ascii_tolower(static_cast<unsigned char>(pattern[i + 2]));
      if (lc >= lo && lc <= hi) matched = true;
      i += 3;
    } else {
      if (lc == lo) matched = true;
      ++i;
    }
  }
  if (i >= pattern.size()) {
    *valid = false;
    return false;
  }
  *valid = true;
  *consumed = i + 1;
  return matched != negate;
}

// Does the pattern element at `p` (not '%') match `c`? Sets `*length` to its
// size in the pattern.
bool ElementMatches(absl::string_view pattern, size_t p, int escape, char c, size_t* length) {
  const char pc = pattern[p];
  const char lc = absl::ascii_tolower(static_cast<unsigned char>(c));
  if (escape >= 0 && pc == static_cast<char>(escape) && p + 1 < pattern.size()) {
    *length = 2;
    return absl::ascii_tolower(static_cast<unsigned char>(pattern[p + 1])) == lc;
  }
  if (pc == '_') {
    *length = 1;
    return true;
  }
  if (pc == '[') {
    size_t consumed = 0;
    bool valid = false;
    const bool m = MatchSet(pattern.substr(p + 1), c, &consumed, &valid);
    if (valid) {
      *length = 1 + consumed;
      return m;
    }
  }
  *length = 1;
  return absl::ascii_tolower(static_cast<unsigned char>(pc)) == lc;
}

// Classic wildcard matching with backtracking to the last '%': O(|value| *
// |pattern|) however hostile the pattern.
bool LikeFrom(absl::string_view value, absl::string_view pattern, int escape) {
  size_t v = 0;
  size_t p = 0;
  size_t star_p = absl::string_view::npos;
  size_t star_v = 0;
  while (v < value.size()) {
    if (p < pattern.size()) {
      if (pattern[p] == '%') {
        while (p < pattern.size() && pattern[p] == '%') ++p;
        star_p = p;
        star_v = v;
        continue;
      }
      size_t length = 1;
      if (ElementMatches(pattern, p, escape, value[v], &length)) {
        ++v;
        p += length;
        continue;
      }
    }
    if (star_p == absl::string_view::npos) return false;
    p = star_p;
    v = ++star_v;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

}  // namespace

bool LikeMatch(absl::string_view value, absl::string_view pattern, absl::string_view escape) {
  const int esc = escape.size() == 1 ? static_cast<unsigned char>(escape[0]) : -1;
  // SQL Server ignores trailing spaces of the value for LIKE on nvarchar when
  // the pattern does not end in spaces.
  if (pattern.empty() || pattern.back() != ' ') value = StripTrailingSpaces(value);
  return LikeFrom(value, pattern, esc);
}

std::string CanonicalDatePart(absl::string_view part) {
  const std::string p = absl::AsciiStrToLower(part);
  if (p == "year" || p == "yy" || p == "yyyy") return "year";
  if (p == "quarter" || p == "qq" || p == "q") return "quarter";
  if (p == "month" || p == "mm" || p == "m") return "month";
  if (p == "dayofyear" || p == "dy" || p == "y" || p == "day" || p == "dd" || p == "d") return "day";
  if (p == "week" || p == "wk" || p == "ww") return "week";
  if (p == "hour" || p == "hh") return "hour";
  if (p == "minute" || p == "mi" || p == "n") return "minute";
  if (p == "second" || p == "ss" || p == "s") return "second";
  return "";
}

namespace {

absl::StatusOr<absl::CivilSecond> ParseCivil(absl::string_view date) {
  auto normalized = NormalizeDateTime(date);
  if (!normalized.ok()) return normalized.status();
  absl::CivilSecond civil;
  if (!absl::ParseCivilTime(*normalized, &civil)) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid date '", date, "'."));
  }
  return civil;
}

}  // namespace

absl::StatusOr<std::string> DateAdd(absl::string_view part, int64_t n, absl::string_view date) {
  auto civil = ParseCivil(date);
  if (!civil.ok()) return civil.status();
  const std::string p = CanonicalDatePart(part);
  if (n > 1000000000 || n < -1000000000) return absl::InvalidArgumentError("Adding a value to a 'datetime' column caused an overflow.");
  absl::CivilSecond out = *civil;
  const absl::CivilDay day(*civil);
  const int64_t seconds_of_day = *civil - absl::CivilSecond(day);
  if (p == "year" || p == "quarter" || p == "month") {
    const int64_t months = p == "year" ? n * 12 : p == "quarter" ? n * 3 : n;
    const absl::CivilMonth month = absl::CivilMonth(*civil) + months;
    // Clamp the day to the target month's length, as SQL Server does.
    const absl::CivilDay last = absl::CivilDay(month + 1) - 1;
    const int d = std::min(civil->day(), last.day());
    out = absl::CivilSecond(month.year(), month.month(), d, civil->hour(), civil->minute(), civil->second());
  } else if (p == "day" || p == "week") {
    out = absl::CivilSecond(day + (p == "week" ? n * 7 : n)) + seconds_of_day;
  } else if (p == "hour") {
    out = *civil + n * 3600;
  } else if (p == "minute") {
    out = *civil + n * 60;
  } else if (p == "second") {
    out = *civil + n;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("'", part, "' is not a recognized dateadd option."));
  }
  if (out.year() < 1753 || out.year() > 9999) {
    return absl::InvalidArgumentError("Adding a value to a 'datetime' column caused an overflow.");
  }
  return absl::FormatCivilTime(out);
}

absl::StatusOr<int64_t> DateDiff(absl::string_view part, absl::string_view start, absl::string_view end) {
  auto a = ParseCivil(start);
  if (!a.ok()) return a.status();
  auto b = ParseCivil(end);
  if (!b.ok()) return b.status();
  const std::string p = CanonicalDatePart(part);
  if (p == "year") return b->year() - a->year();
  if (p == "quarter") {
    return (b->year() * 4 + (b->month() - 1) / 3) - (a->year() * 4 + (a->month() - 1) / 3);
  }
  if (p == "month") return absl::CivilMonth(*b) - absl::CivilMonth(*a);
  if (p == "day") return absl::CivilDay(*b) - absl::CivilDay(*a);
  if (p == "week") {
    // Weeks start on Sunday (SQL Server's us_english DATEFIRST 7).
    auto sunday = [](absl::CivilDay d) { return d - (static_cast<int>(absl::GetWeekday(d)) + 1) % 7; };
    return (sunday(absl::CivilDay(*b)) - sunday(absl::CivilDay(*a))) / 7;
  }
  if (p == "hour") return absl::CivilHour(*b) - absl::CivilHour(*a);
  if (p == "minute") return absl::CivilMinute(*b) - absl::CivilMinute(*a);
  if (p == "second") return *b - *a;
  return absl::InvalidArgumentError(absl::StrCat("'", part, "' is not a recognized datediff option."));
}

}  // namespace cmcp::sandbox::tsql
