// GrpcEdgeCoordination's bus subscription against an in-process
// CoordinationService: it subscribes to its replica's channel and the
// broadcast one, hands every message to the handler, reconnects when the
// stream ends, and Stop() ends it promptly whether it is connected or
// waiting to reconnect.
#include "services/edge/edge_coordination.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/grpc/client_queue.h"
#include "common/grpc/grpc_client.h"

namespace cmcp::edge {
namespace {

namespace pb = ::caspio_mcp::token::v1;
using json = nlohmann::json;

// Each Subscribe stream sends the "subscribed" marker (an empty channel),
// then what the test Push()es, until the test Drop()s the streams or the
// client goes away.
class FakeBus final : public pb::CoordinationService::Service {
 public:
  grpc::Status Subscribe(grpc::ServerContext* context, const pb::SubscribeRequest* request,
                         grpc::ServerWriter<pb::BusMessage>* writer) override {
    int generation;
    {
      absl::MutexLock lock(&mu_);
      channels_.assign(request->channels().begin(), request->channels().end());
      generation = generation_;
      ++subscriptions_;
    }
    if (!writer->Write(pb::BusMessage())) return grpc::Status::OK;
    while (!context->IsCancelled()) {
      std::deque<pb::BusMessage> out;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || generation_ != generation; };
        mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(20));
        if (generation_ != generation) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "dropped");
        out.swap(queue_);
      }
      for (const pb::BusMessage& m : out) {
        if (!writer->Write(m)) return grpc::Status::OK;
      }
    }
    return grpc::Status::OK;
  }

  void Push(const std::string& channel, const std::string& payload) {
    pb::BusMessage m;
    m.set_channel(channel);
    m.set_payload(payload);
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(m));
  }
  // Ends every open stream with UNAVAILABLE.
  void Drop() {
    absl::MutexLock lock(&mu_);
    ++generation_;
  }
  int subscriptions() {
    absl::MutexLock lock(&mu_);
    return subscriptions_;
  }
  std::vector<std::string> channels() {
    absl::MutexLock lock(&mu_);
    return channels_;
  }

 private:
  absl::Mutex mu_;
  std::deque<pb::BusMessage> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> channels_ ABSL_GUARDED_BY(mu_);
  int generation_ ABSL_GUARDED_BY(mu_) = 0;
  int subscriptions_ ABSL_GUARDED_BY(mu_) = 0;
};

bool WaitFor(const std::function<bool()>& condition) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

class EdgeCoordinationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&bus_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = pb::CoordinationService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
    coordination_ = std::make_unique<GrpcEdgeCoordination>(EdgeCoordinationSettings{}, &queue_, stub_.get(), "r1");
  }
  void TearDown() override {
    coordination_->Stop();
    queue_.Shutdown(absl::ZeroDuration());
    server_->Shutdown();
  }

  void Start() {
    coordination_->Start([this](const json& message) {
      absl::MutexLock lock(&mu_);
      received_.push_back(message.dump());
    });
  }
  std::vector<std::string> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }

  FakeBus bus_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::CoordinationService::Stub> stub_;
  ClientQueue queue_;
  std::unique_ptr<GrpcEdgeCoordination> coordination_;
  absl::Mutex mu_;
  std::vector<std::string> received_ ABSL_GUARDED_BY(mu_);
};

TEST_F(EdgeCoordinationTest, SubscribesAndHandsEveryObjectMessageToTheHandler) {
  Start();
  ASSERT_TRUE(WaitFor([&] { return coordination_->subscribed(); }));
  EXPECT_EQ(bus_.channels(), (std::vector<std::string>{"edge:r1", "edge:broadcast"}));
  bus_.Push("edge:r1", R"({"type":"sse","n":1})");
  bus_.Push("edge:broadcast", "not json");  // skipped
  bus_.Push("edge:broadcast", R"({"type":"cancel","n":2})");
  ASSERT_TRUE(WaitFor([&] { return received().size() == 2; }));
  EXPECT_EQ(received()[0], R"({"n":1,"type":"sse"})");
  EXPECT_EQ(received()[1], R"({"n":2,"type":"cancel"})");
}

TEST_F(EdgeCoordinationTest, ReconnectsWhenTheStreamEnds) {
  Start();
  ASSERT_TRUE(WaitFor([&] { return coordination_->subscribed(); }));
  bus_.Drop();
  ASSERT_TRUE(WaitFor([&] { return bus_.subscriptions() == 2 && coordination_->subscribed(); }));
  bus_.Push("edge:r1", R"({"after":"reconnect"})");
  ASSERT_TRUE(WaitFor([&] { return received().size() == 1; }));
}

TEST_F(EdgeCoordinationTest, StopEndsAConnectedSubscriptionPromptly) {
  Start();
  ASSERT_TRUE(WaitFor([&] { return coordination_->subscribed(); }));
  const absl::Time start = absl::Now();
  coordination_->Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_FALSE(coordination_->subscribed());
}

TEST_F(EdgeCoordinationTest, StopEndsASubscriptionWaitingToReconnect) {
  // Nothing listens on port 1: every attempt fails and the subscription
  // backs off (100 ms, 200 ms, ...) between them.
  auto unreachable = pb::CoordinationService::NewStub(MakeChannel("127.0.0.1:1"));
  GrpcEdgeCoordination coordination(EdgeCoordinationSettings{}, &queue_, unreachable.get(), "r2");
  coordination.Start([](const json&) {});
  absl::SleepFor(absl::Milliseconds(300));  // a few attempts and backoffs in
  const absl::Time start = absl::Now();
  coordination.Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_FALSE(coordination.subscribed());
}

}  // namespace
}  // namespace cmcp::edge
