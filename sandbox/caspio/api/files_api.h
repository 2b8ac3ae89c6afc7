// File: files_api.h
// The Files area (separate from attachments): folders and files listed with
// paging and sorting, upload (multipart part "Files", 409 on a name clash,
// 413 above the limit), overwrite (part "File", 200 or 201), download,
// metadata and delete by ExternalKey or by path. No folder creation, as in v3.
#pragma once

#include <optional>

#include "sandbox/caspio/api/api_common.h"
#include "sandbox/caspio/store/sandbox_store.h"

namespace cmcp::sandbox {

class FilesApi {
 public:
  FilesApi(SandboxStore* store, int64_t max_upload_bytes) : store_(store), max_upload_bytes_(max_upload_bytes) {}
  void Register(ApiRoutes& routes);

 private:
  // The folder named by ?externalKey ("" = root); 404 when unknown.
  absl::StatusOr<std::string> FolderKey(const ApiRequest& r);
  absl::StatusOr<nlohmann::json> FileByKey(absl::string_view key);
  absl::StatusOr<nlohmann::json> FileByPath(const ApiRequest& r);
  absl::StatusOr<std::optional<nlohmann::json>> FileNamed(absl::string_view folder, absl::string_view name);
  absl::StatusOr<HttpResponse> ListPage(const ApiRequest& r, bool folders);
  absl::StatusOr<HttpResponse> Download(const nlohmann::json& file);
  absl::StatusOr<HttpResponse> Remove(const nlohmann::json& file);

  absl::StatusOr<HttpResponse> ListFiles(const ApiRequest& r);
  absl::StatusOr<HttpResponse> ListFolders(const ApiRequest& r);
  absl::StatusOr<HttpResponse> GetFolder(const ApiRequest& r);
  absl::StatusOr<HttpResponse> UploadFiles(const ApiRequest& r);
  absl::StatusOr<HttpResponse> UpdateFile(const ApiRequest& r);

  SandboxStore* store_;
  int64_t max_upload_bytes_;
};

// FileItem / FileMetadataInfo JSON of a stored file document.
ojson FileInfoJson(const nlohmann::json& file);

}  // namespace cmcp::sandbox
