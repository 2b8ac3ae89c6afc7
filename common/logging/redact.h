// File: redact.h
// Secret redaction applied to every log line (and usable on error text). The
// rules err on the side of hiding: anything that looks like an MCP URL token,
// a bearer/basic credential, or the value of a secret-named key is replaced
// by "[REDACTED]".
//
//   RedactSecrets("POST /mcp/AbC123.../messages")  -> "POST /mcp/[REDACTED]/messages"
//   IsSecretKey("client_secret")                   -> true
#pragma once

#include <string>
#include "absl/strings/string_view.h"

namespace cmcp {

inline constexpr absl::string_view kRedacted = "[REDACTED]";

// True when a field named `key` holds a secret (token, secret, password,
// authorization, cookie, pepper, credential, key material), case-insensitive.
bool IsSecretKey(absl::string_view key);

// Returns `text` with secrets replaced:
//  - the path segment after "/mcp/" (the URL token),
//  - the credential after "Bearer " or "Basic ",
//  - the value after a secret-named key in query strings, forms, JSON or
//    "key: value" text (e.g. client_secret=..., "access_token":"...").
std::string RedactSecrets(absl::string_view text);

}  // namespace cmcp
