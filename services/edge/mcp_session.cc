#include "services/edge/mcp_session.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/crypto.h"
#include "common/status/error.h"

namespace cmcp::edge {

std::string McpSessionCodec::Seal(const McpSession& session) const {
  // v1|server|version|created_ms|nonce
  const std::string payload = absl::StrCat("v1|", session.server_id, "|", session.protocol_version, "|",
                                           absl::ToUnixMillis(session.created_at), "|", Hex(RandomBytes(8)));
  return SealEnvelope(key_, payload);
}

absl::StatusOr<McpSession> McpSessionCodec::Open(const std::string& id, const std::string& server_id) const {
  auto not_found = [] { return NotFoundError("Session not found"); };
  auto payload = OpenEnvelope(key_, id, 512);
  if (!payload.ok()) return not_found();
  std::vector<std::string> parts = absl::StrSplit(*payload, '|');
  int64_t created_ms = 0;
  if (parts.size() != 5 || parts[0] != "v1" || !absl::SimpleAtoi(parts[3], &created_ms)) return not_found();
  if (parts[1] != server_id) return not_found();
  return McpSession{parts[1], parts[2], absl::FromUnixMillis(created_ms)};
}

}  // namespace cmcp::edge
