#include "services/token/token_manager.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"

namespace cmcp::token {
namespace {

constexpr size_t kMaxNameLength = 200;
constexpr size_t kMaxCredentialLength = 1024;
constexpr char kApiTokenPrefix[] = "cmcp_";
constexpr char kBootstrapTokenId[] = "bootstrap";

std::string AccountAad(const std::string& account_id) { return absl::StrCat("account:", account_id); }

absl::Status ValidateCredential(const std::string& value, absl::string_view field) {
  if (value.empty()) return MissingFieldError(field, absl::StrCat(field, " is required"));
  if (value.size() > kMaxCredentialLength) {
    return InvalidFieldError(field, absl::StrCat(field, " is longer than ", kMaxCredentialLength, " characters"));
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return InvalidFieldError(field, absl::StrCat(field, " contains control characters"));
  }
  return absl::OkStatus();
}

absl::Status ValidateId(const std::string& id, absl::string_view field) {
  if (id.empty()) return MissingFieldError(field, absl::StrCat(field, " is required"));
  if (id.size() > 64 || id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return MakeError(absl::StatusCode::kNotFound, absl::StrCat("no object with ", field, " \"", id, "\""),
                     caspio_mcp::common::v1::ERROR_REASON_NOT_FOUND, field);
  }
  return absl::OkStatus();
}

int ClampPageSize(int page_size) {
  if (page_size <= 0) return 20;
  return std::min(page_size, 100);
}

}  // namespace

absl::Status ValidateName(const std::string& name, absl::string_view field) {
  if (name.empty()) return MissingFieldError(field, absl::StrCat(field, " is required"));
  if (name.size() > kMaxNameLength) {
    return InvalidFieldError(field, absl::StrCat(field, " is longer than ", kMaxNameLength, " characters"));
  }
  return absl::OkStatus();
}

TokenManager::TokenManager(TokenManagerSettings settings, TokenStore* store, const SecretBox* secrets,
                           BaseUrlPolicy base_urls, ToolChecker* tools, Clock clock)
    : settings_(std::move(settings)),
      store_(store),
      secrets_(secrets),
      base_urls_(std::move(base_urls)),
      tools_(tools),
      clock_(std::move(clock)) {}

std::string TokenManager::HashToken(const std::string& token) const {
  return Hex(HmacSha256(settings_.pepper, token));
}

absl::Status TokenManager::CheckExpiry(absl::Time expires_at, absl::string_view field) const {
  const absl::Time earliest = clock_() + settings_.min_expiry_lead;
  if (expires_at < earliest) {
    return InvalidFieldError(field,
                             absl::StrCat(field, " must be at least ",
                                          absl::ToInt64Seconds(settings_.min_expiry_lead),
                                          " seconds in the future"),
                             absl::StrCat("send a time after ", absl::FormatTime(absl::RFC3339_sec, earliest,
                                                                                 absl::UTCTimeZone()),
                                          " or omit expires_at for a server that never expires"));
  }
  return absl::OkStatus();
}

absl::Status TokenManager::CheckConfig(const ServerConfig& config) {
  CMCP_ASSIGN_OR_RETURN(int count, tools_->CountTools(config));
  if (count == 0) {
    return MakeError(absl::StatusCode::kInvalidArgument,
                     "config matches no tool: the methods and tags filters leave nothing to expose",
                     caspio_mcp::common::v1::ERROR_REASON_NO_MATCHING_TOOLS, "config",
                     "widen config.methods or config.tags; GET /integrated-account/{id}/tools previews a filter");
  }
  return absl::OkStatus();
}

absl::StatusOr<AccountRecord> TokenManager::CreateAccount(const NewAccount& request) {
  if (request.integration != "caspio") {
    return InvalidFieldError("integration", "integration must be \"caspio\"");
  }
  CMCP_RETURN_IF_ERROR(ValidateName(request.name, "name"));
  CMCP_RETURN_IF_ERROR(ValidateCredential(request.base_url, "credentials.base_url"));
  CMCP_ASSIGN_OR_RETURN(std::string base_url, base_urls_.Check(request.base_url));
  CMCP_RETURN_IF_ERROR(ValidateCredential(request.client_id, "credentials.client_id"));
  CMCP_RETURN_IF_ERROR(ValidateCredential(request.client_secret, "credentials.client_secret"));
  AccountRecord account;
  account.id = NewUuid();
  account.integration = request.integration;
  account.name = request.name;
  account.base_url = std::move(base_url);
  account.client_id = request.client_id;
  CMCP_ASSIGN_OR_RETURN(SealedSecret sealed, secrets_->Seal(request.client_secret, AccountAad(account.id)));
  account.sealed_client_secret = std::move(sealed.ciphertext);
  account.key_id = std::move(sealed.key_id);
  account.created_at = account.updated_at = clock_();
  CMCP_RETURN_IF_ERROR(store_->PutAccount(account));
  return account;
}

absl::StatusOr<AccountRecord> TokenManager::GetAccount(const std::string& id) {
  CMCP_RETURN_IF_ERROR(ValidateId(id, "integrated_account_id"));
  return store_->GetAccount(id);
}

absl::StatusOr<Page<AccountRecord>> TokenManager::ListAccounts(int page_size, const std::string& cursor) {
  return store_->ListAccounts({ClampPageSize(page_size), cursor});
}

absl::StatusOr<int> TokenManager::DeleteAccount(const std::string& id) {
  CMCP_RETURN_IF_ERROR(ValidateId(id, "integrated_account_id"));
  return store_->DeleteAccount(id);
}

absl::StatusOr<AccountCredentials> TokenManager::GetCredentials(const std::string& account_id) {
  CMCP_ASSIGN_OR_RETURN(AccountRecord account, GetAccount(account_id));
  auto secret = secrets_->Open({account.key_id, account.sealed_client_secret}, AccountAad(account.id));
  if (!secret.ok()) {
    return MakeError(absl::StatusCode::kFailedPrecondition,
                     absl::StrCat("cannot decrypt the credentials of account ", account.id, ": ",
                                  secret.status().message()),
                     caspio_mcp::common::v1::ERROR_REASON_INTERNAL);
  }
  return AccountCredentials{account.id, account.base_url, account.client_id, *std::move(secret)};
}

absl::StatusOr<CreatedServer> TokenManager::CreateServer(const NewServer& request) {
  CMCP_RETURN_IF_ERROR(ValidateId(request.account_id, "integrated_account_id"));
  CMCP_RETURN_IF_ERROR(ValidateName(request.name, "name"));
  if (request.expires_at.has_value()) CMCP_RETURN_IF_ERROR(CheckExpiry(*request.expires_at, "expires_at"));
  CMCP_RETURN_IF_ERROR(store_->GetAccount(request.account_id).status());
  CMCP_RETURN_IF_ERROR(CheckConfig(request.config));
  CreatedServer created;
  created.token = Base64UrlEncode(RandomBytes(32));
  ServerRecord& s = created.server;
  s.id = NewUuid();
  s.name = request.name;
  s.account_id = request.account_id;
  s.config = request.config;
  s.expires_at = request.expires_at;
  s.created_at = s.updated_at = clock_();
  s.token_hash = HashToken(created.token);
  CMCP_RETURN_IF_ERROR(store_->PutServer(s));
  return created;
}

absl::StatusOr<ServerRecord> TokenManager::GetServer(const std::string& account_id, const std::string& id) {
  CMCP_RETURN_IF_ERROR(ValidateId(account_id, "integrated_account_id"));
  CMCP_RETURN_IF_ERROR(ValidateId(id, "id"));
  CMCP_ASSIGN_OR_RETURN(ServerRecord server, store_->GetServer(account_id, id));
  if (server.expires_at.has_value() && *server.expires_at <= clock_()) {
    return NotFoundError(absl::StrCat("MCP server ", id, " not found"));
  }
  return server;
}

absl::StatusOr<Page<ServerRecord>> TokenManager::ListServers(const std::string& account_id, int page_size,
                                                             const std::string& cursor) {
  CMCP_RETURN_IF_ERROR(ValidateId(account_id, "integrated_account_id"));
  CMCP_RETURN_IF_ERROR(store_->GetAccount(account_id).status());
  CMCP_ASSIGN_OR_RETURN(Page<ServerRecord> page, store_->ListServers(account_id, {ClampPageSize(page_size), cursor}));
  const absl::Time now = clock_();
  std::erase_if(page.items, [now](const ServerRecord& s) { return s.expires_at.has_value() && *s.expires_at <= now; });
  return page;
}

absl::StatusOr<ServerRecord> TokenManager::UpdateServer(const ServerUpdate& request) {
  CMCP_ASSIGN_OR_RETURN(ServerRecord server, GetServer(request.account_id, request.id));
  if (request.name.has_value()) {
    CMCP_RETURN_IF_ERROR(ValidateName(*request.name, "name"));
    server.name = *request.name;
  }
  if (request.expiry == ServerUpdate::Expiry::kSet) {
    CMCP_RETURN_IF_ERROR(CheckExpiry(request.expires_at, "expires_at"));
    server.expires_at = request.expires_at;
  } else if (request.expiry == ServerUpdate::Expiry::kClear) {
    server.expires_at.reset();
  }
  // Truto: without config, the tool check is skipped.
  if (request.config.has_value()) {
    CMCP_RETURN_IF_ERROR(CheckConfig(*request.config));
    server.config = *request.config;
  }
  server.updated_at = clock_();
  CMCP_RETURN_IF_ERROR(store_->PutServer(server));
  return server;
}

absl::Status TokenManager::DeleteServer(const std::string& account_id, const std::string& id) {
  CMCP_RETURN_IF_ERROR(ValidateId(account_id, "integrated_account_id"));
  CMCP_RETURN_IF_ERROR(ValidateId(id, "id"));
  return store_->DeleteServer(account_id, id);
}

absl::StatusOr<ResolvedServer> TokenManager::Resolve(const std::string& token) {
  // A URL token is 43 base64url characters; anything else cannot exist.
  if (token.size() != 43 || token.find_first_not_of(
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
    return NotFoundError("unknown MCP token");
  }
  CMCP_ASSIGN_OR_RETURN(ServerRecord server, store_->GetServerByTokenHash(HashToken(token)));
  // The lookup was by hash; compare again in constant time as a guard
  // against a store returning the wrong record.
  if (!ConstantTimeEquals(server.token_hash, HashToken(token))) return NotFoundError("unknown MCP token");
  const absl::Time now = clock_();
  absl::Duration ttl = settings_.resolve_cache_ttl;
  if (server.expires_at.has_value()) {
    if (*server.expires_at <= now) return NotFoundError("unknown MCP token");
    ttl = std::min(ttl, *server.expires_at - now);
  }
  return ResolvedServer{std::move(server), ttl};
}

absl::StatusOr<CreatedApiToken> TokenManager::CreateApiToken(const NewApiToken& request) {
  CMCP_RETURN_IF_ERROR(ValidateName(request.name, "name"));
  if (request.expires_at.has_value()) CMCP_RETURN_IF_ERROR(CheckExpiry(*request.expires_at, "expires_at"));
  if (request.scope == ApiTokenScope::kAdmin && !request.account_ids.empty()) {
    return InvalidFieldError("account_ids", "admin tokens cannot be limited to accounts",
                             "use scope mcp_client for a token limited to accounts");
  }
  for (size_t i = 0; i < request.account_ids.size(); ++i) {
    const std::string field = absl::StrCat("account_ids[", i, "]");
    CMCP_RETURN_IF_ERROR(ValidateId(request.account_ids[i], field));
    CMCP_RETURN_IF_ERROR(store_->GetAccount(request.account_ids[i]).status());
  }
  CreatedApiToken created;
  created.token = absl::StrCat(kApiTokenPrefix, Base64UrlEncode(RandomBytes(32)));
  ApiTokenRecord& r = created.record;
  r.id = NewUuid();
  r.name = request.name;
  r.scope = request.scope;
  r.account_ids = request.account_ids;
  r.expires_at = request.expires_at;
  r.created_at = clock_();
  r.token_hash = HashToken(created.token);
  CMCP_RETURN_IF_ERROR(store_->PutApiToken(r));
  return created;
}

absl::Status TokenManager::DeleteApiToken(const std::string& id) {
  if (id == kBootstrapTokenId) {
    return MakeError(absl::StatusCode::kFailedPrecondition,
                     "the bootstrap admin token is managed by configuration",
                     caspio_mcp::common::v1::ERROR_REASON_PERMISSION_DENIED, "id",
                     "change or remove the bootstrap token in the token service's settings");
  }
  CMCP_RETURN_IF_ERROR(ValidateId(id, "id"));
  return store_->DeleteApiToken(id);
}

absl::StatusOr<ApiTokenRecord> TokenManager::VerifyApiToken(const std::string& token, ApiTokenScope required_scope,
                                                            const std::string& account_id) {
  auto unauthenticated = [] {
    return MakeError(absl::StatusCode::kUnauthenticated, "invalid or expired API token",
                     caspio_mcp::common::v1::ERROR_REASON_UNAUTHENTICATED, "Authorization");
  };
  if (token.empty() || token.size() > 200) return unauthenticated();
  auto record = store_->GetApiTokenByHash(HashToken(token));
  if (absl::IsNotFound(record.status())) return unauthenticated();
  if (!record.ok()) return record.status();
  if (!ConstantTimeEquals(record->token_hash, HashToken(token))) return unauthenticated();
  if (record->expires_at.has_value() && *record->expires_at <= clock_()) return unauthenticated();
  if (record->scope == ApiTokenScope::kAdmin) return record;
  if (required_scope == ApiTokenScope::kAdmin) {
    return MakeError(absl::StatusCode::kPermissionDenied, "this API token may not use the admin API",
                     caspio_mcp::common::v1::ERROR_REASON_PERMISSION_DENIED, "Authorization");
  }
  if (!record->account_ids.empty() &&
      std::find(record->account_ids.begin(), record->account_ids.end(), account_id) == record->account_ids.end()) {
    return MakeError(absl::StatusCode::kPermissionDenied, "this API token is not valid for this account",
                     caspio_mcp::common::v1::ERROR_REASON_PERMISSION_DENIED, "Authorization");
  }
  return record;
}

absl::Status TokenManager::EnsureBootstrapAdminToken(const std::string& token) {
  auto existing = store_->GetApiToken(kBootstrapTokenId);
  const std::string hash = HashToken(token);
  if (existing.ok() && ConstantTimeEquals(existing->token_hash, hash)) return absl::OkStatus();
  if (existing.ok()) CMCP_RETURN_IF_ERROR(store_->DeleteApiToken(kBootstrapTokenId));
  else if (!absl::IsNotFound(existing.status())) return existing.status();
  ApiTokenRecord r;
  r.id = kBootstrapTokenId;
  r.name = "bootstrap admin token";
  r.scope = ApiTokenScope::kAdmin;
  r.created_at = clock_();
  r.token_hash = hash;
  return store_->PutApiToken(r);
}

}  // namespace cmcp::token
