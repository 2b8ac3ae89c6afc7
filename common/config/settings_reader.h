// File: settings_reader.h
// Reads typed settings from command-line flags and environment variables, in
// one place per service (its <svc>_settings.cc). A flag `--redis-address=x`
// overrides the variable `<PREFIX>REDIS_ADDRESS`; secrets may also come from a
// file named by `--<name>-file` / `<PREFIX><NAME>_FILE` (a Kubernetes Secret
// mount). Problems are collected, and Finish() reports all of them at once,
// each naming the flag and the variable, so bad config fails fast at start.
//
//   SettingsReader r = SettingsReader::FromMain(argc, argv, "TOKEN_");
//   settings.redis_address = r.String("redis-address", "127.0.0.1:6379", "Redis host:port");
//   settings.pepper = r.Secret("token-pepper", "HMAC key for URL tokens");
//   ExitIfInvalid("token", r.Finish());
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace cmcp {

class SettingsReader {
 public:
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

  // `args` excludes argv[0]. `env` looks up environment variables.
  SettingsReader(std::vector<std::string> args, EnvLookup env, std::string env_prefix);
  static SettingsReader FromMain(int argc, char** argv, std::string env_prefix);

  std::string String(absl::string_view name, absl::string_view default_value, absl::string_view help);
  // Records an error when absent or empty.
  std::string RequiredString(absl::string_view name, absl::string_view help);
  int64_t Int(absl::string_view name, int64_t default_value, int64_t min, int64_t max,
              absl::string_view help);
  bool Bool(absl::string_view name, bool default_value, absl::string_view help);
  // Accepts Go-style durations: "250ms", "30s", "5m", "1h".
  absl::Duration Duration(absl::string_view name, absl::Duration default_value, absl::Duration min,
                          absl::Duration max, absl::string_view help);
  // A secret from the flag/variable itself or from the file named by
  // <name>-file. Returns "" when neither is set; `required` records an error then.
  std::string Secret(absl::string_view name, bool required, absl::string_view help);
  // A comma-separated list; empty entries are dropped.
  std::vector<std::string> List(absl::string_view name, absl::string_view default_value,
                                absl::string_view help);

  // Adds a cross-field problem found by the caller, attributed to `name`.
  void AddError(absl::string_view name, absl::string_view message);

  // OK, or INVALID_ARGUMENT listing every problem (including unknown flags).
  // `--help` yields a FAILED_PRECONDITION status whose message is the help text.
  absl::Status Finish();

  // "--flag-name (ENV_NAME)" for messages.
  std::string Describe(absl::string_view name) const;

 private:
  std::optional<std::string> Lookup(absl::string_view name);

  std::map<std::string, std::string, std::less<>> flags_;
  std::vector<std::string> positional_;
  std::map<std::string, bool, std::less<>> consumed_;
  EnvLookup env_;
  std::string env_prefix_;
  std::vector<std::string> errors_;
  std::vector<std::string> help_lines_;
  bool help_requested_ = false;
};

// Prints `status` as "<program>: <message>" to stderr and exits (2 for bad
// settings, 0 for --help) unless it is OK.
void ExitIfInvalid(absl::string_view program, const absl::Status& status);

}  // namespace cmcp
