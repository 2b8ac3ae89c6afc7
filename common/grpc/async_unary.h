// File: async_unary.h
// One helper for asynchronous unary calls on the gRPC callback client API:
// it owns the context, request and response until the call completes, sets
// the deadline, and hands the result to `done` as absl::StatusOr (mapped by
// FromGrpcStatus). `done` runs on a gRPC thread and must not block.
//
//   AsyncUnary<ResolvedMcpServer>(
//       absl::Seconds(2), std::move(request),
//       [stub](auto* ctx, auto* req, auto* resp, auto cb) {
//         stub->async()->ResolveMcpToken(ctx, req, resp, std::move(cb));
//       },
//       [](absl::StatusOr<ResolvedMcpServer> r) { ... });
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/grpc_client.h"
#include "common/status/grpc_status.h"
#include <grpcpp/grpcpp.h>

namespace cmcp {

// Returns a canceller: calling it aborts the call if it is still running
// (the callback then gets CANCELLED); it is safe to call at any time, also
// after completion.
template <typename Response, typename Request, typename Start>
std::function<void()> AsyncUnary(absl::Duration timeout, Request request, Start start,
                                 std::function<void(absl::StatusOr<Response>)> done,
                                 std::function<void(grpc::ClientContext&)> prepare = nullptr) {
  struct Call {
    grpc::ClientContext context;
    Request request;
    Response response;
  };
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  SetDeadline(call->context, timeout);
  if (prepare) prepare(call->context);
  std::weak_ptr<Call> weak = call;
  start(&call->context, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) {
          if (status.ok()) {
            done(std::move(call->response));
          } else {
            done(FromGrpcStatus(status));
          }
        });
  return [weak] {
    if (auto live = weak.lock()) live->context.TryCancel();
  };
}

}  // namespace cmcp
