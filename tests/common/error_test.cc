#include "common/status/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status/grpc_status.h"

namespace cmcp {
namespace {

TEST(ErrorTest, DetailSurvivesTheGrpcRoundTrip) {
  absl::Status status = InvalidFieldError("expires_at", "must be at least 60 s ahead",
                                          "send a later time or omit it");
  grpc::Status wire = ToGrpcStatus(status);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wire.error_message(), "must be at least 60 s ahead");

  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  auto detail = GetErrorDetail(back);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->reason(), caspio_mcp::common::v1::ERROR_REASON_INVALID_FIELD);
  EXPECT_EQ(detail->field(), "expires_at");
  EXPECT_EQ(detail->hint(), "send a later time or omit it");
}

TEST(ErrorTest, StatusWithoutDetailGetsOneFromItsCode) {
  grpc::Status wire = ToGrpcStatus(absl::NotFoundError("no such server"));
  auto detail = GetErrorDetail(FromGrpcStatus(wire));
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->reason(), caspio_mcp::common::v1::ERROR_REASON_NOT_FOUND);
}

TEST(ErrorTest, OkMapsToOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

}  // namespace
}  // namespace cmcp
