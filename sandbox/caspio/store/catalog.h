// File: catalog.h
// Table, view and directory-table designs: the SQLite tables behind them,
// their fields, and the tsql::Schema each record endpoint translates client
// SQL against. Designs persist in the ObjectStore (kinds "table", "view");
// lookups are case-insensitive, as in Caspio.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sandbox/caspio/store/field_types.h"
#include "sandbox/caspio/store/object_store.h"
#include "sandbox/caspio/store/sqlite_db.h"
#include "sandbox/caspio/tsql/tsql.h"

namespace cmcp::sandbox {

// Read-only user attributes of directory users (GET only).
inline constexpr const char* kDirectoryAttributes[] = {"_status", "_sign_in_method", "_2fa_status"};

struct TableDef {
  std::string name;
  std::string note;
  // Backs a directory: the SQLite table carries the directory attributes.
  bool directory = false;
  std::vector<FieldDef> fields;
  // Next number per PREFIXED AUTONUMBER field.
  std::map<std::string, int64_t> counters;

  // Derived by the catalog.
  std::string sql_table;           // quoted SQLite table name
  tsql::Schema schema;             // table records (read and write Where)
  tsql::Schema directory_read;     // directory users GET (attributes allowed)
  tsql::Schema directory_write;    // directory users PUT/DELETE Where (attributes refused)

  const FieldDef* FindField(absl::string_view name) const;
};

struct ViewColumn {
  std::string name;       // "Contractors_Name"
  FieldDef field;         // the base table's field
};

struct ViewDef {
  std::string name;
  std::string note;
  std::string table;                 // base table name
  std::string filter;                // T-SQL over the base table's fields; "" = none
  std::vector<std::string> fields;   // base field names; empty = all

  // Derived by the catalog.
  std::vector<ViewColumn> columns;
  tsql::Schema schema;
  tsql::Fragment filter_sql;         // translated filter; empty sql = none

  const ViewColumn* FindColumn(absl::string_view name) const;
};

class Catalog {
 public:
  Catalog(SqliteDb* db, ObjectStore* objects) : db_(db), objects_(objects) {}

  // Reads the stored designs (after a reset or at start with a file db).
  absl::Status Load();

  const TableDef* FindTable(absl::string_view name) const;
  const ViewDef* FindView(absl::string_view name) const;
  std::vector<std::string> TableNames() const;
  // Changes whenever a design changes (for caches of translated queries).
  uint64_t generation() const { return generation_; }
  std::vector<std::string> ViewNames() const;

  absl::Status CreateTable(TableDef table);
  absl::Status CreateView(ViewDef view);
  absl::Status AddField(absl::string_view table, FieldDef field);
  absl::Status UpdateField(absl::string_view table, absl::string_view field, const nlohmann::json& update);
  absl::Status DeleteField(absl::string_view table, absl::string_view field);
  // Persists counters after an insert used them.
  absl::Status SaveCounters(absl::string_view table, const std::map<std::string, int64_t>& counters);

 private:
  absl::Status Persist(const TableDef& table);
  absl::Status Derive(TableDef& table) const;
  absl::Status Derive(ViewDef& view) const;
  absl::Status CreateIndexes(const TableDef& table, const FieldDef& field);
  TableDef* MutableTable(absl::string_view name);

  SqliteDb* db_;
  ObjectStore* objects_;
  std::vector<std::unique_ptr<TableDef>> tables_;
  std::vector<std::unique_ptr<ViewDef>> views_;
  uint64_t generation_ = 1;
};

// "\"name\"" with embedded quotes doubled (names are validated anyway).
std::string QuoteIdentifier(absl::string_view name);

}  // namespace cmcp::sandbox
