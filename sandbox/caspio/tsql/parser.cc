#include "sandbox/caspio/tsql/parser.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace cmcp::sandbox::tsql {
namespace {

constexpr int kMaxDepth = 64;

// T-SQL reserved words that can never be a bare column name here. Meeting one
// where an expression is expected is a syntax error, which is also how
// subqueries, CASE and statements are refused.
bool IsReserved(absl::string_view word) {
  static const auto* const kWords = new absl::flat_hash_set<std::string>{
      "ADD",      "ALL",       "ALTER",    "AND",      "ANY",       "AS",        "ASC",
      "BACKUP",   "BEGIN",     "BETWEEN",  "BREAK",    "BY",        "CASCADE",   "CASE",
      "CAST",     "CHECK",     "CLOSE",    "COLLATE",  "COLUMN",    "COMMIT",    "CONSTRAINT",
      "CONTAINS", "CONTINUE",  "CONVERT",  "CREATE",   "CROSS",     "CURSOR",    "DATABASE",
      "DBCC",     "DEALLOCATE","DECLARE",  "DEFAULT",  "DELETE",    "DENY",      "DESC",
      "DISTINCT", "DROP",      "ELSE",     "END",      "ESCAPE",    "EXCEPT",    "EXEC",
      "EXECUTE",  "EXISTS",    "EXIT",     "FETCH",    "FOR",       "FOREIGN",   "FROM",
      "FULL",     "FUNCTION",  "GOTO",     "GRANT",    "GROUP",     "HAVING",    "IF",
      "IN",       "INDEX",     "INNER",    "INSERT",   "INTERSECT", "INTO",      "IS",
      "JOIN",     "KEY",       "KILL",     "LEFT",     "LIKE",      "MERGE",     "NOT",
      "NULL",     "OF",        "OFF",      "ON",       "OPEN",      "OPENQUERY", "OPENROWSET",
      "OPTION",   "OR",        "ORDER",    "OUTER",    "OVER",      "PERCENT",   "PIVOT",
      "PRIMARY",  "PRINT",     "PROC",     "PROCEDURE","RAISERROR", "READ",      "RECONFIGURE",
      "REFERENCES","RESTORE",  "RETURN",   "REVERT",   "REVOKE",    "RIGHT",     "ROLLBACK",
      "SAVE",     "SCHEMA",    "SELECT",   "SET",      "SHUTDOWN",  "SOME",      "TABLE",
      "THEN",     "TO",        "TOP",      "TRAN",     "TRANSACTION","TRIGGER",  "TRUNCATE",
      "UNION",    "UNIQUE",    "UNPIVOT",  "UPDATE",   "USE",       "USER",      "VALUES",
      "VIEW",     "WAITFOR",   "WHEN",     "WHERE",    "WHILE",     "WITH",
  };
  return kWords->contains(absl::AsciiStrToUpper(word));
}

absl::Status SyntaxNear(const Token& token) {
  if (token.kind == TokenKind::kEnd) {
    return absl::InvalidArgumentError("Incorrect syntax near the end of the expression.");
  }
  if (token.kind == TokenKind::kWord && IsReserved(token.text)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Incorrect syntax near the keyword '", absl::AsciiStrToUpper(token.text),
        "'. The Caspio sandbox accepts a T-SQL expression subset (comparisons, AND/OR/NOT, "
        "LIKE, IN, BETWEEN, IS NULL, literals, aggregates); subqueries, CASE and statements "
        "are not supported."));
  }
  return absl::InvalidArgumentError(absl::StrCat("Incorrect syntax near '", Near(token), "'."));
}

std::unique_ptr<Node> MakeNode(Node::Kind kind, std::string text = "") {
  auto node = std::make_unique<Node>();
  node->kind = kind;
  node->text = std::move(text);
  return node;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  const Token& Peek(size_t ahead = 0) const {
    const size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  bool AtEnd() const { return Peek().kind == TokenKind::kEnd; }
  void Advance() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  bool IsKeyword(absl::string_view word, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kWord && absl::EqualsIgnoreCase(t.text, word);
  }
  bool IsSymbol(absl::string_view symbol, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kSymbol && t.text == symbol;
  }
  bool AcceptKeyword(absl::string_view word) {
    if (!IsKeyword(word)) return false;
    Advance();
    return true;
  }
  bool AcceptSymbol(absl::string_view symbol) {
    if (!IsSymbol(symbol)) return false;
    Advance();
    return true;
  }
  absl::Status ExpectSymbol(absl::string_view symbol) {
    if (AcceptSymbol(symbol)) return absl::OkStatus();
    return SyntaxNear(Peek());
  }
  absl::Status ExpectEnd() {
    if (AtEnd()) return absl::OkStatus();
    return SyntaxNear(Peek());
  }

  absl::StatusOr<std::unique_ptr<Node>> Expression() {
    if (++depth_ > kMaxDepth) {
      return absl::InvalidArgumentError(
          "The expression is nested too deeply (more than 64 levels).");
    }
    auto result = Or();
    --depth_;
    return result;
  }

  // Plain identifier usable as an alias: a non-reserved word, [x] or "x".
  bool PeekAlias() const {
    const Token& t = Peek();
    return t.kind == TokenKind::kQuotedName || (t.kind == TokenKind::kWord && !IsReserved(t.text));
  }

 private:
  absl::StatusOr<std::unique_ptr<Node>> Or() {
    CMCP_ASSIGN_OR_RETURN(auto left, And());
    while (AcceptKeyword("OR")) {
      CMCP_ASSIGN_OR_RETURN(auto right, And());
      auto node = MakeNode(Node::Kind::kOr);
      node->kids.push_back(std::move(left));
      node->kids.push_back(std::move(right));
      left = std::move(node);
    }
    return left;
  }

  absl::StatusOr<std::unique_ptr<Node>> And() {
    CMCP_ASSIGN_OR_RETURN(auto left, Not());
    while (AcceptKeyword("AND")) {
      CMCP_ASSIGN_OR_RETURN(auto right, Not());
      auto node = MakeNode(Node::Kind::kAnd);
      node->kids.push_back(std::move(left));
      node->kids.push_back(std::move(right));
      left = std::move(node);
    }
    return left;
  }

  absl::StatusOr<std::unique_ptr<Node>> Not() {
    if (AcceptKeyword("NOT")) {
      if (++depth_ > kMaxDepth) {
        return absl::InvalidArgumentError(
            "The expression is nested too deeply (more than 64 levels).");
      }
      auto inner = Not();
      --depth_;
      if (!inner.ok()) return inner.status();
      auto node = MakeNode(Node::Kind::kNot);
      node->kids.push_back(*std::move(inner));
      return node;
    }
    return Predicate();
  }

  absl::StatusOr<std::unique_ptr<Node>> Predicate() {
    CMCP_ASSIGN_OR_RETURN(auto left, Additive());
    const Token& t = Peek();
    if (t.kind == TokenKind::kSymbol) {
      std::string op;
      if (t.text == "=") op = "=";
      else if (t.text == "<>" || t.text == "!=") op = "<>";
      else if (t.text == "<") op = "<";
      else if (t.text == ">") op = ">";
      else if (t.text == "<=" || t.text == "!>") op = "<=";
      else if (t.text == ">=" || t.text == "!<") op = ">=";
      if (!op.empty()) {
        Advance();
        CMCP_ASSIGN_OR_RETURN(auto right, Additive());
        auto node = MakeNode(Node::Kind::kCompare, op);
        node->kids.push_back(std::move(left));
        node->kids.push_back(std::move(right));
        return node;
      }
      return left;
    }
    if (IsKeyword("IS")) {
      Advance();
      auto node = MakeNode(Node::Kind::kIsNull);
      node->negated = AcceptKeyword("NOT");
      if (!AcceptKeyword("NULL")) return SyntaxNear(Peek());
      node->kids.push_back(std::move(left));
      return node;
    }
    bool negated = false;
    if (IsKeyword("NOT") && (IsKeyword("LIKE", 1) || IsKeyword("IN", 1) || IsKeyword("BETWEEN", 1))) {
      Advance();
      negated = true;
    }
    if (AcceptKeyword("LIKE")) {
      auto node = MakeNode(Node::Kind::kLike);
      node->negated = negated;
      node->kids.push_back(std::move(left));
      CMCP_ASSIGN_OR_RETURN(auto pattern, Additive());
      node->kids.push_back(std::move(pattern));
      if (AcceptKeyword("ESCAPE")) {
        CMCP_ASSIGN_OR_RETURN(auto escape, Additive());
        node->kids.push_back(std::move(escape));
      }
      return node;
    }
    if (AcceptKeyword("IN")) {
      auto node = MakeNode(Node::Kind::kIn);
      node->negated = negated;
      node->kids.push_back(std::move(left));
      CMCP_RETURN_IF_ERROR(ExpectSymbol("("));
      if (IsKeyword("SELECT")) return SyntaxNear(Peek());
      do {
        CMCP_ASSIGN_OR_RETURN(auto item, Expression());
        node->kids.push_back(std::move(item));
      } while (AcceptSymbol(","));
      CMCP_RETURN_IF_ERROR(ExpectSymbol(")"));
      return node;
    }
    if (AcceptKeyword("BETWEEN")) {
      auto node = MakeNode(Node::Kind::kBetween);
      node->negated = negated;
      node->kids.push_back(std::move(left));
      CMCP_ASSIGN_OR_RETURN(auto low, Additive());
      if (!AcceptKeyword("AND")) return SyntaxNear(Peek());
      CMCP_ASSIGN_OR_RETURN(auto high, Additive());
      node->kids.push_back(std::move(low));
      node->kids.push_back(std::move(high));
      return node;
    }
    if (negated) return SyntaxNear(Peek());
    return left;
  }

  absl::StatusOr<std::unique_ptr<Node>> Additive() {
    CMCP_ASSIGN_OR_RETURN(auto left, Multiplicative());
    while (IsSymbol("+") || IsSymbol("-")) {
      std::string op = Peek().text;
      Advance();
      CMCP_ASSIGN_OR_RETURN(auto right, Multiplicative());
      auto node = MakeNode(Node::Kind::kArith, op);
      node->kids.push_back(std::move(left));
      node->kids.push_back(std::move(right));
      left = std::move(node);
    }
    return left;
  }

  absl::StatusOr<std::unique_ptr<Node>> Multiplicative() {
    CMCP_ASSIGN_OR_RETURN(auto left, Unary());
    while (IsSymbol("*") || IsSymbol("/") || IsSymbol("%")) {
      std::string op = Peek().text;
      Advance();
      CMCP_ASSIGN_OR_RETURN(auto right, Unary());
      auto node = MakeNode(Node::Kind::kArith, op);
      node->kids.push_back(std::move(left));
      node->kids.push_back(std::move(right));
      left = std::move(node);
    }
    return left;
  }

  absl::StatusOr<std::unique_ptr<Node>> Unary() {
    if (IsSymbol("-") || IsSymbol("+")) {
      const bool minus = IsSymbol("-");
      Advance();
      if (++depth_ > kMaxDepth) {
        return absl::InvalidArgumentError(
            "The expression is nested too deeply (more than 64 levels).");
      }
      auto inner = Unary();
      --depth_;
      if (!inner.ok()) return inner.status();
      if (!minus) return inner;
      auto node = MakeNode(Node::Kind::kNegate);
      node->kids.push_back(*std::move(inner));
      return node;
    }
    return Primary();
  }

  absl::StatusOr<std::unique_ptr<Node>> Primary() {
    const Token t = Peek();
    switch (t.kind) {
      case TokenKind::kNumber: {
        Advance();
        return MakeNode(Node::Kind::kNumber, t.text);
      }
      case TokenKind::kString: {
        Advance();
        auto node = MakeNode(Node::Kind::kString, t.text);
        node->unicode = t.unicode;
        return node;
      }
      case TokenKind::kQuotedName: {
        Advance();
        if (IsSymbol(".")) return SyntaxNear(Peek());
        return MakeNode(Node::Kind::kColumn, t.text);
      }
      case TokenKind::kWord: {
        if (absl::EqualsIgnoreCase(t.text, "NULL")) {
          Advance();
          return MakeNode(Node::Kind::kNull);
        }
        if (IsReserved(t.text)) return SyntaxNear(t);
        Advance();
        if (AcceptSymbol("(")) return Call(t.text);
        if (IsSymbol(".")) {
          return absl::InvalidArgumentError(absl::StrCat(
              "Multi-part identifiers such as '", t.text,
              ".…' are not supported by the Caspio sandbox; name the field alone."));
        }
        return MakeNode(Node::Kind::kColumn, t.text);
      }
      case TokenKind::kSymbol: {
        if (t.text == "(") {
          Advance();
          if (IsKeyword("SELECT")) return SyntaxNear(Peek());
          CMCP_ASSIGN_OR_RETURN(auto inner, Expression());
          CMCP_RETURN_IF_ERROR(ExpectSymbol(")"));
          return inner;
        }
        return SyntaxNear(t);
      }
      case TokenKind::kEnd:
        return SyntaxNear(t);
    }
    return SyntaxNear(t);
  }

  absl::StatusOr<std::unique_ptr<Node>> Call(const std::string& name) {
    auto node = MakeNode(Node::Kind::kCall, absl::AsciiStrToUpper(name));
    if (AcceptSymbol(")")) return node;
    if (IsSymbol("*") && IsSymbol(")", 1)) {
      Advance();
      Advance();
      node->star = true;
      return node;
    }
    if (AcceptKeyword("DISTINCT")) node->distinct = true;
    else AcceptKeyword("ALL");
    do {
      CMCP_ASSIGN_OR_RETURN(auto arg, Expression());
      node->kids.push_back(std::move(arg));
    } while (AcceptSymbol(","));
    CMCP_RETURN_IF_ERROR(ExpectSymbol(")"));
    return node;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

absl::StatusOr<Parser> MakeParser(absl::string_view text) {
  CMCP_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  return Parser(std::move(tokens));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Node>> ParseCondition(absl::string_view text) {
  CMCP_ASSIGN_OR_RETURN(Parser parser, MakeParser(text));
  CMCP_ASSIGN_OR_RETURN(auto node, parser.Expression());
  CMCP_RETURN_IF_ERROR(parser.ExpectEnd());
  return node;
}

absl::StatusOr<SelectList> ParseSelectList(absl::string_view text) {
  CMCP_ASSIGN_OR_RETURN(Parser parser, MakeParser(text));
  SelectList list;
  if (parser.AcceptKeyword("DISTINCT")) list.distinct = true;
  else parser.AcceptKeyword("ALL");
  do {
    SelectItem item;
    if (parser.IsSymbol("*")) {
      parser.Advance();
      item.star = true;
      list.items.push_back(std::move(item));
      continue;
    }
    // T-SQL's "Alias = expression" form.
    if (parser.PeekAlias() && parser.IsSymbol("=", 1)) {
      item.alias = parser.Peek().text;
      parser.Advance();
      parser.Advance();
      CMCP_ASSIGN_OR_RETURN(item.expr, parser.Expression());
      list.items.push_back(std::move(item));
      continue;
    }
    CMCP_ASSIGN_OR_RETURN(item.expr, parser.Expression());
    if (parser.AcceptKeyword("AS")) {
      const Token& t = parser.Peek();
      if (t.kind == TokenKind::kString || parser.PeekAlias()) {
        item.alias = t.text;
        parser.Advance();
      } else {
        return SyntaxNear(t);
      }
    } else if (parser.PeekAlias() || parser.Peek().kind == TokenKind::kString) {
      item.alias = parser.Peek().text;
      parser.Advance();
    }
    if (!item.alias.empty() && item.alias.size() > 128) {
      return absl::InvalidArgumentError("An alias is longer than 128 characters.");
    }
    list.items.push_back(std::move(item));
  } while (parser.AcceptSymbol(","));
  CMCP_RETURN_IF_ERROR(parser.ExpectEnd());
  return list;
}

absl::StatusOr<std::vector<std::unique_ptr<Node>>> ParseExpressionList(absl::string_view text) {
  CMCP_ASSIGN_OR_RETURN(Parser parser, MakeParser(text));
  std::vector<std::unique_ptr<Node>> items;
  do {
    CMCP_ASSIGN_OR_RETURN(auto item, parser.Expression());
    items.push_back(std::move(item));
  } while (parser.AcceptSymbol(","));
  CMCP_RETURN_IF_ERROR(parser.ExpectEnd());
  return items;
}

absl::StatusOr<std::vector<OrderItem>> ParseOrderList(absl::string_view text) {
  CMCP_ASSIGN_OR_RETURN(Parser parser, MakeParser(text));
  std::vector<OrderItem> items;
  do {
    OrderItem item;
    CMCP_ASSIGN_OR_RETURN(item.expr, parser.Expression());
    if (parser.AcceptKeyword("DESC")) item.descending = true;
    else parser.AcceptKeyword("ASC");
    items.push_back(std::move(item));
  } while (parser.AcceptSymbol(","));
  CMCP_RETURN_IF_ERROR(parser.ExpectEnd());
  return items;
}

}  // namespace cmcp::sandbox::tsql
