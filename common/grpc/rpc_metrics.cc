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

// The two series of one side (server or client) of every RPC.
struct RpcSeries {
  const char* calls;
  const char* calls_help;
  const char* seconds;
  const char* seconds_help;
};

constexpr RpcSeries kServerSeries{"cmcp_grpc_server_calls_total", "gRPC calls handled, by method and status code",
                                  "cmcp_grpc_server_seconds", "gRPC handling latency in seconds"};
constexpr RpcSeries kClientSeries{"cmcp_grpc_client_calls_total",
                                  "gRPC calls made to peer services, by method and status code",
                                  "cmcp_grpc_client_seconds", "gRPC call latency seen by the caller, in seconds"};

// One finished RPC: its count by method and code, and its latency by method.
void RecordRpc(const RpcSeries& series, const std::string& method, grpc::StatusCode code, absl::Time start) {
  MetricsRegistry& registry = MetricsRegistry::Default();
  registry.GetCounter(series.calls, series.calls_help, {{"method", method}, {"code", CodeName(code)}}).Increment();
  registry.GetHistogram(series.seconds, series.seconds_help, {{"method", method}})
      .Observe(absl::ToDoubleSeconds(absl::Now() - start));
}

class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RpcMetricsInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method() != nullptr ? info->method() : "unknown"), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      RecordRpc(kServerSeries, method_, methods->GetSendStatus().error_code(), start_);
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
      RecordRpc(kClientSeries, method_, status != nullptr ? status->error_code() : grpc::StatusCode::UNKNOWN, start_);
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
