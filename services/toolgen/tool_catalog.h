// File: tool_catalog.h
// Builds every MCP tool of an integration once, from its definition and
// documentation records (SPEC §5): names, human titles, descriptions, flat
// input schemas with the location map the proxy uses to split arguments,
// injected controls (limit/next_cursor for lists, dry_run for bulk writes),
// annotations and output schemas. Every schema is checked by schema_lint.h.
// Lookups apply the one filter predicate (tool_filter.h). Each filter's tool
// list is serialized once (ListToolsResponse bytes) and memoized, so serving
// tools/list is a lookup. Immutable after Build() apart from that memo, which
// is internally locked: share one catalog between all RPC threads.
//
//   CMCP_ASSIGN_OR_RETURN(auto catalog, ToolCatalog::Build(std::move(integration)));
//   CMCP_ASSIGN_OR_RETURN(std::shared_ptr<const ToolListing> tools, catalog->Listing(filter));
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.pb.h"
#include "services/toolgen/integration_definition.h"
#include "services/toolgen/schema_lint.h"
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

// How many matching rows a dry run shows (SPEC §6).
inline constexpr int kDryRunSampleRows = 20;

// SPEC §5 tool name of a method.
std::string ToolName(const ResourceDefinition& resource, const MethodDefinition& method);

// True when `name` satisfies MCP's tool-name rule: 1-128 of [A-Za-z0-9_.-].
bool IsValidToolName(absl::string_view name);

// The tools one filter exposes, sorted by name, with their ListToolsResponse
// (tools + catalog_version) serialized once.
struct ToolListing {
  std::vector<const Tool*> tools;
  // Serialized ListToolsResponse{tools, catalog_version}.
  std::string response;
  // tools[i] is encoded in response[offsets[i], offsets[i + 1]).
  std::vector<size_t> offsets;
  std::string catalog_version;

  // Serialized ListToolsResponse with tools [begin, end) and `next_cursor`
  // (omitted when empty), sliced from `response` without re-encoding tools.
  std::string Page(size_t begin, size_t end, absl::string_view next_cursor) const;
};

class ToolCatalog {
 public:
  // Fails, naming the record and field, on a name clash between argument
  // locations, an invalid schema (schema_lint.h), a path parameter without a
  // schema, a where argument that is not a query parameter, examples that do
  // not fit the tool, or two methods with the same tool name. Methods without
  // a documentation record produce no tool.
  static absl::StatusOr<std::unique_ptr<ToolCatalog>> Build(Integration integration);

  // Tools the filter exposes, sorted by name. INVALID_ARGUMENT naming
  // "config.methods[i]" / "config.tags[i]" for an entry that names nothing.
  absl::StatusOr<std::vector<const Tool*>> List(const ToolFilter& filter) const;
  // The same, pre-serialized; memoized per filter (order and duplicates of
  // the filter's entries do not matter).
  absl::StatusOr<std::shared_ptr<const ToolListing>> Listing(const ToolFilter& filter) const;
  // NOT_FOUND for an unknown name; PERMISSION_DENIED (TOOL_NOT_ALLOWED) when
  // the filter hides it.
  absl::StatusOr<const Tool*> Get(absl::string_view name, const ToolFilter& filter) const;
  // The serialized ListToolsResponse answering `request` (filter, page_size,
  // cursor). The whole list is shared with the memo, never copied; a page is
  // sliced from it. INVALID_ARGUMENT (INVALID_CURSOR) for a foreign cursor.
  absl::StatusOr<std::shared_ptr<const std::string>> ListToolsResponse(
      const ::caspio_mcp::toolgen::v1::ListToolsRequest& request) const;
  // Get, answered with the tool's pre-serialized bytes (valid while the catalog lives).
  absl::StatusOr<const std::string*> GetSerialized(absl::string_view name, const ToolFilter& filter) const;
  // Every method, documented or not, that the filter exposes, plus ai_readiness.
  absl::StatusOr<::caspio_mcp::toolgen::v1::Capabilities> Capabilities(const ToolFilter& filter) const;

  const Integration& integration() const { return integration_; }
  const std::string& integration_name() const { return integration_.name; }
  const std::string& version() const { return integration_.version; }
  const FilterVocabulary& vocabulary() const { return vocabulary_; }
  size_t size() const { return tools_.size(); }

 private:
  struct Entry {
    Tool tool;
    std::string serialized;         // the Tool message
    std::vector<std::string> tags;  // == tool.tags(), for the predicate
    MethodKind kind = MethodKind::kCustom;
  };

  explicit ToolCatalog(Integration integration) : integration_(std::move(integration)) {}
  std::shared_ptr<const ToolListing> MakeListing(const ToolFilterPredicate& predicate) const;
  absl::StatusOr<const Entry*> Find(absl::string_view name, const ToolFilter& filter) const;

  Integration integration_;
  FilterVocabulary vocabulary_;
  std::map<std::string, Entry, std::less<>> tools_;  // by name

  // Memo of Listing() by canonical filter key; bounded.
  static constexpr size_t kMaxMemoizedFilters = 1024;
  mutable absl::Mutex mu_;
  mutable std::unordered_map<std::string, std::shared_ptr<const ToolListing>> listings_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmcp::toolgen
