// File: dry_run.h
// dry_run for bulk writes (SPEC §6): instead of the update or delete, read the
// rows its condition matches — the count and the first kDryRunSample — and
// change nothing. The read that mirrors each Caspio bulk operation:
//   records / view records PUT|DELETE .../records?q.where  -> GET .../records
//   directory users PUT|DELETE .../users?Where            -> GET .../users?q.where
//   attachments DELETE .../attachments/{field}?q.where      -> GET .../attachments/{field}/fileInfo
//   attachment fileInfo PUT .../fileInfo?q.where            -> GET .../fileInfo
//   password fields PUT|DELETE .../passwordFields/{f}       -> GET .../records (PK_ID only)
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.pb.h"
#include "services/proxy/upstream_call.h"

namespace cmcp::proxy {

inline constexpr size_t kDryRunSample = 20;

struct DryRunPlan {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  // "this update", "this delete", ... for the message.
  std::string verb;
};

// INVALID_ARGUMENT (field dry_run) for a tool without a dry-run read.
absl::StatusOr<DryRunPlan> PlanDryRun(const caspio_mcp::toolgen::v1::ToolBinding& binding, const UpstreamCall& call);

}  // namespace cmcp::proxy
