// File: tsql.h
// Translates the T-SQL fragments Caspio clients send (q.where, q.select,
// q.groupBy, q.orderBy) into SQLite SQL with every literal bound as a
// parameter: no client text is ever spliced into the output. Column names are
// resolved against a Schema whose SQL spellings come from the trusted catalog.
// Anything outside the supported subset is INVALID_ARGUMENT with a message in
// SQL Server's words, which the sandbox returns as 400 SqlServerError; naming
// a column the context refuses (Column::refusal) is FAILED_PRECONDITION.
//
//   CMCP_ASSIGN_OR_RETURN(tsql::Fragment where, tsql::TranslateWhere("Price > 5", schema));
//   // where.sql == "(\"Price\" > ?)", where.params == {5}
//
// Pure functions of their arguments, so a fuzzer can drive them directly.
// The SQL uses functions the database must register (see sqlite_db.h):
// the collation TSQL_CI, tsql_like(value, pattern, escape), tsql_now(),
// tsql_dateadd(part, n, date) and tsql_datediff(part, start, end), all
// implemented by the helpers at the end of this header.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cmcp::sandbox::tsql {

// How a value compares and how it is written back as JSON.
enum class ValueType { kUnknown, kInteger, kNumber, kText, kBoolean, kDateTime };

struct Column {
  // The name clients use; matched case-insensitively.
  std::string name;
  // Trusted SQL for the column (a quoted identifier or a cast of one).
  std::string sql;
  ValueType type = ValueType::kText;
  // Non-empty: naming the column in this context fails with this message
  // (password fields, directory attributes in update/delete Where).
  std::string refusal;
  // Included when the select list is "*" or empty.
  bool in_star = true;
  // Stored text is JSON to be written out as is (LIST-* fields).
  bool json_text = false;
};

struct Schema {
  std::vector<Column> columns;
  // ORDER BY used when the client gives none and the query is not aggregated,
  // e.g. "\"PK_ID\"". Empty: no default order.
  std::string default_order_sql;

  const Column* Find(absl::string_view name) const;
};

// A bound parameter: NULL, integer, real or text.
using Value = std::variant<std::monostate, int64_t, double, std::string>;

struct Fragment {
  std::string sql;
  std::vector<Value> params;
};

struct OutputColumn {
  std::string name;
  ValueType type = ValueType::kUnknown;
  // A bare reference to a json_text column.
  bool json_text = false;
};

struct QueryText {
  std::string select;
  std::string where;
  std::string group_by;
  std::string order_by;
};

// A translated SELECT. The caller assembles
//   SELECT [DISTINCT] <select> FROM t [WHERE <where>] [GROUP BY <group_by>] [ORDER BY <order_by>]
// and binds select, where, group_by and order_by params in that order.
// Output columns are aliased c0, c1, ... in `select.sql`; `outputs` names them.
struct Query {
  bool distinct = false;
  Fragment select;
  std::vector<OutputColumn> outputs;
  Fragment where;      // empty sql: no filter
  Fragment group_by;   // empty sql: no grouping
  Fragment order_by;   // empty sql: no order
  bool aggregated = false;
};

// A boolean condition (q.where, Where). Empty or blank text is an error;
// callers decide whether a missing clause is allowed before calling.
absl::StatusOr<Fragment> TranslateWhere(absl::string_view where, const Schema& schema);

// A full query. Blank parts are omitted ("" select means "*").
absl::StatusOr<Query> TranslateQuery(const QueryText& text, const Schema& schema);

// Parses a date literal the way SQL Server converts strings to datetime
// ("2024-01-31", "2024-01-31T10:00:00", "2024-01-31 10:00", "01/31/2024",
// optional fractional seconds) into the canonical "YYYY-MM-DDTHH:MM:SS".
absl::StatusOr<std::string> NormalizeDateTime(absl::string_view text);

// SQL Server LIKE semantics: % _ [abc] [a-z] [^x], case-insensitive for ASCII,
// trailing spaces of the value ignored, optional escape character.
bool LikeMatch(absl::string_view value, absl::string_view pattern, absl::string_view escape);

// Case-insensitive (ASCII) comparison that ignores trailing spaces, like SQL
// Server's default collation. Returns <0, 0, >0.
int CompareCi(absl::string_view a, absl::string_view b);

// DATEADD / DATEDIFF date parts: year yy yyyy quarter qq q month mm m
// dayofyear dy y day dd d week wk ww hour hh minute mi n second ss s.
// Returns the canonical part name ("day") or "" when unknown.
std::string CanonicalDatePart(absl::string_view part);
// DATEADD(part, n, date) on canonical "YYYY-MM-DDTHH:MM:SS" text.
absl::StatusOr<std::string> DateAdd(absl::string_view part, int64_t n, absl::string_view date);
// DATEDIFF(part, start, end): the number of part boundaries crossed.
absl::StatusOr<int64_t> DateDiff(absl::string_view part, absl::string_view start, absl::string_view end);

}  // namespace cmcp::sandbox::tsql
