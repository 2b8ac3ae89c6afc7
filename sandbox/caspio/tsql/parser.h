// File: parser.h
// Recursive-descent parser for the T-SQL expression subset the sandbox
// accepts, producing a small AST that translator code type-checks and turns
// into SQLite SQL. Nesting is bounded so hostile input cannot exhaust the
// stack. Internal to the tsql library; use tsql.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sandbox/caspio/tsql/lexer.h"

namespace cmcp::sandbox::tsql {

struct Node {
  enum class Kind {
    kColumn,    // text = name
    kString,    // text = value, unicode
    kNumber,    // text = literal
    kNull,
    kNegate,    // kids[0]
    kArith,     // text = + - * / %, kids[0..1]
    kCompare,   // text = = <> < > <= >= (normalized), kids[0..1]
    kAnd,       // kids[0..1]
    kOr,        // kids[0..1]
    kNot,       // kids[0]
    kLike,      // negated; kids: value, pattern [, escape]
    kIn,        // negated; kids: value, items...
    kBetween,   // negated; kids: value, low, high
    kIsNull,    // negated; kids[0]
    kCall,      // text = upper-case name; distinct; star (COUNT(*)); kids = args
  };
  Kind kind;
  std::string text;
  bool negated = false;
  bool distinct = false;
  bool star = false;
  bool unicode = false;
  std::vector<std::unique_ptr<Node>> kids;
};

struct SelectItem {
  bool star = false;               // "*"
  std::unique_ptr<Node> expr;      // when !star
  std::string alias;               // "" when none
};

struct SelectList {
  bool distinct = false;
  std::vector<SelectItem> items;
};

struct OrderItem {
  std::unique_ptr<Node> expr;
  bool descending = false;
};

absl::StatusOr<std::unique_ptr<Node>> ParseCondition(absl::string_view text);
absl::StatusOr<SelectList> ParseSelectList(absl::string_view text);
absl::StatusOr<std::vector<std::unique_ptr<Node>>> ParseExpressionList(absl::string_view text);
absl::StatusOr<std::vector<OrderItem>> ParseOrderList(absl::string_view text);

}  // namespace cmcp::sandbox::tsql
