#include "sandbox/caspio/server/delay_queue.h"

#include <vector>

#include "absl/time/clock.h"

namespace cmcp::sandbox {

DelayQueue::DelayQueue() : thread_([this] { Loop(); }) {}

DelayQueue::~DelayQueue() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void DelayQueue::RunAfter(absl::Duration delay, std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  pending_.emplace(absl::Now() + delay, std::move(fn));
}

void DelayQueue::Loop() {
  while (true) {
    std::vector<std::function<void()>> due;
    {
      absl::MutexLock lock(&mu_);
      const absl::Time target = pending_.empty() ? absl::InfiniteFuture() : pending_.begin()->first;
      // Wake when due, when stopping, or when an earlier closure arrives.
      auto changed = [this, target]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || (!pending_.empty() && pending_.begin()->first < target);
      };
      mu_.AwaitWithDeadline(absl::Condition(&changed), target);
      const absl::Time now = absl::Now();
      while (!pending_.empty() && (stopping_ || pending_.begin()->first <= now)) {
        due.push_back(std::move(pending_.begin()->second));
        pending_.erase(pending_.begin());
      }
      if (stopping_ && pending_.empty() && due.empty()) return;
    }
    for (auto& fn : due) fn();
  }
}

}  // namespace cmcp::sandbox
