// Fuzz target: what edge reads from headers and URLs before any backend call.
// Input: lines, each a different field (missing lines are empty):
//   0 Host header      -> HostAllowed (DNS-rebinding guard)
//   1 Origin header    -> OriginAllowed
//   2 Mcp-Name value   -> DecodeHeaderValue ("=?base64?...?=" strictly)
//   3 Mcp-Session-Id   -> McpSessionCodec::Open as sent, and sealed first
//                         (so the payload parsing behind the MAC runs too)
//   4 query string     -> ParseQuery (legacy /messages?sessionId=)
//   5 request path     -> Router::Find over the MCP routes, PercentDecode
// Checks: an allowed Host or Origin names an allowed host exactly (then a
// port or the end); a forged session never opens; a sealed payload opens only
// in a known format (v2, v3), for its server; percent-encoding round-trips; a routed
// token is the decoded path segment and never empty.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/crypto/crypto.h"
#include "common/http/http_types.h"
#include "common/http/router.h"
#include "services/edge/mcp_handler.h"
#include "services/edge/mcp_session.h"

namespace {

using namespace cmcp;        // NOLINT
using namespace cmcp::edge;  // NOLINT

const std::string kKey(32, 's');
const std::vector<std::string> kHosts = {"localhost", "127.0.0.1", "[::1]"};

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_edge_headers: %s\n", what.c_str());
  std::abort();
}

// `authority` (lower-cased, trimmed) is an allowed host, optionally followed by ":" and more.
bool NamesAllowedHost(absl::string_view authority) {
  const std::string a = absl::AsciiStrToLower(absl::StripAsciiWhitespace(authority));
  for (const std::string& h : kHosts) {
    if (a == h || absl::StartsWith(a, h + ":")) return true;
  }
  return false;
}

const Router& McpRouter() {
  static const Router* router = [] {
    auto* r = new Router();
    for (const char* pattern : {"/mcp/{token}", "/mcp/{token}/mcp", "/mcp/{token}/sse", "/mcp/{token}/messages"}) {
      for (const char* method : {"POST", "GET", "DELETE"}) {
        r->Add(method, pattern, [](HttpRequest, const PathParams&, std::shared_ptr<HttpResponder>) {});
      }
    }
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;  // HttpServer's header limit
  const std::vector<absl::string_view> lines =
      absl::StrSplit(absl::string_view(reinterpret_cast<const char*>(data), size), '\n');
  auto line = [&](size_t i) { return i < lines.size() ? lines[i] : absl::string_view(); };

  // Host.
  const absl::string_view host = line(0);
  if (HostAllowed(host, kHosts) && !NamesAllowedHost(host)) {
    Fail(absl::StrCat("Host [", host, "] allowed but names no allowed host"));
  }
  // Origin.
  const absl::string_view origin = line(1);
  if (OriginAllowed(origin, kHosts, {"https://app.example"})) {
    const size_t sep = origin.find("://");
    const bool listed = absl::EqualsIgnoreCase(origin, "https://app.example");
    if (!listed && (sep == absl::string_view::npos ||
                    !NamesAllowedHost(origin.substr(sep + 3, origin.find('/', sep + 3) - (sep + 3))))) {
      Fail(absl::StrCat("Origin [", origin, "] allowed but names no allowed host"));
    }
  }
  // Mcp-Name.
  if (auto decoded = DecodeHeaderValue(line(2)); decoded.has_value()) {
    const absl::string_view trimmed = absl::StripAsciiWhitespace(line(2));
    if (!absl::StartsWith(trimmed, "=?base64?") && *decoded != trimmed) Fail("a plain Mcp-Name was altered");
  }
  // Sessions: as sent (never authentic), then sealed.
  static const McpSessionCodec codec(kKey);
  const std::string session(line(3));
  if (codec.Open(session, "server-1").ok()) Fail("a session id not sealed with the key opened");
  if (auto opened = codec.Open(SealEnvelope(kKey, session), "server-1"); opened.ok()) {
    if ((!absl::StartsWith(session, "v2|server-1|") && !absl::StartsWith(session, "v3|server-1|")) ||
        opened->server_id != "server-1") {
      Fail(absl::StrCat("sealed payload [", session, "] opened in an unknown format or for another server"));
    }
  }
  const std::string fresh = codec.Seal({"server-1", std::string(line(2)), absl::Now(), std::string(line(4))});
  if (auto again = codec.Open(fresh, "server-1"); !again.ok()) {
    // Fields holding '|' cannot round-trip; anything else must.
    if (!absl::StrContains(line(2), '|') && !absl::StrContains(line(4), '|') && fresh.size() <= 512) {
      Fail("a freshly sealed session does not open");
    }
  } else if (again->protocol_version != line(2) || again->owner != line(4)) {
    if (!absl::StrContains(line(2), '|') && !absl::StrContains(line(4), '|')) Fail("a session changed in transit");
  }
  for (char c : fresh) {
    if (c < 0x21 || c > 0x7e) Fail("a session id is not visible ASCII");
  }
  // Query string.
  (void)ParseQuery(line(4));
  // Path and percent-encoding.
  const absl::string_view path = line(5);
  if (auto decoded = PercentDecode(path, false); decoded.ok()) {
    auto round = PercentDecode(PercentEncode(*decoded), false);
    if (!round.ok() || *round != *decoded) Fail("PercentEncode does not round-trip");
  }
  for (const char* method : {"POST", "GET"}) {
    RouteMatch m = McpRouter().Find(method, path);
    if (m.outcome != RouteMatch::kFound) continue;
    const std::string& token = m.params.at("token");
    if (token.empty()) Fail("routed an empty token");
    const std::vector<absl::string_view> segments = SplitPath(path);
    if (segments.size() < 2) Fail("routed a path without a token segment");
    auto decoded = PercentDecode(segments[1], false);
    if (!decoded.ok() || *decoded != token) Fail("the routed token is not the decoded segment");
    const std::string rebuilt = absl::StrCat("/mcp/", PercentEncode(token));
    RouteMatch again = McpRouter().Find(method, rebuilt);
    if (again.outcome != RouteMatch::kFound || again.params.at("token") != token) {
      Fail("an encoded token does not route back to itself");
    }
  }
  return 0;
}
