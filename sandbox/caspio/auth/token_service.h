// File: token_service.h
// Caspio's OAuth 2 token endpoint and bearer-token checks, in memory:
// client_credentials (form body or HTTP Basic) and refresh_token grants,
// access tokens that expire after a configurable lifetime (so tests can
// expire them quickly), and revocation for fault tests. Thread-safe.
//
//   TokenService tokens({.client_id = "id", .client_secret = "s"}, &clock);
//   HttpResponse r = tokens.HandleTokenRequest(request);   // POST /oauth/token
//   absl::Status ok = tokens.CheckBearer(request.headers);  // UNAUTHENTICATED when bad
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/http/http_types.h"
#include "sandbox/caspio/util/clock.h"

namespace cmcp::sandbox {

struct TokenSettings {
  std::string client_id = "sandbox-client";
  std::string client_secret = "sandbox-secret";
  absl::Duration access_token_lifetime = absl::Seconds(86399);
  // Caspio: a year (60 days when never used).
  absl::Duration refresh_token_lifetime = absl::Hours(24 * 365);
};

class TokenService {
 public:
  TokenService(TokenSettings settings, const Clock* clock) : settings_(std::move(settings)), clock_(clock) {}

  // POST /oauth/token. Errors follow RFC 6749 §5.2: 400 {"error":"invalid_client"} etc.
  HttpResponse HandleTokenRequest(const HttpRequest& request);
  // OK for a live "Authorization: Bearer <token>"; UNAUTHENTICATED otherwise.
  absl::Status CheckBearer(const Headers& headers);
  // Makes every access token issued so far invalid (refresh tokens stay).
  void RevokeAccessTokens();

 private:
  struct Issued {
    std::string access_token;
    std::string refresh_token;
  };
  Issued Issue() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Sweep(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const TokenSettings settings_;
  const Clock* clock_;
  absl::Mutex mu_;
  // token -> expiry
  absl::flat_hash_map<std::string, absl::Time> access_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::Time> refresh_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmcp::sandbox
