#include "sandbox/caspio/store/field_types.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/crypto/crypto.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {
namespace {

using json = nlohmann::json;

struct TypeEntry {
  FieldType type;
  const char* name;
};

constexpr TypeEntry kTypes[] = {
    {FieldType::kAutonumber, "AUTONUMBER"},
    {FieldType::kPrefixedAutonumber, "PREFIXED AUTONUMBER"},
    {FieldType::kGuid, "GUID"},
    {FieldType::kRandomId, "RANDOM ID"},
    {FieldType::kString, "STRING"},
    {FieldType::kText, "TEXT"},
    {FieldType::kPassword, "PASSWORD"},
    {FieldType::kNumber, "NUMBER"},
    {FieldType::kInteger, "INTEGER"},
    {FieldType::kCurrency, "CURRENCY"},
    {FieldType::kDateTime, "DATE/TIME"},
    {FieldType::kYesNo, "YES/NO"},
    {FieldType::kFile, "FILE"},
    {FieldType::kTimestamp, "TIMESTAMP"},
    {FieldType::kListString, "LIST-STRING"},
    {FieldType::kListNumber, "LIST-NUMBER"},
    {FieldType::kListDateTime, "LIST-DATE/TIME"},
    {FieldType::kAttachment, "ATTACHMENT"},
};

absl::Status BadValue(const FieldDef& field, absl::string_view why) {
  return IncorrectBodyParameter(
      absl::StrCat("Invalid value for field '", field.name, "' (", FieldTypeName(field.type), "): ", why));
}

std::string ShortJson(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = absl::StrCat(text.substr(0, 57), "...");
  return text;
}

absl::StatusOr<double> NumberOf(const FieldDef& field, const json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    double d = 0;
    if (absl::SimpleAtod(absl::StripAsciiWhitespace(value.get<std::string>()), &d) && std::isfinite(d)) {
      return d;
    }
  }
  return BadValue(field, absl::StrCat("expected a number, got ", ShortJson(value)));
}

absl::StatusOr<std::string> ListToStorage(const FieldDef& field, const json& value) {
  // Accepts the read form {"1":"Red"}, an array of ids or values, or the
  // official node's "[1], [4]" string. Stores the read form as JSON text.
  std::vector<std::string> wanted;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) wanted.push_back(it.key());
  } else if (value.is_array()) {
    for (const json& item : value) {
      wanted.push_back(item.is_string() ? item.get<std::string>() : item.dump());
    }
  } else if (value.is_string()) {
    for (absl::string_view part : absl::StrSplit(value.get<std::string>(), ',', absl::SkipWhitespace())) {
      part = absl::StripAsciiWhitespace(part);
      absl::ConsumePrefix(&part, "[");
      absl::ConsumeSuffix(&part, "]");
      wanted.emplace_back(part);
    }
  } else {
    return BadValue(field, "expected an array of list items");
  }
  json stored = json::object();
  for (const std::string& w : wanted) {
    bool found = false;
    for (const auto& [id, item] : field.list_items) {
      if (id == w || absl::EqualsIgnoreCase(item, w)) {
        stored[id] = item;
        found = true;
        break;
      }
    }
    if (!found) return BadValue(field, absl::StrCat("'", w, "' is not an item of the list"));
  }
  return stored.dump();
}

}  // namespace

absl::StatusOr<FieldType> ParseFieldType(absl::string_view token) {
  const std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(token));
  for (const TypeEntry& e : kTypes) {
    if (upper == e.name) return e.type;
  }
  return IncorrectBodyParameter(absl::StrCat("Unknown field type '", token, "'."));
}

const char* FieldTypeName(FieldType type) {
  for (const TypeEntry& e : kTypes) {
    if (e.type == type) return e.name;
  }
  return "STRING";
}

const char* SqlStorage(FieldType type) {
  switch (type) {
    case FieldType::kAutonumber:
    case FieldType::kInteger:
    case FieldType::kYesNo:
      return "INTEGER";
    case FieldType::kNumber:
    case FieldType::kCurrency:
      return "REAL";
    default:
      return "TEXT COLLATE TSQL_CI";
  }
}

tsql::ValueType ValueTypeOf(FieldType type) {
  switch (type) {
    case FieldType::kAutonumber:
    case FieldType::kInteger:
      return tsql::ValueType::kInteger;
    case FieldType::kNumber:
    case FieldType::kCurrency:
      return tsql::ValueType::kNumber;
    case FieldType::kYesNo:
      return tsql::ValueType::kBoolean;
    case FieldType::kDateTime:
    case FieldType::kTimestamp:
      return tsql::ValueType::kDateTime;
    default:
      return tsql::ValueType::kText;
  }
}

bool IsGenerated(FieldType type) {
  return type == FieldType::kAutonumber || type == FieldType::kPrefixedAutonumber ||
         type == FieldType::kGuid || type == FieldType::kRandomId || type == FieldType::kTimestamp;
}

bool IsList(FieldType type) {
  return type == FieldType::kListString || type == FieldType::kListNumber ||
         type == FieldType::kListDateTime;
}

bool IsValidName(absl::string_view name, size_t max_length) {
  if (name.empty() || name.size() > max_length) return false;
  if (!absl::ascii_isalpha(static_cast<unsigned char>(name[0])) && name[0] != '_') return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

namespace {

absl::Status ApplyCommon(const json& model, bool creating, FieldDef* f) {
  auto str = [&](const char* key, std::string* out) -> absl::Status {
    if (!model.contains(key) || model[key].is_null()) return absl::OkStatus();
    if (!model[key].is_string()) return IncorrectBodyParameter(absl::StrCat("'", key, "' must be a string."));
    *out = model[key].get<std::string>();
    return absl::OkStatus();
  };
  auto boolean = [&](const char* key, bool* out) -> absl::Status {
    if (!model.contains(key) || model[key].is_null()) return absl::OkStatus();
    if (!model[key].is_boolean()) return IncorrectBodyParameter(absl::StrCat("'", key, "' must be true or false."));
    *out = model[key].get<bool>();
    return absl::OkStatus();
  };
  if (model.contains("Name") && !model["Name"].is_null()) {
    std::string name;
    CMCP_RETURN_IF_ERROR(str("Name", &name));
    if (!IsValidName(name, 32) || absl::StartsWithIgnoreCase(name, "PK_")) {
      return IncorrectBodyParameter(absl::StrCat(
          "Invalid field name '", name,
          "': use letters, digits and '_', start with a letter, at most 32 characters."));
    }
    f->name = name;
  } else if (creating) {
    return IncorrectBodyParameter("'Name' is required.");
  }
  if (model.contains("Type") && !model["Type"].is_null()) {
    if (!model["Type"].is_string()) return IncorrectBodyParameter("'Type' must be a string.");
    CMCP_ASSIGN_OR_RETURN(f->type, ParseFieldType(model["Type"].get<std::string>()));
  } else if (creating) {
    return IncorrectBodyParameter("'Type' is required.");
  }
  CMCP_RETURN_IF_ERROR(boolean("Unique", &f->unique));
  CMCP_RETURN_IF_ERROR(boolean("UniqueAllowNulls", &f->unique_allow_nulls));
  CMCP_RETURN_IF_ERROR(str("Label", &f->label));
  CMCP_RETURN_IF_ERROR(str("Description", &f->description));
  if (f->label.size() > 255) return IncorrectBodyParameter("'Label' is longer than 255 characters.");
  if (f->description.size() > 4000) {
    return IncorrectBodyParameter("'Description' is longer than 4000 characters.");
  }
  bool flag = false;
  if (model.contains("OnInsert") && !model["OnInsert"].is_null()) {
    CMCP_RETURN_IF_ERROR(boolean("OnInsert", &flag));
    f->on_insert = flag;
  }
  if (model.contains("OnUpdate") && !model["OnUpdate"].is_null()) {
    CMCP_RETURN_IF_ERROR(boolean("OnUpdate", &flag));
    f->on_update = flag;
  }
  CMCP_RETURN_IF_ERROR(str("TimeZone", &f->time_zone));
  CMCP_RETURN_IF_ERROR(str("Format", &f->format));
  CMCP_RETURN_IF_ERROR(str("Prefix", &f->prefix));
  if (f->prefix.size() >= 50) return IncorrectBodyParameter("'Prefix' must be shorter than 50 characters.");
  if (model.contains("Length") && !model["Length"].is_null()) {
    if (!model["Length"].is_number_integer()) return IncorrectBodyParameter("'Length' must be an integer.");
    f->length = model["Length"].get<int>();
  }
  if (model.contains("ListField") && !model["ListField"].is_null()) {
    const json& list = model["ListField"];
    f->list_items.clear();
    if (list.is_array()) {
      int id = 1;
      for (const json& item : list) {
        f->list_items.emplace_back(absl::StrCat(id++), item.is_string() ? item.get<std::string>() : item.dump());
      }
    } else if (list.is_object()) {
      for (auto it = list.begin(); it != list.end(); ++it) {
        f->list_items.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
      }
    } else {
      return IncorrectBodyParameter("'ListField' must be an array of items.");
    }
  }
  for (auto it = model.begin(); it != model.end(); ++it) {
    if (absl::StartsWith(it.key(), "Attachment")) f->attachment[it.key()] = *it;
  }
  return absl::OkStatus();
}

absl::Status ValidateField(const FieldDef& f) {
  const bool needs_unique = f.type == FieldType::kAutonumber || f.type == FieldType::kPrefixedAutonumber ||
                            f.type == FieldType::kGuid || f.type == FieldType::kRandomId;
  if (needs_unique && !f.unique) {
    return IncorrectBodyParameter(absl::StrCat("Field '", f.name, "' of type ", FieldTypeName(f.type),
                                               " must be created with Unique set to true."));
  }
  if (f.type == FieldType::kRandomId) {
    if (!f.format.empty() && f.format != "0" && f.format != "U" && f.format != "0U") {
      return IncorrectBodyParameter("'Format' of a RANDOM ID field must be \"0\", \"U\" or \"0U\".");
    }
    if (f.length.has_value() && (*f.length < 6 || *f.length > 12)) {
      return IncorrectBodyParameter("'Length' of a RANDOM ID field must be between 6 and 12.");
    }
  }
  if (f.type == FieldType::kPrefixedAutonumber && !f.format.empty()) {
    if (f.format.size() > 7 || f.format.back() != '1' ||
        f.format.find_first_not_of('0') != f.format.size() - 1) {
      return IncorrectBodyParameter("'Format' of a PREFIXED AUTONUMBER field must be \"1\" ... \"0000001\".");
    }
  }
  if (f.unique && (f.type == FieldType::kYesNo || f.type == FieldType::kText || IsList(f.type) ||
                   f.type == FieldType::kAttachment || f.type == FieldType::kPassword)) {
    return IncorrectBodyParameter(absl::StrCat("Fields of type ", FieldTypeName(f.type), " cannot be unique."));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FieldDef> FieldFromModel(const json& model) {
  if (!model.is_object()) return IncorrectBodyParameter("A field definition must be a JSON object.");
  FieldDef field;
  CMCP_RETURN_IF_ERROR(ApplyCommon(model, /*creating=*/true, &field));
  CMCP_RETURN_IF_ERROR(ValidateField(field));
  return field;
}

absl::Status ApplyFieldUpdate(const json& update, FieldDef* field) {
  if (!update.is_object()) return IncorrectBodyParameter("The field update must be a JSON object.");
  FieldDef copy = *field;
  CMCP_RETURN_IF_ERROR(ApplyCommon(update, /*creating=*/false, &copy));
  CMCP_RETURN_IF_ERROR(ValidateField(copy));
  *field = std::move(copy);
  return absl::OkStatus();
}

nlohmann::ordered_json FieldDesign(const FieldDef& f, int display_order) {
  using ojson = nlohmann::ordered_json;
  ojson d;
  d["Name"] = f.name;
  d["Type"] = FieldTypeName(f.type);
  d["Unique"] = f.unique;
  d["Editable"] = !IsGenerated(f.type) && f.type != FieldType::kAttachment;
  d["Description"] = f.description;
  d["DisplayOrder"] = display_order;
  d["Label"] = f.label;
  d["UniqueAllowNulls"] = f.unique_allow_nulls;
  d["IsFormula"] = false;
  const bool timestamp = f.type == FieldType::kTimestamp;
  d["OnInsert"] = timestamp ? ojson(f.on_insert.value_or(false)) : ojson(nullptr);
  d["OnUpdate"] = timestamp ? ojson(f.on_update.value_or(false)) : ojson(nullptr);
  d["TimeZone"] = timestamp ? ojson(f.time_zone) : ojson(nullptr);
  const bool formatted = f.type == FieldType::kRandomId || f.type == FieldType::kPrefixedAutonumber;
  d["Format"] = formatted ? ojson(f.format.empty() ? (f.type == FieldType::kRandomId ? "0U" : "1") : f.format)
                          : ojson(nullptr);
  d["Prefix"] = formatted ? ojson(f.prefix) : ojson(nullptr);
  d["Length"] = f.type == FieldType::kRandomId ? ojson(f.length.value_or(12)) : ojson(nullptr);
  if (IsList(f.type)) {
    ojson items = ojson::object();
    for (const auto& [id, value] : f.list_items) items[id] = value;
    d["ListField"] = items;
  } else {
    d["ListField"] = nullptr;
  }
  const bool attachment = f.type == FieldType::kAttachment;
  auto att = [&](const char* key) -> ojson {
    if (!attachment) return nullptr;
    if (f.attachment.contains(key)) return ojson::parse(f.attachment[key].dump());
    return nullptr;
  };
  d["AttachmentPermittedFileTypes"] = attachment && !f.attachment.contains("AttachmentPermittedFileTypes")
                                          ? ojson::array()
                                          : att("AttachmentPermittedFileTypes");
  d["AttachmentMinFileSize"] = att("AttachmentMinFileSize");
  d["AttachmentMaxFileSize"] = att("AttachmentMaxFileSize");
  d["AttachmentSmartResizer"] = att("AttachmentSmartResizer");
  d["AttachmentSmartResizerForRetina"] = att("AttachmentSmartResizerForRetina");
  d["AttachmentAltText"] = att("AttachmentAltText");
  d["AttachmentTitle"] = att("AttachmentTitle");
  return d;
}

json FieldToStored(const FieldDef& f) {
  json s;
  s["Name"] = f.name;
  s["Type"] = FieldTypeName(f.type);
  s["Unique"] = f.unique;
  s["UniqueAllowNulls"] = f.unique_allow_nulls;
  s["Label"] = f.label;
  s["Description"] = f.description;
  if (f.on_insert) s["OnInsert"] = *f.on_insert;
  if (f.on_update) s["OnUpdate"] = *f.on_update;
  s["TimeZone"] = f.time_zone;
  s["Format"] = f.format;
  s["Prefix"] = f.prefix;
  if (f.length) s["Length"] = *f.length;
  if (!f.list_items.empty()) {
    json items = json::object();
    for (const auto& [id, value] : f.list_items) items[id] = value;
    s["ListField"] = items;
  }
  for (auto it = f.attachment.begin(); it != f.attachment.end(); ++it) s[it.key()] = *it;
  return s;
}

absl::StatusOr<FieldDef> FieldFromStored(const json& stored) {
  FieldDef field;
  CMCP_RETURN_IF_ERROR(ApplyCommon(stored, /*creating=*/true, &field));
  return field;
}

absl::StatusOr<tsql::Value> ToStorage(const FieldDef& field, const json& value) {
  if (value.is_null()) return tsql::Value();
  switch (field.type) {
    case FieldType::kString:
    case FieldType::kText:
    case FieldType::kFile:
    case FieldType::kGuid:
    case FieldType::kRandomId:
    case FieldType::kPrefixedAutonumber: {
      std::string text;
      if (value.is_string()) {
        text = value.get<std::string>();
      } else if (value.is_number() || value.is_boolean()) {
        text = value.dump();
      } else {
        return BadValue(field, absl::StrCat("expected a string, got ", ShortJson(value)));
      }
      const size_t max = field.type == FieldType::kText ? 64000 : 255;
      if (text.size() > max) {
        return BadValue(field, absl::StrCat("String or binary data would be truncated (more than ", max,
                                            " characters)."));
      }
      return tsql::Value(std::move(text));
    }
    case FieldType::kPassword: {
      if (!value.is_string()) return BadValue(field, "expected a string");
      // Stored one-way; the sandbox, like Caspio, never returns it.
      return tsql::Value(Hex(Sha256(value.get<std::string>())));
    }
    case FieldType::kNumber:
    case FieldType::kCurrency: {
      CMCP_ASSIGN_OR_RETURN(double d, NumberOf(field, value));
      if (field.type == FieldType::kCurrency) d = std::round(d * 10000.0) / 10000.0;
      return tsql::Value(d);
    }
    case FieldType::kInteger:
    case FieldType::kAutonumber: {
      CMCP_ASSIGN_OR_RETURN(double d, NumberOf(field, value));
      if (d != std::trunc(d) || std::fabs(d) > 2147483647.0) {
        return BadValue(field, absl::StrCat("expected an integer, got ", ShortJson(value)));
      }
      return tsql::Value(static_cast<int64_t>(d));
    }
    case FieldType::kYesNo: {
      if (value.is_boolean()) return tsql::Value(int64_t{value.get<bool>() ? 1 : 0});
      if (value.is_number_integer() && (value.get<int64_t>() == 0 || value.get<int64_t>() == 1)) {
        return tsql::Value(value.get<int64_t>());
      }
      if (value.is_string()) {
        const std::string lower = absl::AsciiStrToLower(value.get<std::string>());
        if (lower == "true" || lower == "1" || lower == "yes") return tsql::Value(int64_t{1});
        if (lower == "false" || lower == "0" || lower == "no") return tsql::Value(int64_t{0});
      }
      return BadValue(field, absl::StrCat("expected true or false, got ", ShortJson(value)));
    }
    case FieldType::kDateTime:
    case FieldType::kTimestamp: {
      if (!value.is_string()) return BadValue(field, "expected an ISO 8601 date string");
      auto normalized = tsql::NormalizeDateTime(value.get<std::string>());
      if (!normalized.ok()) return BadValue(field, normalized.status().message());
      return tsql::Value(*std::move(normalized));
    }
    case FieldType::kListString:
    case FieldType::kListNumber:
    case FieldType::kListDateTime: {
      CMCP_ASSIGN_OR_RETURN(std::string stored, ListToStorage(field, value));
      return tsql::Value(std::move(stored));
    }
    case FieldType::kAttachment:
      return BadValue(field, "attachments are uploaded through the attachments endpoint");
  }
  return BadValue(field, "unsupported type");
}

}  // namespace cmcp::sandbox
