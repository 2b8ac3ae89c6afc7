#include "services/edge/mcp_session.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/crypto.h"
#include "common/status/error.h"

namespace cmcp::edge {

std::string McpSessionCodec::Seal(const McpSession& session) const {
  // v3|server|version|created_ms|nonce|owner|b64url(client name)|b64url(client version)
  const std::string payload = absl::StrCat(
      "v3|", session.server_id, "|", session.protocol_version, "|", absl::ToUnixMillis(session.created_at), "|",
      Hex(RandomBytes(8)), "|", session.owner, "|",
      Base64UrlEncode(absl::string_view(session.client_name).substr(0, kMaxClientInfoBytes)), "|",
      Base64UrlEncode(absl::string_view(session.client_version).substr(0, kMaxClientInfoBytes)));
  return SealEnvelope(key_, payload);
}

absl::StatusOr<McpSession> McpSessionCodec::Open(const std::string& id, const std::string& server_id) const {
  auto not_found = [] { return NotFoundError("Session not found"); };
  auto payload = OpenEnvelope(key_, id, 512);
  if (!payload.ok()) return not_found();
  std::vector<std::string> parts = absl::StrSplit(*payload, '|');
  int64_t created_ms = 0;
  // v2 (before client info was sealed) still opens.
  const bool v2 = parts.size() == 6 && parts[0] == "v2";
  const bool v3 = parts.size() == 8 && parts[0] == "v3";
  if ((!v2 && !v3) || !absl::SimpleAtoi(parts[3], &created_ms)) return not_found();
  if (parts[1] != server_id) return not_found();
  const absl::Time created = absl::FromUnixMillis(created_ms);
  if (absl::Now() - created > max_age_) return not_found();
  McpSession session{parts[1], parts[2], created, parts[5]};
  if (v3) {
    auto name = Base64UrlDecode(parts[6]);
    auto version = Base64UrlDecode(parts[7]);
    if (!name.ok() || !version.ok()) return not_found();
    session.client_name = *std::move(name);
    session.client_version = *std::move(version);
  }
  return session;
}

}  // namespace cmcp::edge
