#include "services/token/redis_token_store.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/crypto/crypto.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace cmcp::token {
namespace {

using json = nlohmann::json;
using Fields = std::map<std::string, std::string>;

std::string Millis(absl::Time t) { return absl::StrCat(absl::ToUnixMillis(t)); }

absl::Time FromMillis(const std::string& text) {
  int64_t ms = 0;
  (void)absl::SimpleAtoi(text, &ms);
  return absl::FromUnixMillis(ms);
}

std::string IndexMember(absl::Time created_at, const std::string& id) {
  return absl::StrFormat("%016d:%s", absl::ToUnixMillis(created_at), id);
}

// The expiries index names the account and the servers-index member.
std::string ExpiryMember(const std::string& account_id, absl::Time created_at, const std::string& id) {
  return absl::StrCat(account_id, "\t", IndexMember(created_at, id));
}

std::string IdOfMember(const std::string& member) {
  const size_t colon = member.find(':');
  return colon == std::string::npos ? member : member.substr(colon + 1);
}

absl::StatusOr<std::string> DecodeCursor(const std::string& cursor) {
  if (cursor.empty()) return std::string();
  auto decoded = Base64UrlDecode(cursor);
  if (!decoded.ok() || decoded->find(':') == std::string::npos) {
    return MakeError(absl::StatusCode::kInvalidArgument, "cursor is not one this service issued",
                     caspio_mcp::common::v1::ERROR_REASON_INVALID_CURSOR, "cursor",
                     "pass next_cursor exactly as returned, or omit it for the first page");
  }
  return *decoded;
}

std::vector<std::string> HsetArgs(const std::string& key, const Fields& fields) {
  std::vector<std::string> args = {"HSET", key};
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  return args;
}

std::string ConfigJson(const ServerConfig& c) {
  return json{{"methods", c.methods}, {"tags", c.tags}, {"require_api_token_auth", c.require_api_token_auth}}.dump();
}

ServerConfig ParseConfig(const std::string& text) {
  ServerConfig c;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return c;
  c.methods = j.value("methods", std::vector<std::string>{});
  c.tags = j.value("tags", std::vector<std::string>{});
  c.require_api_token_auth = j.value("require_api_token_auth", false);
  return c;
}

Fields ServerFields(const ServerRecord& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"account_id", s.account_id},
          {"config", ConfigJson(s.config)},
          {"expires_ms", s.expires_at.has_value() ? Millis(*s.expires_at) : ""},
          {"created_ms", Millis(s.created_at)},
          {"updated_ms", Millis(s.updated_at)},
          {"token_hash", s.token_hash}};
}

ServerRecord ParseServer(const Fields& f) {
  ServerRecord s;
  auto get = [&](const char* k) { auto it = f.find(k); return it == f.end() ? std::string() : it->second; };
  s.id = get("id");
  s.name = get("name");
  s.account_id = get("account_id");
  s.config = ParseConfig(get("config"));
  if (!get("expires_ms").empty()) s.expires_at = FromMillis(get("expires_ms"));
  s.created_at = FromMillis(get("created_ms"));
  s.updated_at = FromMillis(get("updated_ms"));
  s.token_hash = get("token_hash");
  return s;
}

Fields AccountFields(const AccountRecord& a) {
  return {{"id", a.id},
          {"integration", a.integration},
          {"name", a.name},
          {"base_url", a.base_url},
          {"client_id", a.client_id},
          {"sealed_client_secret", Base64UrlEncode(a.sealed_client_secret)},
          {"key_id", a.key_id},
          {"created_ms", Millis(a.created_at)},
          {"updated_ms", Millis(a.updated_at)}};
}

AccountRecord ParseAccount(const Fields& f) {
  AccountRecord a;
  auto get = [&](const char* k) { auto it = f.find(k); return it == f.end() ? std::string() : it->second; };
  a.id = get("id");
  a.integration = get("integration");
  a.name = get("name");
  a.base_url = get("base_url");
  a.client_id = get("client_id");
  a.sealed_client_secret = Base64UrlDecode(get("sealed_client_secret")).value_or("");
  a.key_id = get("key_id");
  a.created_at = FromMillis(get("created_ms"));
  a.updated_at = FromMillis(get("updated_ms"));
  return a;
}

Fields ApiTokenFields(const ApiTokenRecord& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"scope", t.scope == ApiTokenScope::kAdmin ? "admin" : "mcp_client"},
          {"account_ids", json(t.account_ids).dump()},
          {"expires_ms", t.expires_at.has_value() ? Millis(*t.expires_at) : ""},
          {"created_ms", Millis(t.created_at)},
          {"token_hash", t.token_hash}};
}

ApiTokenRecord ParseApiToken(const Fields& f) {
  ApiTokenRecord t;
  auto get = [&](const char* k) { auto it = f.find(k); return it == f.end() ? std::string() : it->second; };
  t.id = get("id");
  t.name = get("name");
  t.scope = get("scope") == "admin" ? ApiTokenScope::kAdmin : ApiTokenScope::kMcpClient;
  json ids = json::parse(get("account_ids"), nullptr, false);
  if (ids.is_array()) t.account_ids = ids.get<std::vector<std::string>>();
  if (!get("expires_ms").empty()) t.expires_at = FromMillis(get("expires_ms"));
  t.created_at = FromMillis(get("created_ms"));
  t.token_hash = get("token_hash");
  return t;
}

// PEXPIREAT for records with an expiry, PERSIST otherwise (an update may clear it).
std::vector<std::string> ExpiryCommand(const std::string& key, const std::optional<absl::Time>& expires_at) {
  if (expires_at.has_value()) return {"PEXPIREAT", key, Millis(*expires_at)};
  return {"PERSIST", key};
}

absl::Status CheckReplies(const std::vector<RedisReply>& replies) {
  for (const RedisReply& r : replies) {
    if (r.type == RedisReply::Type::kError) return InternalError(absl::StrCat("Redis error: ", r.str));
    for (const RedisReply& e : r.elements) {
      if (e.type == RedisReply::Type::kError) return InternalError(absl::StrCat("Redis error: ", e.str));
    }
  }
  return absl::OkStatus();
}

}  // namespace

RedisTokenStore::RedisTokenStore(std::shared_ptr<RedisClient> redis, std::string prefix)
    : redis_(std::move(redis)), prefix_(std::move(prefix)) {}

std::string RedisTokenStore::Tag(const std::string& account_id) const {
  return absl::StrCat(prefix_, ":{a:", account_id, "}");
}
std::string RedisTokenStore::AccountKey(const std::string& account_id) const {
  return absl::StrCat(Tag(account_id), ":account");
}
std::string RedisTokenStore::ServerKey(const std::string& account_id, const std::string& server_id) const {
  return absl::StrCat(Tag(account_id), ":server:", server_id);
}
std::string RedisTokenStore::ServersIndexKey(const std::string& account_id) const {
  return absl::StrCat(Tag(account_id), ":servers");
}
std::string RedisTokenStore::TokenKey(const std::string& token_hash) const {
  return absl::StrCat(prefix_, ":token:", token_hash);
}
std::string RedisTokenStore::ExpiriesKey() const { return absl::StrCat(prefix_, ":expiries"); }

absl::StatusOr<std::vector<std::string>> RedisTokenStore::RangeAfter(const std::string& index_key,
                                                                     const std::string& cursor, int count) {
  CMCP_ASSIGN_OR_RETURN(std::string after, DecodeCursor(cursor));
  CMCP_ASSIGN_OR_RETURN(RedisReply reply, redis_->Command({"ZRANGEBYLEX", index_key,
                                                           after.empty() ? "-" : absl::StrCat("(", after), "+",
                                                           "LIMIT", "0", absl::StrCat(count)}));
  std::vector<std::string> members;
  for (const RedisReply& e : reply.elements) members.push_back(e.str);
  return members;
}

absl::Status RedisTokenStore::PutAccount(const AccountRecord& account) {
  CMCP_ASSIGN_OR_RETURN(auto replies,
                        redis_->Pipeline({{"MULTI"},
                                          HsetArgs(AccountKey(account.id), AccountFields(account)),
                                          {"EXEC"},
                                          {"ZADD", absl::StrCat(prefix_, ":accounts"), "0",
                                           IndexMember(account.created_at, account.id)}}));
  return CheckReplies(replies);
}

absl::StatusOr<AccountRecord> RedisTokenStore::GetAccount(const std::string& id) {
  CMCP_ASSIGN_OR_RETURN(RedisReply reply, redis_->Command({"HGETALL", AccountKey(id)}));
  if (reply.elements.empty()) return NotFoundError(absl::StrCat("integrated account ", id, " not found"));
  return ParseAccount(reply.AsMap());
}

absl::StatusOr<Page<AccountRecord>> RedisTokenStore::ListAccounts(const PageRequest& page) {
  const std::string index = absl::StrCat(prefix_, ":accounts");
  CMCP_ASSIGN_OR_RETURN(std::vector<std::string> members, RangeAfter(index, page.cursor, page.page_size + 1));
  Page<AccountRecord> out;
  const bool more = static_cast<int>(members.size()) > page.page_size;
  if (more) members.resize(page.page_size);
  std::vector<std::vector<std::string>> reads;
  for (const std::string& m : members) reads.push_back({"HGETALL", AccountKey(IdOfMember(m))});
  if (reads.empty()) return out;
  CMCP_ASSIGN_OR_RETURN(auto replies, redis_->Pipeline(reads));
  for (size_t i = 0; i < replies.size(); ++i) {
    if (!replies[i].elements.empty()) out.items.push_back(ParseAccount(replies[i].AsMap()));
  }
  if (more) out.next_cursor = Base64UrlEncode(members.back());
  return out;
}

absl::StatusOr<int> RedisTokenStore::DeleteAccount(const std::string& id) {
  CMCP_ASSIGN_OR_RETURN(AccountRecord account, GetAccount(id));
  CMCP_ASSIGN_OR_RETURN(RedisReply members, redis_->Command({"ZRANGE", ServersIndexKey(id), "0", "-1"}));
  std::vector<std::vector<std::string>> reads;
  for (const RedisReply& m : members.elements) reads.push_back({"HGET", ServerKey(id, IdOfMember(m.str)), "token_hash"});
  std::vector<std::vector<std::string>> deletes;
  int servers = 0;
  if (!reads.empty()) {
    CMCP_ASSIGN_OR_RETURN(auto hashes, redis_->Pipeline(reads));
    for (size_t i = 0; i < hashes.size(); ++i) {
      if (hashes[i].type == RedisReply::Type::kString) {
        deletes.push_back({"DEL", TokenKey(hashes[i].str)});
        ++servers;
      }
    }
  }
  deletes.push_back({"MULTI"});
  for (const RedisReply& m : members.elements) deletes.push_back({"DEL", ServerKey(id, IdOfMember(m.str))});
  deletes.push_back({"DEL", ServersIndexKey(id), AccountKey(id)});
  deletes.push_back({"EXEC"});
  deletes.push_back({"ZREM", absl::StrCat(prefix_, ":accounts"), IndexMember(account.created_at, id)});
  for (const RedisReply& m : members.elements) {
    deletes.push_back({"ZREM", ExpiriesKey(), absl::StrCat(id, "\t", m.str)});
  }
  CMCP_ASSIGN_OR_RETURN(auto replies, redis_->Pipeline(deletes));
  CMCP_RETURN_IF_ERROR(CheckReplies(replies));
  return servers;
}

std::vector<std::string> RedisTokenStore::ExpiriesIndexCommand(const ServerRecord& server) const {
  const std::string member = ExpiryMember(server.account_id, server.created_at, server.id);
  if (server.expires_at.has_value()) return {"ZADD", ExpiriesKey(), Millis(*server.expires_at), member};
  return {"ZREM", ExpiriesKey(), member};
}

absl::Status RedisTokenStore::PutServer(const ServerRecord& server) {
  const std::string key = ServerKey(server.account_id, server.id);
  const std::string token_key = TokenKey(server.token_hash);
  const Fields fields = ServerFields(server);
  CMCP_ASSIGN_OR_RETURN(auto replies,
                        redis_->Pipeline({{"MULTI"},
                                          {"DEL", key},
                                          HsetArgs(key, fields),
                                          ExpiryCommand(key, server.expires_at),
                                          {"ZADD", ServersIndexKey(server.account_id), "0",
                                           IndexMember(server.created_at, server.id)},
                                          {"EXEC"},
                                          // Token index after the server (see the header comment).
                                          {"DEL", token_key},
                                          HsetArgs(token_key, fields),
                                          ExpiryCommand(token_key, server.expires_at),
                                          ExpiriesIndexCommand(server)}));
  return CheckReplies(replies);
}

absl::StatusOr<ServerRecord> RedisTokenStore::GetServer(const std::string& account_id, const std::string& id) {
  CMCP_ASSIGN_OR_RETURN(RedisReply reply, redis_->Command({"HGETALL", ServerKey(account_id, id)}));
  if (reply.elements.empty()) return NotFoundError(absl::StrCat("MCP server ", id, " not found"));
  return ParseServer(reply.AsMap());
}

absl::StatusOr<Page<ServerRecord>> RedisTokenStore::ListServers(const std::string& account_id,
                                                                const PageRequest& page) {
  Page<ServerRecord> out;
  std::string cursor = page.cursor;
  // Expired servers leave index entries until the sweeper runs; skip them
  // (and prune them) so a page is never short because of them.
  while (true) {
    const int want = page.page_size - static_cast<int>(out.items.size());
    CMCP_ASSIGN_OR_RETURN(std::vector<std::string> members,
                          RangeAfter(ServersIndexKey(account_id), cursor, want + 1));
    const bool more = static_cast<int>(members.size()) > want;
    if (more) members.resize(want);
    if (members.empty()) return out;
    std::vector<std::vector<std::string>> reads;
    for (const std::string& m : members) reads.push_back({"HGETALL", ServerKey(account_id, IdOfMember(m))});
    CMCP_ASSIGN_OR_RETURN(auto replies, redis_->Pipeline(reads));
    std::vector<std::string> stale;
    for (size_t i = 0; i < replies.size(); ++i) {
      if (replies[i].elements.empty()) {
        stale.push_back(members[i]);
      } else {
        out.items.push_back(ParseServer(replies[i].AsMap()));
      }
    }
    if (!stale.empty()) {
      std::vector<std::string> zrem = {"ZREM", ServersIndexKey(account_id)};
      zrem.insert(zrem.end(), stale.begin(), stale.end());
      (void)redis_->Command(zrem);
    }
    cursor = Base64UrlEncode(members.back());
    if (!more) return out;
    if (static_cast<int>(out.items.size()) >= page.page_size) {
      out.next_cursor = cursor;
      return out;
    }
  }
}

absl::Status RedisTokenStore::DeleteServer(const std::string& account_id, const std::string& id) {
  CMCP_ASSIGN_OR_RETURN(ServerRecord server, GetServer(account_id, id));
  CMCP_ASSIGN_OR_RETURN(auto replies,
                        redis_->Pipeline({{"DEL", TokenKey(server.token_hash)},
                                          {"MULTI"},
                                          {"DEL", ServerKey(account_id, id)},
                                          {"ZREM", ServersIndexKey(account_id), IndexMember(server.created_at, id)},
                                          {"EXEC"},
                                          {"ZREM", ExpiriesKey(), ExpiryMember(account_id, server.created_at, id)}}));
  return CheckReplies(replies);
}

absl::StatusOr<ServerRecord> RedisTokenStore::GetServerByTokenHash(const std::string& token_hash) {
  CMCP_ASSIGN_OR_RETURN(RedisReply reply, redis_->Command({"HGETALL", TokenKey(token_hash)}));
  if (reply.elements.empty()) return NotFoundError("unknown MCP token");
  return ParseServer(reply.AsMap());
}

absl::Status RedisTokenStore::PutApiToken(const ApiTokenRecord& token) {
  const std::string key = absl::StrCat(prefix_, ":apitoken:", token.token_hash);
  const std::string id_key = absl::StrCat(prefix_, ":apitoken-id:", token.id);
  CMCP_ASSIGN_OR_RETURN(auto replies,
                        redis_->Pipeline({{"DEL", key},
                                          HsetArgs(key, ApiTokenFields(token)),
                                          ExpiryCommand(key, token.expires_at),
                                          {"SET", id_key, token.token_hash},
                                          ExpiryCommand(id_key, token.expires_at)}));
  return CheckReplies(replies);
}

absl::StatusOr<ApiTokenRecord> RedisTokenStore::GetApiTokenByHash(const std::string& token_hash) {
  CMCP_ASSIGN_OR_RETURN(RedisReply reply, redis_->Command({"HGETALL", absl::StrCat(prefix_, ":apitoken:", token_hash)}));
  if (reply.elements.empty()) return NotFoundError("unknown API token");
  return ParseApiToken(reply.AsMap());
}

absl::StatusOr<ApiTokenRecord> RedisTokenStore::GetApiToken(const std::string& id) {
  CMCP_ASSIGN_OR_RETURN(RedisReply hash, redis_->Command({"GET", absl::StrCat(prefix_, ":apitoken-id:", id)}));
  if (hash.is_nil()) return NotFoundError(absl::StrCat("API token ", id, " not found"));
  return GetApiTokenByHash(hash.str);
}

absl::Status RedisTokenStore::DeleteApiToken(const std::string& id) {
  CMCP_ASSIGN_OR_RETURN(ApiTokenRecord token, GetApiToken(id));
  CMCP_ASSIGN_OR_RETURN(auto replies,
                        redis_->Pipeline({{"DEL", absl::StrCat(prefix_, ":apitoken:", token.token_hash)},
                                          {"DEL", absl::StrCat(prefix_, ":apitoken-id:", id)}}));
  return CheckReplies(replies);
}

// Removes a servers-index entry only once its server record is gone (expired
// by TTL). KEYS: server key, servers index (one account slot). ARGV: member.
constexpr char kPruneIndexScript[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return redis.call('ZREM', KEYS[2], ARGV[1]) end return 0";
// Removes an expiries entry only if it is still due (an update may have moved
// it). KEYS: expiries index. ARGV: member, now_ms.
constexpr char kPruneExpiryScript[] =
    "local s = redis.call('ZSCORE', KEYS[1], ARGV[1]) "
    "if s and tonumber(s) <= tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end return 0";

absl::StatusOr<int> RedisTokenStore::SweepExpiredServers(absl::Time now, int max_count) {
  const std::string now_ms = Millis(now);
  CMCP_ASSIGN_OR_RETURN(RedisReply due, redis_->Command({"ZRANGEBYSCORE", ExpiriesKey(), "-inf", now_ms, "LIMIT", "0",
                                                         absl::StrCat(max_count)}));
  std::vector<std::vector<std::string>> commands;
  for (const RedisReply& m : due.elements) {
    const size_t tab = m.str.find('\t');
    if (tab == std::string::npos) continue;
    const std::string account = m.str.substr(0, tab);
    const std::string index_member = m.str.substr(tab + 1);
    // The server and token keys expire through their own TTLs; the sweep only
    // removes index entries, and never those of a server that still exists
    // (its expiry was extended, or this replica's clock runs ahead of Redis).
    commands.push_back({"EVAL", kPruneIndexScript, "2", ServerKey(account, IdOfMember(index_member)),
                        ServersIndexKey(account), index_member});
    commands.push_back({"EVAL", kPruneExpiryScript, "1", ExpiriesKey(), m.str, now_ms});
  }
  if (commands.empty()) return 0;
  CMCP_ASSIGN_OR_RETURN(auto replies, redis_->Pipeline(commands));
  CMCP_RETURN_IF_ERROR(CheckReplies(replies));
  int removed = 0;
  for (size_t i = 0; i < replies.size(); i += 2) removed += replies[i].integer > 0 ? 1 : 0;
  return removed;
}

absl::Status RedisTokenStore::Ping() { return redis_->Ping(); }

}  // namespace cmcp::token
