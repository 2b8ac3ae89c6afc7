#include "services/edge/stream_registry.h"

#include <gtest/gtest.h>

namespace cmcp::edge {
namespace {

// notifications/cancelled can overtake the call's own registration (the
// backend call starts before edge records how to cancel it); the cancel must
// still land (McpHandlerTest.CancelledNotificationAbortsTheCall hung under
// sanitizers when it did not).
TEST(StreamRegistryTest, ACancellationThatArrivesBeforeTheCallStillCancelsIt) {
  StreamRegistry registry;
  EXPECT_FALSE(registry.CancelCall("session/slow-1"));
  int cancelled = 0;
  registry.AddCall("session/slow-1", [&cancelled] { ++cancelled; });
  EXPECT_EQ(cancelled, 1);
  // Once only: the next call with that key is not cancelled in advance.
  registry.AddCall("session/slow-1", [&cancelled] { ++cancelled; });
  EXPECT_EQ(cancelled, 1);
  EXPECT_TRUE(registry.CancelCall("session/slow-1"));
  EXPECT_EQ(cancelled, 2);
}

TEST(StreamRegistryTest, CancelsARegisteredCallOnceAndForgetsRemovedOnes) {
  StreamRegistry registry;
  int cancelled = 0;
  registry.AddCall("a", [&cancelled] { ++cancelled; });
  registry.RemoveCall("a");
  EXPECT_FALSE(registry.CancelCall("a"));
  EXPECT_EQ(cancelled, 0);
  registry.AddCall("b", [&cancelled] { ++cancelled; });
  EXPECT_TRUE(registry.CancelCall("b"));
  EXPECT_FALSE(registry.CancelCall("b"));
  EXPECT_EQ(cancelled, 1);
}

}  // namespace
}  // namespace cmcp::edge
