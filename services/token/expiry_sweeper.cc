#include "services/token/expiry_sweeper.h"

#include "common/logging/logger.h"
#include "common/metrics/metrics.h"

namespace cmcp::token {

constexpr int kBatch = 500;

ExpirySweeper::ExpirySweeper(TokenStore* store, absl::Duration interval, std::function<absl::Time()> clock)
    : store_(store), interval_(interval), clock_(std::move(clock)), thread_([this] { Run(); }) {}

ExpirySweeper::~ExpirySweeper() {
  stop_.Notify();
  thread_.join();
}

absl::StatusOr<int> ExpirySweeper::SweepOnce() {
  int total = 0;
  while (true) {
    absl::StatusOr<int> removed = store_->SweepExpiredServers(clock_(), kBatch);
    if (!removed.ok()) return removed.status();
    total += *removed;
    if (*removed < kBatch) return total;
  }
}

void ExpirySweeper::Run() {
  while (!stop_.WaitForNotificationWithTimeout(interval_)) {
    absl::StatusOr<int> removed = SweepOnce();
    if (!removed.ok()) {
      LogWarning("expiry sweep failed").With("status", removed.status());
      continue;
    }
    if (*removed > 0) {
      MetricsRegistry::Default()
          .GetCounter("cmcp_token_swept_servers_total", "Expired MCP servers removed from indexes")
          .Increment(*removed);
      LogInfo("expired servers swept").With("count", *removed);
    }
  }
}

}  // namespace cmcp::token
