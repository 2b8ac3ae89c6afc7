// File: redis_token_store.h
// TokenStore on Redis. Key layout (prefix "cmcp" by default; `{a:<id>}` is a
// Redis Cluster hash tag so one account's keys share a slot):
//   <p>:accounts                     ZSET  "<created_ms>:<account_id>" (lex order, paging)
//   <p>:{a:<acct>}:account           HASH  account fields, sealed secret
//   <p>:{a:<acct>}:servers           ZSET  "<created_ms>:<server_id>"
//   <p>:{a:<acct>}:server:<id>       HASH  server fields + token_hash      (PEXPIREAT expires_at)
//   <p>:token:<token_hash>           HASH  copy of the server for resolve  (PEXPIREAT expires_at)
//   <p>:expiries                     ZSET  score expires_ms, member "<acct>\t<created_ms>:<server_id>"
//   <p>:apitoken:<token_hash>        HASH  API token fields                (PEXPIREAT expires_at)
//   <p>:apitoken-id:<id>             STRING token_hash                     (PEXPIREAT expires_at)
// Resolve is one HGETALL. Writes to one account go in MULTI/EXEC; the token
// index is written after the server and deleted before it, so a resolve never
// finds a token whose server is gone for longer than one round trip.
#pragma once

#include <memory>
#include <string>

#include "common/redis/redis_client.h"
#include "services/token/token_store.h"

namespace cmcp::token {

class RedisTokenStore final : public TokenStore {
 public:
  RedisTokenStore(std::shared_ptr<RedisClient> redis, std::string prefix = "cmcp");

  // TokenStore
  absl::Status PutAccount(const AccountRecord& account) override;
  absl::StatusOr<AccountRecord> GetAccount(const std::string& id) override;
  absl::StatusOr<Page<AccountRecord>> ListAccounts(const PageRequest& page) override;
  absl::StatusOr<int> DeleteAccount(const std::string& id) override;
  absl::Status PutServer(const ServerRecord& server) override;
  absl::StatusOr<ServerRecord> GetServer(const std::string& account_id, const std::string& id) override;
  absl::StatusOr<Page<ServerRecord>> ListServers(const std::string& account_id, const PageRequest& page) override;
  absl::Status DeleteServer(const std::string& account_id, const std::string& id) override;
  absl::StatusOr<ServerRecord> GetServerByTokenHash(const std::string& token_hash) override;
  absl::Status PutApiToken(const ApiTokenRecord& token) override;
  absl::StatusOr<ApiTokenRecord> GetApiTokenByHash(const std::string& token_hash) override;
  absl::StatusOr<ApiTokenRecord> GetApiToken(const std::string& id) override;
  absl::Status DeleteApiToken(const std::string& id) override;
  absl::StatusOr<int> SweepExpiredServers(absl::Time now, int max_count) override;
  absl::Status Ping() override;

  // Key names, exposed for tests that inspect Redis directly.
  std::string AccountKey(const std::string& account_id) const;
  std::string ServerKey(const std::string& account_id, const std::string& server_id) const;
  std::string ServersIndexKey(const std::string& account_id) const;
  std::string TokenKey(const std::string& token_hash) const;
  std::string ExpiriesKey() const;

 private:
  std::string Tag(const std::string& account_id) const;
  std::vector<std::string> ExpiriesIndexCommand(const ServerRecord& server) const;
  // Reads members after `cursor` from a lex-ordered index.
  absl::StatusOr<std::vector<std::string>> RangeAfter(const std::string& index_key, const std::string& cursor,
                                                      int count);

  std::shared_ptr<RedisClient> redis_;
  std::string prefix_;
};

}  // namespace cmcp::token
