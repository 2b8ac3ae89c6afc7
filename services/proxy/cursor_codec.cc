#include "services/proxy/cursor_codec.h"

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/status/error.h"
#include "nlohmann/json.hpp"

namespace cmcp::proxy {
namespace {

constexpr size_t kMaxCursorLength = 1024;

// Reads a field of the expected type; a missing or mistyped field makes the
// cursor malformed (nlohmann's value() would throw, killing the proxy).
bool ReadString(const nlohmann::json& j, const char* key, std::string* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

bool ReadInt(const nlohmann::json& j, const char* key, int64_t* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return false;
  *out = it->get<int64_t>();
  return true;
}

absl::Status BadCursor(absl::string_view why) {
  return MakeError(absl::StatusCode::kInvalidArgument, absl::StrCat("next_cursor ", why),
                   caspio_mcp::common::v1::ERROR_REASON_INVALID_CURSOR, "next_cursor",
                   "send next_cursor exactly as the previous call returned it, with the same other arguments, "
                   "or omit it to start from the first page");
}

}  // namespace

std::string CursorCodec::Encode(const CursorState& state) const {
  const std::string payload = nlohmann::json{{"v", 1},
                                             {"t", state.tool},
                                             {"q", state.query_digest},
                                             {"o", state.offset},
                                             {"p", state.page_size}}
                                  .dump();
  return SealEnvelope(key_, payload);
}

absl::StatusOr<CursorState> CursorCodec::Decode(const std::string& cursor, const std::string& tool,
                                                const std::string& query_digest) const {
  auto payload = OpenEnvelope(key_, cursor, kMaxCursorLength);
  if (!payload.ok()) return BadCursor("is not a cursor this server issued (it was changed or made up)");
  nlohmann::json j = nlohmann::json::parse(*payload, nullptr, false);
  int64_t version = 0;
  CursorState state;
  if (j.is_discarded() || !j.is_object() || !ReadInt(j, "v", &version) || version != 1 ||
      !ReadString(j, "t", &state.tool) || !ReadString(j, "q", &state.query_digest) ||
      !ReadInt(j, "o", &state.offset) || !ReadInt(j, "p", &state.page_size)) {
    return BadCursor("has an unknown format");
  }
  if (state.tool != tool) return BadCursor("belongs to another tool");
  if (state.query_digest != query_digest) {
    return BadCursor("belongs to a different query: the filter, sort, select or table changed since it was issued");
  }
  if (state.offset < 0 || state.page_size <= 0) return BadCursor("is malformed");
  return state;
}

}  // namespace cmcp::proxy
