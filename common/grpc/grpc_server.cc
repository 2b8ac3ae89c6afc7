#include "common/grpc/grpc_server.h"

#include "absl/strings/str_cat.h"
#include "common/logging/logger.h"
#include "common/process/port_file.h"
#include "common/grpc/rpc_metrics.h"
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

namespace cmcp {

GrpcServer::GrpcServer(GrpcServerSettings settings) : settings_(std::move(settings)) {}

GrpcServer::~GrpcServer() {
  if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
}

void GrpcServer::AddService(grpc::Service* service) { services_.push_back(service); }

absl::Status GrpcServer::Start() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(settings_.listen_address, grpc::InsecureServerCredentials(), &port_);
  builder.SetMaxReceiveMessageSize(settings_.max_message_bytes);
  builder.SetMaxSendMessageSize(settings_.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(settings_.keepalive_time)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(settings_.keepalive_timeout)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Clients ping every 20 s at the most (see grpc_client.cc); accept that.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(MakeRpcMetricsInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  for (grpc::Service* service : services_) builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", settings_.listen_address));
  }
  server_->GetHealthCheckService()->SetServingStatus(true);
  LogInfo("grpc server listening").With("address", settings_.listen_address).With("port", port_);
  return WritePortFile(settings_.port_file, port_);
}

void GrpcServer::Drain() {
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  LogInfo("grpc server draining")
      .With("timeout_ms", static_cast<int64_t>(absl::ToInt64Milliseconds(settings_.drain_timeout)));
  server_->Shutdown(absl::ToChronoTime(absl::Now() + settings_.drain_timeout));
  server_->Wait();
  server_.reset();
}

}  // namespace cmcp
