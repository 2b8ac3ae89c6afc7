// File: grpc_client.h
// Channels to peer services with the same keepalive and message limits as the
// servers, plus a per-call deadline helper.
//
//   auto channel = MakeChannel(settings.token_address);
//   auto stub = TokenService::NewStub(channel);
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include <grpcpp/grpcpp.h>

namespace cmcp {

struct GrpcClientSettings {
  int max_message_bytes = 16 * 1024 * 1024;
  absl::Duration keepalive_time = absl::Seconds(20);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  // Reconnect backoff after a peer went away. gRPC's defaults (1 s, growing
  // to 2 min) kept a restarted token or proxy unused for ~1.9 s in the fault
  // test, and after a long outage could keep it unused for minutes; a
  // restarted peer is tried again within max_reconnect_backoff.
  absl::Duration initial_reconnect_backoff = absl::Milliseconds(100);
  absl::Duration max_reconnect_backoff = absl::Seconds(2);
};

// With gRPC 1.51's callback client API (stub->async()), a running call's
// ClientContext holds its channel: if that is the channel's last reference, the
// channel goes on gRPC's own completion thread, which then shuts down the queue
// it polls, fails to join itself and frees that queue twice (grpc/grpc#32584;
// the edge did it at exit under ASan). Our clients use ClientQueue
// (client_queue.h), shut down before their channels go, or blocking calls.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const GrpcClientSettings& settings = {});

// Sets the deadline of `context` to now + `timeout`.
void SetDeadline(grpc::ClientContext& context, absl::Duration timeout);

}  // namespace cmcp
