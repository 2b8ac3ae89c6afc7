// File: fault_injector.h
// Injected failures for testing clients of the sandbox (the proxy's 429,
// retry and timeout handling): a fixed-window rate limit answered with 429 and
// X-RateLimit-Limit / -Remaining / -Reset (epoch seconds) / Retry-After, added
// latency, a random 5xx rate, and "fail the next N calls". Configured as JSON
// through POST /__sandbox/faults (README.md). Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/http/http_types.h"
#include "nlohmann/json.hpp"
#include "sandbox/caspio/util/clock.h"

namespace cmcp::sandbox {

struct FaultConfig {
  struct RateLimit {
    int64_t limit = 0;
    absl::Duration window = absl::Seconds(60);
  };
  std::optional<RateLimit> rate_limit;
  absl::Duration latency = absl::ZeroDuration();
  double error_rate = 0;
  int64_t fail_next = 0;
  int error_status = 500;
  uint64_t seed = 1;
};

class FaultInjector {
 public:
  explicit FaultInjector(const Clock* clock) : clock_(clock) {}

  struct Decision {
    // Set when the call must fail with this status (429 or 5xx).
    std::optional<int> fail_status;
    std::string fail_message;
    absl::Duration delay = absl::ZeroDuration();
    // Rate-limit headers for every response while a limit is configured.
    Headers headers;
  };
  // Called once per API call.
  Decision Decide();

  // Replaces the whole configuration; INVALID_ARGUMENT names the bad member.
  absl::Status Configure(const nlohmann::json& config);
  void Clear();
  nlohmann::ordered_json Describe() const;

 private:
  const Clock* clock_;
  mutable absl::Mutex mu_;
  FaultConfig config_ ABSL_GUARDED_BY(mu_);
  absl::Time window_start_ ABSL_GUARDED_BY(mu_);
  int64_t window_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::mt19937_64 random_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmcp::sandbox
