#include "common/metrics/metrics.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cmcp {
namespace {

void AtomicAdd(std::atomic<double>& target, double amount) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + amount, std::memory_order_relaxed)) {
  }
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string RenderLabels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    absl::StrAppend(&out, out.empty() ? "" : ",", key, "=\"", EscapeLabelValue(value), "\"");
  }
  return out;
}

std::string FormatValue(double value) {
  if (value == static_cast<double>(static_cast<int64_t>(value))) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.9g", value);
}

std::string Braced(absl::string_view labels) {
  return labels.empty() ? std::string() : absl::StrCat("{", labels, "}");
}

}  // namespace

void Counter::Increment(double amount) { AtomicAdd(value_, amount); }

void Gauge::Add(double amount) { AtomicAdd(value_, amount); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<uint64_t>[upper_bounds_.size()]) {
  std::sort(upper_bounds_.begin(), upper_bounds_.end());
  for (size_t i = 0; i < upper_bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  auto it = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value);
  if (it != upper_bounds_.end()) {
    buckets_[static_cast<size_t>(it - upper_bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, value);
}

uint64_t Histogram::CumulativeCount(size_t i) const {
  uint64_t total = 0;
  for (size_t b = 0; b <= i && b < upper_bounds_.size(); ++b) {
    total += buckets_[b].load(std::memory_order_relaxed);
  }
  return total;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};
}

MetricsRegistry& MetricsRegistry::Default() {
  static auto* registry = new MetricsRegistry();
  return *registry;
}

MetricsRegistry::Family& MetricsRegistry::GetFamily(absl::string_view name, absl::string_view help,
                                                    Type type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}, {}, {}}).first;
  }
  return it->second;
}

Counter& MetricsRegistry::GetCounter(absl::string_view name, absl::string_view help,
                                     const MetricLabels& labels) {
  absl::MutexLock lock(&mu_);
  Family& family = GetFamily(name, help, Type::kCounter);
  auto& slot = family.counters[RenderLabels(labels)];
  if (slot == nullptr) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(absl::string_view name, absl::string_view help,
                                 const MetricLabels& labels) {
  absl::MutexLock lock(&mu_);
  Family& family = GetFamily(name, help, Type::kGauge);
  auto& slot = family.gauges[RenderLabels(labels)];
  if (slot == nullptr) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(absl::string_view name, absl::string_view help,
                                         const MetricLabels& labels,
                                         const std::vector<double>& upper_bounds) {
  absl::MutexLock lock(&mu_);
  Family& family = GetFamily(name, help, Type::kHistogram);
  auto& slot = family.histograms[RenderLabels(labels)];
  if (slot == nullptr) slot = std::make_unique<Histogram>(upper_bounds);
  return *slot;
}

std::string MetricsRegistry::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.type == Type::kCounter ? "counter"
                       : family.type == Type::kGauge ? "gauge"
                                                     : "histogram";
    absl::StrAppend(&out, "# HELP ", name, " ", family.help, "\n# TYPE ", name, " ", type, "\n");
    for (const auto& [labels, counter] : family.counters) {
      absl::StrAppend(&out, name, Braced(labels), " ", FormatValue(counter->Value()), "\n");
    }
    for (const auto& [labels, gauge] : family.gauges) {
      absl::StrAppend(&out, name, Braced(labels), " ", FormatValue(gauge->Value()), "\n");
    }
    for (const auto& [labels, histogram] : family.histograms) {
      const std::string prefix = labels.empty() ? "" : absl::StrCat(labels, ",");
      for (size_t i = 0; i < histogram->upper_bounds().size(); ++i) {
        absl::StrAppend(&out, name, "_bucket{", prefix, "le=\"",
                        FormatValue(histogram->upper_bounds()[i]), "\"} ",
                        histogram->CumulativeCount(i), "\n");
      }
      absl::StrAppend(&out, name, "_bucket{", prefix, "le=\"+Inf\"} ", histogram->Count(), "\n");
      absl::StrAppend(&out, name, "_sum", Braced(labels), " ", FormatValue(histogram->Sum()), "\n");
      absl::StrAppend(&out, name, "_count", Braced(labels), " ", histogram->Count(), "\n");
    }
  }
  return out;
}

}  // namespace cmcp
