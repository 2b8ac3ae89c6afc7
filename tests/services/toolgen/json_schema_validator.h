// File: json_schema_validator.h
// JSON Schema instance validation for the toolgen tests, with Debian's
// valijson (the validator the proxy uses for arguments): checks examples and
// the proxy's result shapes against the generated schemas. The node test
// (ajv_schema_check.mjs) repeats the check with the MCP SDK's own Ajv.
//
//   std::string error = ValidateInstance(schema, instance);   // "" = valid
#pragma once

#include <string>

#include "nlohmann/json.hpp"

namespace cmcp::toolgen::testing {

// "" when `instance` is valid; otherwise the problems valijson reports.
std::string ValidateInstance(const nlohmann::json& schema, const nlohmann::json& instance);

}  // namespace cmcp::toolgen::testing
