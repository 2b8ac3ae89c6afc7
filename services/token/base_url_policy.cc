#include "services/token/base_url_policy.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/status/error.h"

namespace cmcp::token {
namespace {

constexpr char kField[] = "credentials.base_url";

struct ParsedUrl {
  std::string scheme;
  std::string host;
  std::string port;  // "" when absent
};

absl::StatusOr<ParsedUrl> Parse(const std::string& url) {
  absl::string_view rest = url;
  ParsedUrl p;
  const size_t sep = rest.find("://");
  if (sep == absl::string_view::npos) {
    return InvalidFieldError(kField, "must be an absolute URL such as https://c1abc234.caspio.com");
  }
  p.scheme = absl::AsciiStrToLower(rest.substr(0, sep));
  rest.remove_prefix(sep + 3);
  absl::ConsumeSuffix(&rest, "/");
  if (rest.find_first_of("/?#@\\") != absl::string_view::npos) {
    return InvalidFieldError(kField, "must be scheme://host[:port] with no path, query, fragment or user info",
                             "use the account's Integration URL, e.g. https://c1abc234.caspio.com");
  }
  if (absl::StartsWith(rest, "[")) {
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos) return InvalidFieldError(kField, "has a malformed IPv6 host");
    p.host = absl::AsciiStrToLower(rest.substr(0, close + 1));
    rest.remove_prefix(close + 1);
    if (absl::ConsumePrefix(&rest, ":")) p.port = std::string(rest);
    else if (!rest.empty()) return InvalidFieldError(kField, "has a malformed host");
  } else {
    const size_t colon = rest.find(':');
    p.host = absl::AsciiStrToLower(rest.substr(0, colon));
    if (colon != absl::string_view::npos) p.port = std::string(rest.substr(colon + 1));
  }
  if (p.host.empty()) return InvalidFieldError(kField, "has no host");
  if (!p.port.empty()) {
    int port = 0;
    if (!absl::SimpleAtoi(p.port, &port) || port <= 0 || port > 65535) {
      return InvalidFieldError(kField, "has a bad port");
    }
  }
  return p;
}

bool HostMatches(absl::string_view pattern_host, absl::string_view host) {
  if (absl::ConsumePrefix(&pattern_host, "*.")) {
    return host.size() > pattern_host.size() + 1 && absl::EndsWith(host, absl::StrCat(".", pattern_host));
  }
  return pattern_host == host;
}

}  // namespace

BaseUrlPolicy::BaseUrlPolicy(std::vector<std::string> patterns, bool allow_loopback)
    : patterns_(std::move(patterns)), allow_loopback_(allow_loopback) {}

absl::StatusOr<std::string> BaseUrlPolicy::Check(const std::string& url) const {
  auto parsed = Parse(url);
  if (!parsed.ok()) return parsed.status();
  const ParsedUrl& u = *parsed;
  if (u.scheme != "https" && u.scheme != "http") return InvalidFieldError(kField, "must use https");
  const std::string normalized = absl::StrCat(u.scheme, "://", u.host, u.port.empty() ? "" : ":", u.port);
  const bool loopback = u.host == "127.0.0.1" || u.host == "localhost" || u.host == "[::1]";
  if (loopback && allow_loopback_) return normalized;
  for (const std::string& pattern : patterns_) {
    auto p = Parse(pattern);
    if (!p.ok() || p->scheme != u.scheme || p->port != u.port) continue;
    if (HostMatches(p->host, u.host)) return normalized;
  }
  return InvalidFieldError(kField, absl::StrCat("\"", normalized, "\" is not an allowed Caspio base URL"),
                           absl::StrCat("allowed: ", absl::StrJoin(patterns_, ", "),
                                        allow_loopback_ ? " and loopback addresses" : ""));
}

}  // namespace cmcp::token
