// File: records_api.h
// Table and view records: GET/POST/PUT/DELETE /v3/tables/{tableName}/records
// and /v3/views/{viewName}/records, plus table password fields. Handlers
// run with the store's mutex held (see sandbox_app.h).
#pragma once

#include "sandbox/caspio/api/api_common.h"
#include "sandbox/caspio/store/sandbox_store.h"

namespace cmcp::sandbox {

class RecordsApi {
 public:
  explicit RecordsApi(SandboxStore* store) : store_(store) {}
  void Register(ApiRoutes& routes);

  // Shared with the directory users endpoints.
  static absl::StatusOr<ListOptions> ListOptionsFrom(const QueryParams& query);
  static HttpResponse ListResponse(const ListResult& result);
  static bool WantsRows(const QueryParams& query);

 private:
  absl::StatusOr<HttpResponse> List(const ApiRequest& r, const RecordSource& source);
  absl::StatusOr<HttpResponse> Create(const ApiRequest& r, const RecordSource& source);
  absl::StatusOr<HttpResponse> Update(const ApiRequest& r, const RecordSource& source);
  absl::StatusOr<HttpResponse> Delete(const ApiRequest& r, const RecordSource& source);

  SandboxStore* store_;
};

}  // namespace cmcp::sandbox
