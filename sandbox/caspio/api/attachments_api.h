// File: attachments_api.h
// ATTACHMENT fields of tables and views: binary download, multipart upload
// (part "File", 413 above the size limit), delete by Where, and the fileInfo
// metadata (read, rename).
#pragma once

#include "sandbox/caspio/api/api_common.h"
#include "sandbox/caspio/store/sandbox_store.h"

namespace cmcp::sandbox {

class AttachmentsApi {
 public:
  AttachmentsApi(SandboxStore* store, int64_t max_upload_bytes) : store_(store), max_upload_bytes_(max_upload_bytes) {}
  void Register(ApiRoutes& routes);

 private:
  struct Target {
    RecordSource source;
    const FieldDef* field = nullptr;
  };
  absl::StatusOr<Target> Resolve(const ApiRequest& r, bool view) const;
  absl::StatusOr<int64_t> RecordPk(const ApiRequest& r, const Target& target) const;

  absl::StatusOr<HttpResponse> Download(const ApiRequest& r, bool view);
  absl::StatusOr<HttpResponse> Upload(const ApiRequest& r, bool view);
  absl::StatusOr<HttpResponse> Delete(const ApiRequest& r, bool view);
  absl::StatusOr<HttpResponse> GetInfo(const ApiRequest& r, bool view);
  absl::StatusOr<HttpResponse> UpdateInfo(const ApiRequest& r, bool view);

  SandboxStore* store_;
  int64_t max_upload_bytes_;
};

}  // namespace cmcp::sandbox
