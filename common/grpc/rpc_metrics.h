// File: rpc_metrics.h
// A server interceptor that records, per gRPC method, calls by status code
// (cmcp_grpc_server_calls_total) and latency (cmcp_grpc_server_seconds) in the
// default MetricsRegistry. GrpcServer installs it on every server.
#pragma once

#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace cmcp {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeRpcMetricsInterceptorFactory();

}  // namespace cmcp
