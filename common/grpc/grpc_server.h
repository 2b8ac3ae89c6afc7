// File: grpc_server.h
// The one gRPC server bootstrap every service uses: listen address (port 0
// allowed, the bound port is reported and optionally written to a file), the
// standard health service, reflection, keepalive, message size limits, and a
// graceful drain (health NOT_SERVING, then Shutdown with a deadline).
//
//   GrpcServer server(settings.grpc);
//   server.AddService(&token_service);
//   ExitIfError(server.Start());
//   WaitForTerminationSignal();
//   server.Drain();
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include <grpcpp/grpcpp.h>

namespace cmcp {

struct GrpcServerSettings {
  // host:port; port 0 picks a free port.
  std::string listen_address = "127.0.0.1:0";
  // When set, the bound port is written here (decimal, newline) after start.
  std::string port_file;
  int max_message_bytes = 16 * 1024 * 1024;
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  // How long Drain() lets in-flight calls finish before cancelling them.
  absl::Duration drain_timeout = absl::Seconds(10);
};

class GrpcServer {
 public:
  explicit GrpcServer(GrpcServerSettings settings);
  ~GrpcServer();

  // Services must outlive the server. Call before Start().
  void AddService(grpc::Service* service);

  absl::Status Start();
  int port() const { return port_; }

  // Marks every service NOT_SERVING, stops accepting calls and waits up to
  // drain_timeout for in-flight calls.
  void Drain();

 private:
  GrpcServerSettings settings_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace cmcp
