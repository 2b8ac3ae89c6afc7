// File: json_depth.h
// A guard run on JSON from outside before it is parsed: request bodies at the
// edge, Caspio's responses in the proxy. nlohmann::json parses iteratively,
// but copying and serializing a value recurse once per nesting level, so a
// small body of a million '[' would overflow a thread's stack and take the
// process down. Text nested deeper than kMaxJsonDepth is refused unparsed;
// MCP and admin API messages and Caspio's answers need a handful of levels.
//
//   if (JsonNestsDeeperThan(request.body, kMaxJsonDepth)) { /* 400 */ }
#pragma once

#include "absl/strings/string_view.h"

namespace cmcp {

inline constexpr int kMaxJsonDepth = 64;

// True when `text` opens more than `max_depth` arrays/objects at once,
// counting brackets outside string literals only (exact for valid JSON; text
// that is not JSON fails to parse anyway).
bool JsonNestsDeeperThan(absl::string_view text, int max_depth);

}  // namespace cmcp
