#include "sandbox/caspio/auth/token_service.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "nlohmann/json.hpp"

namespace cmcp::sandbox {
namespace {

constexpr size_t kSweepThreshold = 100000;

HttpResponse OAuthError(int status, absl::string_view error, absl::string_view description) {
  nlohmann::ordered_json body;
  body["error"] = error;
  body["error_description"] = description;
  HttpResponse r = HttpResponse::Json(status, body.dump());
  r.headers.Add("Cache-Control", "no-store");
  return r;
}

}  // namespace

TokenService::Issued TokenService::Issue() {
  const absl::Time now = clock_->Now();
  if (access_.size() > kSweepThreshold || refresh_.size() > kSweepThreshold) Sweep(now);
  Issued issued{Base64UrlEncode(RandomBytes(32)), Base64UrlEncode(RandomBytes(32))};
  access_[issued.access_token] = now + settings_.access_token_lifetime;
  refresh_[issued.refresh_token] = now + settings_.refresh_token_lifetime;
  return issued;
}

void TokenService::Sweep(absl::Time now) {
  absl::erase_if(access_, [&](const auto& e) { return e.second <= now; });
  absl::erase_if(refresh_, [&](const auto& e) { return e.second <= now; });
}

HttpResponse TokenService::HandleTokenRequest(const HttpRequest& request) {
  auto form = ParseQuery(request.body);
  if (!form.ok()) return OAuthError(400, "invalid_request", "the body is not application/x-www-form-urlencoded");
  std::string grant_type, client_id, client_secret, refresh_token;
  bool has_client_id = false;
  for (const auto& [name, value] : *form) {
    if (name == "grant_type") grant_type = value;
    if (name == "client_id") {
      client_id = value;
      has_client_id = true;
    }
    if (name == "client_secret") client_secret = value;
    if (name == "refresh_token") refresh_token = value;
  }
  if (auto auth = request.headers.Get("Authorization"); auth.has_value()) {
    absl::string_view value = absl::StripAsciiWhitespace(*auth);
    if (absl::StartsWithIgnoreCase(value, "Basic ")) {
      auto decoded = Base64Decode(absl::StripAsciiWhitespace(value.substr(6)));
      if (!decoded.ok()) return OAuthError(400, "invalid_client", "malformed Basic credentials");
      const size_t colon = decoded->find(':');
      if (colon == std::string::npos) return OAuthError(400, "invalid_client", "malformed Basic credentials");
      client_id = decoded->substr(0, colon);
      client_secret = decoded->substr(colon + 1);
      has_client_id = true;
    }
  }
  if (grant_type.empty()) return OAuthError(400, "invalid_request", "grant_type is required");
  const bool credentials_ok = ConstantTimeEquals(client_id, settings_.client_id) &&
                              ConstantTimeEquals(client_secret, settings_.client_secret);
  absl::MutexLock lock(&mu_);
  if (grant_type == "client_credentials") {
    if (!credentials_ok) return OAuthError(400, "invalid_client", "client authentication failed");
  } else if (grant_type == "refresh_token") {
    // Client credentials are optional with a refresh token, but must be right when sent.
    if (has_client_id && !credentials_ok) return OAuthError(400, "invalid_client", "client authentication failed");
    auto it = refresh_.find(refresh_token);
    if (refresh_token.empty() || it == refresh_.end() || it->second <= clock_->Now()) {
      return OAuthError(400, "invalid_grant", "the refresh token is invalid or expired");
    }
    refresh_.erase(it);
  } else {
    return OAuthError(400, "unsupported_grant_type", "use client_credentials or refresh_token");
  }
  Issued issued = Issue();
  nlohmann::ordered_json body;
  body["access_token"] = issued.access_token;
  body["token_type"] = "bearer";
  body["expires_in"] = absl::ToInt64Seconds(settings_.access_token_lifetime);
  body["refresh_token"] = issued.refresh_token;
  HttpResponse r = HttpResponse::Json(200, body.dump());
  r.headers.Add("Cache-Control", "no-store");
  r.headers.Add("Pragma", "no-cache");
  return r;
}

absl::Status TokenService::CheckBearer(const Headers& headers) {
  auto auth = headers.Get("Authorization");
  if (!auth.has_value()) return absl::UnauthenticatedError("Authorization header with a bearer token is required.");
  absl::string_view value = absl::StripAsciiWhitespace(*auth);
  if (!absl::StartsWithIgnoreCase(value, "Bearer ")) {
    return absl::UnauthenticatedError("Authorization header must use the Bearer scheme.");
  }
  const std::string token(absl::StripAsciiWhitespace(value.substr(7)));
  absl::ReaderMutexLock lock(&mu_);
  auto it = access_.find(token);
  if (it == access_.end()) return absl::UnauthenticatedError("The access token is invalid.");
  if (it->second <= clock_->Now()) return absl::UnauthenticatedError("The access token has expired.");
  return absl::OkStatus();
}

void TokenService::RevokeAccessTokens() {
  absl::MutexLock lock(&mu_);
  access_.clear();
}

}  // namespace cmcp::sandbox
