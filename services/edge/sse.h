// File: sse.h
// Server-Sent Events framing for MCP streams.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/http/http_types.h"

namespace cmcp::edge {

// One event; multi-line data becomes several data: lines. An empty `id`
// omits the field; `retry_ms` > 0 adds a retry: field.
inline std::string SseEvent(absl::string_view data, absl::string_view id = "", absl::string_view event = "message",
                            int retry_ms = 0) {
  std::string out;
  if (!event.empty()) absl::StrAppend(&out, "event: ", event, "\n");
  if (!id.empty()) absl::StrAppend(&out, "id: ", id, "\n");
  if (retry_ms > 0) absl::StrAppend(&out, "retry: ", retry_ms, "\n");
  for (absl::string_view line : absl::StrSplit(data, '\n')) absl::StrAppend(&out, "data: ", line, "\n");
  out.append("\n");
  return out;
}

inline std::string SseComment(absl::string_view text) { return absl::StrCat(": ", text, "\n\n"); }

inline Headers SseHeaders() {
  Headers h;
  h.Add("Content-Type", "text/event-stream");
  h.Add("Cache-Control", "no-cache, no-transform");
  // Tells nginx and similar proxies not to buffer the stream.
  h.Add("X-Accel-Buffering", "no");
  return h;
}

}  // namespace cmcp::edge
