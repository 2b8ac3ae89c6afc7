// File: logger.h
// Structured JSON logs, one object per line on stderr:
//   {"ts":"2026-11-22T10:00:00.123Z","level":"info","service":"token","msg":"...","request_id":"..."}
// Every message and string field passes through RedactSecrets(), and fields
// whose key names a secret are replaced entirely, so a token, a Caspio secret
// or an MCP URL can never reach a log line by accident.
//
//   InitLogging("token", LogLevel::kInfo);
//   LogInfo("server created").With("server_id", id).With("account_id", account);
#pragma once

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace cmcp {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Parses "debug", "info", "warning"/"warn", "error".
bool ParseLogLevel(absl::string_view text, LogLevel* level);

// Sets the service name and the minimum level. Safe to call once at start.
void InitLogging(absl::string_view service, LogLevel min_level);

// Where lines go; tests capture them. nullptr restores stderr.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(absl::string_view line) = 0;
};
void SetLogSinkForTesting(LogSink* sink);

// One log line, emitted when it goes out of scope.
class LogLine {
 public:
  LogLine(LogLevel level, absl::string_view message);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  LogLine& With(absl::string_view key, absl::string_view value);
  LogLine& With(absl::string_view key, const char* value) { return With(key, absl::string_view(value)); }
  LogLine& With(absl::string_view key, const std::string& value) { return With(key, absl::string_view(value)); }
  LogLine& With(absl::string_view key, int64_t value);
  LogLine& With(absl::string_view key, int value) { return With(key, static_cast<int64_t>(value)); }
  LogLine& With(absl::string_view key, uint64_t value);
  LogLine& With(absl::string_view key, double value);
  LogLine& With(absl::string_view key, bool value);
  LogLine& With(absl::string_view key, const absl::Status& status);

 private:
  bool enabled_;
  std::string line_;
};

inline LogLine LogDebug(absl::string_view message) { return LogLine(LogLevel::kDebug, message); }
inline LogLine LogInfo(absl::string_view message) { return LogLine(LogLevel::kInfo, message); }
inline LogLine LogWarning(absl::string_view message) { return LogLine(LogLevel::kWarning, message); }
inline LogLine LogError(absl::string_view message) { return LogLine(LogLevel::kError, message); }

// JSON string literal (with quotes) for `text`, invalid UTF-8 replaced.
std::string JsonQuote(absl::string_view text);

}  // namespace cmcp
