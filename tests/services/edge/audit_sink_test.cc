// GrpcAuditSink against an in-process AuditService: entries leave in
// batches (full batches at once, a partial one after flush_interval), in
// order, nothing is lost on destruction, and failures and overflow are
// counted, never thrown at the caller.
#include "services/edge/audit_sink.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics/metrics.h"

namespace cmcp::edge {
namespace {

namespace pb = ::caspio_mcp::token::v1;

class FakeAuditService final : public pb::AuditService::CallbackService {
 public:
  grpc::ServerUnaryReactor* RecordToolCalls(grpc::CallbackServerContext* context, const pb::RecordToolCallsRequest* request,
                                            pb::RecordToolCallsResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::MutexLock lock(&mu_);
    if (fail_) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "redis down"));
      return reactor;
    }
    std::vector<std::string> batch;
    for (const pb::ToolCallEntry& e : request->entries()) {
      batch.push_back(e.request_id());
      response->add_ids(absl::StrCat(batch.size()));
    }
    batches_.push_back(std::move(batch));
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  std::vector<std::vector<std::string>> batches() {
    absl::MutexLock lock(&mu_);
    return batches_;
  }
  size_t entries() {
    absl::MutexLock lock(&mu_);
    size_t n = 0;
    for (const auto& b : batches_) n += b.size();
    return n;
  }
  bool WaitForEntries(size_t n, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (entries() >= n) return true;
      absl::SleepFor(absl::Milliseconds(2));
    }
    return entries() >= n;
  }
  void set_fail(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_ = fail;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::vector<std::string>> batches_ ABSL_GUARDED_BY(mu_);
  bool fail_ ABSL_GUARDED_BY(mu_) = false;
};

double Writes(const char* result) {
  return MetricsRegistry::Default()
      .GetCounter("cmcp_audit_writes_total", "", {{"result", result}})
      .Value();
}

class AuditSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = pb::AuditService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  static pb::ToolCallEntry Entry(int i) {
    pb::ToolCallEntry e;
    e.set_request_id(absl::StrCat("req-", i));
    return e;
  }

  FakeAuditService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::AuditService::Stub> stub_;
  ClientQueue queue_;
};

TEST_F(AuditSinkTest, FullBatchesLeaveAtOnceAndInOrder) {
  // A flush interval no test waits for: only full batches can leave.
  GrpcAuditSink sink({.max_in_flight = 1000, .batch_size = 10, .flush_interval = absl::Seconds(60)}, &queue_,
                     stub_.get());
  for (int i = 0; i < 30; ++i) sink.Record(Entry(i), TraceContext{});
  ASSERT_TRUE(service_.WaitForEntries(30, absl::Seconds(10)));
  std::vector<std::vector<std::string>> batches = service_.batches();
  ASSERT_EQ(batches.size(), 3u);
  int next = 0;
  for (const auto& batch : batches) {
    EXPECT_EQ(batch.size(), 10u);
    for (const std::string& id : batch) EXPECT_EQ(id, absl::StrCat("req-", next++));
  }
}

TEST_F(AuditSinkTest, APartialBatchLeavesAfterTheFlushInterval) {
  GrpcAuditSink sink({.max_in_flight = 1000, .batch_size = 100, .flush_interval = absl::Milliseconds(30)}, &queue_,
                     stub_.get());
  const absl::Time start = absl::Now();
  for (int i = 0; i < 3; ++i) sink.Record(Entry(i), TraceContext{});
  ASSERT_TRUE(service_.WaitForEntries(3, absl::Seconds(10)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(25)) << "sent before the batch could fill";
  EXPECT_EQ(service_.batches().size(), 1u);
}

TEST_F(AuditSinkTest, DestructionSendsWhatIsBuffered) {
  {
    GrpcAuditSink sink({.max_in_flight = 1000, .batch_size = 100, .flush_interval = absl::Seconds(60)}, &queue_,
                     stub_.get());
    for (int i = 0; i < 5; ++i) sink.Record(Entry(i), TraceContext{});
  }
  EXPECT_TRUE(service_.WaitForEntries(5, absl::Seconds(10)));
}

TEST_F(AuditSinkTest, FailuresAndOverflowAreCountedNotThrown) {
  const double errors = Writes("error");
  const double dropped = Writes("dropped");
  const double ok = Writes("ok");
  service_.set_fail(true);
  {
    // Two entries fit; the third is dropped while they wait for their batch.
    GrpcAuditSink sink({.max_in_flight = 2, .batch_size = 100, .flush_interval = absl::Seconds(60)}, &queue_,
                     stub_.get());
    for (int i = 0; i < 3; ++i) sink.Record(Entry(i), TraceContext{});
    EXPECT_EQ(Writes("dropped") - dropped, 1);
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (Writes("error") - errors < 2 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(2));
  EXPECT_EQ(Writes("error") - errors, 2);
  EXPECT_EQ(Writes("ok"), ok);
}

}  // namespace
}  // namespace cmcp::edge
