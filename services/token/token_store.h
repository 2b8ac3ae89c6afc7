// File: token_store.h
// Where the token service keeps its records. RedisTokenStore is the real one;
// tests use an in-memory fake. Missing records are NOT_FOUND; an unreachable
// store is UNAVAILABLE (reason STORAGE_UNAVAILABLE). Stores never see a raw
// token or an unsealed secret.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/token/token_types.h"

namespace cmcp::token {

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  virtual absl::Status PutAccount(const AccountRecord& account) = 0;
  virtual absl::StatusOr<AccountRecord> GetAccount(const std::string& id) = 0;
  virtual absl::StatusOr<Page<AccountRecord>> ListAccounts(const PageRequest& page) = 0;
  // Deletes the account and all its servers; returns how many servers went.
  virtual absl::StatusOr<int> DeleteAccount(const std::string& id) = 0;

  // Creates or replaces a server and its token index entry. Both expire at
  // `expires_at` (store TTL) when it is set.
  virtual absl::Status PutServer(const ServerRecord& server) = 0;
  virtual absl::StatusOr<ServerRecord> GetServer(const std::string& account_id, const std::string& id) = 0;
  virtual absl::StatusOr<Page<ServerRecord>> ListServers(const std::string& account_id,
                                                         const PageRequest& page) = 0;
  virtual absl::Status DeleteServer(const std::string& account_id, const std::string& id) = 0;
  // The server behind a token hash, in one store round trip.
  virtual absl::StatusOr<ServerRecord> GetServerByTokenHash(const std::string& token_hash) = 0;

  virtual absl::Status PutApiToken(const ApiTokenRecord& token) = 0;
  virtual absl::StatusOr<ApiTokenRecord> GetApiTokenByHash(const std::string& token_hash) = 0;
  virtual absl::StatusOr<ApiTokenRecord> GetApiToken(const std::string& id) = 0;
  virtual absl::Status DeleteApiToken(const std::string& id) = 0;

  // Removes the index entries of servers whose expires_at is before `now`
  // (their records and token keys expire on their own through store TTLs).
  // Returns how many were removed. Safe to run from several replicas at once.
  virtual absl::StatusOr<int> SweepExpiredServers(absl::Time now, int max_count) = 0;

  virtual absl::Status Ping() = 0;
};

}  // namespace cmcp::token
