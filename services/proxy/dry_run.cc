#include "services/proxy/dry_run.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/error.h"

namespace cmcp::proxy {
namespace {

enum class Read { kSamePathPaged, kFileInfoChild, kSamePathList, kTableRecords };

struct Mirror {
  Read read;
  const char* verb;
};

const std::map<std::string, Mirror>& Mirrors() {
  static const auto* kMirrors = new std::map<std::string, Mirror>{
      {"UpdateTableRecords", {Read::kSamePathPaged, "this update"}},
      {"DeleteTableRecords", {Read::kSamePathPaged, "this delete"}},
      {"UpdateViewRecords", {Read::kSamePathPaged, "this update"}},
      {"DeleteViewRecords", {Read::kSamePathPaged, "this delete"}},
      {"UpdateUsers", {Read::kSamePathPaged, "this update"}},
      {"DeleteUsers", {Read::kSamePathPaged, "this delete"}},
      {"DeleteFileFromAttachmentTableFields", {Read::kFileInfoChild, "deleting these attachments"}},
      {"DeleteFileFromAttachmentViewFields", {Read::kFileInfoChild, "deleting these attachments"}},
      {"UpdateFileMetadataInAttachmentTableFields", {Read::kSamePathList, "this rename"}},
      {"UpdateFileMetadataInAttachmentViewFields", {Read::kSamePathList, "this rename"}},
      {"UpdatePasswordTableField", {Read::kTableRecords, "setting this password"}},
      {"ResetPasswordTableField", {Read::kTableRecords, "resetting this password"}},
  };
  return *kMirrors;
}

}  // namespace

absl::StatusOr<DryRunPlan> PlanDryRun(const caspio_mcp::toolgen::v1::ToolBinding& binding, const UpstreamCall& call) {
  auto it = Mirrors().find(binding.operation_id());
  if (!binding.bulk_write() || it == Mirrors().end()) {
    return InvalidFieldError("dry_run", "this tool has no dry run", "call it without dry_run");
  }
  std::string where;
  for (const auto& [name, value] : call.query) {
    if (name == binding.where_argument()) where = value;
  }
  DryRunPlan plan;
  plan.verb = it->second.verb;
  plan.path = call.path;
  switch (it->second.read) {
    case Read::kSamePathPaged:
      break;
    case Read::kFileInfoChild:
      plan.path = absl::StrCat(call.path, "/fileInfo");
      break;
    case Read::kSamePathList:
      break;
    case Read::kTableRecords: {
      const size_t at = plan.path.find("/passwordFields/");
      if (at == std::string::npos) return InternalError("password-field path without /passwordFields/");
      plan.path = absl::StrCat(plan.path.substr(0, at), "/records");
      plan.query.emplace_back("q.select", "PK_ID");
      break;
    }
  }
  plan.query.emplace_back("q.where", where);
  if (it->second.read == Read::kSamePathPaged || it->second.read == Read::kTableRecords) {
    plan.query.emplace_back("q.orderBy", "PK_ID");
    plan.query.emplace_back("q.pageSize", absl::StrCat(kDryRunSample));
    plan.query.emplace_back("q.pageNumber", "1");
    plan.query.emplace_back("q.getPaginationInfo", "true");
  }
  return plan;
}

}  // namespace cmcp::proxy
