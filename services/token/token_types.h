// File: token_types.h
// Plain records the token service keeps: integrated accounts (secret sealed),
// MCP servers (with the keyed hash of their URL token) and API tokens. The
// gRPC handler translates these to and from the proto contract.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace cmcp::token {

struct AccountRecord {
  std::string id;
  std::string integration;  // "caspio"
  std::string name;
  std::string base_url;
  std::string client_id;
  // AES-256-GCM of the client secret (nonce|ciphertext|tag), bound to the id.
  std::string sealed_client_secret;
  // Which encryption key sealed it (keys rotate).
  std::string key_id;
  absl::Time created_at;
  absl::Time updated_at;
};

struct ServerConfig {
  std::vector<std::string> methods;
  std::vector<std::string> tags;
  bool require_api_token_auth = false;
};

struct ServerRecord {
  std::string id;
  std::string name;
  std::string account_id;
  ServerConfig config;
  std::optional<absl::Time> expires_at;
  absl::Time created_at;
  absl::Time updated_at;
  // HMAC-SHA256(pepper, URL token), hex. The token itself is never stored.
  std::string token_hash;
};

enum class ApiTokenScope { kAdmin, kMcpClient };

struct ApiTokenRecord {
  std::string id;
  std::string name;
  ApiTokenScope scope = ApiTokenScope::kMcpClient;
  std::vector<std::string> account_ids;  // MCP_CLIENT only; empty = any
  std::optional<absl::Time> expires_at;
  absl::Time created_at;
  std::string token_hash;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty on the last page
};

struct PageRequest {
  int page_size = 20;
  std::string cursor;
};

}  // namespace cmcp::token
