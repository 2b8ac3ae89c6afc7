// File: design_api.h
// Table and view designs: list/get/create tables, their fields (create,
// read, update, delete), table password fields, and view designs and fields.
#pragma once

#include "sandbox/caspio/api/api_common.h"
#include "sandbox/caspio/store/sandbox_store.h"

namespace cmcp::sandbox {

class DesignApi {
 public:
  explicit DesignApi(SandboxStore* store) : store_(store) {}
  void Register(ApiRoutes& routes);

 private:
  absl::StatusOr<const TableDef*> Table(const ApiRequest& r) const;
  absl::StatusOr<const ViewDef*> View(const ApiRequest& r) const;

  absl::StatusOr<HttpResponse> ListTables(const ApiRequest& r);
  absl::StatusOr<HttpResponse> CreateTable(const ApiRequest& r);
  absl::StatusOr<HttpResponse> GetTable(const ApiRequest& r);
  absl::StatusOr<HttpResponse> ListTableFields(const ApiRequest& r);
  absl::StatusOr<HttpResponse> CreateTableField(const ApiRequest& r);
  absl::StatusOr<HttpResponse> GetTableField(const ApiRequest& r);
  absl::StatusOr<HttpResponse> UpdateTableField(const ApiRequest& r);
  absl::StatusOr<HttpResponse> DeleteTableField(const ApiRequest& r);
  absl::StatusOr<HttpResponse> ListPasswordFields(const ApiRequest& r);
  absl::StatusOr<HttpResponse> UpdatePasswordField(const ApiRequest& r);
  absl::StatusOr<HttpResponse> ResetPasswordField(const ApiRequest& r);
  absl::StatusOr<HttpResponse> ListViews(const ApiRequest& r);
  absl::StatusOr<HttpResponse> GetView(const ApiRequest& r);
  absl::StatusOr<HttpResponse> ListViewFields(const ApiRequest& r);
  absl::StatusOr<HttpResponse> GetViewField(const ApiRequest& r);

  SandboxStore* store_;
};

}  // namespace cmcp::sandbox
