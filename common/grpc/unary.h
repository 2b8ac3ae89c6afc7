// File: unary.h
// Runs a unary callback-API handler body on a ThreadPool and finishes the
// reactor with the mapped status. Handlers stay one line: translate, call the
// logic class, translate back.
//
//   grpc::ServerUnaryReactor* GetAccount(grpc::CallbackServerContext* ctx,
//                                        const GetAccountRequest* req, Account* resp) override {
//     return RunOnPool(ctx, pool_, [=, this] { return handler_logic(*req, resp); });
//   }
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "common/concurrency/thread_pool.h"
#include "common/status/error.h"
#include "common/status/grpc_status.h"
#include <grpcpp/grpcpp.h>

namespace cmcp {

// `body` returns absl::Status; it runs on `pool` and its result finishes the
// call. When the pool is saturated the call fails fast with RESOURCE_EXHAUSTED.
template <typename Body>
grpc::ServerUnaryReactor* RunOnPool(grpc::CallbackServerContext* context, ThreadPool& pool,
                                    Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const bool queued = pool.TrySubmit([reactor, context, body = std::move(body)]() mutable {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the caller"));
      return;
    }
    reactor->Finish(ToGrpcStatus(body()));
  });
  if (!queued) {
    reactor->Finish(ToGrpcStatus(MakeError(absl::StatusCode::kResourceExhausted,
                                           "server is overloaded; retry shortly",
                                           ::caspio_mcp::common::v1::ERROR_REASON_RATE_LIMITED)));
  }
  return reactor;
}

// Runs `body` inline (for CPU-only handlers such as toolgen's).
template <typename Body>
grpc::ServerUnaryReactor* RunInline(grpc::CallbackServerContext* context, Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(body()));
  return reactor;
}

}  // namespace cmcp
