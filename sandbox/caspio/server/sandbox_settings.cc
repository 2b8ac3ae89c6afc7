#include "sandbox/caspio/server/sandbox_settings.h"

namespace cmcp::sandbox {

SandboxSettings ReadSandboxSettings(SettingsReader& r) {
  SandboxSettings s;
  s.http.listen_address = r.String("listen", "127.0.0.1:0", "host:port to listen on (port 0 picks one)");
  s.http.port_file = r.String("port-file", "", "file to write the bound port to");
  s.http.threads = static_cast<int>(r.Int("threads", 2, 1, 64, "HTTP I/O threads"));
  s.tokens.client_id = r.String("client-id", "sandbox-client", "OAuth client_id accepted by /oauth/token");
  s.tokens.client_secret = r.Secret("client-secret", false, "OAuth client_secret (default sandbox-secret)");
  if (s.tokens.client_secret.empty()) s.tokens.client_secret = "sandbox-secret";
  s.tokens.access_token_lifetime = r.Duration("token-lifetime", absl::Seconds(86399), absl::Seconds(1),
                                              absl::Hours(24 * 365), "access token lifetime (expires_in)");
  s.db_path = r.String("db", ":memory:", "SQLite database path (:memory: keeps nothing)");
  s.seed_path = r.String("seed", "", "seed JSON file (empty: the seed built into the binary)");
  s.enable_faults = r.Bool("enable-faults", false, "serve the /__sandbox/ fault and reset API");
  const std::string level = r.String("log-level", "info", "debug, info, warning or error");
  if (!ParseLogLevel(level, &s.log_level)) r.AddError("log-level", "must be debug, info, warning or error");
  s.task_busy = r.Duration("task-busy", absl::Seconds(2), absl::ZeroDuration(), absl::Hours(1),
                           "how long a started import/export task reports Busy");
  s.task_processing = r.Duration("task-processing", absl::Seconds(3), absl::ZeroDuration(), absl::Hours(1),
                                 "how long it then reports Processing before Ready");
  s.max_upload_bytes = r.Int("max-upload-bytes", 5 * 1024 * 1024, 1, 1024LL * 1024 * 1024,
                             "largest file or attachment upload (413 above)");
  // Leave room for multipart overhead so oversized uploads get Caspio's 413.
  s.http.max_body_bytes = static_cast<size_t>(s.max_upload_bytes) + 1024 * 1024;
  return s;
}

}  // namespace cmcp::sandbox
