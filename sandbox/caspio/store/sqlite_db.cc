#include "sandbox/caspio/store/sqlite_db.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace cmcp::sandbox {
namespace {

int CollateCi(void*, int a_len, const void* a, int b_len, const void* b) {
  return tsql::CompareCi(absl::string_view(static_cast<const char*>(a), a_len),
                         absl::string_view(static_cast<const char*>(b), b_len));
}

absl::string_view ArgText(sqlite3_value* v) {
  const unsigned char* text = sqlite3_value_text(v);
  if (text == nullptr) return absl::string_view();
  return absl::string_view(reinterpret_cast<const char*>(text), sqlite3_value_bytes(v));
}

void TsqlLike(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  absl::string_view escape;
  if (argc > 2 && sqlite3_value_type(argv[2]) != SQLITE_NULL) escape = ArgText(argv[2]);
  // ArgText of argv[0] must be taken before argv[1]'s conversion invalidates nothing:
  // each value owns its own text buffer.
  const absl::string_view value = ArgText(argv[0]);
  const absl::string_view pattern = ArgText(argv[1]);
  sqlite3_result_int(ctx, tsql::LikeMatch(value, pattern, escape) ? 1 : 0);
}

void TsqlNow(sqlite3_context* ctx, int, sqlite3_value**) {
  const auto* clock = static_cast<const Clock*>(sqlite3_user_data(ctx));
  const std::string now = IsoUtc(clock != nullptr ? clock->Now() : absl::Now());
  sqlite3_result_text(ctx, now.data(), static_cast<int>(now.size()), SQLITE_TRANSIENT);
}

void TsqlDateAdd(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL || sqlite3_value_type(argv[2]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  auto out = tsql::DateAdd(ArgText(argv[0]), sqlite3_value_int64(argv[1]), ArgText(argv[2]));
  if (!out.ok()) {
    const std::string message(out.status().message());
    sqlite3_result_error(ctx, message.data(), static_cast<int>(message.size()));
    return;
  }
  sqlite3_result_text(ctx, out->data(), static_cast<int>(out->size()), SQLITE_TRANSIENT);
}

void TsqlDateDiff(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL || sqlite3_value_type(argv[2]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  auto out = tsql::DateDiff(ArgText(argv[0]), ArgText(argv[1]), ArgText(argv[2]));
  if (!out.ok()) {
    const std::string message(out.status().message());
    sqlite3_result_error(ctx, message.data(), static_cast<int>(message.size()));
    return;
  }
  sqlite3_result_int64(ctx, *out);
}

}  // namespace

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  const std::string message = absl::StrCat(what, ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return absl::AlreadyExistsError(message);
    }
    return absl::FailedPreconditionError(message);
  }
  return absl::InternalError(message);
}

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, const Clock* clock) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                                     SQLITE_OPEN_URI,
                                 nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = absl::UnavailableError(
        absl::StrCat("cannot open SQLite database \"", path, "\": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<SqliteDb> owned(new SqliteDb(db));
  sqlite3_create_collation(db, "TSQL_CI", SQLITE_UTF8, nullptr, CollateCi);
  sqlite3_create_function(db, "tsql_like", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, TsqlLike,
                          nullptr, nullptr);
  sqlite3_create_function(db, "tsql_now", 0, SQLITE_UTF8, const_cast<Clock*>(clock), TsqlNow, nullptr, nullptr);
  sqlite3_create_function(db, "tsql_dateadd", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, TsqlDateAdd, nullptr,
                          nullptr);
  sqlite3_create_function(db, "tsql_datediff", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, TsqlDateDiff, nullptr,
                          nullptr);
  // Limit what a statement can do even if something unexpected reached SQL.
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 200);
  if (auto s = owned->Exec("PRAGMA foreign_keys=OFF; PRAGMA synchronous=NORMAL; PRAGMA trusted_schema=OFF;");
      !s.ok()) {
    return s;
  }
  if (path != ":memory:") {
    if (auto s = owned->Exec("PRAGMA journal_mode=WAL;"); !s.ok()) return s;
  }
  return owned;
}

SqliteDb::~SqliteDb() {
  ClearCache();
  sqlite3_close_v2(db_);
}

absl::Status SqliteDb::Exec(absl::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteError(db_, rc, "exec");
    sqlite3_free(error);
    return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<SqliteDb::Statement>> SqliteDb::Prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    sqlite3_reset(it->second->stmt_);
    sqlite3_clear_bindings(it->second->stmt_);
    return it->second;
  }
  if (cache_.size() >= kMaxCached) ClearCache();
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
  auto statement = std::make_shared<Statement>(db_, stmt);
  cache_.emplace(sql, statement);
  return statement;
}

void SqliteDb::ClearCache() { cache_.clear(); }

SqliteDb::Statement::~Statement() { sqlite3_finalize(stmt_); }

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int SqliteDb::Changes() const { return sqlite3_changes(db_); }

absl::Status SqliteDb::Statement::Bind(int index, const tsql::Value& value) {
  int rc = SQLITE_OK;
  switch (value.index()) {
    case 0:
      rc = sqlite3_bind_null(stmt_, index);
      break;
    case 1:
      rc = sqlite3_bind_int64(stmt_, index, std::get<int64_t>(value));
      break;
    case 2:
      rc = sqlite3_bind_double(stmt_, index, std::get<double>(value));
      break;
    case 3: {
      const std::string& s = std::get<std::string>(value);
      rc = sqlite3_bind_text64(stmt_, index, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      break;
    }
  }
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
  return absl::OkStatus();
}

absl::Status SqliteDb::Statement::BindBlob(int index, absl::string_view bytes) {
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
  return absl::OkStatus();
}

absl::Status SqliteDb::Statement::BindAll(const std::vector<tsql::Value>& values, int first_index) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (auto s = Bind(first_index + static_cast<int>(i), values[i]); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> SqliteDb::Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  absl::Status status = SqliteError(db_, sqlite3_extended_errcode(db_), "step");
  sqlite3_reset(stmt_);
  return status;
}

absl::Status SqliteDb::Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

int SqliteDb::Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }
int SqliteDb::Statement::ColumnType(int i) const { return sqlite3_column_type(stmt_, i); }
int64_t SqliteDb::Statement::Int64(int i) const { return sqlite3_column_int64(stmt_, i); }
double SqliteDb::Statement::Double(int i) const { return sqlite3_column_double(stmt_, i); }
absl::string_view SqliteDb::Statement::Text(int i) const {
  const unsigned char* text = sqlite3_column_text(stmt_, i);
  if (text == nullptr) return absl::string_view();
  return absl::string_view(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, i));
}
absl::string_view SqliteDb::Statement::Blob(int i) const {
  const void* blob = sqlite3_column_blob(stmt_, i);
  if (blob == nullptr) return absl::string_view();
  return absl::string_view(static_cast<const char*>(blob), sqlite3_column_bytes(stmt_, i));
}
std::string SqliteDb::Statement::ColumnName(int i) const {
  const char* name = sqlite3_column_name(stmt_, i);
  return name ? name : "";
}

}  // namespace cmcp::sandbox
