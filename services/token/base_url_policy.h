// File: base_url_policy.h
// Which Caspio base URLs an integrated account may point at (SPEC §3): by
// default only https://<anything>.caspio.com. The operator may add patterns
// and, for the local sandbox, allow loopback http(s) URLs. A base URL is
// scheme://host[:port] with no user info, path, query or fragment, so the
// proxy's requests can never be steered elsewhere by it.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cmcp::token {

class BaseUrlPolicy {
 public:
  // Patterns: "https://*.caspio.com" ("*." = one or more leading labels) or
  // an exact "https://host[:port]".
  BaseUrlPolicy(std::vector<std::string> patterns, bool allow_loopback);

  // The normalized URL (lower-case scheme and host, no trailing "/"), or
  // INVALID_ARGUMENT naming "credentials.base_url".
  absl::StatusOr<std::string> Check(const std::string& url) const;

 private:
  std::vector<std::string> patterns_;
  bool allow_loopback_;
};

}  // namespace cmcp::token
