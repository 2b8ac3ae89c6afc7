// File: client_queue.h
// A completion queue for asynchronous gRPC client calls, polled by one thread
// of ours that also runs what completes. The callback client API (async())
// runs completions on gRPC's own pair of "nexting" threads that hand each
// event from one to the other; on the edge that cost about six context
// switches per unary call (bench/README.md). Here the thread that reads a
// response from the socket is the one that runs its callback.
//
//   ClientQueue queue;
//   AsyncUnary<Resolved>(queue, absl::Seconds(2), std::move(request),
//       [stub](auto* ctx, const auto& req, grpc::CompletionQueue* cq) {
//         return stub->AsyncResolveMcpToken(ctx, req, cq);
//       },
//       [](absl::StatusOr<Resolved> r) { ... });
//
// Shutdown() lets the calls still running finish for up to `grace`, cancels
// the rest (their callbacks get CANCELLED), and joins the thread; starting a
// call after it fails the call at once with UNAVAILABLE.
#pragma once

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include <grpcpp/grpcpp.h>

namespace cmcp {

class ClientQueue {
 public:
  // One pending operation (a unary call, a stream's next read, an alarm):
  // the queue's tag. Begin() it before starting the operation with
  // cq() and `this` as the tag.
  class Op {
   public:
    virtual ~Op() = default;
    // Runs on the queue's thread when the operation completes; `ok` as
    // gRPC reports it (false: a stream ended, an alarm was cancelled).
    virtual void Complete(bool ok) = 0;
    // Makes the operation complete soon (TryCancel, Alarm::Cancel). Called
    // under the queue's lock by Shutdown, from any thread.
    virtual void Cancel() = 0;
  };

  ClientQueue();
  ~ClientQueue();
  ClientQueue(const ClientQueue&) = delete;
  ClientQueue& operator=(const ClientQueue&) = delete;

  // Registers `op` as in flight; false once shut down (the caller then fails
  // the operation itself and must not start it).
  bool Begin(Op* op);
  grpc::CompletionQueue* cq() { return &cq_; }
  // Idempotent; the destructor calls Shutdown(absl::ZeroDuration()).
  void Shutdown(absl::Duration grace);

 private:
  void Run();

  grpc::CompletionQueue cq_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<Op*> in_flight_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace cmcp
