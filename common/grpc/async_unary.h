// File: async_unary.h
// One helper for asynchronous unary calls on a ClientQueue
// (common/grpc/client_queue.h): it owns the context, request and response
// until the call completes, sets the deadline, and hands the result to `done`
// as absl::StatusOr (mapped by FromGrpcStatus). `done` runs on the queue's
// thread and must not block.
//
//   AsyncUnary<ResolvedMcpServer>(
//       queue, absl::Seconds(2), std::move(request),
//       [stub](auto* ctx, const auto& req, grpc::CompletionQueue* cq) {
//         return stub->AsyncResolveMcpToken(ctx, req, cq);
//       },
//       [](absl::StatusOr<ResolvedMcpServer> r) { ... });
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/client_queue.h"
#include "common/grpc/grpc_client.h"
#include "common/status/grpc_status.h"
#include <grpcpp/grpcpp.h>

namespace cmcp {

// `start` begins the call with the stub's Async method. Returns a canceller:
// calling it aborts the call if it is still running (`done` then gets
// CANCELLED); it is safe to call at any time, also after completion. When
// the queue is shut down, `done` runs at once with UNAVAILABLE.
template <typename Response, typename Request, typename Start>
std::function<void()> AsyncUnary(ClientQueue& queue, absl::Duration timeout, Request request, Start start,
                                 std::function<void(absl::StatusOr<Response>)> done,
                                 std::function<void(grpc::ClientContext&)> prepare = nullptr) {
  struct Call final : ClientQueue::Op {
    grpc::ClientContext context;
    Request request;
    Response response;
    grpc::Status status;
    // Lives in the call's arena, which the context (declared first, so
    // destroyed after this) owns; kept until the call completes.
    std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader;
    std::function<void(absl::StatusOr<Response>)> done;
    std::shared_ptr<Call> self;  // the queue's reference, until Complete
    // Unary Finish always completes with ok; the status says the rest.
    void Complete(bool) override {
      std::shared_ptr<Call> keep = std::move(self);
      if (status.ok()) {
        done(std::move(response));
      } else {
        done(FromGrpcStatus(status));
      }
    }
    void Cancel() override { context.TryCancel(); }
  };
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->done = std::move(done);
  SetDeadline(call->context, timeout);
  if (prepare) prepare(call->context);
  if (!queue.Begin(call.get())) {
    call->done(absl::UnavailableError("shutting down"));
    return [] {};
  }
  call->self = call;
  call->reader = start(&call->context, call->request, queue.cq());
  call->reader->Finish(&call->response, &call->status, static_cast<ClientQueue::Op*>(call.get()));
  std::weak_ptr<Call> weak = call;
  return [weak] {
    if (auto live = weak.lock()) live->context.TryCancel();
  };
}

}  // namespace cmcp
