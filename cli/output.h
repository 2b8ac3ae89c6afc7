// File: output.h
// How the CLI prints: aligned tables, one-object summaries, the ready-to-paste
// client settings for a new MCP URL (the console shows the same ones), and
// API errors with their field and hint.
//
//   std::cout << Table({"ID", "NAME"}, {{"a1", "Production"}});
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cli/admin_client.h"

namespace cmcp::cli {

// Columns padded to the widest cell; an empty table prints only the header.
std::string Table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// "read, write" or `all` when empty.
std::string JoinOr(const Json& list, const std::string& when_empty);

// "2026-12-31T23:59:59.000Z (in 23h 59m)" or "never".
std::string ExpiryText(const Json& expires_at, absl::Time now);

// Key for client configs: "caspio" or "caspio-<slug of name>".
std::string ServerKey(const std::string& name);

// Claude Desktop (mcp-remote), ChatGPT, Cursor and MCP Inspector settings for
// `url`; with `require_api_token`, the Authorization header placeholders.
std::string ClientSnippets(const std::string& url, const std::string& server_name, bool require_api_token);

// "error: <message>\n  field: ...\n  hint: ...\n  (HTTP 400 invalid_field, request ...)".
std::string FormatApiError(const ApiError& error);

}  // namespace cmcp::cli
