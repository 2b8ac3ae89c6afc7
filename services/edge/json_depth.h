// File: json_depth.h
// A guard run on request bodies before they are parsed. nlohmann::json parses
// iteratively, but copying and serializing a value recurse once per nesting
// level, so a small body of a million '[' would overflow an I/O thread's stack
// and take the edge down. Bodies nested deeper than kMaxJsonDepth are refused
// unparsed; MCP and admin API messages need a handful of levels.
//
//   if (JsonNestsDeeperThan(request.body, kMaxJsonDepth)) { /* 400 */ }
#pragma once

#include "absl/strings/string_view.h"

namespace cmcp::edge {

inline constexpr int kMaxJsonDepth = 64;

// True when `text` opens more than `max_depth` arrays/objects at once,
// counting brackets outside string literals only (exact for valid JSON; text
// that is not JSON fails to parse anyway).
bool JsonNestsDeeperThan(absl::string_view text, int max_depth);

}  // namespace cmcp::edge
