// File: in_memory_token_store.h
// The TokenStore fake for unit tests: maps in memory, honouring expiry through
// an injected clock the way Redis TTLs would. Not thread-safe beyond a mutex.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status/error.h"
#include "services/token/token_store.h"

namespace cmcp::token {

class InMemoryTokenStore final : public TokenStore {
 public:
  explicit InMemoryTokenStore(std::function<absl::Time()> clock) : clock_(std::move(clock)) {}

  absl::Status PutAccount(const AccountRecord& account) override {
    absl::MutexLock lock(&mu_);
    accounts_[account.id] = account;
    return absl::OkStatus();
  }
  absl::StatusOr<AccountRecord> GetAccount(const std::string& id) override {
    absl::MutexLock lock(&mu_);
    auto it = accounts_.find(id);
    if (it == accounts_.end()) return NotFoundError(absl::StrCat("integrated account ", id, " not found"));
    return it->second;
  }
  absl::StatusOr<Page<AccountRecord>> ListAccounts(const PageRequest& page) override {
    absl::MutexLock lock(&mu_);
    Page<AccountRecord> out;
    for (auto it = accounts_.upper_bound(page.cursor); it != accounts_.end(); ++it) {
      if (static_cast<int>(out.items.size()) == page.page_size) {
        out.next_cursor = out.items.back().id;
        break;
      }
      out.items.push_back(it->second);
    }
    return out;
  }
  absl::StatusOr<int> DeleteAccount(const std::string& id) override {
    absl::MutexLock lock(&mu_);
    if (!accounts_.erase(id)) return NotFoundError("not found");
    int n = 0;
    for (auto it = servers_.begin(); it != servers_.end();) {
      if (it->second.account_id == id) {
        it = servers_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }
  absl::Status PutServer(const ServerRecord& server) override {
    absl::MutexLock lock(&mu_);
    servers_[server.id] = server;
    return absl::OkStatus();
  }
  absl::StatusOr<ServerRecord> GetServer(const std::string& account_id, const std::string& id) override {
    absl::MutexLock lock(&mu_);
    auto it = servers_.find(id);
    if (it == servers_.end() || it->second.account_id != account_id || Expired(it->second)) {
      return NotFoundError("MCP server not found");
    }
    return it->second;
  }
  absl::StatusOr<Page<ServerRecord>> ListServers(const std::string& account_id, const PageRequest& page) override {
    absl::MutexLock lock(&mu_);
    Page<ServerRecord> out;
    for (auto it = servers_.upper_bound(page.cursor); it != servers_.end(); ++it) {
      if (it->second.account_id != account_id || Expired(it->second)) continue;
      if (static_cast<int>(out.items.size()) == page.page_size) {
        out.next_cursor = out.items.back().id;
        break;
      }
      out.items.push_back(it->second);
    }
    return out;
  }
  absl::Status DeleteServer(const std::string& account_id, const std::string& id) override {
    absl::MutexLock lock(&mu_);
    auto it = servers_.find(id);
    if (it == servers_.end() || it->second.account_id != account_id) return NotFoundError("MCP server not found");
    servers_.erase(it);
    return absl::OkStatus();
  }
  absl::StatusOr<ServerRecord> GetServerByTokenHash(const std::string& token_hash) override {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, s] : servers_) {
      if (s.token_hash == token_hash && !Expired(s)) return s;
    }
    return NotFoundError("unknown MCP token");
  }
  absl::Status PutApiToken(const ApiTokenRecord& token) override {
    absl::MutexLock lock(&mu_);
    api_tokens_[token.id] = token;
    return absl::OkStatus();
  }
  absl::StatusOr<ApiTokenRecord> GetApiTokenByHash(const std::string& token_hash) override {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, t] : api_tokens_) {
      if (t.token_hash == token_hash) return t;
    }
    return NotFoundError("unknown API token");
  }
  absl::StatusOr<ApiTokenRecord> GetApiToken(const std::string& id) override {
    absl::MutexLock lock(&mu_);
    auto it = api_tokens_.find(id);
    if (it == api_tokens_.end()) return NotFoundError("API token not found");
    return it->second;
  }
  absl::Status DeleteApiToken(const std::string& id) override {
    absl::MutexLock lock(&mu_);
    if (!api_tokens_.erase(id)) return NotFoundError("API token not found");
    return absl::OkStatus();
  }
  absl::StatusOr<int> SweepExpiredServers(absl::Time now, int max_count) override {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (auto it = servers_.begin(); it != servers_.end() && n < max_count;) {
      if (it->second.expires_at.has_value() && *it->second.expires_at <= now) {
        it = servers_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }
  absl::Status Ping() override { return absl::OkStatus(); }

  // What a leak of the store would reveal, for tests that look for secrets.
  std::string DumpForTesting() {
    absl::MutexLock lock(&mu_);
    std::string out;
    for (const auto& [id, a] : accounts_) absl::StrAppend(&out, a.client_id, a.sealed_client_secret, a.base_url, "\n");
    for (const auto& [id, s] : servers_) absl::StrAppend(&out, s.id, s.token_hash, "\n");
    for (const auto& [id, t] : api_tokens_) absl::StrAppend(&out, t.id, t.token_hash, "\n");
    return out;
  }

 private:
  bool Expired(const ServerRecord& s) const { return s.expires_at.has_value() && *s.expires_at <= clock_(); }

  std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  std::map<std::string, AccountRecord> accounts_;
  std::map<std::string, ServerRecord> servers_;
  std::map<std::string, ApiTokenRecord> api_tokens_;
};

}  // namespace cmcp::token
