#include "services/proxy/proxy_settings.h"

namespace cmcp::proxy {

ProxySettings LoadProxySettings(int argc, char** argv) {
  SettingsReader reader = SettingsReader::FromMain(argc, argv, "PROXY_");
  ProxySettings s;
  s.service = ReadServiceSettings(reader);
  s.token_address = reader.RequiredString("token-address", "token service gRPC address host:port");
  s.cursor_key = reader.Secret("cursor-key", true, "HMAC key for pagination cursors (at least 32 characters)");
  if (!s.cursor_key.empty() && s.cursor_key.size() < 32) reader.AddError("cursor-key", "must be at least 32 characters");
  s.executor.upstream_timeout = reader.Duration("upstream-timeout", absl::Seconds(30), absl::Milliseconds(100),
                                                absl::Minutes(10), "deadline of one Caspio request");
  s.executor.max_response_bytes = static_cast<size_t>(
      reader.Int("max-response-bytes", 16 << 20, 1024, 1 << 30, "largest Caspio response accepted"));
  s.executor.max_download_bytes = static_cast<size_t>(
      reader.Int("max-download-bytes", 5 << 20, 1024, 1 << 30, "largest file returned to a model"));
  s.executor.max_upload_bytes = static_cast<size_t>(
      reader.Int("max-upload-bytes", 10 << 20, 1024, 1 << 30, "largest upload accepted from a model"));
  s.auth.refresh_margin = reader.Duration("token-refresh-margin", absl::Minutes(5), absl::ZeroDuration(),
                                          absl::Hours(12), "refresh Caspio access tokens this long before expiry");
  s.worker_threads = static_cast<int>(reader.Int("worker-threads", 64, 1, 4096, "threads for Caspio calls"));
  s.max_queue = static_cast<int>(reader.Int("max-queue", 4096, 1, 1 << 20, "queued calls before refusing"));
  ExitIfInvalid("proxy", reader.Finish());
  return s;
}

}  // namespace cmcp::proxy
