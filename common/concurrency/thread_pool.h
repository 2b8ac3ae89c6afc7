// File: thread_pool.h
// A fixed-size pool for blocking work (Redis round trips, libcurl calls) so
// gRPC callback handlers never block gRPC's own threads. The queue is bounded:
// when it is full, TrySubmit refuses instead of letting latency grow unbounded.
//
//   ThreadPool pool(16, /*max_queue=*/1024);
//   if (!pool.TrySubmit([reactor] { ...; reactor->Finish(status); })) { /* overloaded */ }
#pragma once

#include <cstddef>
#include <deque>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace cmcp {

class ThreadPool {
 public:
  ThreadPool(size_t threads, size_t max_queue);
  // Runs every queued task, then joins the threads.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // False when the queue is full or the pool is shutting down.
  [[nodiscard]] bool TrySubmit(absl::AnyInvocable<void() &&> task);

  size_t queued() const;

 private:
  void WorkerLoop();

  const size_t max_queue_;
  mutable absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace cmcp
