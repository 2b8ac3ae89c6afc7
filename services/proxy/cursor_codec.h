// File: cursor_codec.h
// Opaque, signed pagination cursors (SPEC §5): the cursor carries where the
// next page starts and a digest of the query it continues, sealed with
// HMAC-SHA256 under the proxy's key. A cursor that was altered, forged, or
// sent with different query arguments (or to a different tool) is refused.
//
//   std::string c = codec.Encode({.tool = "list_all_caspio_records", .query_digest = d,
//                                 .offset = 100, .page_size = 100});
//   CMCP_ASSIGN_OR_RETURN(CursorState s, codec.Decode(c, tool, d));
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace cmcp::proxy {

struct CursorState {
  std::string tool;
  // Digest of the arguments that define the result set (not limit/cursor).
  std::string query_digest;
  // Rows already returned.
  int64_t offset = 0;
  // The upstream page size fixed by the first call.
  int64_t page_size = 0;
};

class CursorCodec {
 public:
  // `key`: at least 32 bytes of secret.
  explicit CursorCodec(std::string key) : key_(std::move(key)) {}

  std::string Encode(const CursorState& state) const;
  // INVALID_ARGUMENT (reason INVALID_CURSOR, field next_cursor) unless the
  // cursor is authentic and belongs to `tool` and `query_digest`.
  absl::StatusOr<CursorState> Decode(const std::string& cursor, const std::string& tool,
                                     const std::string& query_digest) const;

 private:
  std::string key_;
};

}  // namespace cmcp::proxy
