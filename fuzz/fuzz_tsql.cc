// Fuzz target: the sandbox's T-SQL subset (sandbox/caspio/tsql/tsql.h).
// Input: up to four lines, the q.select, q.where, q.groupBy and q.orderBy a
// client sends (a missing line is an empty part). Checks:
//  - refusals are INVALID_ARGUMENT or FAILED_PRECONDITION (a client error);
//  - a translation never splices client text into SQL: no quote, semicolon
//    or comment in the SQL, and exactly one '?' per bound parameter;
//  - a translated query is assembled the way record_store.cc does and run on
//    an in-memory SQLite with the sandbox's functions (tsql_like,
//    tsql_dateadd, ...) over a few rows, so those run on fuzzed values too.
//    SQLite refusing the SQL is not a crash (the sandbox answers 400), but
//    with CMCP_FUZZ_TSQL_STRICT=1 it aborts, to hunt translator gaps.
// The helpers behind those SQL functions (LikeMatch, DateAdd, DateDiff,
// NormalizeDateTime, CompareCi) also get the raw lines directly.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "sandbox/caspio/store/sqlite_db.h"
#include "sandbox/caspio/tsql/tsql.h"

namespace {

namespace tsql = cmcp::sandbox::tsql;
using cmcp::sandbox::SqliteDb;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_tsql: %s\n", what.c_str());
  std::abort();
}

tsql::Schema MakeSchema() {
  tsql::Schema schema;
  schema.columns = {
      {"PK_ID", "\"PK_ID\"", tsql::ValueType::kInteger, "", true},
      {"Name", "\"Name\"", tsql::ValueType::kText, "", true},
      {"Category", "\"Category\"", tsql::ValueType::kText, "", true},
      {"Quantity", "\"Quantity\"", tsql::ValueType::kInteger, "", true},
      {"Price", "\"Price\"", tsql::ValueType::kNumber, "", true},
      {"InStock", "\"InStock\"", tsql::ValueType::kBoolean, "", true},
      {"Updated_At", "\"Updated_At\"", tsql::ValueType::kDateTime, "", true},
      {"Tags", "\"Tags\"", tsql::ValueType::kText, "", true, /*json_text=*/true},
      {"Secret", "\"Secret\"", tsql::ValueType::kText, "Password field 'Secret' cannot be used.", false},
  };
  schema.default_order_sql = "\"PK_ID\"";
  return schema;
}

SqliteDb& Db() {
  static SqliteDb* db = [] {
    auto opened = SqliteDb::Open(":memory:");
    if (!opened.ok()) Fail("cannot open SQLite");
    SqliteDb* d = opened->release();
    const absl::Status s = d->Exec(
        "CREATE TABLE t(\"PK_ID\" INTEGER PRIMARY KEY, \"Name\" TEXT, \"Category\" TEXT, \"Quantity\" INTEGER, "
        "\"Price\" REAL, \"InStock\" INTEGER, \"Updated_At\" TEXT, \"Tags\" TEXT, \"Secret\" TEXT);"
        "INSERT INTO t VALUES (1, 'Widget', 'tools', 10, 2.5, 1, '2024-01-31T10:00:00', '[\"a\"]', 'x');"
        "INSERT INTO t VALUES (2, 'O''Brien  ', 'Tools', -3, -0.0, 0, '2000-02-29T23:59:59', '[]', NULL);"
        "INSERT INTO t VALUES (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);"
        "INSERT INTO t VALUES (4, '%_[]^', '', 9223372036854775807, 1e308, 1, '9999-12-31T23:59:59', 'null', '');");
    if (!s.ok()) Fail(absl::StrCat("cannot seed SQLite: ", s.ToString()));
    return d;
  }();
  return *db;
}

void CheckFragment(const tsql::Fragment& f, absl::string_view part, absl::string_view input) {
  if (absl::StrContains(f.sql, '\'') || absl::StrContains(f.sql, ';') || absl::StrContains(f.sql, "--") ||
      absl::StrContains(f.sql, "/*")) {
    Fail(absl::StrCat("client text reached the SQL of ", part, ": [", f.sql, "] from [", input, "]"));
  }
  if (static_cast<size_t>(std::count(f.sql.begin(), f.sql.end(), '?')) != f.params.size()) {
    Fail(absl::StrCat("placeholders and parameters differ in ", part, ": [", f.sql, "] from [", input, "]"));
  }
}

void RunOnSqlite(const tsql::Query& q, absl::string_view input) {
  // Assembled like RecordStore::List.
  std::string sql = absl::StrCat("SELECT ", q.distinct ? "DISTINCT " : "", q.select.sql, " FROM t");
  std::vector<tsql::Value> params = q.select.params;
  auto append = [&](absl::string_view keyword, const tsql::Fragment& f) {
    if (f.sql.empty()) return;
    absl::StrAppend(&sql, keyword, f.sql);
    params.insert(params.end(), f.params.begin(), f.params.end());
  };
  append(" WHERE ", q.where);
  append(" GROUP BY ", q.group_by);
  append(" ORDER BY ", q.order_by);
  absl::StrAppend(&sql, " LIMIT 10");
  SqliteDb& db = Db();
  auto statement = db.Prepare(sql);
  const bool strict = std::getenv("CMCP_FUZZ_TSQL_STRICT") != nullptr;
  if (!statement.ok()) {
    if (strict) Fail(absl::StrCat("SQLite refused [", sql, "]: ", statement.status().ToString(), " from [", input, "]"));
    db.ClearCache();
    return;
  }
  if (!(*statement)->BindAll(params).ok()) Fail(absl::StrCat("cannot bind the parameters of [", sql, "]"));
  if ((*statement)->ColumnCount() != static_cast<int>(q.outputs.size())) {
    Fail(absl::StrCat("outputs and result columns differ for [", sql, "] from [", input, "]"));
  }
  for (int rows = 0; rows < 10; ++rows) {
    auto step = (*statement)->Step();
    if (!step.ok()) {
      if (strict) Fail(absl::StrCat("SQLite failed [", sql, "]: ", step.status().ToString(), " from [", input, "]"));
      break;
    }
    if (!*step) break;
    for (int i = 0; i < (*statement)->ColumnCount(); ++i) (void)(*statement)->Text(i);
  }
  // The cache keys on SQL text; fuzzed queries would only fill it.
  db.ClearCache();
}

void Helpers(const std::vector<absl::string_view>& lines) {
  const absl::string_view a = lines.size() > 0 ? lines[0] : "";
  const absl::string_view b = lines.size() > 1 ? lines[1] : "";
  const absl::string_view c = lines.size() > 2 ? lines[2] : "";
  (void)tsql::LikeMatch(a, b, c.substr(0, 1));
  const int ab = tsql::CompareCi(a, b);
  const int ba = tsql::CompareCi(b, a);
  if ((ab < 0) != (ba > 0) || (ab == 0) != (ba == 0)) Fail("CompareCi is not antisymmetric");
  if (auto date = tsql::NormalizeDateTime(a); date.ok()) {
    auto again = tsql::NormalizeDateTime(*date);
    if (!again.ok() || *again != *date) Fail(absl::StrCat("NormalizeDateTime is not idempotent on [", a, "]"));
    const std::string part = tsql::CanonicalDatePart(b);
    if (!part.empty()) {
      int64_t n = 0;
      for (char ch : c.substr(0, 12)) n = n * 7 + static_cast<unsigned char>(ch) - 64;
      (void)tsql::DateAdd(part, n, *date);
      (void)tsql::DateDiff(part, *date, "2024-02-29T12:00:00");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // Caspio caps whole URIs far below this
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<absl::string_view> lines = absl::StrSplit(input, '\n');
  static const tsql::Schema schema = MakeSchema();
  tsql::QueryText text;
  if (lines.size() > 0) text.select = std::string(lines[0]);
  if (lines.size() > 1) text.where = std::string(lines[1]);
  if (lines.size() > 2) text.group_by = std::string(lines[2]);
  if (lines.size() > 3) text.order_by = std::string(lines[3]);

  auto query = tsql::TranslateQuery(text, schema);
  if (!query.ok()) {
    const absl::StatusCode code = query.status().code();
    if (code != absl::StatusCode::kInvalidArgument && code != absl::StatusCode::kFailedPrecondition) {
      Fail(absl::StrCat("unexpected status ", query.status().ToString(), " from [", input, "]"));
    }
  } else {
    CheckFragment(query->select, "select", input);
    CheckFragment(query->where, "where", input);
    CheckFragment(query->group_by, "group_by", input);
    CheckFragment(query->order_by, "order_by", input);
    RunOnSqlite(*query, input);
  }
  // The where line alone, as TranslateWhere sees a Where of update/delete.
  if (!text.where.empty()) {
    auto where = tsql::TranslateWhere(text.where, schema);
    if (where.ok()) CheckFragment(*where, "TranslateWhere", input);
  }
  Helpers(lines);
  return 0;
}
