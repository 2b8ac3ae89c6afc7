#include "tests/services/toolgen/mcp_rendering.h"

namespace cmcp::toolgen::testing {

using ordered_json = nlohmann::ordered_json;

ordered_json RenderMcpTool(const Tool& t) {
  ordered_json tool = {{"name", t.name()}, {"title", t.title()}, {"description", t.description()}};
  tool["inputSchema"] = ordered_json::parse(t.input_schema_json());
  if (!t.output_schema_json().empty()) tool["outputSchema"] = ordered_json::parse(t.output_schema_json());
  const auto& a = t.annotations();
  tool["annotations"] = {{"title", a.title()},
                         {"readOnlyHint", a.read_only_hint()},
                         {"destructiveHint", a.destructive_hint()},
                         {"idempotentHint", a.idempotent_hint()},
                         {"openWorldHint", a.open_world_hint()}};
  return tool;
}

ordered_json RenderToolsList(const std::vector<const Tool*>& tools) {
  ordered_json list = ordered_json::array();
  for (const Tool* t : tools) list.push_back(RenderMcpTool(*t));
  return ordered_json{{"tools", list}};
}

}  // namespace cmcp::toolgen::testing
