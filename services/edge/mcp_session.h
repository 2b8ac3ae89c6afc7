// File: mcp_session.h
// Mcp-Session-Id values sealed with HMAC-SHA256 under a key every edge
// replica shares, so a session works on any replica without sticky routing
// and without a store: the id carries the MCP server id, the negotiated
// protocol version and the client's name and version. An id that was forged, altered or minted for another
// server does not open (the edge answers 404, as the spec requires for
// unknown sessions). Only visible ASCII (base64url and '.') is used.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cmcp::edge {

struct McpSession {
  std::string server_id;
  std::string protocol_version;
  absl::Time created_at;
  // The edge replica holding the session's stream (legacy HTTP+SSE); "" when
  // any replica may serve it (Streamable HTTP).
  std::string owner;
  // The client's clientInfo from initialize (for the audit log), at most
  // kMaxClientInfoBytes each; "" when unknown.
  std::string client_name;
  std::string client_version;
};

inline constexpr size_t kMaxClientInfoBytes = 64;

class McpSessionCodec {
 public:
  explicit McpSessionCodec(std::string key, absl::Duration max_age = absl::Hours(24))
      : key_(std::move(key)), max_age_(max_age) {}
  absl::Duration max_age() const { return max_age_; }
  std::string Seal(const McpSession& session) const;
  // NOT_FOUND unless authentic, for `server_id` and younger than max_age.
  absl::StatusOr<McpSession> Open(const std::string& id, const std::string& server_id) const;

 private:
  std::string key_;
  absl::Duration max_age_;
};

}  // namespace cmcp::edge
