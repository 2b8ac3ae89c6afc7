// File: tool_catalog.h
// Builds every MCP tool of an integration once, at start, from its definition
// and documentation records (SPEC §5): names, human titles, descriptions,
// flat input schemas with the location map the proxy uses to split
// arguments, injected controls (limit/next_cursor for lists, dry_run for bulk
// writes), annotations and output schemas. Lookups apply the one filter
// predicate (tool_filter.h). Immutable after Build(), so it is shared by all
// RPC threads without locks.
//
//   CMCP_ASSIGN_OR_RETURN(auto catalog, ToolCatalog::Build(std::move(integration)));
//   CMCP_ASSIGN_OR_RETURN(std::vector<const Tool*> tools, catalog->List(filter));
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.pb.h"
#include "services/toolgen/integration_definition.h"
#include "services/toolgen/tool_filter.h"

namespace cmcp::toolgen {

using Tool = ::caspio_mcp::toolgen::v1::Tool;
using ToolFilter = ::caspio_mcp::common::v1::ToolFilter;

// Names of the arguments caspio-mcp itself consumes.
inline constexpr absl::string_view kLimitArgument = "limit";
inline constexpr absl::string_view kNextCursorArgument = "next_cursor";
inline constexpr absl::string_view kDryRunArgument = "dry_run";

// The text every cursor argument carries (SPEC §5).
inline constexpr absl::string_view kCursorInstruction =
    "Always send back exactly the value you received, without decoding, modifying or parsing it.";

// Deepest nesting allowed in a documented schema; deeper ones are a load error.
inline constexpr int kMaxSchemaDepth = 8;

// SPEC §5 tool name of a method.
std::string ToolName(const ResourceDefinition& resource, const MethodDefinition& method);

class ToolCatalog {
 public:
  // Fails, naming the record and field, on a name clash between argument
  // locations, a $ref, a too-deep schema, a path parameter without a schema,
  // or two methods with the same tool name. Methods without a documentation
  // record produce no tool.
  static absl::StatusOr<std::unique_ptr<ToolCatalog>> Build(Integration integration);

  // Tools the filter exposes, sorted by name.
  absl::StatusOr<std::vector<const Tool*>> List(const ToolFilter& filter) const;
  // NOT_FOUND for an unknown name; PERMISSION_DENIED (TOOL_NOT_ALLOWED) when
  // the filter hides it.
  absl::StatusOr<const Tool*> Get(absl::string_view name, const ToolFilter& filter) const;

  const std::string& integration_name() const { return integration_.name; }
  const std::string& version() const { return integration_.version; }
  const FilterVocabulary& vocabulary() const { return vocabulary_; }
  size_t size() const { return tools_.size(); }

 private:
  explicit ToolCatalog(Integration integration) : integration_(std::move(integration)) {}

  Integration integration_;
  FilterVocabulary vocabulary_;
  std::map<std::string, Tool, std::less<>> tools_;  // by name
};

}  // namespace cmcp::toolgen
