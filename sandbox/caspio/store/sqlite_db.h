// File: sqlite_db.h
// A thin owner of one SQLite connection for the sandbox: prepared statements
// cached by SQL text, tsql::Value binding, and the SQL Server semantics the
// T-SQL translator relies on (collation TSQL_CI, function tsql_like). Not
// thread-safe: the sandbox serializes access with its own mutex.
//
//   CMCP_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(":memory:"));
//   CMCP_ASSIGN_OR_RETURN(auto s, db->Prepare("SELECT ?"));
//   CMCP_RETURN_IF_ERROR(s->BindAll({Value(int64_t{1})}));
//   while (*s->Step()) { ... s->Int64(0) ... }
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sandbox/caspio/tsql/tsql.h"
#include "sandbox/caspio/util/clock.h"

struct sqlite3;
struct sqlite3_stmt;

namespace cmcp::sandbox {

class SqliteDb {
 public:
  class Statement {
   public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : stmt_(stmt), db_(db) {}
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    absl::Status Bind(int index, const tsql::Value& value);  // 1-based
    absl::Status BindBlob(int index, absl::string_view bytes);
    absl::Status BindAll(const std::vector<tsql::Value>& values, int first_index = 1);
    // True when a row is available, false when done.
    absl::StatusOr<bool> Step();
    // Steps to completion (for writes).
    absl::Status Run();
    int ColumnCount() const;
    // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL.
    int ColumnType(int i) const;
    int64_t Int64(int i) const;
    double Double(int i) const;
    absl::string_view Text(int i) const;
    absl::string_view Blob(int i) const;
    std::string ColumnName(int i) const;

   private:
    friend class SqliteDb;
    sqlite3_stmt* stmt_;
    sqlite3* db_;
  };

  // `clock` (may be null: real time) answers tsql_now(), i.e. GETDATE().
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path, const Clock* clock = nullptr);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without parameters (schema changes).
  absl::Status Exec(absl::string_view sql);
  // A reset statement, from the cache when the same text was prepared before.
  // Do not hold two handles of the same text at once.
  absl::StatusOr<std::shared_ptr<Statement>> Prepare(const std::string& sql);
  // Drops cached statements (handles still held stay valid).
  void ClearCache();
  int64_t LastInsertRowId() const;
  int Changes() const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  static constexpr size_t kMaxCached = 512;
  sqlite3* db_;
  std::map<std::string, std::shared_ptr<Statement>, std::less<>> cache_;
};

// Maps an SQLite result code to a status: constraint violations are
// ALREADY_EXISTS (unique) or FAILED_PRECONDITION, the rest INTERNAL.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what);

}  // namespace cmcp::sandbox
