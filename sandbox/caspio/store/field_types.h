// File: field_types.h
// Caspio field types and field designs: parsing the type tokens ("DATE/TIME",
// "YES/NO", ...), how each is stored in SQLite and compared in q.where, how a
// client's JSON value is checked and converted for storage, and the
// BaseColumnResult JSON served by the /fields endpoints.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "sandbox/caspio/tsql/tsql.h"

namespace cmcp::sandbox {

enum class FieldType {
  kAutonumber,
  kPrefixedAutonumber,
  kGuid,
  kRandomId,
  kString,
  kText,
  kPassword,
  kNumber,
  kInteger,
  kCurrency,
  kDateTime,
  kYesNo,
  kFile,
  kTimestamp,
  kListString,
  kListNumber,
  kListDateTime,
  kAttachment,
};

absl::StatusOr<FieldType> ParseFieldType(absl::string_view token);
const char* FieldTypeName(FieldType type);
// SQLite column declaration type ("INTEGER", "REAL", "TEXT COLLATE TSQL_CI").
const char* SqlStorage(FieldType type);
tsql::ValueType ValueTypeOf(FieldType type);
// Values the database generates; clients cannot write them.
bool IsGenerated(FieldType type);
bool IsList(FieldType type);

struct FieldDef {
  std::string name;
  FieldType type = FieldType::kString;
  bool unique = false;
  bool unique_allow_nulls = false;
  std::string label;
  std::string description;
  std::optional<bool> on_insert;
  std::optional<bool> on_update;
  std::string time_zone;
  std::string format;
  std::string prefix;
  std::optional<int> length;
  // LIST-* fields: item id -> value, in id order.
  std::vector<std::pair<std::string, std::string>> list_items;
  // ATTACHMENT options as given (AttachmentPermittedFileTypes, ...).
  nlohmann::json attachment = nlohmann::json::object();
};

// Field names Caspio accepts: a letter or '_' then letters, digits, '_'; at
// most 32 characters. Table and view names follow the same rule (64 chars).
bool IsValidName(absl::string_view name, size_t max_length);

// A FieldDef from a FieldModel (POST /fields, POST /tables), validated.
absl::StatusOr<FieldDef> FieldFromModel(const nlohmann::json& model);
// Applies an UpdateFieldModel; type changes are refused when data exists.
absl::Status ApplyFieldUpdate(const nlohmann::json& update, FieldDef* field);

// BaseColumnResult for GET /fields.
nlohmann::ordered_json FieldDesign(const FieldDef& field, int display_order);
// The stored form (inverse of FieldFromStored), for persistence.
nlohmann::json FieldToStored(const FieldDef& field);
absl::StatusOr<FieldDef> FieldFromStored(const nlohmann::json& stored);

// Checks and converts a client's JSON value for `field` into a storage value.
// `now` fills TIMESTAMP defaults elsewhere; here only conversion happens.
absl::StatusOr<tsql::Value> ToStorage(const FieldDef& field, const nlohmann::json& value);

}  // namespace cmcp::sandbox
