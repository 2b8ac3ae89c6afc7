// File: rpc_metrics.h
// Interceptors that record, per gRPC method, calls by status code and latency
// in the default MetricsRegistry:
//  - server side: cmcp_grpc_server_calls_total{method,code} and
//    cmcp_grpc_server_seconds{method}; GrpcServer installs it on every server;
//  - client side: cmcp_grpc_client_calls_total{method,code} and
//    cmcp_grpc_client_seconds{method}; MakeChannel installs it on every channel,
//    so a caller sees its peers' latency including the network.
#pragma once

#include <memory>

#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>

namespace cmcp {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeRpcMetricsInterceptorFactory();
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> MakeClientRpcMetricsInterceptorFactory();

}  // namespace cmcp
