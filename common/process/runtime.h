// File: runtime.h
// Process-wide runtime settings every service applies first thing in main().
//
// Debian builds Abseil without NDEBUG, so by default every absl::Mutex::Lock
// records the lock in a global lock-order graph and checks it for cycles
// (deadlock detection, meant for debug builds). Under load that showed up as
// a few percent of every service's CPU (GraphCycles::GetId in perf), all of
// it on the hot path. ApplyReleaseRuntimeDefaults() turns it off; the TSan
// build (docs/testing.md) is where lock-order problems are looked for.
#pragma once

namespace cmcp {

void ApplyReleaseRuntimeDefaults();

}  // namespace cmcp
