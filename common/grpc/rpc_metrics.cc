#include "common/grpc/rpc_metrics.h"

#include <string>

#include "absl/time/clock.h"
#include "common/metrics/metrics.h"

namespace cmcp {
namespace {

using grpc::experimental::InterceptionHookPoints;

std::string CodeName(grpc::StatusCode code) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                                 "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
                                 "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return (i >= 0 && i <= 16) ? kNames[i] : "UNKNOWN";
}

class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RpcMetricsInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method() != nullptr ? info->method() : "unknown"), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      MetricsRegistry& registry = MetricsRegistry::Default();
      registry
          .GetCounter("cmcp_grpc_server_calls_total", "gRPC calls handled, by method and status code",
                      {{"method", method_}, {"code", CodeName(status.error_code())}})
          .Increment();
      registry
          .GetHistogram("cmcp_grpc_server_seconds", "gRPC handling latency in seconds",
                        {{"method", method_}})
          .Observe(absl::ToDoubleSeconds(absl::Now() - start_));
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  absl::Time start_;
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcMetricsInterceptor(info);
  }
};

class ClientRpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ClientRpcMetricsInterceptor(grpc::experimental::ClientRpcInfo* info)
      : method_(info->method() != nullptr ? info->method() : "unknown"), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      const grpc::Status* status = methods->GetRecvStatus();
      const grpc::StatusCode code = status != nullptr ? status->error_code() : grpc::StatusCode::UNKNOWN;
      MetricsRegistry& registry = MetricsRegistry::Default();
      registry
          .GetCounter("cmcp_grpc_client_calls_total", "gRPC calls made to peer services, by method and status code",
                      {{"method", method_}, {"code", CodeName(code)}})
          .Increment();
      registry
          .GetHistogram("cmcp_grpc_client_seconds", "gRPC call latency seen by the caller, in seconds",
                        {{"method", method_}})
          .Observe(absl::ToDoubleSeconds(absl::Now() - start_));
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  absl::Time start_;
};

class ClientFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo* info) override {
    return new ClientRpcMetricsInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeRpcMetricsInterceptorFactory() {
  return std::make_unique<Factory>();
}

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> MakeClientRpcMetricsInterceptorFactory() {
  return std::make_unique<ClientFactory>();
}

}  // namespace cmcp
