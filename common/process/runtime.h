// File: runtime.h
// Process-wide runtime settings every service applies first thing in main().
//
// Debian builds Abseil without NDEBUG, so by default every absl::Mutex::Lock
// records the lock in a global lock-order graph and checks it for cycles
// (deadlock detection, meant for debug builds). Under load that showed up as
// a few percent of every service's CPU (GraphCycles::GetId in perf), all of
// it on the hot path. ApplyReleaseRuntimeDefaults() turns it off. The test
// binaries do not call it, so the unit tests still abort on an inverted lock
// order: they are where lock-order problems are looked for (TSan does not:
// its shim, cmake/sanitizers/tsan_absl_shim.cc, gives it the happens-before
// edges of absl::Mutex, not lock order).
#pragma once

namespace cmcp {

void ApplyReleaseRuntimeDefaults();

}  // namespace cmcp
