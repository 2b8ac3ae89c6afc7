// File: caspio_auth.h
// OAuth client_credentials per integrated account (SPEC §6): access tokens
// cached in memory, refreshed `refresh_margin` before they expire, at most one
// refresh in flight per account (callers for the same account wait for it),
// and invalidated after Caspio answers 401 so the next Get() fetches anew.
// Credentials come from the token service only when a token is needed.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "services/proxy/credentials_source.h"

namespace cmcp::proxy {

struct CaspioAuthSettings {
  absl::Duration refresh_margin = absl::Minutes(5);
  absl::Duration request_timeout = absl::Seconds(15);
};

struct CaspioSession {
  std::string base_url;
  std::string access_token;
  absl::Time obtained_at;
};

class CaspioAuthenticator {
 public:
  using Clock = std::function<absl::Time()>;
  CaspioAuthenticator(CaspioAuthSettings settings, HttpClient* http, CredentialsSource* credentials,
                      Clock clock = absl::Now);

  // A valid session for the account. UNAVAILABLE when Caspio or the token
  // service cannot be reached; FAILED_PRECONDITION (UPSTREAM_AUTH_FAILED)
  // when Caspio refuses the credentials.
  absl::StatusOr<CaspioSession> Get(const std::string& account_id);
  // Drops `access_token` for the account if it is still the cached one.
  void Invalidate(const std::string& account_id, const std::string& access_token);

 private:
  struct Entry {
    absl::Mutex mu;
    CaspioSession session ABSL_GUARDED_BY(mu);
    absl::Time expires_at ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  };
  std::shared_ptr<Entry> EntryFor(const std::string& account_id);
  absl::StatusOr<std::pair<CaspioSession, absl::Time>> FetchToken(const std::string& account_id);

  CaspioAuthSettings settings_;
  HttpClient* http_;
  CredentialsSource* credentials_;
  Clock clock_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmcp::proxy
