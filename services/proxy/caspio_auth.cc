#include "services/proxy/caspio_auth.h"

#include "absl/strings/str_cat.h"
#include "common/logging/logger.h"
#include "common/status/error.h"
#include "common/status/status_macros.h"
#include "nlohmann/json.hpp"
#include "services/proxy/upstream_metrics.h"

namespace cmcp::proxy {

CaspioAuthenticator::CaspioAuthenticator(CaspioAuthSettings settings, HttpClient* http,
                                         CredentialsSource* credentials, Clock clock)
    : settings_(settings), http_(http), credentials_(credentials), clock_(std::move(clock)) {}

std::shared_ptr<CaspioAuthenticator::Entry> CaspioAuthenticator::EntryFor(const std::string& account_id) {
  absl::MutexLock lock(&mu_);
  auto& entry = entries_[account_id];
  if (entry == nullptr) entry = std::make_shared<Entry>();
  return entry;
}

absl::StatusOr<CaspioSession> CaspioAuthenticator::Get(const std::string& account_id) {
  std::shared_ptr<Entry> entry = EntryFor(account_id);
  // Holding the entry's lock across the fetch is what makes it one refresh
  // per account: concurrent callers wait and then reuse the new token.
  absl::MutexLock lock(&entry->mu);
  if (clock_() + settings_.refresh_margin < entry->expires_at) return entry->session;
  CMCP_ASSIGN_OR_RETURN(auto fetched, FetchToken(account_id));
  entry->session = std::move(fetched.first);
  entry->expires_at = fetched.second;
  return entry->session;
}

void CaspioAuthenticator::Invalidate(const std::string& account_id, const std::string& access_token) {
  std::shared_ptr<Entry> entry = EntryFor(account_id);
  absl::MutexLock lock(&entry->mu);
  if (entry->session.access_token == access_token) entry->expires_at = absl::InfinitePast();
}

absl::StatusOr<std::pair<CaspioSession, absl::Time>> CaspioAuthenticator::FetchToken(const std::string& account_id) {
  CMCP_ASSIGN_OR_RETURN(Credentials credentials, credentials_->Get(account_id));
  HttpClientRequest request;
  request.method = "POST";
  request.url = absl::StrCat(credentials.base_url, "/oauth/token");
  request.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  request.headers.Add("Accept", "application/json");
  request.body = absl::StrCat("grant_type=client_credentials&client_id=", PercentEncode(credentials.client_id),
                              "&client_secret=", PercentEncode(credentials.client_secret));
  request.timeout = settings_.request_timeout;
  request.max_response_bytes = 64 * 1024;
  const absl::Time started = clock_();
  auto response = http_->Send(request);
  if (response.ok()) ObserveUpstream("oauth_token", response->status, response->elapsed);
  if (!response.ok()) {
    return MakeError(absl::StatusCode::kUnavailable,
                     absl::StrCat("cannot reach Caspio to sign in: ", response.status().message()),
                     caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_UNAVAILABLE);
  }
  if (response->status == 400 || response->status == 401 || response->status == 403) {
    LogWarning("caspio refused client credentials").With("account_id", account_id).With("status", response->status);
    return MakeError(absl::StatusCode::kFailedPrecondition,
                     absl::StrCat("Caspio refused this account's API credentials (HTTP ", response->status, ")"),
                     caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_AUTH_FAILED, "",
                     "the operator must update the integrated account's client id and secret");
  }
  nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200 || body.is_discarded() || !body.contains("access_token") ||
      !body["access_token"].is_string()) {
    return MakeError(absl::StatusCode::kUnavailable,
                     absl::StrCat("Caspio's token endpoint answered HTTP ", response->status, " without a token"),
                     caspio_mcp::common::v1::ERROR_REASON_UPSTREAM_UNAVAILABLE);
  }
  const int64_t expires_in = body.value("expires_in", int64_t{3600});
  CaspioSession session{credentials.base_url, body["access_token"].get<std::string>(), started};
  return std::make_pair(std::move(session), started + absl::Seconds(expires_in));
}

}  // namespace cmcp::proxy
