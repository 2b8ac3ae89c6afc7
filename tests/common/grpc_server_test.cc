// The shared gRPC bootstrap: port 0 + port file, the standard health service,
// per-RPC metrics, and drain.
#include "common/grpc/grpc_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/grpc/grpc_client.h"
#include "common/metrics/metrics.h"
#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"
#include <grpcpp/generic/generic_stub.h>

namespace cmcp {
namespace {

using ::cmcp::testing::IsOk;
using ::testing::HasSubstr;

// grpc.health.v1.Health/Check with an empty HealthCheckRequest; returns the
// raw HealthCheckResponse bytes (field 1 = status; SERVING = 1).
absl::StatusOr<std::string> HealthCheck(int port) {
  auto channel = MakeChannel(absl::StrCat("127.0.0.1:", port));
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(5));
  grpc::ByteBuffer request, response;
  grpc::Slice empty("", 0);
  request = grpc::ByteBuffer(&empty, 1);
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   status = s;
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return absl::UnavailableError(status.error_message());
  std::vector<grpc::Slice> slices;
  (void)response.Dump(&slices);
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

TEST(GrpcServerTest, ServesHealthOnAnyPortRecordsMetricsAndDrains) {
  cmcp::testing::TempDir dir;
  GrpcServerSettings settings;
  settings.port_file = dir.File("port");
  settings.drain_timeout = absl::Seconds(1);
  GrpcServer server(settings);
  ASSERT_THAT(server.Start(), IsOk());
  ASSERT_GT(server.port(), 0);
  std::ifstream in(settings.port_file);
  int written = 0;
  in >> written;
  EXPECT_EQ(written, server.port());

  auto health = HealthCheck(server.port());
  ASSERT_THAT(health, IsOk());
  EXPECT_EQ(*health, std::string("\x08\x01", 2));  // status: SERVING
  EXPECT_THAT(MetricsRegistry::Default().Render(),
              HasSubstr("cmcp_grpc_server_calls_total{method=\"/grpc.health.v1.Health/Check\",code=\"OK\"}"));

  server.Drain();
  EXPECT_FALSE(HealthCheck(server.port()).ok());
}

TEST(GrpcServerTest, BusyAddressIsAClearError) {
  GrpcServer first({});
  ASSERT_THAT(first.Start(), IsOk());
  GrpcServerSettings settings;
  settings.listen_address = absl::StrCat("127.0.0.1:", first.port());
  GrpcServer second(settings);
  // gRPC may share the port (SO_REUSEPORT); either it fails clearly or it works.
  absl::Status status = second.Start();
  if (!status.ok()) {
    EXPECT_THAT(status.message(), HasSubstr("cannot listen"));
  }
}

}  // namespace
}  // namespace cmcp
