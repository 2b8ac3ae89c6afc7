// File: mcp_rendering.h
// Renders toolgen's Tool messages as MCP tools/list JSON, the same way edge
// does (services/edge/mcp_backend.cc RenderTool): name, title, description,
// inputSchema, outputSchema, annotations. Used by the golden-file and schema tests.
#pragma once

#include <vector>

#include "nlohmann/json.hpp"
#include "services/toolgen/tool_catalog.h"

namespace cmcp::toolgen::testing {

nlohmann::ordered_json RenderMcpTool(const Tool& tool);
// {"tools": [...]}
nlohmann::ordered_json RenderToolsList(const std::vector<const Tool*>& tools);

}  // namespace cmcp::toolgen::testing
