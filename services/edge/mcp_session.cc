#include "services/edge/mcp_session.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/crypto.h"
#include "common/status/error.h"

namespace cmcp::edge {

std::string McpSessionCodec::Seal(const McpSession& session) const {
  // v2|server|version|created_ms|nonce|owner
  const std::string payload =
      absl::StrCat("v2|", session.server_id, "|", session.protocol_version, "|", absl::ToUnixMillis(session.created_at),
                   "|", Hex(RandomBytes(8)), "|", session.owner);
  return SealEnvelope(key_, payload);
}

absl::StatusOr<McpSession> McpSessionCodec::Open(const std::string& id, const std::string& server_id) const {
  auto not_found = [] { return NotFoundError("Session not found"); };
  auto payload = OpenEnvelope(key_, id, 512);
  if (!payload.ok()) return not_found();
  std::vector<std::string> parts = absl::StrSplit(*payload, '|');
  int64_t created_ms = 0;
  if (parts.size() != 6 || parts[0] != "v2" || !absl::SimpleAtoi(parts[3], &created_ms)) return not_found();
  if (parts[1] != server_id) return not_found();
  const absl::Time created = absl::FromUnixMillis(created_ms);
  if (absl::Now() - created > max_age_) return not_found();
  return McpSession{parts[1], parts[2], created, parts[5]};
}

}  // namespace cmcp::edge
