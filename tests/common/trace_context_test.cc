// W3C traceparent parsing, continuation and rendering (the trip through gRPC
// metadata and onto Caspio requests is in observability_integration_test).
#include "common/tracing/trace_context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>


namespace cmcp {
namespace {

using ::testing::MatchesRegex;

constexpr char kHeader[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceContextTest, ParsesTheSpecExample) {
  auto t = TraceContext::Parse(kHeader);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->span_id(), "00f067aa0ba902b7");
  EXPECT_EQ(t->Header(), kHeader);
  // Surrounding whitespace is tolerated (header values may carry it).
  EXPECT_TRUE(TraceContext::Parse(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00 ").has_value());
}

TEST(TraceContextTest, RefusesMalformedHeaders) {
  for (const char* bad : {
           "",
           "garbage",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",        // no flags
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",     // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",     // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",     // zero parent id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",     // forbidden version
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz", // v00 has no extra fields
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",  // not hex
       }) {
    EXPECT_FALSE(TraceContext::Parse(bad).has_value()) << bad;
  }
  // A later version may append fields after a dash; the first four are read.
  auto future = TraceContext::Parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra");
  ASSERT_TRUE(future.has_value());
  EXPECT_EQ(future->trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(TraceContextTest, ContinuesTheCallersTraceWithANewSpan) {
  TraceContext t = TraceContext::ContinueOrStart(absl::string_view(kHeader));
  EXPECT_EQ(t.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(t.span_id(), "00f067aa0ba902b7");
  EXPECT_THAT(t.Header(), MatchesRegex("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01"));
  TraceContext child = t.NewSpan();
  EXPECT_EQ(child.trace_id(), t.trace_id());
  EXPECT_NE(child.span_id(), t.span_id());
}

TEST(TraceContextTest, StartsATraceWhenTheCallerSentNoneOrABadOne) {
  for (std::optional<absl::string_view> header : {std::optional<absl::string_view>(),
                                                  std::optional<absl::string_view>("not a traceparent")}) {
    TraceContext t = TraceContext::ContinueOrStart(header);
    ASSERT_TRUE(t.valid());
    EXPECT_THAT(t.Header(), MatchesRegex("00-[0-9a-f]{32}-[0-9a-f]{16}-01"));
  }
  EXPECT_NE(TraceContext::Start().trace_id(), TraceContext::Start().trace_id());
  EXPECT_FALSE(TraceContext().valid());
  EXPECT_EQ(TraceContext().Header(), "");
}

}  // namespace
}  // namespace cmcp
