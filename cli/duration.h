// File: duration.h
// Durations as operators type them on the command line: "90s", "30m", "24h",
// "7d", "2w" and sums such as "1h30m" (the console accepts the same). Used by
// --expires-in; absl::ParseDuration has no days or weeks.
//
//   absl::StatusOr<absl::Duration> d = ParseHumanDuration("24h");
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cmcp::cli {

// A positive duration; INVALID_ARGUMENT with an example otherwise.
absl::StatusOr<absl::Duration> ParseHumanDuration(absl::string_view text);

// "2026-12-31T23:59:59.000Z", the admin API's time format.
std::string Rfc3339(absl::Time t);

// "in 23h 59m", "5m ago": coarse, for humans.
std::string Relative(absl::Time t, absl::Time now);

}  // namespace cmcp::cli
