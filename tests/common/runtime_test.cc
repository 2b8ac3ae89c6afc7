#include "common/process/runtime.h"

#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"

namespace cmcp {
namespace {

// Two mutexes taken in both orders (one after the other, so no real
// deadlock). With Abseil's debug-mode deadlock detection, which Debian's
// build leaves on, the second order aborts the process ("potential Mutex
// deadlock") and every Lock pays for the lock graph; the services turn it off.
TEST(RuntimeTest, LockOrderGraphIsOff) {
  ApplyReleaseRuntimeDefaults();
  absl::Mutex a;
  absl::Mutex b;
  {
    absl::MutexLock la(&a);
    absl::MutexLock lb(&b);
  }
  {
    absl::MutexLock lb(&b);
    absl::MutexLock la(&a);
  }
  SUCCEED() << "inverted lock order did not abort";
}

}  // namespace
}  // namespace cmcp
