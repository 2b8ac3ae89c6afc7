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
};

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const GrpcClientSettings& settings = {});

// Sets the deadline of `context` to now + `timeout`.
void SetDeadline(grpc::ClientContext& context, absl::Duration timeout);

}  // namespace cmcp
