// File: record_store.h
// Records of tables, views and directories: list with q.select / q.where /
// q.groupBy / q.orderBy and both paging models, insert, update and delete by a
// Where clause, password fields. Client SQL goes through tsql (bound
// parameters only); values are checked against the field types; rows come
// back as JSON text in field order.
//
//   CMCP_ASSIGN_OR_RETURN(RecordSource src, RecordSource::Table(catalog, "Inventory"));
//   CMCP_ASSIGN_OR_RETURN(ListResult r, records.List(src, options));
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "sandbox/caspio/store/catalog.h"
#include "sandbox/caspio/store/sqlite_db.h"
#include "sandbox/caspio/util/clock.h"

namespace cmcp::sandbox {

// What a record endpoint works on.
class RecordSource {
 public:
  static absl::StatusOr<RecordSource> Table(const Catalog& catalog, absl::string_view name);
  static absl::StatusOr<RecordSource> View(const Catalog& catalog, absl::string_view name);
  // The users of a directory backed by `table`.
  static RecordSource Directory(const TableDef* table);

  const TableDef& base() const { return *base_; }
  const ViewDef* view() const { return view_; }
  bool directory() const { return directory_; }
  const tsql::Schema& read_schema() const;
  const tsql::Schema& write_schema() const;
  // The view's own filter (empty for tables).
  const tsql::Fragment& filter() const;
  // Resolves a body key to a base field; nullptr when unknown.
  const FieldDef* ResolveField(absl::string_view key) const;

 private:
  const TableDef* base_ = nullptr;
  const ViewDef* view_ = nullptr;
  bool directory_ = false;
};

struct ListOptions {
  tsql::QueryText query;
  std::optional<int64_t> limit;
  std::optional<int64_t> page_number;
  std::optional<int64_t> page_size;
  bool pagination_info = false;
};

struct Pagination {
  int64_t total_count = 0;
  int64_t page_number = 1;
  int64_t page_size = 0;
};

struct ListResult {
  std::string rows_json;  // a JSON array
  int64_t row_count = 0;
  std::optional<Pagination> pagination;
};

class RecordStore {
 public:
  RecordStore(SqliteDb* db, Catalog* catalog, const Clock* clock) : db_(db), catalog_(catalog), clock_(clock) {}

  absl::StatusOr<ListResult> List(const RecordSource& source, const ListOptions& options);

  // Inserts one record; returns its PK_ID. `trusted` (the seed) may also set
  // generated fields and directory attributes.
  absl::StatusOr<int64_t> Insert(const RecordSource& source, const nlohmann::json& body, bool trusted = false);
  // Updates every record the Where clause matches; returns their PK_IDs.
  absl::StatusOr<std::vector<int64_t>> Update(const RecordSource& source, absl::string_view where,
                                              const nlohmann::json& body);
  // Deletes every match; returns the PK_IDs deleted.
  absl::StatusOr<std::vector<int64_t>> Delete(const RecordSource& source, absl::string_view where);
  // PK_IDs the clause matches (empty clause: all).
  absl::StatusOr<std::vector<int64_t>> Match(const RecordSource& source, absl::string_view where,
                                             bool for_write);
  // PK_IDs of records whose `field` equals `value` (bound, case-insensitive).
  absl::StatusOr<std::vector<int64_t>> FindByValue(const RecordSource& source, const FieldDef& field,
                                                   absl::string_view value);
  // A directory user's attribute value ("_status", ...); "" when NULL.
  absl::StatusOr<std::string> DirectoryAttribute(const RecordSource& source, int64_t pk_id,
                                                 absl::string_view attribute);
  absl::Status SetDirectoryAttribute(const RecordSource& source, int64_t pk_id, absl::string_view attribute,
                                     absl::string_view value);
  // Whether the record exists (and is inside the view's filter).
  absl::StatusOr<bool> Exists(const RecordSource& source, int64_t pk_id);
  // The full rows (select *) of these records, as a JSON array.
  absl::StatusOr<std::string> RowsJson(const RecordSource& source, const std::vector<int64_t>& pk_ids);

  // PUT/DELETE passwordFields: sets (or, with nullopt, resets) a password.
  absl::StatusOr<int64_t> SetPassword(const RecordSource& source, absl::string_view field,
                                      absl::string_view where, std::optional<std::string> value);

  // Stores the display value of an attachment field (the file name or NULL).
  absl::Status SetAttachmentValue(const RecordSource& source, const FieldDef& field, int64_t pk_id,
                                  std::optional<std::string> file_name);

 private:
  absl::StatusOr<tsql::Fragment> Condition(const RecordSource& source, absl::string_view where, bool for_write);
  absl::Status RenderRows(SqliteDb::Statement& s, const std::vector<tsql::OutputColumn>& outputs,
                          std::string* out, int64_t* count);
  // TranslateQuery with a small cache: clients repeat the same queries.
  absl::StatusOr<std::shared_ptr<const tsql::Query>> Translate(const tsql::QueryText& text,
                                                               const tsql::Schema& schema);

  SqliteDb* db_;
  Catalog* catalog_;
  const Clock* clock_;
  uint64_t cache_generation_ = 0;
  std::unordered_map<std::string, std::shared_ptr<const tsql::Query>> query_cache_;
};

}  // namespace cmcp::sandbox
