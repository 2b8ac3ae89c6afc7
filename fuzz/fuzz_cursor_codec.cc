// Fuzz target: the pagination cursor decoder (services/proxy/cursor_codec.h).
// The first byte picks what the rest is:
//   even: a cursor as a client sends it (next_cursor), opened as is: refused
//         (INVALID_ARGUMENT, reason INVALID_CURSOR) unless it is authentic.
//   odd:  the payload of a cursor, sealed with the codec's key first, so the
//         fuzzer reaches the JSON reading behind the MAC (defense in depth: a
//         leaked key or an old cursor format must not crash the proxy).
// Every decoded state must re-encode and decode to itself.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/crypto/crypto.h"
#include "common/status/error.h"
#include "services/proxy/cursor_codec.h"

namespace {

const std::string kKey(32, 'k');
constexpr char kTool[] = "list_all_caspio_records";
constexpr char kDigest[] = "d1";

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_cursor_codec: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const cmcp::proxy::CursorCodec codec(kKey);
  const bool sealed = (data[0] & 1) != 0;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string cursor = sealed ? cmcp::SealEnvelope(kKey, rest) : rest;
  auto state = codec.Decode(cursor, kTool, kDigest);
  if (!state.ok()) {
    if (state.status().code() != absl::StatusCode::kInvalidArgument) Fail("refusal is not INVALID_ARGUMENT");
    const auto detail = cmcp::GetErrorDetail(state.status());
    if (!detail.has_value() || detail->reason() != caspio_mcp::common::v1::ERROR_REASON_INVALID_CURSOR ||
        detail->field() != "next_cursor") {
      Fail("refusal lacks the INVALID_CURSOR detail");
    }
    return 0;
  }
  if (state->tool != kTool || state->query_digest != kDigest) Fail("accepted a cursor of another query");
  if (state->offset < 0 || state->page_size <= 0) Fail("accepted a malformed position");
  auto again = codec.Decode(codec.Encode(*state), kTool, kDigest);
  if (!again.ok() || again->offset != state->offset || again->page_size != state->page_size) {
    Fail("a decoded state does not survive Encode + Decode");
  }
  return 0;
}
