// File: directories_api.h
// Directories of end users: list directories, list users (with the read-only
// attributes _status, _sign_in_method and _2fa_status, filterable in GET),
// create, update and delete users by a Where clause that refuses those
// attributes, and activation links.
#pragma once

#include "sandbox/caspio/api/api_common.h"
#include "sandbox/caspio/store/sandbox_store.h"

namespace cmcp::sandbox {

class DirectoriesApi {
 public:
  explicit DirectoriesApi(SandboxStore* store) : store_(store) {}
  void Register(ApiRoutes& routes);

 private:
  absl::StatusOr<RecordSource> Users(const ApiRequest& r);

  absl::StatusOr<HttpResponse> ListDirectories(const ApiRequest& r);
  absl::StatusOr<HttpResponse> ListUsers(const ApiRequest& r);
  absl::StatusOr<HttpResponse> CreateUser(const ApiRequest& r);
  absl::StatusOr<HttpResponse> UpdateUsers(const ApiRequest& r);
  absl::StatusOr<HttpResponse> DeleteUsers(const ApiRequest& r);
  absl::StatusOr<HttpResponse> ActivateUser(const ApiRequest& r);

  SandboxStore* store_;
};

}  // namespace cmcp::sandbox
