// File: tool_filter.h
// The one predicate that decides which tools an MCP server exposes (SPEC §3):
// a tool passes when its method matches `methods` (if any) AND one of its
// tags is in `tags` (if any). "read" = get+list, "write" = create+update+
// delete, "custom" = every custom method, anything else an exact method name.
// tools/list and tools/call both go through Matches(), so a hidden tool can
// never be called.
//
//   CMCP_ASSIGN_OR_RETURN(ToolFilterPredicate p, ToolFilterPredicate::Create(filter, vocab));
//   if (p.Matches("list", MethodKind::kList, {"tables"})) ...
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "caspio_mcp/common/v1/common.pb.h"
#include "services/toolgen/integration_definition.h"

namespace cmcp::toolgen {

// What a filter may name: every method name and tag of the integration.
struct FilterVocabulary {
  std::set<std::string> methods;
  std::set<std::string> tags;
};

class ToolFilterPredicate {
 public:
  // INVALID_ARGUMENT naming "config.methods[i]" / "config.tags[i]" for an
  // entry that names no method group, method or tag of the integration.
  static absl::StatusOr<ToolFilterPredicate> Create(const caspio_mcp::common::v1::ToolFilter& filter,
                                                    const FilterVocabulary& vocabulary);

  bool Matches(absl::string_view method, MethodKind kind, const std::vector<std::string>& tags) const;

 private:
  bool any_method_ = true;
  bool read_ = false;
  bool write_ = false;
  bool custom_ = false;
  std::set<std::string, std::less<>> method_names_;
  std::set<std::string, std::less<>> tags_;
};

}  // namespace cmcp::toolgen
