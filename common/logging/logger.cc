#include "common/logging/logger.h"

#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/logging/redact.h"
#include "nlohmann/json.hpp"

namespace cmcp {
namespace {

struct LoggingState {
  absl::Mutex mu;
  std::string service ABSL_GUARDED_BY(mu) = "caspio-mcp";
  LogSink* sink ABSL_GUARDED_BY(mu) = nullptr;
  std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
};

LoggingState& State() {
  static auto* state = new LoggingState();
  return *state;
}

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

std::string JsonQuote(absl::string_view text) {
  return nlohmann::json(std::string(text)).dump(-1, ' ', false,
                                                nlohmann::json::error_handler_t::replace);
}

bool ParseLogLevel(absl::string_view text, LogLevel* level) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "debug") *level = LogLevel::kDebug;
  else if (lower == "info") *level = LogLevel::kInfo;
  else if (lower == "warning" || lower == "warn") *level = LogLevel::kWarning;
  else if (lower == "error") *level = LogLevel::kError;
  else return false;
  return true;
}

void InitLogging(absl::string_view service, LogLevel min_level) {
  LoggingState& state = State();
  absl::MutexLock lock(&state.mu);
  state.service = std::string(service);
  state.min_level.store(static_cast<int>(min_level));
}

void SetLogSinkForTesting(LogSink* sink) {
  LoggingState& state = State();
  absl::MutexLock lock(&state.mu);
  state.sink = sink;
}

LogLine::LogLine(LogLevel level, absl::string_view message)
    : enabled_(static_cast<int>(level) >= State().min_level.load(std::memory_order_relaxed)) {
  if (!enabled_) return;
  std::string service;
  {
    absl::MutexLock lock(&State().mu);
    service = State().service;
  }
  absl::StrAppend(&line_, "{\"ts\":",
                  JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone())),
                  ",\"level\":\"", LevelName(level), "\",\"service\":", JsonQuote(service),
                  ",\"msg\":", JsonQuote(RedactSecrets(message)));
}

LogLine::~LogLine() {
  if (!enabled_) return;
  line_.append("}\n");
  LoggingState& state = State();
  absl::MutexLock lock(&state.mu);
  if (state.sink != nullptr) {
    state.sink->Write(line_);
    return;
  }
  // One write(2) per line keeps lines whole when several processes share stderr.
  size_t written = 0;
  while (written < line_.size()) {
    ssize_t n = ::write(STDERR_FILENO, line_.data() + written, line_.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
}

LogLine& LogLine::With(absl::string_view key, absl::string_view value) {
  if (!enabled_) return *this;
  absl::StrAppend(&line_, ",", JsonQuote(key), ":",
                  IsSecretKey(key) ? JsonQuote(kRedacted) : JsonQuote(RedactSecrets(value)));
  return *this;
}

LogLine& LogLine::With(absl::string_view key, int64_t value) {
  if (enabled_) absl::StrAppend(&line_, ",", JsonQuote(key), ":", value);
  return *this;
}

LogLine& LogLine::With(absl::string_view key, uint64_t value) {
  if (enabled_) absl::StrAppend(&line_, ",", JsonQuote(key), ":", value);
  return *this;
}

LogLine& LogLine::With(absl::string_view key, double value) {
  if (enabled_) absl::StrAppend(&line_, ",", JsonQuote(key), ":", nlohmann::json(value).dump());
  return *this;
}

LogLine& LogLine::With(absl::string_view key, bool value) {
  if (enabled_) absl::StrAppend(&line_, ",", JsonQuote(key), ":", value ? "true" : "false");
  return *this;
}

LogLine& LogLine::With(absl::string_view key, const absl::Status& status) {
  if (!enabled_) return *this;
  return With(key, status.ok() ? std::string("OK")
                               : absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                                              status.message()));
}

}  // namespace cmcp
