// File: lexer.h
// Splits a T-SQL fragment into tokens for parser.h. Refuses at once what can
// only be an attack or a mistake in a single expression: statement separators
// (;), comments (-- and /* */), variables (@x), temp tables (#x) and bytes the
// subset has no use for.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cmcp::sandbox::tsql {

enum class TokenKind { kEnd, kWord, kQuotedName, kString, kNumber, kSymbol };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  // Decoded text: the word, the name without brackets, the string without
  // quotes and with '' collapsed, the number, or the symbol.
  std::string text;
  // N'...' literal.
  bool unicode = false;
  // Byte offset in the input, for messages.
  size_t pos = 0;
};

// The tokens of `text`, always ending with one kEnd token.
absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view text);

// "near 'x'" text for messages: the token as the user wrote it.
std::string Near(const Token& token);

}  // namespace cmcp::sandbox::tsql
