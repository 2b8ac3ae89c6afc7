// File: quota_leases.h
// The edge's share of the per-server and per-account request limits
// (ConsumeQuota in coordination_service.proto). Asking token (and Redis) for
// every tools/call cost about a sixth of the cluster's CPU per call
// (bench/README.md), so an edge takes a lease of up to `max_lease` permits
// per bucket at once and spends them locally until the bucket's window
// resets. Token cuts every grant at the limit, so replicas together never
// admit more calls per window than the limit; the price is that permits
// leased to one replica and not used there are lost to the others for the
// rest of that window (at most replicas × lease per window). The lease is
// a fiftieth of the limit, at most `max_lease`; a limit of 50 or less, or
// max_lease 1, asks for every call, which is exact.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caspio_mcp/token/v1/coordination_service.pb.h"

namespace cmcp::edge {

class QuotaLeases {
 public:
  explicit QuotaLeases(int64_t max_lease) : max_lease_(max_lease < 1 ? 1 : max_lease) {}

  // Permits to ask for at once for a bucket of this limit.
  int64_t LeaseSize(int64_t limit) const;

  // Takes one permit from each bucket if every one of them has one left here
  // (all or nothing); false means ask token.
  bool TryTake(const caspio_mcp::token::v1::ConsumeQuotaRequest& request, absl::Time now);

  // Keeps what token granted for `request` (each bucket's grant is good for
  // its reset_ms; what is left from an earlier window is dropped) and then
  // takes one permit from each bucket; false when a bucket has none, i.e.
  // the call is over the limit (the grants of the other buckets stay).
  bool Grant(const caspio_mcp::token::v1::ConsumeQuotaRequest& request,
             const caspio_mcp::token::v1::ConsumeQuotaResponse& response, absl::Time now);

 private:
  struct Lease {
    int64_t permits = 0;
    absl::Time expires;
  };
  bool HasOneLocked(const std::string& key, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropExpiredLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int64_t max_lease_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Lease> leases_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmcp::edge
