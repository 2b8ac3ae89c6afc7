// ClientQueue and AsyncUnary against an in-process gRPC server whose handler
// answers when the test lets it: results arrive on the queue's thread with
// the status mapped, and shutdown waits (up to its grace) for the calls still
// running, cancels the rest, and fails calls started after it.
#include "common/grpc/client_queue.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "caspio_mcp/token/v1/audit_service.grpc.pb.h"
#include "common/grpc/async_unary.h"

namespace cmcp {
namespace {

namespace pb = ::caspio_mcp::token::v1;

// Answers RecordToolCalls with one id per entry, or with FAILED_PRECONDITION
// for a request with no entries; between Hold() and Release(), holds the
// answers back.
class HeldAuditService final : public pb::AuditService::CallbackService {
 public:
  grpc::ServerUnaryReactor* RecordToolCalls(grpc::CallbackServerContext* context, const pb::RecordToolCallsRequest* request,
                                            pb::RecordToolCallsResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    grpc::Status status = request->entries().empty()
                              ? grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "no entries")
                              : grpc::Status::OK;
    for (int i = 0; i < request->entries_size(); ++i) response->add_ids("id");
    absl::MutexLock lock(&mu_);
    if (released_) {
      reactor->Finish(status);
    } else {
      held_.push_back([reactor, status] { reactor->Finish(status); });
    }
    ++received_;
    return reactor;
  }

  void Hold() {
    absl::MutexLock lock(&mu_);
    released_ = false;
  }
  void Release() {
    std::vector<std::function<void()>> held;
    {
      absl::MutexLock lock(&mu_);
      released_ = true;
      held.swap(held_);
    }
    for (auto& finish : held) finish();
  }
  bool WaitForReceived(int n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return received_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
  }

 private:
  absl::Mutex mu_;
  bool released_ ABSL_GUARDED_BY(mu_) = true;
  int received_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::function<void()>> held_ ABSL_GUARDED_BY(mu_);
};

// What a call's `done` saw.
struct Outcome {
  absl::Notification done;
  absl::StatusCode code = absl::StatusCode::kUnknown;
  int ids = -1;
  std::thread::id thread;
};

class ClientQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = pb::AuditService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override {
    service_.Release();
    queue_.Shutdown(absl::ZeroDuration());
    server_->Shutdown();
  }

  std::function<void()> Call(int entries, Outcome* outcome, absl::Duration timeout = absl::Seconds(10)) {
    pb::RecordToolCallsRequest request;
    for (int i = 0; i < entries; ++i) request.add_entries();
    return AsyncUnary<pb::RecordToolCallsResponse>(
        queue_, timeout, std::move(request),
        [this](auto* ctx, const auto& req, grpc::CompletionQueue* cq) { return stub_->AsyncRecordToolCalls(ctx, req, cq); },
        [outcome](absl::StatusOr<pb::RecordToolCallsResponse> r) {
          outcome->code = r.status().code();
          if (r.ok()) outcome->ids = r->ids_size();
          outcome->thread = std::this_thread::get_id();
          outcome->done.Notify();
        });
  }

  HeldAuditService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::AuditService::Stub> stub_;
  ClientQueue queue_;
};

TEST_F(ClientQueueTest, ResultsArriveOnTheQueueThreadWithTheStatusMapped) {
  Outcome ok, failed;
  Call(3, &ok);
  Call(0, &failed);
  ASSERT_TRUE(ok.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_TRUE(failed.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(ok.code, absl::StatusCode::kOk);
  EXPECT_EQ(ok.ids, 3);
  EXPECT_EQ(failed.code, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(ok.thread, std::this_thread::get_id());
  EXPECT_EQ(ok.thread, failed.thread);
}

TEST_F(ClientQueueTest, TheCancellerAbortsARunningCall) {
  service_.Hold();
  Outcome outcome;
  std::function<void()> cancel = Call(1, &outcome);
  ASSERT_TRUE(service_.WaitForReceived(1));
  cancel();
  ASSERT_TRUE(outcome.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(outcome.code, absl::StatusCode::kCancelled);
  cancel();  // after completion: harmless
}

TEST_F(ClientQueueTest, ShutdownLetsARunningCallFinishWithinTheGrace) {
  service_.Hold();
  Outcome outcome;
  Call(2, &outcome);
  ASSERT_TRUE(service_.WaitForReceived(1));
  std::thread release([this] {
    absl::SleepFor(absl::Milliseconds(50));
    service_.Release();
  });
  queue_.Shutdown(absl::Seconds(10));
  release.join();
  ASSERT_TRUE(outcome.done.HasBeenNotified());
  EXPECT_EQ(outcome.code, absl::StatusCode::kOk);
  EXPECT_EQ(outcome.ids, 2);
}

TEST_F(ClientQueueTest, ShutdownCancelsWhatOutlivesTheGraceAndRefusesNewCalls) {
  service_.Hold();
  Outcome running;
  Call(1, &running, absl::Seconds(60));
  ASSERT_TRUE(service_.WaitForReceived(1));
  const absl::Time start = absl::Now();
  queue_.Shutdown(absl::Milliseconds(100));
  EXPECT_LT(absl::Now() - start, absl::Seconds(30)) << "waited for the call's own deadline";
  ASSERT_TRUE(running.done.HasBeenNotified());
  EXPECT_EQ(running.code, absl::StatusCode::kCancelled);

  Outcome late;
  Call(1, &late);
  ASSERT_TRUE(late.done.HasBeenNotified()) << "a call after shutdown fails at once";
  EXPECT_EQ(late.code, absl::StatusCode::kUnavailable);
  EXPECT_EQ(late.thread, std::this_thread::get_id());
}

}  // namespace
}  // namespace cmcp
