#include "services/proxy/dry_run.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/status/error.h"

namespace cmcp::proxy {

absl::StatusOr<DryRunPlan> PlanDryRun(const caspio_mcp::toolgen::v1::ToolBinding& binding, const UpstreamCall& call) {
  if (!binding.bulk_write() || !binding.has_dry_run() || binding.dry_run().path_template().empty()) {
    return InvalidFieldError("dry_run", "this tool has no dry run", "call it without dry_run");
  }
  std::string where;
  for (const auto& [name, value] : call.query) {
    if (name == binding.where_argument()) where = value;
  }
  DryRunPlan plan;
  plan.path = binding.dry_run().path_template();
  for (const auto& [name, encoded] : call.path_values) {
    plan.path = absl::StrReplaceAll(plan.path, {{absl::StrCat("{", name, "}"), encoded}});
  }
  if (plan.path.find('{') != std::string::npos) {
    return InternalError(absl::StrCat("the dry-run read ", binding.dry_run().path_template(),
                                      " names an argument this tool does not have"));
  }
  const std::string where_parameter = binding.dry_run().where_parameter().empty() ? "q.where"
                                                                                  : binding.dry_run().where_parameter();
  plan.query.emplace_back(where_parameter, where);
  // Records and directory users page; Caspio counts the matches for us.
  plan.paged = absl::EndsWith(plan.path, "/records") || absl::EndsWith(plan.path, "/users");
  plan.files_only = absl::EndsWith(plan.path, "/fileInfo");
  if (plan.paged) {
    plan.query.emplace_back("q.orderBy", "PK_ID");
    plan.query.emplace_back("q.pageSize", absl::StrCat(kDryRunSample));
    plan.query.emplace_back("q.pageNumber", "1");
    plan.query.emplace_back("q.getPaginationInfo", "true");
  }
  return plan;
}

nlohmann::json AffectedRows(const DryRunPlan& plan, const nlohmann::json& result) {
  nlohmann::json rows = nlohmann::json::array();
  if (!result.is_array()) return rows;
  for (const nlohmann::json& row : result) {
    if (plan.files_only && !(row.is_object() && row.contains("FileName") && row["FileName"].is_string())) continue;
    rows.push_back(row);
  }
  return rows;
}

}  // namespace cmcp::proxy
