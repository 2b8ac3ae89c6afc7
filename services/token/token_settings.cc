#include "services/token/token_settings.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/crypto/crypto.h"

namespace cmcp::token {
namespace {

// A 32-byte key given as standard or URL-safe base64.
bool DecodeKey(const std::string& text, std::string* out) {
  auto decoded = Base64Decode(text);
  if (!decoded.ok()) decoded = Base64UrlDecode(text);
  if (!decoded.ok() || decoded->size() != 32) return false;
  *out = *std::move(decoded);
  return true;
}

}  // namespace

TokenSettings LoadTokenSettings(int argc, char** argv) {
  SettingsReader reader = SettingsReader::FromMain(argc, argv, "TOKEN_");
  TokenSettings s;
  s.service = ReadServiceSettings(reader);
  s.redis.address = reader.String("redis-address", "127.0.0.1:6379", "Redis host:port or unix:/path");
  s.redis.password = reader.Secret("redis-password", false, "Redis AUTH password");
  s.redis.pool_size = static_cast<int>(reader.Int("redis-pool-size", 16, 1, 512, "Redis connections"));
  s.redis.command_timeout = reader.Duration("redis-timeout", absl::Seconds(2), absl::Milliseconds(10),
                                            absl::Minutes(1), "per-command Redis timeout");
  s.key_prefix = reader.String("key-prefix", "cmcp", "prefix of every Redis key");
  s.manager.pepper = reader.Secret("pepper", true, "HMAC key for token hashes (at least 32 characters)");
  if (!s.manager.pepper.empty() && s.manager.pepper.size() < 32) {
    reader.AddError("pepper", "must be at least 32 characters");
  }
  s.manager.min_expiry_lead = reader.Duration("min-expiry-lead", absl::Seconds(60), absl::ZeroDuration(),
                                              absl::Hours(24), "how far ahead expires_at must be");
  s.manager.resolve_cache_ttl = reader.Duration("resolve-cache-ttl", absl::Milliseconds(500), absl::ZeroDuration(),
                                                absl::Seconds(1), "longest edge cache of a token resolve");
  s.encryption_key_id = reader.String("encryption-key-id", "k1", "id of the current encryption key");
  const std::string key = reader.Secret("encryption-key", true, "AES-256 key, base64 of 32 bytes");
  std::string raw;
  if (!key.empty()) {
    if (DecodeKey(key, &raw)) s.encryption_keys[s.encryption_key_id] = raw;
    else reader.AddError("encryption-key", "must be base64 of exactly 32 bytes (openssl rand -base64 32)");
  }
  const std::string previous =
      reader.Secret("previous-encryption-keys", false, "older keys still able to decrypt: id:base64,id:base64");
  for (absl::string_view entry : absl::StrSplit(previous, ',', absl::SkipWhitespace())) {
    const size_t colon = entry.find(':');
    if (colon == absl::string_view::npos || !DecodeKey(std::string(absl::StripAsciiWhitespace(entry.substr(colon + 1))), &raw)) {
      reader.AddError("previous-encryption-keys", "entries must be id:base64-of-32-bytes");
      break;
    }
    s.encryption_keys[std::string(absl::StripAsciiWhitespace(entry.substr(0, colon)))] = raw;
  }
  s.allowed_base_urls = reader.List("allowed-base-urls", "https://*.caspio.com",
                                    "comma-separated base URL patterns for integrated accounts");
  s.allow_loopback_base_urls = reader.Bool("allow-loopback-base-urls", false,
                                           "allow http(s)://127.0.0.1|localhost base URLs (local sandbox)");
  s.bootstrap_admin_token = reader.Secret("bootstrap-admin-token", false, "admin API token created at start");
  if (!s.bootstrap_admin_token.empty() && s.bootstrap_admin_token.size() < 32) {
    reader.AddError("bootstrap-admin-token", "must be at least 32 characters");
  }
  s.toolgen_address = reader.RequiredString("toolgen-address", "toolgen gRPC address host:port");
  s.sweep_interval = reader.Duration("sweep-interval", absl::Seconds(30), absl::Milliseconds(100), absl::Hours(1),
                                     "how often expired servers are removed from indexes");
  s.worker_threads = static_cast<int>(reader.Int("worker-threads", 16, 1, 1024, "threads for Redis work"));
  s.max_queue = static_cast<int>(reader.Int("max-queue", 4096, 1, 1 << 20, "queued calls before refusing"));
  s.audit_max_entries = reader.Int("audit-max-entries", 100000, 10, 100000000,
                                   "tool-call audit entries kept in Redis (oldest trimmed, approximately)");
  s.audit.scan_limit = static_cast<int>(reader.Int("audit-scan-limit", 10000, 100, 1000000,
                                                   "audit entries examined per GET /log page at most"));
  ExitIfInvalid("token", reader.Finish());
  return s;
}

}  // namespace cmcp::token
