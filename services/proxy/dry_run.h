// File: dry_run.h
// dry_run for bulk writes (SPEC §6): instead of the update or delete, read
// the rows its condition matches — the count and the first kDryRunSample —
// and change nothing. Which read mirrors each bulk operation is data: the
// tool binding's DryRunBinding (from integrations/caspio), e.g. a records
// update reads .../records, an attachment delete reads .../fileInfo, a
// password reset reads the table's records.
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
  // True when the read pages (records, directory users): the count comes
  // from Pagination.TotalCount; otherwise it is the number of rows returned.
  bool paged = false;
  // True for attachment reads (.../fileInfo): they list every record the
  // clause matches, with a null FileName where the record holds no file, but
  // a rename or delete only touches records that hold one.
  bool files_only = false;
};

// INVALID_ARGUMENT (field dry_run) for a tool without a dry-run read.
absl::StatusOr<DryRunPlan> PlanDryRun(const caspio_mcp::toolgen::v1::ToolBinding& binding, const UpstreamCall& call);

// The rows of the dry-run read's Result that the bulk write would affect.
nlohmann::json AffectedRows(const DryRunPlan& plan, const nlohmann::json& result);

}  // namespace cmcp::proxy
