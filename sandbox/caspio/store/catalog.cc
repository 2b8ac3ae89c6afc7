#include "sandbox/caspio/store/catalog.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {

using json = nlohmann::json;

std::string QuoteIdentifier(absl::string_view name) {
  return absl::StrCat("\"", absl::StrReplaceAll(name, {{"\"", "\"\""}}), "\"");
}

namespace {

std::string SqlTableName(absl::string_view name) {
  return QuoteIdentifier(absl::StrCat("u_", absl::AsciiStrToLower(name)));
}

std::string IndexName(absl::string_view table, absl::string_view field) {
  return QuoteIdentifier(absl::StrCat("ux_", absl::AsciiStrToLower(table), "_", absl::AsciiStrToLower(field)));
}

std::string PasswordRefusal(absl::string_view name) {
  return absl::StrCat("Password field '", name,
                      "' cannot be used in select, criteria, grouping or sorting: its value can never "
                      "be read.");
}

json TableToStored(const TableDef& t) {
  json doc;
  doc["Name"] = t.name;
  doc["Note"] = t.note;
  doc["Directory"] = t.directory;
  doc["Fields"] = json::array();
  for (const FieldDef& f : t.fields) doc["Fields"].push_back(FieldToStored(f));
  doc["Counters"] = t.counters;
  return doc;
}

json ViewToStored(const ViewDef& v) {
  return json{{"Name", v.name}, {"Note", v.note}, {"Table", v.table}, {"Filter", v.filter}, {"Fields", v.fields}};
}

}  // namespace

const FieldDef* TableDef::FindField(absl::string_view name) const {
  for (const FieldDef& f : fields) {
    if (absl::EqualsIgnoreCase(f.name, name)) return &f;
  }
  return nullptr;
}

const ViewColumn* ViewDef::FindColumn(absl::string_view name) const {
  for (const ViewColumn& c : columns) {
    if (absl::EqualsIgnoreCase(c.name, name)) return &c;
  }
  return nullptr;
}

absl::Status Catalog::Derive(TableDef& t) const {
  t.sql_table = SqlTableName(t.name);
  tsql::Schema schema;
  schema.default_order_sql = "\"PK_ID\"";
  schema.columns.push_back({"PK_ID", "\"PK_ID\"", tsql::ValueType::kInteger, "", true});
  for (const FieldDef& f : t.fields) {
    tsql::Column c;
    c.name = f.name;
    c.sql = QuoteIdentifier(f.name);
    c.type = ValueTypeOf(f.type);
    c.json_text = IsList(f.type);
    if (f.type == FieldType::kPassword) {
      c.refusal = PasswordRefusal(f.name);
      c.in_star = false;
    }
    schema.columns.push_back(std::move(c));
  }
  t.schema = schema;
  if (t.directory) {
    t.directory_read = schema;
    t.directory_write = schema;
    for (const char* attribute : kDirectoryAttributes) {
      t.directory_read.columns.push_back({attribute, QuoteIdentifier(attribute), tsql::ValueType::kText, "", true});
      t.directory_write.columns.push_back(
          {attribute, QuoteIdentifier(attribute), tsql::ValueType::kText,
           absl::StrCat("The user attribute '", attribute,
                        "' is not supported in the Where clause of updates and deletes; it can only be "
                        "read and filtered in GET requests."),
           false});
    }
  }
  return absl::OkStatus();
}

absl::Status Catalog::Derive(ViewDef& v) const {
  const TableDef* table = FindTable(v.table);
  if (table == nullptr) return ObjectNotFound(absl::StrCat("Table '", v.table, "' of view '", v.name, "' was not found."));
  v.table = table->name;
  v.columns.clear();
  tsql::Schema schema;
  schema.default_order_sql = "\"PK_ID\"";
  // A view's PK_ID reads as a string (the source PK_IDs) but compares as the
  // integer it is, so "PK_ID = 5" and "PK_ID = '5'" both work.
  schema.columns.push_back({"PK_ID", "\"PK_ID\"", tsql::ValueType::kText, "", true});
  auto add = [&](const FieldDef& f) {
    ViewColumn column{absl::StrCat(table->name, "_", f.name), f};
    tsql::Column c;
    c.name = column.name;
    c.sql = QuoteIdentifier(f.name);
    c.type = ValueTypeOf(f.type);
    c.json_text = IsList(f.type);
    if (f.type == FieldType::kPassword) {
      c.refusal = PasswordRefusal(column.name);
      c.in_star = false;
    }
    schema.columns.push_back(std::move(c));
    v.columns.push_back(std::move(column));
  };
  if (v.fields.empty()) {
    for (const FieldDef& f : table->fields) add(f);
  } else {
    for (const std::string& name : v.fields) {
      const FieldDef* f = table->FindField(name);
      if (f == nullptr) return FieldNotFound(absl::StrCat("Field '", name, "' of view '", v.name, "' was not found."));
      add(*f);
    }
  }
  v.schema = std::move(schema);
  v.filter_sql = tsql::Fragment();
  if (!v.filter.empty()) {
    auto filter = tsql::TranslateWhere(v.filter, table->schema);
    if (!filter.ok()) return SqlServerError(absl::StrCat("Filter of view '", v.name, "': ", filter.status().message()));
    v.filter_sql = *std::move(filter);
  }
  return absl::OkStatus();
}

absl::Status Catalog::Load() {
  ++generation_;
  tables_.clear();
  views_.clear();
  CMCP_ASSIGN_OR_RETURN(std::vector<json> tables, objects_->List("table"));
  for (const json& doc : tables) {
    auto t = std::make_unique<TableDef>();
    t->name = doc.value("Name", "");
    t->note = doc.value("Note", "");
    t->directory = doc.value("Directory", false);
    for (const json& f : doc.value("Fields", json::array())) {
      CMCP_ASSIGN_OR_RETURN(FieldDef field, FieldFromStored(f));
      t->fields.push_back(std::move(field));
    }
    if (doc.contains("Counters") && doc["Counters"].is_object()) {
      for (auto it = doc["Counters"].begin(); it != doc["Counters"].end(); ++it) {
        t->counters[it.key()] = it->get<int64_t>();
      }
    }
    CMCP_RETURN_IF_ERROR(Derive(*t));
    tables_.push_back(std::move(t));
  }
  CMCP_ASSIGN_OR_RETURN(std::vector<json> views, objects_->List("view"));
  for (const json& doc : views) {
    auto v = std::make_unique<ViewDef>();
    v->name = doc.value("Name", "");
    v->note = doc.value("Note", "");
    v->table = doc.value("Table", "");
    v->filter = doc.value("Filter", "");
    v->fields = doc.value("Fields", std::vector<std::string>());
    CMCP_RETURN_IF_ERROR(Derive(*v));
    views_.push_back(std::move(v));
  }
  return absl::OkStatus();
}

const TableDef* Catalog::FindTable(absl::string_view name) const {
  for (const auto& t : tables_) {
    if (absl::EqualsIgnoreCase(t->name, name)) return t.get();
  }
  return nullptr;
}

TableDef* Catalog::MutableTable(absl::string_view name) {
  return const_cast<TableDef*>(FindTable(name));
}

const ViewDef* Catalog::FindView(absl::string_view name) const {
  for (const auto& v : views_) {
    if (absl::EqualsIgnoreCase(v->name, name)) return v.get();
  }
  return nullptr;
}

std::vector<std::string> Catalog::TableNames() const {
  std::vector<std::string> names;
  for (const auto& t : tables_) names.push_back(t->name);
  return names;
}

std::vector<std::string> Catalog::ViewNames() const {
  std::vector<std::string> names;
  for (const auto& v : views_) names.push_back(v->name);
  return names;
}

absl::Status Catalog::Persist(const TableDef& table) {
  return objects_->Put("table", absl::AsciiStrToLower(table.name), TableToStored(table));
}

absl::Status Catalog::CreateIndexes(const TableDef& table, const FieldDef& field) {
  if (!field.unique) return absl::OkStatus();
  return db_->Exec(absl::StrCat("CREATE UNIQUE INDEX IF NOT EXISTS ", IndexName(table.name, field.name), " ON ",
                                table.sql_table, "(", QuoteIdentifier(field.name), ")"));
}

absl::Status Catalog::CreateTable(TableDef table) {
  ++generation_;
  if (!IsValidName(table.name, 64)) {
    return IncorrectBodyParameter(absl::StrCat("Invalid table name '", table.name,
                                               "': use letters, digits and '_', start with a letter."));
  }
  if (FindTable(table.name) != nullptr || FindView(table.name) != nullptr) {
    return IncorrectBodyParameter(absl::StrCat("An object named '", table.name, "' already exists."));
  }
  for (size_t i = 0; i < table.fields.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (absl::EqualsIgnoreCase(table.fields[i].name, table.fields[j].name)) {
        return IncorrectBodyParameter(absl::StrCat("Field '", table.fields[i].name, "' is defined twice."));
      }
    }
  }
  CMCP_RETURN_IF_ERROR(Derive(table));
  std::vector<std::string> columns = {"\"PK_ID\" INTEGER PRIMARY KEY AUTOINCREMENT"};
  for (const FieldDef& f : table.fields) {
    columns.push_back(absl::StrCat(QuoteIdentifier(f.name), " ", SqlStorage(f.type)));
  }
  if (table.directory) {
    for (const char* attribute : kDirectoryAttributes) {
      columns.push_back(absl::StrCat(QuoteIdentifier(attribute), " TEXT COLLATE TSQL_CI"));
    }
  }
  CMCP_RETURN_IF_ERROR(db_->Exec(absl::StrCat("CREATE TABLE ", table.sql_table, "(", absl::StrJoin(columns, ", "), ")")));
  for (const FieldDef& f : table.fields) CMCP_RETURN_IF_ERROR(CreateIndexes(table, f));
  CMCP_RETURN_IF_ERROR(Persist(table));
  tables_.push_back(std::make_unique<TableDef>(std::move(table)));
  return absl::OkStatus();
}

absl::Status Catalog::CreateView(ViewDef view) {
  ++generation_;
  if (!IsValidName(view.name, 64)) return IncorrectBodyParameter(absl::StrCat("Invalid view name '", view.name, "'."));
  if (FindTable(view.name) != nullptr || FindView(view.name) != nullptr) {
    return IncorrectBodyParameter(absl::StrCat("An object named '", view.name, "' already exists."));
  }
  CMCP_RETURN_IF_ERROR(Derive(view));
  CMCP_RETURN_IF_ERROR(objects_->Put("view", absl::AsciiStrToLower(view.name), ViewToStored(view)));
  views_.push_back(std::make_unique<ViewDef>(std::move(view)));
  return absl::OkStatus();
}

absl::Status Catalog::AddField(absl::string_view table_name, FieldDef field) {
  ++generation_;
  TableDef* table = MutableTable(table_name);
  if (table == nullptr) return ObjectNotFound(absl::StrCat("Table '", table_name, "' was not found."));
  if (table->FindField(field.name) != nullptr || absl::EqualsIgnoreCase(field.name, "PK_ID") ||
      (table->directory && absl::StartsWith(field.name, "_"))) {
    return IncorrectBodyParameter(absl::StrCat("Field '", field.name, "' already exists in table '", table->name, "'."));
  }
  CMCP_RETURN_IF_ERROR(db_->Exec(absl::StrCat("ALTER TABLE ", table->sql_table, " ADD COLUMN ",
                                              QuoteIdentifier(field.name), " ", SqlStorage(field.type))));
  CMCP_RETURN_IF_ERROR(CreateIndexes(*table, field));
  table->fields.push_back(std::move(field));
  CMCP_RETURN_IF_ERROR(Derive(*table));
  for (auto& v : views_) {
    if (absl::EqualsIgnoreCase(v->table, table->name)) CMCP_RETURN_IF_ERROR(Derive(*v));
  }
  return Persist(*table);
}

absl::Status Catalog::UpdateField(absl::string_view table_name, absl::string_view field_name, const json& update) {
  ++generation_;
  TableDef* table = MutableTable(table_name);
  if (table == nullptr) return ObjectNotFound(absl::StrCat("Table '", table_name, "' was not found."));
  FieldDef* field = const_cast<FieldDef*>(table->FindField(field_name));
  if (field == nullptr) {
    return FieldNotFound(absl::StrCat("Field '", field_name, "' was not found in table '", table->name, "'."));
  }
  FieldDef updated = *field;
  CMCP_RETURN_IF_ERROR(ApplyFieldUpdate(update, &updated));
  if (!absl::EqualsIgnoreCase(updated.name, field->name) && table->FindField(updated.name) != nullptr) {
    return IncorrectBodyParameter(absl::StrCat("Field '", updated.name, "' already exists."));
  }
  const std::string old_column = QuoteIdentifier(field->name);
  const bool storage_changed = std::string(SqlStorage(updated.type)) != SqlStorage(field->type) ||
                               ValueTypeOf(updated.type) != ValueTypeOf(field->type);
  if (storage_changed) {
    CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(absl::StrCat("SELECT COUNT(*) FROM ", table->sql_table, " WHERE ",
                                                            old_column, " IS NOT NULL")));
    CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
    if (row && s->Int64(0) > 0) {
      return IncorrectBodyParameter(absl::StrCat("The type of field '", field->name, "' cannot change from ",
                                                 FieldTypeName(field->type), " to ", FieldTypeName(updated.type),
                                                 " while records hold values in it."));
    }
  }
  db_->ClearCache();
  CMCP_RETURN_IF_ERROR(db_->Exec(absl::StrCat("DROP INDEX IF EXISTS ", IndexName(table->name, field->name))));
  if (storage_changed) {
    CMCP_RETURN_IF_ERROR(db_->Exec(absl::StrCat("ALTER TABLE ", table->sql_table, " DROP COLUMN ", old_column)));
    CMCP_RETURN_IF_ERROR(db_->Exec(absl::StrCat("ALTER TABLE ", table->sql_table, " ADD COLUMN ",
                                                QuoteIdentifier(updated.name), " ", SqlStorage(updated.type))));
  } else if (updated.name != field->name) {
    CMCP_RETURN_IF_ERROR(db_->Exec(absl::StrCat("ALTER TABLE ", table->sql_table, " RENAME COLUMN ", old_column,
                                                " TO ", QuoteIdentifier(updated.name))));
  }
  auto index = CreateIndexes(*table, updated);
  if (!index.ok()) {
    return IncorrectBodyParameter(absl::StrCat("Field '", updated.name,
                                               "' cannot be made unique: existing records hold duplicate values."));
  }
  *field = std::move(updated);
  CMCP_RETURN_IF_ERROR(Derive(*table));
  for (auto& v : views_) {
    if (absl::EqualsIgnoreCase(v->table, table->name)) {
      for (std::string& f : v->fields) {
        if (absl::EqualsIgnoreCase(f, field_name)) f = field->name;
      }
      CMCP_RETURN_IF_ERROR(Derive(*v));
      CMCP_RETURN_IF_ERROR(objects_->Put("view", absl::AsciiStrToLower(v->name), ViewToStored(*v)));
    }
  }
  return Persist(*table);
}

absl::Status Catalog::DeleteField(absl::string_view table_name, absl::string_view field_name) {
  ++generation_;
  TableDef* table = MutableTable(table_name);
  if (table == nullptr) return ObjectNotFound(absl::StrCat("Table '", table_name, "' was not found."));
  const FieldDef* field = table->FindField(field_name);
  if (field == nullptr) {
    return FieldNotFound(absl::StrCat("Field '", field_name, "' was not found in table '", table->name, "'."));
  }
  for (const auto& v : views_) {
    if (!absl::EqualsIgnoreCase(v->table, table->name)) continue;
    bool used = false;
    for (const std::string& f : v->fields) used = used || absl::EqualsIgnoreCase(f, field->name);
    if (used || absl::StrContains(absl::AsciiStrToLower(v->filter), absl::AsciiStrToLower(field->name))) {
      return IncorrectBodyParameter(absl::StrCat("Field '", field->name, "' is used by view '", v->name,
                                                 "' and cannot be deleted."));
    }
  }
  db_->ClearCache();
  CMCP_RETURN_IF_ERROR(db_->Exec(absl::StrCat("DROP INDEX IF EXISTS ", IndexName(table->name, field->name))));
  CMCP_RETURN_IF_ERROR(db_->Exec(absl::StrCat("ALTER TABLE ", table->sql_table, " DROP COLUMN ",
                                              QuoteIdentifier(field->name))));
  const std::string removed = field->name;
  std::erase_if(table->fields, [&](const FieldDef& f) { return f.name == removed; });
  table->counters.erase(removed);
  CMCP_RETURN_IF_ERROR(Derive(*table));
  for (auto& v : views_) {
    if (absl::EqualsIgnoreCase(v->table, table->name)) CMCP_RETURN_IF_ERROR(Derive(*v));
  }
  return Persist(*table);
}

absl::Status Catalog::SaveCounters(absl::string_view table_name, const std::map<std::string, int64_t>& counters) {
  TableDef* table = MutableTable(table_name);
  if (table == nullptr) return ObjectNotFound(absl::StrCat("Table '", table_name, "' was not found."));
  table->counters = counters;
  return Persist(*table);
}

}  // namespace cmcp::sandbox
