// File: metrics.h
// A small Prometheus client: counters, gauges and histograms with labels,
// rendered in the text exposition format (version 0.0.4) for /metrics.
// Lookups take a mutex; updates to an existing series are lock-free, so hot
// paths should look a series up once and keep the reference.
//
//   Counter& calls = registry.GetCounter("cmcp_tool_calls_total", "Tool calls",
//                                        {{"tool", name}, {"outcome", "ok"}});
//   calls.Increment();
//   registry.GetHistogram("cmcp_rpc_seconds", "RPC latency", {{"rpc", "Resolve"}})
//       .Observe(0.0012);
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace cmcp {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(double amount = 1.0);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Cumulative count for bucket i (value <= upper_bounds()[i]).
  uint64_t CumulativeCount(size_t i) const;

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// Latency buckets in seconds from 100 µs to 10 s.
std::vector<double> DefaultLatencyBuckets();

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The process-wide registry that /metrics renders.
  static MetricsRegistry& Default();

  // Returns the series, creating it on first use. A name is bound to one type
  // and help text by its first use; label values are escaped on render.
  Counter& GetCounter(absl::string_view name, absl::string_view help, const MetricLabels& labels = {});
  Gauge& GetGauge(absl::string_view name, absl::string_view help, const MetricLabels& labels = {});
  Histogram& GetHistogram(absl::string_view name, absl::string_view help,
                          const MetricLabels& labels = {},
                          const std::vector<double>& upper_bounds = DefaultLatencyBuckets());

  // Text exposition format, families sorted by name.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // key: rendered labels
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& GetFamily(absl::string_view name, absl::string_view help, Type type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Family, std::less<>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmcp
