#include "sandbox/caspio/tsql/tsql.h"

#include <cmath>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/tsql/parser.h"

namespace cmcp::sandbox::tsql {

const Column* Schema::Find(absl::string_view name) const {
  for (const Column& column : columns) {
    if (absl::EqualsIgnoreCase(column.name, name)) return &column;
  }
  return nullptr;
}

namespace {

constexpr char kCollate[] = " COLLATE TSQL_CI";

absl::Status Invalid(absl::string_view message) { return absl::InvalidArgumentError(message); }

std::string TypeName(ValueType type) {
  switch (type) {
    case ValueType::kInteger:
      return "int";
    case ValueType::kNumber:
      return "float";
    case ValueType::kText:
      return "nvarchar";
    case ValueType::kBoolean:
      return "bit";
    case ValueType::kDateTime:
      return "datetime";
    case ValueType::kUnknown:
      break;
  }
  return "sql_variant";
}

bool IsNumeric(ValueType t) {
  return t == ValueType::kInteger || t == ValueType::kNumber || t == ValueType::kBoolean;
}

std::string ValueKey(const Value& v) {
  switch (v.index()) {
    case 1:
      return absl::StrCat("i", std::get<int64_t>(v));
    case 2:
      return absl::StrCat("d", std::get<double>(v));
    case 3:
      return absl::StrCat("s", std::get<std::string>(v).size(), ":", std::get<std::string>(v));
    default:
      return "n";
  }
}

// A translated expression.
struct Typed {
  std::string sql;
  std::vector<Value> params;
  ValueType type = ValueType::kUnknown;
  bool boolean = false;          // a condition, not a value
  bool aggregate = false;        // contains an aggregate function
  bool constant = false;         // literals only
  bool string_literal = false;   // a bare '...' literal (coercible)
  std::string literal;           // its text
  std::string column_name;       // set for a bare column reference
  std::string ungrouped;         // first column outside GROUP BY and aggregates
  std::string key() const {
    std::string k = sql;
    for (const Value& v : params) absl::StrAppend(&k, "|", ValueKey(v));
    return k;
  }
};

void Append(Typed& to, const Typed& from) {
  to.params.insert(to.params.end(), from.params.begin(), from.params.end());
}

enum class Clause { kWhere, kSelect, kGroupBy, kOrderBy };

absl::string_view ClauseName(Clause clause) {
  switch (clause) {
    case Clause::kWhere:
      return "WHERE";
    case Clause::kSelect:
      return "select list";
    case Clause::kGroupBy:
      return "GROUP BY";
    case Clause::kOrderBy:
      return "ORDER BY";
  }
  return "";
}

absl::StatusOr<Value> ParseNumber(absl::string_view text) {
  if (text.find_first_of(".eE") == absl::string_view::npos) {
    int64_t i = 0;
    if (absl::SimpleAtoi(text, &i)) return Value(i);
  }
  double d = 0;
  if (absl::SimpleAtod(text, &d) && std::isfinite(d)) return Value(d);
  return Invalid(absl::StrCat("Arithmetic overflow error converting '", text, "' to a number."));
}

// Converts a string literal to the type it is compared with, as SQL Server's
// implicit conversion would, so the comparison happens on typed values.
absl::Status Coerce(Typed& literal, ValueType target) {
  if (!literal.string_literal) return absl::OkStatus();
  switch (target) {
    case ValueType::kDateTime: {
      CMCP_ASSIGN_OR_RETURN(std::string normalized, NormalizeDateTime(literal.literal));
      literal.params = {Value(std::move(normalized))};
      literal.type = ValueType::kDateTime;
      return absl::OkStatus();
    }
    case ValueType::kBoolean: {
      const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(literal.literal));
      int64_t b = 0;
      if (lower == "true" || lower == "1") {
        b = 1;
      } else if (lower == "false" || lower == "0") {
        b = 0;
      } else {
        return Invalid(absl::StrCat("Conversion failed when converting the nvarchar value '",
                                    literal.literal, "' to data type bit."));
      }
      literal.params = {Value(b)};
      literal.type = ValueType::kBoolean;
      return absl::OkStatus();
    }
    case ValueType::kInteger:
    case ValueType::kNumber: {
      const absl::string_view text = absl::StripAsciiWhitespace(literal.literal);
      auto number = ParseNumber(text);
      if (text.empty() || !number.ok() ||
          (target == ValueType::kInteger && number->index() != 1)) {
        return Invalid(absl::StrCat("Conversion failed when converting the nvarchar value '",
                                    literal.literal, "' to data type ", TypeName(target), "."));
      }
      literal.params = {*std::move(number)};
      literal.type = target;
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

class Translator {
 public:
  Translator(const Schema& schema, Clause clause, const std::vector<std::string>& group_keys)
      : schema_(schema), clause_(clause), group_keys_(group_keys) {}

  absl::StatusOr<Typed> Translate(const Node& node) {
    CMCP_ASSIGN_OR_RETURN(Typed typed, TranslateNode(node));
    if (!typed.ungrouped.empty() || typed.column_name.size() > 0) {
      const std::string key = typed.key();
      for (const std::string& g : group_keys_) {
        if (g == key) {
          typed.ungrouped.clear();
          break;
        }
      }
    }
    return typed;
  }

  absl::StatusOr<Typed> ValueOf(const Node& node) {
    CMCP_ASSIGN_OR_RETURN(Typed typed, Translate(node));
    if (typed.boolean) {
      return Invalid(absl::StrCat(
          "A condition (comparison, LIKE, IN, BETWEEN, IS NULL, AND, OR, NOT) cannot be used as a "
          "value in the ", ClauseName(clause_), "."));
    }
    return typed;
  }

  absl::StatusOr<Typed> ConditionOf(const Node& node, absl::string_view near) {
    CMCP_ASSIGN_OR_RETURN(Typed typed, Translate(node));
    if (!typed.boolean) {
      return Invalid(absl::StrCat(
          "An expression of non-boolean type specified in a context where a condition is "
          "expected, near '", near, "'."));
    }
    return typed;
  }

 private:
  absl::StatusOr<Typed> TranslateNode(const Node& node) {
    switch (node.kind) {
      case Node::Kind::kColumn:
        return ColumnRef(node);
      case Node::Kind::kString: {
        Typed t;
        t.sql = "?";
        t.params.emplace_back(node.text);
        t.type = ValueType::kText;
        t.constant = true;
        t.string_literal = true;
        t.literal = node.text;
        return t;
      }
      case Node::Kind::kNumber: {
        Typed t;
        CMCP_ASSIGN_OR_RETURN(Value v, ParseNumber(node.text));
        t.type = v.index() == 1 ? ValueType::kInteger : ValueType::kNumber;
        t.sql = "?";
        t.params.push_back(std::move(v));
        t.constant = true;
        return t;
      }
      case Node::Kind::kNull: {
        Typed t;
        t.sql = "NULL";
        t.constant = true;
        return t;
      }
      case Node::Kind::kNegate: {
        CMCP_ASSIGN_OR_RETURN(Typed inner, ValueOf(*node.kids[0]));
        CMCP_RETURN_IF_ERROR(Coerce(inner, ValueType::kNumber));
        if (!IsNumeric(inner.type) && inner.type != ValueType::kUnknown) {
          return Invalid(absl::StrCat("Operand data type ", TypeName(inner.type),
                                      " is invalid for the minus operator."));
        }
        Typed t = Derived(inner);
        t.sql = absl::StrCat("(-", inner.sql, ")");
        t.type = inner.type == ValueType::kBoolean ? ValueType::kInteger : inner.type;
        Append(t, inner);
        return t;
      }
      case Node::Kind::kArith:
        return Arithmetic(node);
      case Node::Kind::kCompare:
        return Comparison(node);
      case Node::Kind::kAnd:
      case Node::Kind::kOr: {
        const char* op = node.kind == Node::Kind::kAnd ? "AND" : "OR";
        CMCP_ASSIGN_OR_RETURN(Typed left, ConditionOf(*node.kids[0], op));
        CMCP_ASSIGN_OR_RETURN(Typed right, ConditionOf(*node.kids[1], op));
        Typed t = Derived(left, right);
        t.sql = absl::StrCat("(", left.sql, " ", op, " ", right.sql, ")");
        t.boolean = true;
        Append(t, left);
        Append(t, right);
        return t;
      }
      case Node::Kind::kNot: {
        CMCP_ASSIGN_OR_RETURN(Typed inner, ConditionOf(*node.kids[0], "NOT"));
        Typed t = Derived(inner);
        t.sql = absl::StrCat("(NOT ", inner.sql, ")");
        t.boolean = true;
        Append(t, inner);
        return t;
      }
      case Node::Kind::kLike:
        return Like(node);
      case Node::Kind::kIn:
        return In(node);
      case Node::Kind::kBetween:
        return Between(node);
      case Node::Kind::kIsNull: {
        CMCP_ASSIGN_OR_RETURN(Typed inner, ValueOf(*node.kids[0]));
        Typed t = Derived(inner);
        t.sql = absl::StrCat("(", inner.sql, node.negated ? " IS NOT NULL)" : " IS NULL)");
        t.boolean = true;
        Append(t, inner);
        return t;
      }
      case Node::Kind::kCall:
        return Call(node);
    }
    return Invalid("Unsupported expression.");
  }

  // Flags every derived expression inherits from its operands.
  static Typed Derived(const Typed& a) {
    Typed t;
    t.aggregate = a.aggregate;
    t.constant = a.constant;
    t.ungrouped = a.ungrouped;
    return t;
  }
  static Typed Derived(const Typed& a, const Typed& b) {
    Typed t;
    t.aggregate = a.aggregate || b.aggregate;
    t.constant = a.constant && b.constant;
    t.ungrouped = !a.ungrouped.empty() ? a.ungrouped : b.ungrouped;
    return t;
  }

  absl::StatusOr<Typed> ColumnRef(const Node& node) {
    const Column* column = schema_.Find(node.text);
    if (column == nullptr) {
      return Invalid(absl::StrCat("Invalid column name '", node.text, "'."));
    }
    // A known column the context forbids: FAILED_PRECONDITION, so callers can
    // tell it from a syntax or name error.
    if (!column->refusal.empty()) return absl::FailedPreconditionError(column->refusal);
    Typed t;
    t.sql = column->sql;
    t.type = column->type;
    t.column_name = column->name;
    t.ungrouped = column->name;
    return t;
  }

  absl::StatusOr<Typed> Arithmetic(const Node& node) {
    CMCP_ASSIGN_OR_RETURN(Typed left, ValueOf(*node.kids[0]));
    CMCP_ASSIGN_OR_RETURN(Typed right, ValueOf(*node.kids[1]));
    const std::string& op = node.text;
    const bool text_left = left.type == ValueType::kText;
    const bool text_right = right.type == ValueType::kText;
    Typed t = Derived(left, right);
    if (op == "+" && (text_left || text_right) && !(IsNumeric(left.type) || IsNumeric(right.type))) {
      // String concatenation.
      t.sql = absl::StrCat("(", left.sql, " || ", right.sql, ")");
      t.type = ValueType::kText;
      Append(t, left);
      Append(t, right);
      return t;
    }
    if (IsNumeric(left.type)) CMCP_RETURN_IF_ERROR(Coerce(right, ValueType::kNumber));
    if (IsNumeric(right.type)) CMCP_RETURN_IF_ERROR(Coerce(left, ValueType::kNumber));
    for (const Typed* side : {&left, &right}) {
      if (side->type == ValueType::kDateTime || side->type == ValueType::kText) {
        return Invalid(absl::StrCat("Operand data type ", TypeName(side->type),
                                    " is invalid for the '", op, "' operator."));
      }
    }
    const bool integral = (left.type == ValueType::kInteger || left.type == ValueType::kBoolean) &&
                          (right.type == ValueType::kInteger || right.type == ValueType::kBoolean);
    t.sql = absl::StrCat("(", left.sql, " ", op, " ", right.sql, ")");
    t.type = integral ? ValueType::kInteger : ValueType::kNumber;
    if (left.type == ValueType::kUnknown || right.type == ValueType::kUnknown) t.type = ValueType::kUnknown;
    Append(t, left);
    Append(t, right);
    return t;
  }

  // Makes the two sides of a comparison comparable; returns whether the
  // comparison is textual (so it needs the case-insensitive collation).
  absl::StatusOr<bool> Harmonize(Typed& a, Typed& b) {
    if (a.string_literal && !b.string_literal) CMCP_RETURN_IF_ERROR(Coerce(a, b.type));
    if (b.string_literal && !a.string_literal) CMCP_RETURN_IF_ERROR(Coerce(b, a.type));
    const bool a_dt = a.type == ValueType::kDateTime, b_dt = b.type == ValueType::kDateTime;
    if ((a_dt && IsNumeric(b.type)) || (b_dt && IsNumeric(a.type))) {
      return Invalid(absl::StrCat("Operand type clash: ", TypeName(a.type), " is incompatible with ",
                                  TypeName(b.type), "."));
    }
    return a.type == ValueType::kText || b.type == ValueType::kText;
  }

  absl::StatusOr<Typed> Comparison(const Node& node) {
    CMCP_ASSIGN_OR_RETURN(Typed left, ValueOf(*node.kids[0]));
    CMCP_ASSIGN_OR_RETURN(Typed right, ValueOf(*node.kids[1]));
    CMCP_ASSIGN_OR_RETURN(bool text, Harmonize(left, right));
    Typed t = Derived(left, right);
    t.sql = absl::StrCat("(", left.sql, " ", node.text, " ", right.sql, text ? kCollate : "", ")");
    t.boolean = true;
    Append(t, left);
    Append(t, right);
    return t;
  }

  absl::StatusOr<Typed> Like(const Node& node) {
    CMCP_ASSIGN_OR_RETURN(Typed value, ValueOf(*node.kids[0]));
    CMCP_ASSIGN_OR_RETURN(Typed pattern, ValueOf(*node.kids[1]));
    Typed t = Derived(value, pattern);
    Value escape;
    if (node.kids.size() > 2) {
      CMCP_ASSIGN_OR_RETURN(Typed esc, ValueOf(*node.kids[2]));
      if (!esc.string_literal || esc.literal.size() != 1) {
        return Invalid("The invalid escape character was specified in a LIKE predicate: the "
                       "ESCAPE clause takes one character in quotes.");
      }
      escape = esc.literal;
    }
    t.sql = absl::StrCat("(", node.negated ? "NOT " : "", "tsql_like(", value.sql, ", ", pattern.sql,
                         ", ?))");
    t.boolean = true;
    Append(t, value);
    Append(t, pattern);
    t.params.push_back(std::move(escape));
    return t;
  }

  absl::StatusOr<Typed> In(const Node& node) {
    CMCP_ASSIGN_OR_RETURN(Typed value, ValueOf(*node.kids[0]));
    Typed t = Derived(value);
    std::vector<Typed> items;
    bool text = value.type == ValueType::kText;
    for (size_t i = 1; i < node.kids.size(); ++i) {
      CMCP_ASSIGN_OR_RETURN(Typed item, ValueOf(*node.kids[i]));
      CMCP_ASSIGN_OR_RETURN(bool item_text, Harmonize(value, item));
      text = text || item_text;
      t.aggregate = t.aggregate || item.aggregate;
      items.push_back(std::move(item));
    }
    std::vector<std::string> sqls;
    for (const Typed& item : items) sqls.push_back(item.sql);
    t.sql = absl::StrCat("(", value.sql, text ? kCollate : "", node.negated ? " NOT IN (" : " IN (",
                         absl::StrJoin(sqls, ", "), "))");
    t.boolean = true;
    Append(t, value);
    for (const Typed& item : items) Append(t, item);
    return t;
  }

  absl::StatusOr<Typed> Between(const Node& node) {
    CMCP_ASSIGN_OR_RETURN(Typed value, ValueOf(*node.kids[0]));
    CMCP_ASSIGN_OR_RETURN(Typed low, ValueOf(*node.kids[1]));
    CMCP_ASSIGN_OR_RETURN(Typed high, ValueOf(*node.kids[2]));
    CMCP_ASSIGN_OR_RETURN(bool text_low, Harmonize(value, low));
    CMCP_ASSIGN_OR_RETURN(bool text_high, Harmonize(value, high));
    Typed t = Derived(value, low);
    t.aggregate = t.aggregate || high.aggregate;
    t.sql = absl::StrCat("(", value.sql, (text_low || text_high) ? kCollate : "",
                         node.negated ? " NOT BETWEEN " : " BETWEEN ", low.sql, " AND ", high.sql, ")");
    t.boolean = true;
    Append(t, value);
    Append(t, low);
    Append(t, high);
    return t;
  }

  absl::Status ExpectArgs(const Node& node, size_t min, size_t max) {
    if (node.star || node.distinct) {
      return Invalid(absl::StrCat("Incorrect syntax near '", node.star ? "*" : "DISTINCT",
                                  "' in the call to ", node.text, "."));
    }
    if (node.kids.size() < min || node.kids.size() > max) {
      return Invalid(absl::StrCat("The ", node.text, " function requires ", min == max ? "" : "at least ",
                                  min, " argument(s)."));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Typed> Call(const Node& node) {
    const std::string& name = node.text;
    const bool aggregate =
        name == "COUNT" || name == "COUNT_BIG" || name == "SUM" || name == "AVG" || name == "MIN" || name == "MAX";
    if (aggregate) return Aggregate(node);
    if (name == "GETDATE" || name == "GETUTCDATE" || name == "SYSDATETIME") {
      CMCP_RETURN_IF_ERROR(ExpectArgs(node, 0, 0));
      Typed t;
      t.sql = "tsql_now()";
      t.type = ValueType::kDateTime;
      return t;
    }
    if (name == "DATEADD" || name == "DATEDIFF") return DateFunction(node);
    std::vector<Typed> args;
    for (const auto& kid : node.kids) {
      CMCP_ASSIGN_OR_RETURN(Typed arg, ValueOf(*kid));
      args.push_back(std::move(arg));
    }
    Typed t;
    t.constant = true;
    for (const Typed& a : args) {
      t.aggregate = t.aggregate || a.aggregate;
      t.constant = t.constant && a.constant;
      if (t.ungrouped.empty()) t.ungrouped = a.ungrouped;
      Append(t, a);
    }
    auto sql_of = [&](size_t i) { return args[i].sql; };
    if (name == "UPPER" || name == "LOWER" || name == "LTRIM" || name == "RTRIM") {
      CMCP_RETURN_IF_ERROR(ExpectArgs(node, 1, 1));
      t.sql = absl::StrCat(absl::AsciiStrToLower(name), "(", sql_of(0), ")");
      t.type = ValueType::kText;
    } else if (name == "LEN") {
      CMCP_RETURN_IF_ERROR(ExpectArgs(node, 1, 1));
      t.sql = absl::StrCat("length(rtrim(", sql_of(0), "))");
      t.type = ValueType::kInteger;
    } else if (name == "ABS") {
      CMCP_RETURN_IF_ERROR(ExpectArgs(node, 1, 1));
      CMCP_RETURN_IF_ERROR(Coerce(args[0], ValueType::kNumber));
      t.params = args[0].params;
      t.sql = absl::StrCat("abs(", sql_of(0), ")");
      t.type = args[0].type;
    } else if (name == "ROUND") {
      CMCP_RETURN_IF_ERROR(ExpectArgs(node, 2, 2));
      t.sql = absl::StrCat("round(", sql_of(0), ", ", sql_of(1), ")");
      t.type = ValueType::kNumber;
    } else if (name == "ISNULL" || name == "COALESCE") {
      CMCP_RETURN_IF_ERROR(ExpectArgs(node, 2, name == "ISNULL" ? 2 : 32));
      std::vector<std::string> sqls;
      for (const Typed& a : args) sqls.push_back(a.sql);
      t.sql = absl::StrCat("coalesce(", absl::StrJoin(sqls, ", "), ")");
      t.type = args[0].type;
    } else if (name == "YEAR" || name == "MONTH" || name == "DAY") {
      CMCP_RETURN_IF_ERROR(ExpectArgs(node, 1, 1));
      CMCP_RETURN_IF_ERROR(Coerce(args[0], ValueType::kDateTime));
      if (args[0].type != ValueType::kDateTime && args[0].type != ValueType::kUnknown) {
        return Invalid(absl::StrCat("Argument data type ", TypeName(args[0].type),
                                    " is invalid for argument 1 of ", absl::AsciiStrToLower(name),
                                    " function."));
      }
      // Even the format is bound: the generated SQL holds no literals at all.
      t.params = {Value(std::string(name == "YEAR" ? "%Y" : name == "MONTH" ? "%m" : "%d"))};
      t.params.insert(t.params.end(), args[0].params.begin(), args[0].params.end());
      t.sql = absl::StrCat("CAST(strftime(?, ", sql_of(0), ") AS INTEGER)");
      t.type = ValueType::kInteger;
    } else {
      return Invalid(absl::StrCat("'", name,
                                  "' is not a recognized built-in function name (or is outside the "
                                  "Caspio sandbox's T-SQL subset)."));
    }
    return t;
  }

  // DATEADD(part, n, date) and DATEDIFF(part, start, end); `part` is a bare
  // word (day, mm, ...) and is bound as text like any other value.
  absl::StatusOr<Typed> DateFunction(const Node& node) {
    const std::string& name = node.text;
    CMCP_RETURN_IF_ERROR(ExpectArgs(node, 3, 3));
    const Node& part_node = *node.kids[0];
    const std::string part = part_node.kind == Node::Kind::kColumn ? CanonicalDatePart(part_node.text) : "";
    if (part.empty()) {
      return Invalid(absl::StrCat("Invalid parameter 1 specified for ", absl::AsciiStrToLower(name),
                                  ": use a date part such as day, month or year."));
    }
    CMCP_ASSIGN_OR_RETURN(Typed second, ValueOf(*node.kids[1]));
    CMCP_ASSIGN_OR_RETURN(Typed third, ValueOf(*node.kids[2]));
    Typed t = Derived(second, third);
    t.params.emplace_back(part);
    if (name == "DATEADD") {
      CMCP_RETURN_IF_ERROR(Coerce(second, ValueType::kInteger));
      CMCP_RETURN_IF_ERROR(Coerce(third, ValueType::kDateTime));
      if (!IsNumeric(second.type) && second.type != ValueType::kUnknown) {
        return Invalid("Argument data type for parameter 2 of dateadd must be a number.");
      }
      t.sql = absl::StrCat("tsql_dateadd(?, ", second.sql, ", ", third.sql, ")");
      t.type = ValueType::kDateTime;
    } else {
      CMCP_RETURN_IF_ERROR(Coerce(second, ValueType::kDateTime));
      CMCP_RETURN_IF_ERROR(Coerce(third, ValueType::kDateTime));
      t.sql = absl::StrCat("tsql_datediff(?, ", second.sql, ", ", third.sql, ")");
      t.type = ValueType::kInteger;
    }
    Append(t, second);
    Append(t, third);
    t.constant = false;
    return t;
  }

  absl::StatusOr<Typed> Aggregate(const Node& node) {
    const std::string& name = node.text;
    if (clause_ == Clause::kWhere) {
      return Invalid(
          "An aggregate may not appear in the WHERE clause unless it is in a subquery contained in "
          "a HAVING clause or a select list, and the column being aggregated is an outer "
          "reference.");
    }
    if (clause_ == Clause::kGroupBy) {
      return Invalid(
          "Cannot use an aggregate or a subquery in an expression used for the group by list of a "
          "GROUP BY clause.");
    }
    if (inside_aggregate_) {
      return Invalid(
          "Cannot perform an aggregate function on an expression containing an aggregate or a "
          "subquery.");
    }
    Typed t;
    t.aggregate = true;
    if (node.star) {
      if (name != "COUNT" && name != "COUNT_BIG") {
        return Invalid(absl::StrCat("Incorrect syntax near '*' in the call to ", name, "."));
      }
      t.sql = "COUNT(*)";
      t.type = ValueType::kInteger;
      return t;
    }
    if (node.kids.size() != 1) {
      return Invalid(absl::StrCat("The ", name, " function requires 1 argument(s)."));
    }
    inside_aggregate_ = true;
    auto arg_or = ValueOf(*node.kids[0]);
    inside_aggregate_ = false;
    if (!arg_or.ok()) return arg_or.status();
    Typed arg = *std::move(arg_or);
    const std::string distinct = node.distinct ? "DISTINCT " : "";
    const std::string collate = arg.type == ValueType::kText ? kCollate : "";
    if (name == "COUNT" || name == "COUNT_BIG") {
      t.sql = absl::StrCat("COUNT(", distinct, arg.sql, collate, ")");
      t.type = ValueType::kInteger;
    } else if (name == "SUM" || name == "AVG") {
      if (arg.type == ValueType::kText || arg.type == ValueType::kDateTime ||
          arg.type == ValueType::kBoolean) {
        return Invalid(absl::StrCat("Operand data type ", TypeName(arg.type), " is invalid for ",
                                    absl::AsciiStrToLower(name), " operator."));
      }
      if (name == "AVG" && arg.type == ValueType::kInteger) {
        // SQL Server averages integers in integer arithmetic.
        t.sql = absl::StrCat("CAST(AVG(", distinct, arg.sql, ") AS INTEGER)");
      } else {
        t.sql = absl::StrCat(name, "(", distinct, arg.sql, ")");
      }
      t.type = arg.type == ValueType::kUnknown ? ValueType::kNumber : arg.type;
    } else {
      if (arg.type == ValueType::kBoolean) {
        return Invalid(absl::StrCat("Operand data type bit is invalid for ",
                                    absl::AsciiStrToLower(name), " operator."));
      }
      t.sql = absl::StrCat(name, "(", distinct, arg.sql, collate, ")");
      t.type = arg.type;
    }
    Append(t, arg);
    return t;
  }

  const Schema& schema_;
  Clause clause_;
  const std::vector<std::string>& group_keys_;
  bool inside_aggregate_ = false;
};

bool IsBlank(absl::string_view text) { return absl::StripAsciiWhitespace(text).empty(); }

void AppendFragment(Fragment& to, absl::string_view separator, const Typed& t, absl::string_view suffix) {
  if (!to.sql.empty()) absl::StrAppend(&to.sql, separator);
  absl::StrAppend(&to.sql, t.sql, suffix);
  to.params.insert(to.params.end(), t.params.begin(), t.params.end());
}

}  // namespace

absl::StatusOr<Fragment> TranslateWhere(absl::string_view where, const Schema& schema) {
  if (IsBlank(where)) return Invalid("The WHERE clause is empty.");
  CMCP_ASSIGN_OR_RETURN(std::unique_ptr<Node> node, ParseCondition(where));
  const std::vector<std::string> no_groups;
  Translator translator(schema, Clause::kWhere, no_groups);
  CMCP_ASSIGN_OR_RETURN(Typed typed, translator.ConditionOf(*node, "WHERE"));
  return Fragment{std::move(typed.sql), std::move(typed.params)};
}

absl::StatusOr<Query> TranslateQuery(const QueryText& text, const Schema& schema) {
  Query query;
  // GROUP BY first: select and order items are checked against it.
  std::vector<std::string> group_keys;
  if (!IsBlank(text.group_by)) {
    CMCP_ASSIGN_OR_RETURN(auto items, ParseExpressionList(text.group_by));
    const std::vector<std::string> none;
    Translator translator(schema, Clause::kGroupBy, none);
    for (const auto& item : items) {
      CMCP_ASSIGN_OR_RETURN(Typed typed, translator.ValueOf(*item));
      if (typed.constant) {
        return Invalid(
            "Each GROUP BY expression must contain at least one column that is not an outer "
            "reference.");
      }
      group_keys.push_back(typed.key());
      AppendFragment(query.group_by, ", ", typed, typed.type == ValueType::kText ? kCollate : "");
    }
  }
  const bool grouped = !group_keys.empty();

  // SELECT list.
  SelectList list;
  if (IsBlank(text.select)) {
    SelectItem star;
    star.star = true;
    list.items.push_back(std::move(star));
  } else {
    CMCP_ASSIGN_OR_RETURN(list, ParseSelectList(text.select));
  }
  query.distinct = list.distinct;
  struct Output {
    std::string key;
    ValueType type;
    bool aggregate_or_constant;
    std::string ungrouped;
  };
  std::vector<Output> outputs;
  bool has_aggregate = false;
  std::string first_star_column;
  int unnamed = 0;
  Translator select_translator(schema, Clause::kSelect, group_keys);
  for (const SelectItem& item : list.items) {
    if (item.star) {
      for (const Column& column : schema.columns) {
        if (!column.in_star || !column.refusal.empty()) continue;
        const std::string alias = absl::StrCat("c", query.outputs.size());
        if (!query.select.sql.empty()) query.select.sql.append(", ");
        absl::StrAppend(&query.select.sql, column.sql, " AS ", alias);
        query.outputs.push_back({column.name, column.type, column.json_text});
        bool grouped_column = false;
        for (const std::string& g : group_keys) grouped_column = grouped_column || g == column.sql;
        outputs.push_back({column.sql, column.type, false, grouped_column ? "" : column.name});
      }
      continue;
    }
    CMCP_ASSIGN_OR_RETURN(Typed typed, select_translator.ValueOf(*item.expr));
    has_aggregate = has_aggregate || typed.aggregate;
    std::string name = item.alias;
    if (name.empty()) name = typed.column_name;
    if (name.empty()) name = absl::StrCat("Column", ++unnamed);
    const std::string alias = absl::StrCat("c", query.outputs.size());
    if (!query.select.sql.empty()) query.select.sql.append(", ");
    absl::StrAppend(&query.select.sql, typed.sql, " AS ", alias);
    query.select.params.insert(query.select.params.end(), typed.params.begin(), typed.params.end());
    const Column* referenced = typed.column_name.empty() ? nullptr : schema.Find(typed.column_name);
    query.outputs.push_back({name, typed.type, referenced != nullptr && referenced->json_text});
    outputs.push_back({typed.key(), typed.type, typed.aggregate || typed.constant, typed.ungrouped});
  }
  if (query.outputs.empty()) {
    return Invalid("The select list is empty: every field is a password field or none exist.");
  }
  query.aggregated = grouped || has_aggregate;
  if (query.aggregated) {
    for (const Output& output : outputs) {
      if (!output.aggregate_or_constant && !output.ungrouped.empty()) {
        return Invalid(absl::StrCat("Column '", output.ungrouped,
                                    "' is invalid in the select list because it is not contained in "
                                    "either an aggregate function or the GROUP BY clause."));
      }
    }
  }

  // WHERE.
  if (!IsBlank(text.where)) {
    CMCP_ASSIGN_OR_RETURN(query.where, TranslateWhere(text.where, schema));
  }

  // ORDER BY.
  if (!IsBlank(text.order_by)) {
    CMCP_ASSIGN_OR_RETURN(auto items, ParseOrderList(text.order_by));
    Translator translator(schema, Clause::kOrderBy, group_keys);
    int position = 0;
    for (const OrderItem& item : items) {
      ++position;
      const std::string direction = item.descending ? " DESC" : "";
      int output_index = -1;
      const Node& expr = *item.expr;
      if (expr.kind == Node::Kind::kColumn) {
        for (size_t i = 0; i < query.outputs.size(); ++i) {
          if (absl::EqualsIgnoreCase(query.outputs[i].name, expr.text)) {
            output_index = static_cast<int>(i);
            break;
          }
        }
      } else if (expr.kind == Node::Kind::kNumber) {
        int64_t ordinal = 0;
        if (!absl::SimpleAtoi(expr.text, &ordinal) || ordinal < 1 ||
            ordinal > static_cast<int64_t>(query.outputs.size())) {
          return Invalid(absl::StrCat("The ORDER BY position number ", expr.text,
                                      " is out of range of the number of items in the select list."));
        }
        output_index = static_cast<int>(ordinal - 1);
      }
      if (output_index >= 0) {
        const bool text_type = query.outputs[output_index].type == ValueType::kText;
        if (!query.order_by.sql.empty()) query.order_by.sql.append(", ");
        absl::StrAppend(&query.order_by.sql, "c", output_index, text_type ? kCollate : "", direction);
        continue;
      }
      CMCP_ASSIGN_OR_RETURN(Typed typed, translator.ValueOf(expr));
      if (typed.constant) {
        return Invalid(absl::StrCat(
            "A constant expression was encountered in the ORDER BY list, position ", position, "."));
      }
      if (query.distinct) {
        bool found = false;
        for (const Output& output : outputs) found = found || output.key == typed.key();
        if (!found) {
          return Invalid("ORDER BY items must appear in the select list if SELECT DISTINCT is specified.");
        }
      }
      if (query.aggregated && !typed.aggregate && !typed.ungrouped.empty()) {
        return Invalid(absl::StrCat("Column '", typed.ungrouped,
                                    "' is invalid in the ORDER BY clause because it is not contained "
                                    "in either an aggregate function or the GROUP BY clause."));
      }
      if (!query.aggregated && typed.aggregate) {
        return Invalid(
            "An aggregate in the ORDER BY clause needs an aggregated select list or a GROUP BY "
            "clause.");
      }
      AppendFragment(query.order_by, ", ", typed,
                     absl::StrCat(typed.type == ValueType::kText ? kCollate : "", direction));
    }
  } else if (!query.aggregated && !query.distinct) {
    query.order_by.sql = schema.default_order_sql;
  } else if (grouped) {
    query.order_by = query.group_by;
  }
  return query;
}

}  // namespace cmcp::sandbox::tsql
