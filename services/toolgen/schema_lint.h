// File: schema_lint.h
// Keeps every JSON Schema toolgen reads or emits inside the subset of JSON
// Schema 2020-12 that MCP clients handle: keywords of the 2020-12 core,
// applicator, validation and meta-data vocabularies only, each with the value
// type the 2020-12 meta-schema requires; no $ref/$defs/$schema (records are
// self-contained, so no cycles; the TypeScript SDK's default Ajv is draft-07
// and cannot compile a 2020-12 $schema URI); no OpenAPI-only keywords
// ("nullable"); nesting capped. Errors name the file and the keyword's path.
//
//   CMCP_RETURN_IF_ERROR(LintSchema(record["query_schema"], "documentation/records/list.json query_schema"));
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace cmcp::toolgen {

// Deepest nesting of schemas inside schemas (properties/items/anyOf/...).
inline constexpr int kMaxSchemaDepth = 8;

// OK (also for null, an absent schema), or INVALID_ARGUMENT "<where>.<path>: <what is wrong>".
absl::Status LintSchema(const nlohmann::json& schema, absl::string_view where, int max_depth = kMaxSchemaDepth);

}  // namespace cmcp::toolgen
