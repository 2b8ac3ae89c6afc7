// File: where_linter.h
// Checks a q.where / Where fragment before any upstream call (SPEC §6):
// no statement separators, no comments, balanced single quotes and
// parentheses, no control characters, a length cap, and for bulk writes a
// non-empty clause that does not use the directory system fields
// (_status, _sign_in_method, _2fa_status), which Caspio refuses there.
// Caspio splices the fragment into SQL Server text; this is the guard rail
// that keeps an agent's mistake a clear error instead of a wrong query.
// Messages name the argument and say how to fix it.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace cmcp::proxy {

enum class WhereUse { kRead, kWrite };

// Longest fragment accepted (Caspio caps whole request URIs at 2047 bytes).
inline constexpr size_t kMaxWhereLength = 1800;

// OK or INVALID_ARGUMENT with reason QUERY_REJECTED and field `argument`.
absl::Status LintWhere(absl::string_view argument, absl::string_view clause, WhereUse use);

}  // namespace cmcp::proxy
