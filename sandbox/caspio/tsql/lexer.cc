#include "sandbox/caspio/tsql/lexer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace cmcp::sandbox::tsql {
namespace {

bool IsWordStart(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::Status SyntaxNear(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("Incorrect syntax near '", what, "'."));
}

}  // namespace

std::string Near(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of the expression";
    case TokenKind::kString:
      return absl::StrCat(token.unicode ? "N'" : "'", token.text, "'");
    case TokenKind::kQuotedName:
      return absl::StrCat("[", token.text, "]");
    default:
      return token.text;
  }
}

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    Token token;
    token.pos = i;
    if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      return absl::InvalidArgumentError(
          "Comments ('--') are not allowed in a query clause.");
    }
    if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      return absl::InvalidArgumentError(
          "Comments ('/*') are not allowed in a query clause.");
    }
    if (c == ';') {
      return absl::InvalidArgumentError(
          "Incorrect syntax near ';'. A query clause is a single expression; stacked "
          "statements are not allowed.");
    }
    const bool unicode_string = (c == 'N' || c == 'n') && i + 1 < n && text[i + 1] == '\'';
    if (c == '\'' || unicode_string) {
      token.kind = TokenKind::kString;
      token.unicode = unicode_string;
      size_t j = i + (unicode_string ? 2 : 1);
      bool closed = false;
      while (j < n) {
        if (text[j] == '\'') {
          if (j + 1 < n && text[j + 1] == '\'') {
            token.text.push_back('\'');
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        token.text.push_back(text[j]);
        ++j;
      }
      if (!closed) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Unclosed quotation mark after the character string '", token.text, "'."));
      }
      i = j;
      tokens.push_back(std::move(token));
      continue;
    }
    if (IsWordStart(c)) {
      size_t j = i;
      while (j < n && IsWordChar(text[j])) ++j;
      token.kind = TokenKind::kWord;
      token.text = std::string(text.substr(i, j - i));
      i = j;
      tokens.push_back(std::move(token));
      continue;
    }
    if (c == '[' || c == '"') {
      const char close = c == '[' ? ']' : '"';
      size_t j = i + 1;
      bool closed = false;
      while (j < n) {
        if (text[j] == close) {
          if (j + 1 < n && text[j + 1] == close) {
            token.text.push_back(close);
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        token.text.push_back(text[j]);
        ++j;
      }
      if (!closed) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Unclosed quotation mark after the object name '", token.text, "'."));
      }
      if (token.text.empty()) {
        return absl::InvalidArgumentError(
            "An object or column name is missing or empty.");
      }
      token.kind = TokenKind::kQuotedName;
      i = j;
      tokens.push_back(std::move(token));
      continue;
    }
    if (IsDigit(c) || (c == '.' && i + 1 < n && IsDigit(text[i + 1]))) {
      size_t j = i;
      while (j < n && IsDigit(text[j])) ++j;
      if (j < n && text[j] == '.') {
        ++j;
        while (j < n && IsDigit(text[j])) ++j;
      }
      if (j < n && (text[j] == 'e' || text[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (text[k] == '+' || text[k] == '-')) ++k;
        if (k < n && IsDigit(text[k])) {
          while (k < n && IsDigit(text[k])) ++k;
          j = k;
        }
      }
      if (j < n && (IsWordStart(text[j]))) {
        // "0x1F", "1abc": hex and binary literals are outside the subset.
        size_t k = j;
        while (k < n && IsWordChar(text[k])) ++k;
        return SyntaxNear(text.substr(i, k - i));
      }
      token.kind = TokenKind::kNumber;
      token.text = std::string(text.substr(i, j - i));
      i = j;
      tokens.push_back(std::move(token));
      continue;
    }
    // Two-character operators first.
    if (i + 1 < n) {
      const absl::string_view two = text.substr(i, 2);
      if (two == "<>" || two == "!=" || two == "<=" || two == ">=" || two == "!<" || two == "!>") {
        token.kind = TokenKind::kSymbol;
        token.text = std::string(two);
        i += 2;
        tokens.push_back(std::move(token));
        continue;
      }
    }
    switch (c) {
      case '=':
      case '<':
      case '>':
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case '(':
      case ')':
      case ',':
      case '.':
        token.kind = TokenKind::kSymbol;
        token.text = std::string(1, c);
        ++i;
        tokens.push_back(std::move(token));
        continue;
      case '@':
        return absl::InvalidArgumentError(
            "Variables ('@') are not allowed in a query clause.");
      default:
        break;
    }
    if (static_cast<unsigned char>(c) >= 0x80 || !absl::ascii_isprint(static_cast<unsigned char>(c))) {
      return SyntaxNear(absl::StrCat("\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2)));
    }
    return SyntaxNear(text.substr(i, 1));
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.pos = n;
  tokens.push_back(std::move(end));
  return tokens;
}

}  // namespace cmcp::sandbox::tsql
