#include "services/edge/quota_leases.h"

#include <algorithm>

namespace cmcp::edge {
namespace {

namespace pb = ::caspio_mcp::token::v1;

// Leases are dropped once expired; past this many buckets a sweep runs.
constexpr size_t kSweepAbove = 10000;

}  // namespace

int64_t QuotaLeases::LeaseSize(int64_t limit) const { return std::clamp<int64_t>(limit / 50, 1, max_lease_); }

bool QuotaLeases::HasOneLocked(const std::string& key, absl::Time now) {
  auto it = leases_.find(key);
  return it != leases_.end() && it->second.permits > 0 && it->second.expires > now;
}

bool QuotaLeases::TryTake(const pb::ConsumeQuotaRequest& request, absl::Time now) {
  absl::MutexLock lock(&mu_);
  for (const pb::QuotaBucket& b : request.buckets()) {
    if (!HasOneLocked(b.key(), now)) return false;
  }
  for (const pb::QuotaBucket& b : request.buckets()) --leases_[b.key()].permits;
  return true;
}

bool QuotaLeases::Grant(const pb::ConsumeQuotaRequest& request, const pb::ConsumeQuotaResponse& response,
                        absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (leases_.size() > kSweepAbove) DropExpiredLocked(now);
  for (const pb::QuotaState& s : response.states()) {
    absl::Duration window = absl::ZeroDuration();
    for (const pb::QuotaBucket& b : request.buckets()) {
      if (b.key() == s.key()) window = absl::Milliseconds(b.window_ms());
    }
    Lease& lease = leases_[s.key()];
    const absl::Time expires = now + absl::Milliseconds(s.reset_ms());
    // A grant from a newer window replaces what is left of an older one
    // (grants of one window end within a round trip of each other).
    if (lease.expires <= now || expires - lease.expires > window / 2) lease.permits = 0;
    // A token service older than leases grants nothing explicitly: one
    // permit when it allowed the call.
    lease.permits += s.granted() > 0 ? s.granted() : (response.allowed() ? 1 : 0);
    lease.expires = expires;
  }
  for (const pb::QuotaState& s : response.states()) {
    if (!HasOneLocked(s.key(), now)) return false;
  }
  for (const pb::QuotaState& s : response.states()) --leases_[s.key()].permits;
  return true;
}

void QuotaLeases::DropExpiredLocked(absl::Time now) {
  absl::erase_if(leases_, [now](const auto& entry) { return entry.second.expires <= now || entry.second.permits <= 0; });
}

}  // namespace cmcp::edge
