// File: sandbox_settings.h
// Typed settings of the caspio-sandbox binary, read once in main from flags
// or SANDBOX_* variables (README.md lists them all).
#pragma once

#include <string>

#include "absl/time/time.h"
#include "common/config/settings_reader.h"
#include "common/http/http_server.h"
#include "common/logging/logger.h"
#include "sandbox/caspio/auth/token_service.h"

namespace cmcp::sandbox {

struct SandboxSettings {
  HttpServerSettings http;
  TokenSettings tokens;
  // SQLite database; ":memory:" keeps nothing after exit.
  std::string db_path = ":memory:";
  // Seed JSON file; empty uses the seed compiled into the binary.
  std::string seed_path;
  bool enable_faults = false;
  LogLevel log_level = LogLevel::kInfo;
  // How long a run task stays Busy, then Processing, before Ready again.
  absl::Duration task_busy = absl::Seconds(2);
  absl::Duration task_processing = absl::Seconds(3);
  // Largest attachment or file upload (413 above it).
  int64_t max_upload_bytes = 5 * 1024 * 1024;
};

SandboxSettings ReadSandboxSettings(SettingsReader& reader);

}  // namespace cmcp::sandbox
