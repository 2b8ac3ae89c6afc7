// File: expiry_sweeper.h
// A background thread that periodically removes the index entries of expired
// MCP servers (TokenStore::SweepExpiredServers), so listings and Redis hold
// nothing of a server once it has expired. Every replica may run one: the
// sweep is idempotent.
#pragma once

#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/token/token_store.h"

namespace cmcp::token {

class ExpirySweeper {
 public:
  ExpirySweeper(TokenStore* store, absl::Duration interval, std::function<absl::Time()> clock = absl::Now);
  // Stops and joins the thread.
  ~ExpirySweeper();

  // One sweep (also what the thread runs); returns entries removed.
  absl::StatusOr<int> SweepOnce();

 private:
  void Run();

  TokenStore* store_;
  absl::Duration interval_;
  std::function<absl::Time()> clock_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace cmcp::token
