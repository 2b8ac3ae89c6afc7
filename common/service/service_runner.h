// File: service_runner.h
// What every gRPC service's main shares: the common settings (gRPC listen
// address, admin HTTP listener, log level, limits, drain timeout) and the run
// loop (start gRPC + admin HTTP, wait for SIGTERM/SIGINT, drain). A main.cc
// reads its own settings, builds its objects and calls RunGrpcService.
//
//   SettingsReader reader = SettingsReader::FromMain(argc, argv, "TOKEN_");
//   ServiceSettings service = ReadServiceSettings(reader);
//   ...
//   return RunGrpcService("token", service, {&handler}, [&] { return store->Ping(); });
#pragma once

#include <vector>

#include "absl/strings/string_view.h"
#include "common/config/settings_reader.h"
#include "common/grpc/grpc_server.h"
#include "common/http/admin_http.h"
#include "common/http/http_server.h"
#include "common/logging/logger.h"

namespace cmcp {

struct ServiceSettings {
  GrpcServerSettings grpc;
  HttpServerSettings admin_http;
  LogLevel log_level = LogLevel::kInfo;
};

// Reads --listen, --port-file, --admin-listen, --admin-port-file, --log-level,
// --max-message-bytes and --drain-timeout.
ServiceSettings ReadServiceSettings(SettingsReader& reader);

// Starts the gRPC server with `services` and the admin HTTP listener, then
// blocks until SIGTERM/SIGINT and drains. Returns the process exit code.
// Call BlockTerminationSignals() at the top of main before any thread starts.
int RunGrpcService(absl::string_view name, const ServiceSettings& settings,
                   const std::vector<grpc::Service*>& services, ReadinessCheck ready);

}  // namespace cmcp
