#include "common/service/service_runner.h"

#include <iostream>

#include "common/process/signals.h"

namespace cmcp {

ServiceSettings ReadServiceSettings(SettingsReader& reader) {
  ServiceSettings s;
  s.grpc.listen_address = reader.String("listen", "127.0.0.1:0", "gRPC listen address host:port (port 0 = any free port)");
  s.grpc.port_file = reader.String("port-file", "", "write the bound gRPC port to this file");
  s.grpc.max_message_bytes = static_cast<int>(reader.Int(
      "max-message-bytes", 16 << 20, 1 << 16, 256 << 20, "largest gRPC message accepted or sent"));
  s.grpc.drain_timeout = reader.Duration("drain-timeout", absl::Seconds(10), absl::ZeroDuration(),
                                         absl::Minutes(5), "time in-flight calls get on SIGTERM");
  s.admin_http.listen_address = reader.String("admin-listen", "127.0.0.1:0",
                                              "HTTP listen address for /metrics, /healthz, /readyz");
  s.admin_http.port_file = reader.String("admin-port-file", "", "write the bound admin HTTP port to this file");
  const std::string level = reader.String("log-level", "info", "debug, info, warning or error");
  if (!ParseLogLevel(level, &s.log_level)) {
    reader.AddError("log-level", "must be debug, info, warning or error, got \"" + level + "\"");
  }
  return s;
}

int RunGrpcService(absl::string_view name, const ServiceSettings& settings,
                   const std::vector<grpc::Service*>& services, ReadinessCheck ready) {
  GrpcServer server(settings.grpc);
  for (grpc::Service* service : services) server.AddService(service);
  if (absl::Status status = server.Start(); !status.ok()) {
    std::cerr << name << ": " << status.message() << std::endl;
    return 1;
  }
  auto admin = StartAdminHttp(settings.admin_http, std::move(ready));
  if (!admin.ok()) {
    std::cerr << name << ": " << admin.status().message() << std::endl;
    return 1;
  }
  LogInfo("service started").With("grpc_port", server.port()).With("admin_port", (*admin)->port());
  const int sig = WaitForTerminationSignal();
  LogInfo("shutting down").With("signal", sig);
  server.Drain();
  (*admin)->Stop();
  return 0;
}

}  // namespace cmcp
