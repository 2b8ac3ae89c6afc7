#include "sandbox/caspio/faults/fault_injector.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace cmcp::sandbox {

using json = nlohmann::json;

FaultInjector::Decision FaultInjector::Decide() {
  Decision d;
  absl::MutexLock lock(&mu_);
  d.delay = config_.latency;
  if (config_.rate_limit.has_value()) {
    const absl::Time now = clock_->Now();
    const FaultConfig::RateLimit& rl = *config_.rate_limit;
    if (now >= window_start_ + rl.window) {
      window_start_ = now;
      window_count_ = 0;
    }
    ++window_count_;
    const absl::Time reset = window_start_ + rl.window;
    const int64_t remaining = std::max<int64_t>(0, rl.limit - window_count_);
    d.headers.Add("X-RateLimit-Limit", absl::StrCat(rl.limit));
    d.headers.Add("X-RateLimit-Remaining", absl::StrCat(remaining));
    int64_t reset_epoch = absl::ToUnixSeconds(reset);
    if (absl::FromUnixSeconds(reset_epoch) < reset) ++reset_epoch;
    d.headers.Add("X-RateLimit-Reset", absl::StrCat(reset_epoch));
    if (window_count_ > rl.limit) {
      const int64_t retry = std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(reset - now, absl::Seconds(1))));
      d.headers.Add("Retry-After", absl::StrCat(retry));
      d.fail_status = 429;
      d.fail_message = absl::StrCat("Rate limit of ", rl.limit, " calls per ", absl::ToInt64Seconds(rl.window),
                                    " seconds exceeded. Retry after ", retry, " seconds.");
      return d;
    }
  }
  if (config_.fail_next > 0) {
    --config_.fail_next;
    d.fail_status = config_.error_status;
    d.fail_message = "Injected server error (fail_next).";
    return d;
  }
  if (config_.error_rate > 0) {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    if (uniform(random_) < config_.error_rate) {
      d.fail_status = config_.error_status;
      d.fail_message = "Injected server error (error_rate).";
    }
  }
  return d;
}

absl::Status FaultInjector::Configure(const json& config) {
  if (!config.is_object()) return absl::InvalidArgumentError("the fault configuration must be a JSON object");
  FaultConfig next;
  for (auto it = config.begin(); it != config.end(); ++it) {
    const std::string& key = it.key();
    const json& v = *it;
    if (key == "rate_limit") {
      if (v.is_null()) continue;
      if (!v.is_object() || !v.contains("limit") || !v["limit"].is_number_integer() || v["limit"].get<int64_t>() < 0) {
        return absl::InvalidArgumentError("rate_limit must be {\"limit\": N >= 0, \"window_seconds\": S > 0}");
      }
      FaultConfig::RateLimit rl;
      rl.limit = v["limit"].get<int64_t>();
      if (v.contains("window_seconds")) {
        if (!v["window_seconds"].is_number() || v["window_seconds"].get<double>() <= 0) {
          return absl::InvalidArgumentError("rate_limit.window_seconds must be a number > 0");
        }
        rl.window = absl::Seconds(v["window_seconds"].get<double>());
      }
      next.rate_limit = rl;
    } else if (key == "latency_ms") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 600000) {
        return absl::InvalidArgumentError("latency_ms must be a number between 0 and 600000");
      }
      next.latency = absl::Milliseconds(v.get<double>());
    } else if (key == "error_rate") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) {
        return absl::InvalidArgumentError("error_rate must be a number between 0 and 1");
      }
      next.error_rate = v.get<double>();
    } else if (key == "fail_next") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0) {
        return absl::InvalidArgumentError("fail_next must be an integer >= 0");
      }
      next.fail_next = v.get<int64_t>();
    } else if (key == "error_status") {
      if (!v.is_number_integer() || v.get<int>() < 500 || v.get<int>() > 599) {
        return absl::InvalidArgumentError("error_status must be an integer between 500 and 599");
      }
      next.error_status = v.get<int>();
    } else if (key == "seed") {
      if (!v.is_number_unsigned()) return absl::InvalidArgumentError("seed must be a non-negative integer");
      next.seed = v.get<uint64_t>();
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown fault setting \"", key,
                                                     "\" (known: rate_limit, latency_ms, error_rate, fail_next, "
                                                     "error_status, seed)"));
    }
  }
  absl::MutexLock lock(&mu_);
  config_ = next;
  window_start_ = clock_->Now();
  window_count_ = 0;
  random_.seed(next.seed);
  return absl::OkStatus();
}

void FaultInjector::Clear() {
  absl::MutexLock lock(&mu_);
  config_ = FaultConfig();
  window_count_ = 0;
}

nlohmann::ordered_json FaultInjector::Describe() const {
  absl::MutexLock lock(&mu_);
  nlohmann::ordered_json out;
  if (config_.rate_limit.has_value()) {
    out["rate_limit"] = {{"limit", config_.rate_limit->limit},
                         {"window_seconds", absl::ToDoubleSeconds(config_.rate_limit->window)}};
  } else {
    out["rate_limit"] = nullptr;
  }
  out["latency_ms"] = absl::ToDoubleMilliseconds(config_.latency);
  out["error_rate"] = config_.error_rate;
  out["fail_next"] = config_.fail_next;
  out["error_status"] = config_.error_status;
  out["seed"] = config_.seed;
  return out;
}

}  // namespace cmcp::sandbox
