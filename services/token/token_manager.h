// File: token_manager.h
// The token service's logic, free of gRPC and Redis: validates every field
// (messages name it), seals credentials, mints 256-bit URL tokens stored only
// as HMAC-SHA256(pepper, token), applies Truto's MCP-server rules (expiry at
// least `min_expiry_lead` ahead, PATCH without config skips the tool check,
// clearing expiry, 400 when the filter matches no tool), and resolves tokens
// exactly at expiry. Its dependencies are interfaces with fakes in tests.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/token/base_url_policy.h"
#include "services/token/secret_box.h"
#include "services/token/token_store.h"
#include "services/token/tool_checker.h"

namespace cmcp::token {

struct TokenManagerSettings {
  // HMAC key for URL and API token hashes.
  std::string pepper;
  // expires_at must be at least this far ahead (Truto: 60 s).
  absl::Duration min_expiry_lead = absl::Seconds(60);
  // Longest time a resolve answer may be cached by edge.
  absl::Duration resolve_cache_ttl = absl::Milliseconds(500);
};

struct NewAccount {
  std::string integration;
  std::string name;
  std::string base_url;
  std::string client_id;
  std::string client_secret;
};

struct AccountCredentials {
  std::string account_id;
  std::string base_url;
  std::string client_id;
  std::string client_secret;
};

struct NewServer {
  std::string account_id;
  std::string name;
  ServerConfig config;
  std::optional<absl::Time> expires_at;
};

struct CreatedServer {
  ServerRecord server;
  std::string token;  // returned once
};

struct ServerUpdate {
  std::string account_id;
  std::string id;
  std::optional<std::string> name;
  std::optional<ServerConfig> config;
  enum class Expiry { kKeep, kSet, kClear };
  Expiry expiry = Expiry::kKeep;
  absl::Time expires_at;  // for kSet
};

struct ResolvedServer {
  ServerRecord server;
  absl::Duration cache_ttl;
};

struct NewApiToken {
  std::string name;
  ApiTokenScope scope = ApiTokenScope::kMcpClient;
  std::vector<std::string> account_ids;
  std::optional<absl::Time> expires_at;
};

struct CreatedApiToken {
  ApiTokenRecord record;
  std::string token;  // returned once
};

class TokenManager {
 public:
  using Clock = std::function<absl::Time()>;

  TokenManager(TokenManagerSettings settings, TokenStore* store, const SecretBox* secrets,
               BaseUrlPolicy base_urls, ToolChecker* tools, Clock clock = absl::Now);

  absl::StatusOr<AccountRecord> CreateAccount(const NewAccount& request);
  absl::StatusOr<AccountRecord> GetAccount(const std::string& id);
  absl::StatusOr<Page<AccountRecord>> ListAccounts(int page_size, const std::string& cursor);
  absl::StatusOr<int> DeleteAccount(const std::string& id);
  absl::StatusOr<AccountCredentials> GetCredentials(const std::string& account_id);

  absl::StatusOr<CreatedServer> CreateServer(const NewServer& request);
  absl::StatusOr<ServerRecord> GetServer(const std::string& account_id, const std::string& id);
  absl::StatusOr<Page<ServerRecord>> ListServers(const std::string& account_id, int page_size,
                                                 const std::string& cursor);
  absl::StatusOr<ServerRecord> UpdateServer(const ServerUpdate& request);
  absl::Status DeleteServer(const std::string& account_id, const std::string& id);
  // NOT_FOUND for unknown, deleted and expired tokens alike.
  absl::StatusOr<ResolvedServer> Resolve(const std::string& token);

  absl::StatusOr<CreatedApiToken> CreateApiToken(const NewApiToken& request);
  absl::Status DeleteApiToken(const std::string& id);
  // UNAUTHENTICATED for unknown/expired tokens, PERMISSION_DENIED for a token
  // whose scope or accounts do not cover the request.
  absl::StatusOr<ApiTokenRecord> VerifyApiToken(const std::string& token, ApiTokenScope required_scope,
                                                const std::string& account_id);
  // Makes `token` a valid ADMIN token with the fixed id "bootstrap",
  // replacing the previous bootstrap token if the configured one changed.
  absl::Status EnsureBootstrapAdminToken(const std::string& token);

 private:
  std::string HashToken(const std::string& token) const;
  absl::Status CheckExpiry(absl::Time expires_at, absl::string_view field) const;
  absl::Status CheckConfig(const ServerConfig& config);

  TokenManagerSettings settings_;
  TokenStore* store_;
  const SecretBox* secrets_;
  BaseUrlPolicy base_urls_;
  ToolChecker* tools_;
  Clock clock_;
};

// Shape checks shared with the edge's admin API: a non-empty name of at most 200 characters.
absl::Status ValidateName(const std::string& name, absl::string_view field);

}  // namespace cmcp::token
