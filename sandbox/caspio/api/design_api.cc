#include "sandbox/caspio/api/design_api.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {
namespace {

using json = nlohmann::json;

ojson ViewFieldDesign(const ViewColumn& column, int display_order) {
  ojson base = FieldDesign(column.field, display_order);
  ojson out;
  out["Name"] = column.name;
  out["TableFieldName"] = column.field.name;
  for (auto it = base.begin(); it != base.end(); ++it) {
    if (it.key() != "Name") out[it.key()] = *it;
  }
  return out;
}

}  // namespace

absl::StatusOr<const TableDef*> DesignApi::Table(const ApiRequest& r) const {
  const TableDef* table = store_->catalog().FindTable(r.Path("tableName"));
  if (table == nullptr) return ObjectNotFound(absl::StrCat("Table '", r.Path("tableName"), "' was not found."));
  return table;
}

absl::StatusOr<const ViewDef*> DesignApi::View(const ApiRequest& r) const {
  const ViewDef* view = store_->catalog().FindView(r.Path("viewName"));
  if (view == nullptr) return ObjectNotFound(absl::StrCat("View '", r.Path("viewName"), "' was not found."));
  return view;
}

absl::StatusOr<HttpResponse> DesignApi::ListTables(const ApiRequest&) {
  return ResultResponse(store_->catalog().TableNames());
}

absl::StatusOr<HttpResponse> DesignApi::CreateTable(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  if (!body.is_object()) return IncorrectBodyParameter("The body must be a CreateTableRequest object.");
  const json* name = Member(body, "Name");
  if (name == nullptr || !name->is_string() || name->get<std::string>().empty()) {
    return IncorrectBodyParameter("'Name' is required.");
  }
  const json* fields = Member(body, "Fields");
  if (fields == nullptr || !fields->is_array() || fields->empty()) {
    return IncorrectBodyParameter("'Fields' must list at least one field.");
  }
  TableDef table;
  table.name = name->get<std::string>();
  for (const json& model : *fields) {
    CMCP_ASSIGN_OR_RETURN(FieldDef field, FieldFromModel(model));
    table.fields.push_back(std::move(field));
  }
  CMCP_RETURN_IF_ERROR(store_->catalog().CreateTable(std::move(table)));
  return NoContent(201);
}

absl::StatusOr<HttpResponse> DesignApi::GetTable(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(const TableDef* table, Table(r));
  ojson result;
  result["Name"] = table->name;
  result["Note"] = table->note;
  return ResultResponse(result);
}

absl::StatusOr<HttpResponse> DesignApi::ListTableFields(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(const TableDef* table, Table(r));
  ojson result = ojson::array();
  int order = 0;
  for (const FieldDef& f : table->fields) result.push_back(FieldDesign(f, ++order));
  return ResultResponse(result);
}

absl::StatusOr<HttpResponse> DesignApi::CreateTableField(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(const TableDef* table, Table(r));
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  CMCP_ASSIGN_OR_RETURN(FieldDef field, FieldFromModel(body));
  CMCP_RETURN_IF_ERROR(store_->catalog().AddField(table->name, std::move(field)));
  return NoContent(201);
}

absl::StatusOr<HttpResponse> DesignApi::GetTableField(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(const TableDef* table, Table(r));
  int order = 0;
  for (const FieldDef& f : table->fields) {
    ++order;
    if (absl::EqualsIgnoreCase(f.name, r.Path("fieldName"))) return ResultResponse(FieldDesign(f, order));
  }
  return FieldNotFound(absl::StrCat("Field '", r.Path("fieldName"), "' was not found in table '", table->name, "'."));
}

absl::StatusOr<HttpResponse> DesignApi::UpdateTableField(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(const TableDef* table, Table(r));
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  const FieldDef* field = table->FindField(r.Path("fieldName"));
  if (field == nullptr) {
    return FieldNotFound(absl::StrCat("Field '", r.Path("fieldName"), "' was not found in table '", table->name, "'."));
  }
  const std::string old_name = field->name;
  const std::string table_name = table->name;
  CMCP_RETURN_IF_ERROR(store_->catalog().UpdateField(table_name, old_name, body));
  const FieldDef* updated = store_->catalog().FindTable(table_name)->FindField(old_name);
  if (updated == nullptr) {
    // Renamed: attachments follow the field.
    const json* new_name = Member(body, "Name");
    if (new_name != nullptr && new_name->is_string()) {
      CMCP_RETURN_IF_ERROR(store_->attachments().RenameField(table_name, old_name, new_name->get<std::string>()));
    }
  }
  return NoContent(204);
}

absl::StatusOr<HttpResponse> DesignApi::DeleteTableField(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(const TableDef* table, Table(r));
  if (absl::EqualsIgnoreCase(r.Path("fieldName"), "PK_ID")) {
    return IncorrectBodyParameter("PK_ID is maintained by Caspio and cannot be deleted.");
  }
  const std::string table_name = table->name;
  const FieldDef* field = table->FindField(r.Path("fieldName"));
  const bool attachment = field != nullptr && field->type == FieldType::kAttachment;
  CMCP_RETURN_IF_ERROR(store_->catalog().DeleteField(table_name, r.Path("fieldName")));
  if (attachment) CMCP_RETURN_IF_ERROR(store_->attachments().DeleteField(table_name, r.Path("fieldName")));
  return NoContent(204);
}

absl::StatusOr<HttpResponse> DesignApi::ListPasswordFields(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(const TableDef* table, Table(r));
  ojson names = ojson::array();
  for (const FieldDef& f : table->fields) {
    if (f.type == FieldType::kPassword) names.push_back(f.name);
  }
  return ResultResponse(names);
}

absl::StatusOr<HttpResponse> DesignApi::UpdatePasswordField(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(RecordSource source, RecordSource::Table(store_->catalog(), r.Path("tableName")));
  CMCP_ASSIGN_OR_RETURN(std::string where, r.query.Required("q.where"));
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  const json* value = Member(body, "Value");
  if (value == nullptr || !value->is_string()) {
    return IncorrectBodyParameter("'Value' (the new password) is required.");
  }
  CMCP_ASSIGN_OR_RETURN(int64_t n, store_->records().SetPassword(source, r.Path("passwordFieldName"), where,
                                                                  value->get<std::string>()));
  ojson out;
  out["RecordsAffected"] = n;
  return JsonResponse(200, out);
}

absl::StatusOr<HttpResponse> DesignApi::ResetPasswordField(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(RecordSource source, RecordSource::Table(store_->catalog(), r.Path("tableName")));
  CMCP_ASSIGN_OR_RETURN(std::string where, r.query.Required("q.where"));
  CMCP_ASSIGN_OR_RETURN(int64_t n,
                        store_->records().SetPassword(source, r.Path("passwordFieldName"), where, std::nullopt));
  ojson out;
  out["RecordsAffected"] = n;
  return JsonResponse(200, out);
}

absl::StatusOr<HttpResponse> DesignApi::ListViews(const ApiRequest&) {
  return ResultResponse(store_->catalog().ViewNames());
}

absl::StatusOr<HttpResponse> DesignApi::GetView(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(const ViewDef* view, View(r));
  ojson result;
  result["Name"] = view->name;
  result["Note"] = view->note;
  return ResultResponse(result);
}

absl::StatusOr<HttpResponse> DesignApi::ListViewFields(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(const ViewDef* view, View(r));
  ojson result = ojson::array();
  int order = 0;
  for (const ViewColumn& c : view->columns) result.push_back(ViewFieldDesign(c, ++order));
  return ResultResponse(result);
}

absl::StatusOr<HttpResponse> DesignApi::GetViewField(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(const ViewDef* view, View(r));
  int order = 0;
  for (const ViewColumn& c : view->columns) {
    ++order;
    if (absl::EqualsIgnoreCase(c.name, r.Path("fieldName"))) return ResultResponse(ViewFieldDesign(c, order));
  }
  return FieldNotFound(absl::StrCat("Field '", r.Path("fieldName"), "' was not found in view '", view->name, "'."));
}

void DesignApi::Register(ApiRoutes& routes) {
  auto bind = [this](absl::StatusOr<HttpResponse> (DesignApi::*method)(const ApiRequest&)) {
    return [this, method](const ApiRequest& r) { return (this->*method)(r); };
  };
  routes.Add("GET", "/v3/tables", "ListTables", bind(&DesignApi::ListTables));
  routes.Add("POST", "/v3/tables", "CreateTable", bind(&DesignApi::CreateTable));
  routes.Add("GET", "/v3/tables/{tableName}", "GetTable", bind(&DesignApi::GetTable));
  routes.Add("GET", "/v3/tables/{tableName}/fields", "ListTableFields", bind(&DesignApi::ListTableFields));
  routes.Add("POST", "/v3/tables/{tableName}/fields", "CreateTableField", bind(&DesignApi::CreateTableField));
  routes.Add("GET", "/v3/tables/{tableName}/fields/{fieldName}", "GetTableField", bind(&DesignApi::GetTableField));
  routes.Add("PUT", "/v3/tables/{tableName}/fields/{fieldName}", "UpdateTableField",
             bind(&DesignApi::UpdateTableField));
  routes.Add("DELETE", "/v3/tables/{tableName}/fields/{fieldName}", "DeleteTableField",
             bind(&DesignApi::DeleteTableField));
  routes.Add("GET", "/v3/tables/{tableName}/passwordFields", "ListPasswordTableFields",
             bind(&DesignApi::ListPasswordFields));
  routes.Add("PUT", "/v3/tables/{tableName}/passwordFields/{passwordFieldName}", "UpdatePasswordTableField",
             bind(&DesignApi::UpdatePasswordField));
  routes.Add("DELETE", "/v3/tables/{tableName}/passwordFields/{passwordFieldName}", "ResetPasswordTableField",
             bind(&DesignApi::ResetPasswordField));
  routes.Add("GET", "/v3/views", "ListViews", bind(&DesignApi::ListViews));
  routes.Add("GET", "/v3/views/{viewName}", "GetView", bind(&DesignApi::GetView));
  routes.Add("GET", "/v3/views/{viewName}/fields", "ListViewFields", bind(&DesignApi::ListViewFields));
  routes.Add("GET", "/v3/views/{viewName}/fields/{fieldName}", "GetViewField", bind(&DesignApi::GetViewField));
}

}  // namespace cmcp::sandbox
