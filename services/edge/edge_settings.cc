#include "services/edge/edge_settings.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/config/settings_reader.h"

namespace cmcp::edge {

EdgeSettings LoadEdgeSettings(int argc, char** argv) {
  SettingsReader reader = SettingsReader::FromMain(argc, argv, "EDGE_");
  EdgeSettings s;
  s.http.listen_address = reader.String("listen", "127.0.0.1:8080", "public HTTP listen address host:port");
  s.http.port_file = reader.String("port-file", "", "write the bound HTTP port to this file");
  s.http.threads = static_cast<int>(reader.Int("threads", 2, 1, 256, "HTTP I/O threads"));
  s.http.max_body_bytes = static_cast<size_t>(reader.Int("max-body-bytes", 4 << 20, 1024, 256 << 20, "largest request body"));
  s.http.max_header_bytes = static_cast<size_t>(reader.Int("max-header-bytes", 16 << 10, 1024, 1 << 20, "largest request header block"));
  s.http.read_timeout = reader.Duration("read-timeout", absl::Seconds(60), absl::Seconds(1), absl::Hours(1),
                                        "time to receive one request, including keep-alive idle time");
  s.http.max_connections = static_cast<int>(reader.Int("max-connections", 10000, 1, 1000000, "open connections"));
  s.public_url = reader.String("public-url", "", "base of handed-out MCP URLs, e.g. https://mcp.example.com");
  while (absl::EndsWith(s.public_url, "/")) s.public_url.pop_back();
  s.token_address = reader.RequiredString("token-address", "token service gRPC address");
  s.toolgen_address = reader.RequiredString("toolgen-address", "toolgen service gRPC address");
  s.proxy_address = reader.RequiredString("proxy-address", "proxy service gRPC address");
  s.session_key = reader.Secret("session-key", true, "HMAC key sealing MCP session ids (at least 32 characters)");
  if (!s.session_key.empty() && s.session_key.size() < 32) reader.AddError("session-key", "must be at least 32 characters");
  s.mcp.allowed_hosts = reader.List("allowed-hosts", "localhost,127.0.0.1,[::1]",
                                    "Host names MCP requests may carry (DNS-rebinding guard); * = any");
  s.mcp.allowed_origins = reader.List("allowed-origins", "", "extra allowed Origin values for browser clients");
  s.mcp.max_streams_per_server = static_cast<int>(
      reader.Int("max-streams-per-server", 100, 1, 100000, "open SSE streams per MCP server on one edge"));
  s.session_max_age = reader.Duration("session-max-age", absl::Hours(24), absl::Minutes(1), absl::Hours(24 * 30),
                                      "age after which an MCP session must be re-initialized");
  s.stream_keepalive = reader.Duration("stream-keepalive", absl::Seconds(15), absl::Seconds(1), absl::Minutes(10),
                                       "keep-alive comment interval on SSE streams");
  auto quota = [&reader](absl::string_view name, absl::string_view fallback, absl::string_view help) {
    const std::string text = reader.String(name, fallback, help);
    QuotaRule rule;
    if (text.empty() || text == "0") return rule;
    const size_t slash = text.find('/');
    int64_t limit = 0;
    absl::Duration window;
    if (slash == std::string::npos || !absl::SimpleAtoi(text.substr(0, slash), &limit) || limit < 0 ||
        !absl::ParseDuration(text.substr(slash + 1), &window) || window <= absl::ZeroDuration()) {
      reader.AddError(name, absl::StrCat("must be <count>/<duration> such as 300/1m, or 0 for none; got \"", text, "\""));
      return rule;
    }
    rule.limit = limit;
    rule.window = window;
    return rule;
  };
  s.core.server_quota = quota("server-rate-limit", "300/1m", "tools/call limit per MCP server, all edges together");
  s.core.account_quota = quota("account-rate-limit", "1500/5m",
                               "tools/call limit per integrated account (Caspio allows about 2000/5m per profile)");
  s.core.quota_lease = reader.Int("quota-lease", 20, 1, 1000,
                                  "most rate-limit permits an edge takes from Redis at once (1: ask for every call)");
  s.audit.max_in_flight = static_cast<int>(reader.Int("audit-max-in-flight", 1000, 1, 1000000,
                                                      "tool-call audit entries buffered or in flight before entries are dropped"));
  s.audit.batch_size = static_cast<int>(reader.Int("audit-batch-size", 100, 1, 1000,
                                                   "tool-call audit entries sent to the token service per RPC"));
  s.audit.flush_interval = reader.Duration("audit-flush-interval", absl::Milliseconds(50), absl::Milliseconds(1),
                                           absl::Seconds(10), "longest an audit entry waits for its batch");
  s.admin_http.listen_address = reader.String("admin-listen", "", "separate listener for /metrics, /healthz, /readyz");
  s.admin_http.port_file = reader.String("admin-port-file", "", "write the bound admin port to this file");
  s.drain_timeout = reader.Duration("drain-timeout", absl::Seconds(20), absl::ZeroDuration(), absl::Minutes(10),
                                    "time in-flight requests get on SIGTERM");
  s.backend.tool_call_timeout = reader.Duration("tool-call-timeout", absl::Seconds(120), absl::Seconds(1),
                                                absl::Minutes(30), "deadline of one tools/call");
  s.backend.tools_cache_ttl = reader.Duration("tools-cache-ttl", absl::Seconds(30), absl::ZeroDuration(),
                                              absl::Hours(1), "how long a filtered tool list is cached");
  s.backend.resolve_cache_ttl = reader.Duration("resolve-cache-ttl", absl::Milliseconds(500), absl::ZeroDuration(),
                                                absl::Seconds(1), "longest cache of a token resolve");
  s.console_dir = reader.String("console-dir", "", "directory of the built operator console, served at /console");
  s.openapi_file = reader.String("openapi-file", "", "OpenAPI document of the admin API, served at /openapi.json");
  const std::string level = reader.String("log-level", "info", "debug, info, warning or error");
  if (!ParseLogLevel(level, &s.log_level)) reader.AddError("log-level", "must be debug, info, warning or error");
  ExitIfInvalid("edge", reader.Finish());
  return s;
}

}  // namespace cmcp::edge
