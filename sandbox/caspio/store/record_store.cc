#include "sandbox/caspio/store/record_store.h"

#include <sqlite3.h>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/crypto/crypto.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/util/caspio_status.h"
#include "sandbox/caspio/util/json_text.h"

namespace cmcp::sandbox {
namespace {

using json = nlohmann::json;

// A savepoint rolled back unless committed.
class Savepoint {
 public:
  explicit Savepoint(SqliteDb* db) : db_(db) { ok_ = db_->Exec("SAVEPOINT records").ok(); }
  ~Savepoint() {
    if (ok_ && !committed_) {
      (void)db_->Exec("ROLLBACK TO records");
      (void)db_->Exec("RELEASE records");
    }
  }
  absl::Status Commit() {
    committed_ = true;
    return db_->Exec("RELEASE records");
  }

 private:
  SqliteDb* db_;
  bool ok_ = false;
  bool committed_ = false;
};

void AppendParams(std::vector<tsql::Value>& to, const std::vector<tsql::Value>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

bool IsDirectoryAttribute(absl::string_view key) {
  for (const char* attribute : kDirectoryAttributes) {
    if (absl::EqualsIgnoreCase(key, attribute)) return true;
  }
  return false;
}

std::string ObjectLabel(const RecordSource& source) {
  if (source.view() != nullptr) return absl::StrCat("view '", source.view()->name, "'");
  if (source.directory()) return absl::StrCat("directory '", source.base().name, "'");
  return absl::StrCat("table '", source.base().name, "'");
}

// SQL Server's words for a unique index violation.
absl::Status DuplicateKey(const TableDef& table, const absl::Status& status) {
  std::string field;
  const absl::string_view message = status.message();
  const size_t dot = message.rfind('.');
  if (dot != absl::string_view::npos) field = std::string(message.substr(dot + 1));
  return SqlServerError(absl::StrCat("Cannot insert duplicate key row in object 'dbo.", table.name,
                                     "' with unique index 'IX_", table.name, "_", field,
                                     "'. The value of field '", field, "' must be unique."));
}

std::string RandomId(const FieldDef& field) {
  const std::string format = field.format.empty() ? "0U" : field.format;
  std::string alphabet;
  if (absl::StrContains(format, "0")) alphabet += "0123456789";
  if (absl::StrContains(format, "U")) alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  if (alphabet.empty()) alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const int length = field.length.value_or(12);
  const std::string bytes = RandomBytes(static_cast<size_t>(length));
  std::string id;
  for (unsigned char b : bytes) id.push_back(alphabet[b % alphabet.size()]);
  return id;
}

// A translation failure as Caspio reports it: refused columns are a bad
// parameter, everything else the database's own complaint.
absl::Status ClientSqlError(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kFailedPrecondition) return IncorrectQueryParameter(status.message());
  return SqlServerError(status.message());
}

absl::Status SqlFailure(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kFailedPrecondition) {
    return SqlServerError(status.message());
  }
  return status;
}

}  // namespace

absl::StatusOr<RecordSource> RecordSource::Table(const Catalog& catalog, absl::string_view name) {
  const TableDef* table = catalog.FindTable(name);
  if (table == nullptr) return ObjectNotFound(absl::StrCat("Table '", name, "' was not found."));
  RecordSource source;
  source.base_ = table;
  return source;
}

absl::StatusOr<RecordSource> RecordSource::View(const Catalog& catalog, absl::string_view name) {
  const ViewDef* view = catalog.FindView(name);
  if (view == nullptr) return ObjectNotFound(absl::StrCat("View '", name, "' was not found."));
  const TableDef* table = catalog.FindTable(view->table);
  if (table == nullptr) return ObjectNotFound(absl::StrCat("Table '", view->table, "' was not found."));
  RecordSource source;
  source.base_ = table;
  source.view_ = view;
  return source;
}

RecordSource RecordSource::Directory(const TableDef* table) {
  RecordSource source;
  source.base_ = table;
  source.directory_ = true;
  return source;
}

const tsql::Schema& RecordSource::read_schema() const {
  if (view_ != nullptr) return view_->schema;
  if (directory_) return base_->directory_read;
  return base_->schema;
}

const tsql::Schema& RecordSource::write_schema() const {
  if (view_ != nullptr) return view_->schema;
  if (directory_) return base_->directory_write;
  return base_->schema;
}

const tsql::Fragment& RecordSource::filter() const {
  static const tsql::Fragment* const kNone = new tsql::Fragment();
  return view_ != nullptr ? view_->filter_sql : *kNone;
}

const FieldDef* RecordSource::ResolveField(absl::string_view key) const {
  if (view_ != nullptr) {
    const ViewColumn* column = view_->FindColumn(key);
    return column == nullptr ? nullptr : base_->FindField(column->field.name);
  }
  return base_->FindField(key);
}

absl::StatusOr<tsql::Fragment> RecordStore::Condition(const RecordSource& source, absl::string_view where,
                                                      bool for_write) {
  tsql::Fragment out = source.filter();
  if (absl::StripAsciiWhitespace(where).empty()) return out;
  auto translated = tsql::TranslateWhere(where, for_write ? source.write_schema() : source.read_schema());
  if (!translated.ok()) return ClientSqlError(translated.status());
  if (out.sql.empty()) return *std::move(translated);
  out.sql = absl::StrCat("(", out.sql, ") AND (", translated->sql, ")");
  AppendParams(out.params, translated->params);
  return out;
}

absl::Status RecordStore::RenderRows(SqliteDb::Statement& s, const std::vector<tsql::OutputColumn>& outputs,
                                     std::string* out, int64_t* count) {
  // Keys once per query; a repeated output name keeps its first value.
  std::vector<std::string> keys(outputs.size());
  std::set<std::string> seen;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!seen.insert(absl::AsciiStrToLower(outputs[i].name)).second) continue;
    AppendJsonString(&keys[i], outputs[i].name);
    keys[i].push_back(':');
  }
  out->push_back('[');
  *count = 0;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return SqlFailure(row.status());
    if (!*row) break;
    if (*count > 0) out->push_back(',');
    ++*count;
    out->push_back('{');
    bool first = true;
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (keys[i].empty()) continue;
      if (!first) out->push_back(',');
      first = false;
      out->append(keys[i]);
      const int col = static_cast<int>(i);
      switch (s.ColumnType(col)) {
        case SQLITE_NULL:
          out->append("null");
          break;
        case SQLITE_INTEGER:
          if (outputs[i].type == tsql::ValueType::kBoolean) {
            out->append(s.Int64(col) != 0 ? "true" : "false");
          } else if (outputs[i].type == tsql::ValueType::kText) {
            AppendJsonString(out, absl::StrCat(s.Int64(col)));
          } else {
            absl::StrAppend(out, s.Int64(col));
          }
          break;
        case SQLITE_FLOAT:
          AppendJsonNumber(out, s.Double(col));
          break;
        default: {
          const absl::string_view text = s.Text(col);
          if (outputs[i].json_text) {
            json parsed = json::parse(text, nullptr, false);
            if (!parsed.is_discarded()) {
              out->append(parsed.dump());
              break;
            }
          }
          AppendJsonString(out, text);
        }
      }
    }
    out->push_back('}');
  }
  out->push_back(']');
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const tsql::Query>> RecordStore::Translate(const tsql::QueryText& text,
                                                                          const tsql::Schema& schema) {
  constexpr size_t kMaxCached = 1024;
  if (cache_generation_ != catalog_->generation() || query_cache_.size() >= kMaxCached) {
    query_cache_.clear();
    cache_generation_ = catalog_->generation();
  }
  std::string key = absl::StrCat(reinterpret_cast<uintptr_t>(&schema), "\x1f", text.select, "\x1f", text.where,
                                 "\x1f", text.group_by, "\x1f", text.order_by);
  if (auto it = query_cache_.find(key); it != query_cache_.end()) return it->second;
  auto query = tsql::TranslateQuery(text, schema);
  if (!query.ok()) return ClientSqlError(query.status());
  auto shared = std::make_shared<const tsql::Query>(*std::move(query));
  query_cache_.emplace(std::move(key), shared);
  return shared;
}

absl::StatusOr<ListResult> RecordStore::List(const RecordSource& source, const ListOptions& o) {
  int64_t limit = 0, offset = 0, page_number = 1, page_size = 0;
  if (o.page_number.has_value() || o.page_size.has_value()) {
    page_size = o.page_size.value_or(25);
    page_number = o.page_number.value_or(1);
    if (page_size < 5 || page_size > 1000) {
      return IncorrectQueryParameter("q.pageSize must be between 5 and 1000.");
    }
    if (page_number < 1 || page_number > 100000000) {
      return IncorrectQueryParameter("q.pageNumber must be 1 or greater.");
    }
    limit = page_size;
    offset = (page_number - 1) * page_size;
  } else {
    limit = o.limit.value_or(100);
    if (limit < 1 || limit > 1000) return IncorrectQueryParameter("q.limit must be between 1 and 1000.");
    page_size = limit;
  }
  CMCP_ASSIGN_OR_RETURN(std::shared_ptr<const tsql::Query> query, Translate(o.query, source.read_schema()));
  tsql::Fragment where = source.filter();
  if (!query->where.sql.empty()) {
    where.sql = where.sql.empty() ? query->where.sql : absl::StrCat("(", where.sql, ") AND (", query->where.sql, ")");
    AppendParams(where.params, query->where.params);
  }
  std::string core = absl::StrCat("SELECT ", query->distinct ? "DISTINCT " : "", query->select.sql, " FROM ",
                                  source.base().sql_table);
  std::vector<tsql::Value> core_params = query->select.params;
  if (!where.sql.empty()) {
    absl::StrAppend(&core, " WHERE ", where.sql);
    AppendParams(core_params, where.params);
  }
  if (!query->group_by.sql.empty()) {
    absl::StrAppend(&core, " GROUP BY ", query->group_by.sql);
    AppendParams(core_params, query->group_by.params);
  }
  std::string sql = core;
  std::vector<tsql::Value> params = core_params;
  if (!query->order_by.sql.empty()) {
    absl::StrAppend(&sql, " ORDER BY ", query->order_by.sql);
    AppendParams(params, query->order_by.params);
  }
  absl::StrAppend(&sql, " LIMIT ? OFFSET ?");
  params.emplace_back(limit);
  params.emplace_back(offset);

  ListResult result;
  {
    auto s = db_->Prepare(sql);
    if (!s.ok()) return SqlFailure(s.status());
    CMCP_RETURN_IF_ERROR((*s)->BindAll(params));
    result.rows_json.reserve(256);
    CMCP_RETURN_IF_ERROR(RenderRows(**s, query->outputs, &result.rows_json, &result.row_count));
  }
  if (o.pagination_info) {
    auto s = db_->Prepare(absl::StrCat("SELECT COUNT(*) FROM (", core, ")"));
    if (!s.ok()) return SqlFailure(s.status());
    CMCP_RETURN_IF_ERROR((*s)->BindAll(core_params));
    auto row = (*s)->Step();
    if (!row.ok()) return SqlFailure(row.status());
    result.pagination = Pagination{*row ? (*s)->Int64(0) : 0, page_number, page_size};
  }
  return result;
}

absl::StatusOr<std::vector<int64_t>> RecordStore::Match(const RecordSource& source, absl::string_view where,
                                                        bool for_write) {
  CMCP_ASSIGN_OR_RETURN(tsql::Fragment cond, Condition(source, where, for_write));
  std::string sql = absl::StrCat("SELECT \"PK_ID\" FROM ", source.base().sql_table);
  if (!cond.sql.empty()) absl::StrAppend(&sql, " WHERE ", cond.sql);
  absl::StrAppend(&sql, " ORDER BY \"PK_ID\"");
  auto s = db_->Prepare(sql);
  if (!s.ok()) return SqlFailure(s.status());
  CMCP_RETURN_IF_ERROR((*s)->BindAll(cond.params));
  std::vector<int64_t> pks;
  while (true) {
    auto row = (*s)->Step();
    if (!row.ok()) return SqlFailure(row.status());
    if (!*row) break;
    pks.push_back((*s)->Int64(0));
  }
  return pks;
}

absl::StatusOr<std::vector<int64_t>> RecordStore::FindByValue(const RecordSource& source, const FieldDef& field,
                                                              absl::string_view value) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(absl::StrCat("SELECT \"PK_ID\" FROM ", source.base().sql_table, " WHERE ",
                                                          QuoteIdentifier(field.name),
                                                          " = ? COLLATE TSQL_CI ORDER BY \"PK_ID\"")));
  CMCP_RETURN_IF_ERROR(s->Bind(1, std::string(value)));
  std::vector<int64_t> pks;
  while (true) {
    CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    pks.push_back(s->Int64(0));
  }
  return pks;
}

absl::StatusOr<std::string> RecordStore::DirectoryAttribute(const RecordSource& source, int64_t pk_id,
                                                            absl::string_view attribute) {
  if (!source.directory() || !IsDirectoryAttribute(attribute)) return absl::InvalidArgumentError("not a directory");
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(absl::StrCat("SELECT ", QuoteIdentifier(absl::AsciiStrToLower(attribute)),
                                                          " FROM ", source.base().sql_table, " WHERE \"PK_ID\" = ?")));
  CMCP_RETURN_IF_ERROR(s->Bind(1, tsql::Value(pk_id)));
  CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
  return row ? std::string(s->Text(0)) : std::string();
}

absl::Status RecordStore::SetDirectoryAttribute(const RecordSource& source, int64_t pk_id,
                                                absl::string_view attribute, absl::string_view value) {
  if (!source.directory() || !IsDirectoryAttribute(attribute)) return absl::InvalidArgumentError("not a directory");
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(absl::StrCat("UPDATE ", source.base().sql_table, " SET ",
                                                          QuoteIdentifier(absl::AsciiStrToLower(attribute)),
                                                          " = ? WHERE \"PK_ID\" = ?")));
  CMCP_RETURN_IF_ERROR(s->BindAll({std::string(value), tsql::Value(pk_id)}));
  return s->Run();
}

absl::StatusOr<bool> RecordStore::Exists(const RecordSource& source, int64_t pk_id) {
  std::string sql = absl::StrCat("SELECT 1 FROM ", source.base().sql_table, " WHERE \"PK_ID\" = ?");
  std::vector<tsql::Value> params = {tsql::Value(pk_id)};
  if (!source.filter().sql.empty()) {
    absl::StrAppend(&sql, " AND (", source.filter().sql, ")");
    AppendParams(params, source.filter().params);
  }
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(sql));
  CMCP_RETURN_IF_ERROR(s->BindAll(params));
  return s->Step();
}

absl::StatusOr<std::string> RecordStore::RowsJson(const RecordSource& source, const std::vector<int64_t>& pk_ids) {
  if (pk_ids.empty()) return std::string("[]");
  auto query = tsql::TranslateQuery({}, source.read_schema());
  if (!query.ok()) return query.status();
  std::vector<std::string> marks(pk_ids.size(), "?");
  std::string sql = absl::StrCat("SELECT ", query->select.sql, " FROM ", source.base().sql_table,
                                 " WHERE \"PK_ID\" IN (", absl::StrJoin(marks, ","), ")");
  std::vector<tsql::Value> params;
  for (int64_t pk : pk_ids) params.emplace_back(pk);
  if (!source.filter().sql.empty()) {
    absl::StrAppend(&sql, " AND (", source.filter().sql, ")");
    AppendParams(params, source.filter().params);
  }
  absl::StrAppend(&sql, " ORDER BY \"PK_ID\"");
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(sql));
  CMCP_RETURN_IF_ERROR(s->BindAll(params));
  std::string out;
  int64_t count = 0;
  CMCP_RETURN_IF_ERROR(RenderRows(*s, query->outputs, &out, &count));
  return out;
}

absl::StatusOr<int64_t> RecordStore::Insert(const RecordSource& source, const json& body, bool trusted) {
  if (!body.is_object()) {
    return IncorrectBodyParameter("The request body must be a JSON object of field names and values.");
  }
  const TableDef& table = source.base();
  std::vector<std::string> columns;
  std::vector<tsql::Value> values;
  std::set<std::string> seen;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& key = it.key();
    if (absl::EqualsIgnoreCase(key, "PK_ID")) {
      return IncorrectBodyParameter("PK_ID is maintained by Caspio and cannot be written.");
    }
    if (source.directory() && IsDirectoryAttribute(key)) {
      if (!trusted) {
        return IncorrectBodyParameter(absl::StrCat("The user attribute '", key, "' is read-only."));
      }
      columns.push_back(QuoteIdentifier(absl::AsciiStrToLower(key)));
      values.emplace_back(it->is_string() ? it->get<std::string>() : it->dump());
      seen.insert(absl::AsciiStrToLower(key));
      continue;
    }
    const FieldDef* field = source.ResolveField(key);
    if (field == nullptr) {
      return FieldNotFound(absl::StrCat("Field '", key, "' was not found in ", ObjectLabel(source), "."));
    }
    if (!trusted && (IsGenerated(field->type) || field->type == FieldType::kAttachment)) {
      return IncorrectBodyParameter(absl::StrCat("Field '", key, "' (", FieldTypeName(field->type),
                                                 ") is maintained by Caspio and cannot be written."));
    }
    if (!seen.insert(absl::AsciiStrToLower(field->name)).second) {
      return IncorrectBodyParameter(absl::StrCat("Field '", field->name, "' is given more than once."));
    }
    if (field->type == FieldType::kAttachment) continue;  // seed attachments arrive separately
    FieldDef as_text = *field;
    if (trusted && IsGenerated(field->type) && field->type != FieldType::kTimestamp &&
        field->type != FieldType::kAutonumber) {
      as_text.type = FieldType::kString;
    }
    CMCP_ASSIGN_OR_RETURN(tsql::Value value, ToStorage(as_text, *it));
    columns.push_back(QuoteIdentifier(field->name));
    values.push_back(std::move(value));
  }
  std::map<std::string, int64_t> counters = table.counters;
  bool counters_changed = false;
  const std::string now = IsoUtc(clock_->Now());
  for (const FieldDef& f : table.fields) {
    if (seen.count(absl::AsciiStrToLower(f.name)) > 0) continue;
    switch (f.type) {
      case FieldType::kAutonumber: {
        CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(absl::StrCat("SELECT COALESCE(MAX(", QuoteIdentifier(f.name),
                                                                "), 0) + 1 FROM ", table.sql_table)));
        CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
        columns.push_back(QuoteIdentifier(f.name));
        values.emplace_back(row ? s->Int64(0) : int64_t{1});
        break;
      }
      case FieldType::kPrefixedAutonumber: {
        const int64_t next = ++counters[f.name];
        counters_changed = true;
        std::string number = absl::StrCat(next);
        const size_t width = f.format.empty() ? 1 : f.format.size();
        if (number.size() < width) number.insert(0, width - number.size(), '0');
        columns.push_back(QuoteIdentifier(f.name));
        values.emplace_back(absl::StrCat(f.prefix, number));
        break;
      }
      case FieldType::kGuid:
        columns.push_back(QuoteIdentifier(f.name));
        values.emplace_back(NewUuid());
        break;
      case FieldType::kRandomId:
        columns.push_back(QuoteIdentifier(f.name));
        values.emplace_back(RandomId(f));
        break;
      case FieldType::kTimestamp:
        if (f.on_insert.value_or(false)) {
          columns.push_back(QuoteIdentifier(f.name));
          values.emplace_back(now);
        }
        break;
      default:
        break;
    }
  }
  if (source.directory()) {
    const std::pair<const char*, const char*> defaults[] = {
        {"_status", "ActivationPending"}, {"_sign_in_method", "Caspio"}, {"_2fa_status", "Disabled"}};
    for (const auto& [attribute, value] : defaults) {
      if (seen.count(attribute) > 0) continue;
      columns.push_back(QuoteIdentifier(attribute));
      values.emplace_back(std::string(value));
    }
  }
  std::string sql;
  if (columns.empty()) {
    sql = absl::StrCat("INSERT INTO ", table.sql_table, " DEFAULT VALUES");
  } else {
    std::vector<std::string> marks(columns.size(), "?");
    sql = absl::StrCat("INSERT INTO ", table.sql_table, "(", absl::StrJoin(columns, ", "), ") VALUES (",
                       absl::StrJoin(marks, ", "), ")");
  }
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(sql));
  CMCP_RETURN_IF_ERROR(s->BindAll(values));
  if (absl::Status run = s->Run(); !run.ok()) {
    if (run.code() == absl::StatusCode::kAlreadyExists) return DuplicateKey(table, run);
    return SqlFailure(run);
  }
  const int64_t pk = db_->LastInsertRowId();
  if (counters_changed) CMCP_RETURN_IF_ERROR(catalog_->SaveCounters(table.name, counters));
  return pk;
}

absl::StatusOr<std::vector<int64_t>> RecordStore::Update(const RecordSource& source, absl::string_view where,
                                                         const json& body) {
  if (!body.is_object() || body.empty()) {
    return IncorrectBodyParameter("The request body must be a JSON object with at least one field to set.");
  }
  const TableDef& table = source.base();
  std::vector<std::string> sets;
  std::vector<tsql::Value> values;
  std::set<std::string> seen;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& key = it.key();
    if (absl::EqualsIgnoreCase(key, "PK_ID")) {
      return IncorrectBodyParameter("PK_ID is maintained by Caspio and cannot be written.");
    }
    if (source.directory() && IsDirectoryAttribute(key)) {
      return IncorrectBodyParameter(absl::StrCat("The user attribute '", key, "' is read-only."));
    }
    const FieldDef* field = source.ResolveField(key);
    if (field == nullptr) {
      return FieldNotFound(absl::StrCat("Field '", key, "' was not found in ", ObjectLabel(source), "."));
    }
    if (IsGenerated(field->type) || field->type == FieldType::kAttachment) {
      return IncorrectBodyParameter(absl::StrCat("Field '", key, "' (", FieldTypeName(field->type),
                                                 ") is maintained by Caspio and cannot be written."));
    }
    if (field->type == FieldType::kPassword) {
      return IncorrectBodyParameter(absl::StrCat("Password field '", key,
                                                 "' cannot be changed by a record update; use PUT "
                                                 "/v3/tables/{tableName}/passwordFields/{passwordFieldName}."));
    }
    if (!seen.insert(absl::AsciiStrToLower(field->name)).second) {
      return IncorrectBodyParameter(absl::StrCat("Field '", field->name, "' is given more than once."));
    }
    CMCP_ASSIGN_OR_RETURN(tsql::Value value, ToStorage(*field, *it));
    sets.push_back(absl::StrCat(QuoteIdentifier(field->name), " = ?"));
    values.push_back(std::move(value));
  }
  const std::string now = IsoUtc(clock_->Now());
  for (const FieldDef& f : table.fields) {
    if (f.type == FieldType::kTimestamp && f.on_update.value_or(false)) {
      sets.push_back(absl::StrCat(QuoteIdentifier(f.name), " = ?"));
      values.emplace_back(now);
    }
  }
  CMCP_ASSIGN_OR_RETURN(tsql::Fragment cond, Condition(source, where, /*for_write=*/true));
  Savepoint savepoint(db_);
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks, Match(source, where, /*for_write=*/true));
  if (!pks.empty()) {
    std::string sql = absl::StrCat("UPDATE ", table.sql_table, " SET ", absl::StrJoin(sets, ", "));
    if (!cond.sql.empty()) absl::StrAppend(&sql, " WHERE ", cond.sql);
    AppendParams(values, cond.params);
    CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(sql));
    CMCP_RETURN_IF_ERROR(s->BindAll(values));
    if (absl::Status run = s->Run(); !run.ok()) {
      if (run.code() == absl::StatusCode::kAlreadyExists) return DuplicateKey(table, run);
      return SqlFailure(run);
    }
  }
  CMCP_RETURN_IF_ERROR(savepoint.Commit());
  return pks;
}

absl::StatusOr<std::vector<int64_t>> RecordStore::Delete(const RecordSource& source, absl::string_view where) {
  CMCP_ASSIGN_OR_RETURN(tsql::Fragment cond, Condition(source, where, /*for_write=*/true));
  Savepoint savepoint(db_);
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks, Match(source, where, /*for_write=*/true));
  if (!pks.empty()) {
    std::string sql = absl::StrCat("DELETE FROM ", source.base().sql_table);
    if (!cond.sql.empty()) absl::StrAppend(&sql, " WHERE ", cond.sql);
    CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(sql));
    CMCP_RETURN_IF_ERROR(s->BindAll(cond.params));
    CMCP_RETURN_IF_ERROR(SqlFailure(s->Run()));
  }
  CMCP_RETURN_IF_ERROR(savepoint.Commit());
  return pks;
}

absl::StatusOr<int64_t> RecordStore::SetPassword(const RecordSource& source, absl::string_view field_name,
                                                 absl::string_view where, std::optional<std::string> value) {
  const FieldDef* field = source.base().FindField(field_name);
  if (field == nullptr || field->type != FieldType::kPassword) {
    return FieldNotFound(absl::StrCat("Password field '", field_name, "' was not found in ", ObjectLabel(source), "."));
  }
  CMCP_ASSIGN_OR_RETURN(tsql::Fragment cond, Condition(source, where, /*for_write=*/true));
  std::vector<tsql::Value> values;
  if (value.has_value()) {
    CMCP_ASSIGN_OR_RETURN(tsql::Value stored, ToStorage(*field, json(*value)));
    values.push_back(std::move(stored));
  } else {
    values.emplace_back();
  }
  std::string sql = absl::StrCat("UPDATE ", source.base().sql_table, " SET ", QuoteIdentifier(field->name), " = ?");
  if (!cond.sql.empty()) absl::StrAppend(&sql, " WHERE ", cond.sql);
  AppendParams(values, cond.params);
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(sql));
  CMCP_RETURN_IF_ERROR(s->BindAll(values));
  CMCP_RETURN_IF_ERROR(SqlFailure(s->Run()));
  return db_->Changes();
}

absl::Status RecordStore::SetAttachmentValue(const RecordSource& source, const FieldDef& field, int64_t pk_id,
                                             std::optional<std::string> file_name) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(absl::StrCat("UPDATE ", source.base().sql_table, " SET ",
                                                          QuoteIdentifier(field.name), " = ? WHERE \"PK_ID\" = ?")));
  tsql::Value value;
  if (file_name.has_value()) value = *file_name;
  CMCP_RETURN_IF_ERROR(s->BindAll({value, tsql::Value(pk_id)}));
  return s->Run();
}

}  // namespace cmcp::sandbox
