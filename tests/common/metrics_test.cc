#include "common/metrics/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cmcp {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersCountersWithEscapedLabels) {
  MetricsRegistry registry;
  registry.GetCounter("cmcp_calls_total", "Calls", {{"tool", "a\"b"}}).Increment();
  registry.GetCounter("cmcp_calls_total", "Calls", {{"tool", "a\"b"}}).Increment(2);
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE cmcp_calls_total counter\n"));
  EXPECT_THAT(text, HasSubstr("cmcp_calls_total{tool=\"a\\\"b\"} 3\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  Histogram& h = registry.GetHistogram("cmcp_latency_seconds", "Latency", {{"rpc", "x"}}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("cmcp_latency_seconds_bucket{rpc=\"x\",le=\"0.1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cmcp_latency_seconds_bucket{rpc=\"x\",le=\"1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("cmcp_latency_seconds_bucket{rpc=\"x\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("cmcp_latency_seconds_count{rpc=\"x\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("cmcp_latency_seconds_sum{rpc=\"x\"} 5.55\n"));
}

TEST(MetricsTest, GaugesSetAndAdd) {
  MetricsRegistry registry;
  Gauge& g = registry.GetGauge("cmcp_sessions", "Sessions");
  g.Set(4);
  g.Add(-1);
  EXPECT_THAT(registry.Render(), HasSubstr("cmcp_sessions 3\n"));
}

}  // namespace
}  // namespace cmcp
