#include "common/process/runtime.h"

#include "absl/synchronization/mutex.h"

namespace cmcp {

void ApplyReleaseRuntimeDefaults() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace cmcp
