#include "common/grpc/client_queue.h"

#include <memory>

namespace cmcp {

ClientQueue::ClientQueue() : thread_([this] { Run(); }) {}

ClientQueue::~ClientQueue() { Shutdown(absl::ZeroDuration()); }

bool ClientQueue::Begin(Op* op) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return false;
  in_flight_.insert(op);
  return true;
}

void ClientQueue::Run() {
  void* tag = nullptr;
  bool ok = false;
  while (cq_.Next(&tag, &ok)) {
    auto* op = static_cast<Op*>(tag);
    {
      absl::MutexLock lock(&mu_);
      in_flight_.erase(op);
    }
    op->Complete(ok);
  }
}

void ClientQueue::Shutdown(absl::Duration grace) {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_flight_.empty(); };
    mu_.AwaitWithTimeout(absl::Condition(&idle), grace);
    // Every call still running completes (CANCELLED) through Next, so the
    // thread below drains them all before the queue reports shutdown.
    for (Op* op : in_flight_) op->Cancel();
  }
  cq_.Shutdown();
  if (thread_.joinable()) thread_.join();
}

}  // namespace cmcp
