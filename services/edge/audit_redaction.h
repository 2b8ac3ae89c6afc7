// File: audit_redaction.h
// The audit log's per-field redaction policy for tool-call arguments. The
// audit log answers "which agent called what, when, on which table/record",
// never "with which data": keys and structure are always kept, values only
// where they are identifiers or paging controls.
//
// Kept (scalar values only, and only if the safety net below passes):
//  - PATH arguments of the tool's binding: identifiers that also appear in
//    Caspio's own URL (table_name, view_name, directory_id, external_key,
//    attachment_field_name, field_name, record_pk_id, webhook_id, event_id,
//    app_key, …);
//  - paging and safety controls: limit, dry_run;
//  - identifiers sent as query parameters: externalKey, filePath, method;
//  - query shape: q.select, q.orderBy, q.groupBy, response, sortField,
//    sortDescending, q.pageSize, q.pageNumber, q.limit — kept only when the
//    value is a plain column list (letters, digits, _ , . * ( ) [ ] and
//    spaces: no quotes, no comparison), so a literal can never ride along.
// Redacted (the value becomes "[REDACTED]"; objects keep their keys, arrays
// their first 20 elements, each redacted the same way; null stays null):
//  - q.where and Where (they carry data values: names, emails, amounts);
//  - every BODY, BODY_WHOLE and MULTIPART_FILE argument: record values,
//    passwords, user attributes, webhook secrets, file contents;
//  - next_cursor (opaque, and useless to an auditor);
//  - anything else, including arguments the tool does not declare and every
//    argument of a call whose tool is unknown.
// Safety net on kept values: redacted anyway when the key names a secret
// (common/logging/redact.h IsSecretKey) or the value holds something
// RedactSecrets would hide (a bearer credential, secret=…, an MCP URL); kept
// strings are cut at 200 characters. The rendered JSON is capped at 8 KiB
// (beyond it only the top-level keys are kept).
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.pb.h"
#include "nlohmann/json.hpp"

namespace cmcp::edge {

inline constexpr char kAuditRedacted[] = "[REDACTED]";

enum class ArgumentPolicy {
  kKeep,             // identifiers and controls
  kKeepColumnList,   // query shape: kept only when it is a plain column list
  kRedact,
};

// The policy for argument `name` of `tool` (nullptr: the tool is unknown).
ArgumentPolicy PolicyFor(absl::string_view name, const caspio_mcp::toolgen::v1::Tool* tool);

// `arguments` (a JSON object) with the policy applied, as compact JSON text.
std::string RedactArguments(const nlohmann::json& arguments, const caspio_mcp::toolgen::v1::Tool* tool);

}  // namespace cmcp::edge
