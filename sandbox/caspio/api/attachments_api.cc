#include "sandbox/caspio/api/attachments_api.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/api/multipart.h"
#include "sandbox/caspio/api/records_api.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {
namespace {

using json = nlohmann::json;

ojson InfoJson(int64_t pk, const AttachmentInfo* info, bool view) {
  ojson o;
  o["PK_ID"] = view ? ojson(absl::StrCat(pk)) : ojson(pk);
  o["FileName"] = info ? ojson(info->file_name) : ojson(nullptr);
  o["FileType"] = info ? ojson(info->file_type) : ojson(nullptr);
  o["Size"] = info ? ojson(info->size) : ojson(nullptr);
  o["DateCreated"] = info ? ojson(info->date_created) : ojson(nullptr);
  o["DateUpdated"] = info ? ojson(info->date_updated) : ojson(nullptr);
  return o;
}

// The last path segment of an uploaded file name (browsers may send a path).
std::string BaseName(absl::string_view name) {
  const size_t slash = name.find_last_of("/\\");
  return std::string(slash == absl::string_view::npos ? name : name.substr(slash + 1));
}

}  // namespace

absl::StatusOr<AttachmentsApi::Target> AttachmentsApi::Resolve(const ApiRequest& r, bool view) const {
  Target target;
  const std::string& name = r.Path("attachmentFieldName");
  if (view) {
    CMCP_ASSIGN_OR_RETURN(target.source, RecordSource::View(store_->catalog(), r.Path("viewName")));
  } else {
    CMCP_ASSIGN_OR_RETURN(target.source, RecordSource::Table(store_->catalog(), r.Path("tableName")));
  }
  target.field = target.source.ResolveField(name);
  if (target.field == nullptr) {
    return FieldNotFound(absl::StrCat("Attachment field '", name, "' was not found."));
  }
  if (target.field->type != FieldType::kAttachment) {
    return IncorrectQueryParameter(absl::StrCat("Field '", name, "' is not an ATTACHMENT field."));
  }
  return target;
}

absl::StatusOr<int64_t> AttachmentsApi::RecordPk(const ApiRequest& r, const Target& target) const {
  const std::string& text = r.Path("recordPkId");
  int64_t pk = 0;
  if (!absl::SimpleAtoi(text, &pk)) {
    return IncorrectQueryParameter(absl::StrCat("The record PK_ID '", text, "' is not valid."));
  }
  CMCP_ASSIGN_OR_RETURN(bool exists, store_->records().Exists(target.source, pk));
  if (!exists) return ObjectNotFound(absl::StrCat("Record with PK_ID ", pk, " was not found."));
  return pk;
}

absl::StatusOr<HttpResponse> AttachmentsApi::Download(const ApiRequest& r, bool view) {
  CMCP_ASSIGN_OR_RETURN(Target target, Resolve(r, view));
  CMCP_ASSIGN_OR_RETURN(int64_t pk, RecordPk(r, target));
  CMCP_ASSIGN_OR_RETURN(auto stored, store_->attachments().Get(target.source.base().name, target.field->name, pk));
  if (!stored.has_value()) {
    return ObjectNotFound(absl::StrCat("Record ", pk, " has no file in field '", r.Path("attachmentFieldName"), "'."));
  }
  HttpResponse response;
  response.status = 200;
  response.headers.Add("Content-Type", stored->info.content_type);
  response.headers.Add("Content-Disposition",
                       absl::StrCat("attachment; filename=\"", stored->info.FullName(), "\""));
  response.body = std::move(stored->data);
  return response;
}

absl::StatusOr<HttpResponse> AttachmentsApi::Upload(const ApiRequest& r, bool view) {
  CMCP_ASSIGN_OR_RETURN(Target target, Resolve(r, view));
  CMCP_ASSIGN_OR_RETURN(int64_t pk, RecordPk(r, target));
  auto parts = ParseMultipart(r.http->headers.Get("Content-Type").value_or(""), r.http->body);
  if (!parts.ok()) return IncorrectBodyParameter(parts.status().message());
  const MultipartPart* file = nullptr;
  for (const MultipartPart& part : *parts) {
    if (absl::EqualsIgnoreCase(part.name, "File")) file = &part;
  }
  if (file == nullptr) return IncorrectBodyParameter("The multipart part 'File' is required.");
  const std::string name = BaseName(file->file_name);
  if (name.empty()) return IncorrectBodyParameter("The part 'File' must carry a filename.");
  if (static_cast<int64_t>(file->data.size()) > max_upload_bytes_) {
    return ContentTooLarge(absl::StrCat("The file is ", file->data.size(), " bytes; the limit is ",
                                        max_upload_bytes_, " bytes."));
  }
  if (target.field->attachment.contains("AttachmentPermittedFileTypes") &&
      target.field->attachment["AttachmentPermittedFileTypes"].is_array() &&
      !target.field->attachment["AttachmentPermittedFileTypes"].empty()) {
    const std::string type = absl::AsciiStrToLower(SplitFileName(name).second);
    bool allowed = false;
    for (const json& t : target.field->attachment["AttachmentPermittedFileTypes"]) {
      if (t.is_string()) {
        std::string want = absl::AsciiStrToLower(t.get<std::string>());
        if (absl::StartsWith(want, ".")) want = want.substr(1);
        allowed = allowed || want == type;
      }
    }
    if (!allowed) {
      return IncorrectBodyParameter(absl::StrCat("Files of type '", type, "' are not permitted in field '",
                                                 target.field->name, "'."));
    }
  }
  const std::string now = IsoUtc(store_->clock().Now());
  CMCP_RETURN_IF_ERROR(store_->attachments().Put(target.source.base().name, target.field->name, pk, name,
                                                 file->content_type, file->data, now));
  CMCP_RETURN_IF_ERROR(store_->records().SetAttachmentValue(target.source, *target.field, pk, name));
  return NoContent(204);
}

absl::StatusOr<HttpResponse> AttachmentsApi::Delete(const ApiRequest& r, bool view) {
  CMCP_ASSIGN_OR_RETURN(Target target, Resolve(r, view));
  CMCP_ASSIGN_OR_RETURN(std::string where, r.query.Required("q.where"));
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks, store_->records().Match(target.source, where, /*for_write=*/true));
  CMCP_ASSIGN_OR_RETURN(std::vector<AttachmentInfo> existing,
                        store_->attachments().List(target.source.base().name, target.field->name, pks));
  CMCP_ASSIGN_OR_RETURN(int64_t n, store_->attachments().Delete(target.source.base().name, target.field->name, pks));
  for (const AttachmentInfo& info : existing) {
    CMCP_RETURN_IF_ERROR(store_->records().SetAttachmentValue(target.source, *target.field, info.pk_id, std::nullopt));
  }
  ojson out;
  out["RecordsAffected"] = n;
  return JsonResponse(200, out);
}

absl::StatusOr<HttpResponse> AttachmentsApi::GetInfo(const ApiRequest& r, bool view) {
  CMCP_ASSIGN_OR_RETURN(Target target, Resolve(r, view));
  const std::string where = r.query.Get("q.where").value_or("");
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks, store_->records().Match(target.source, where, /*for_write=*/false));
  if (pks.size() > 1000) pks.resize(1000);
  CMCP_ASSIGN_OR_RETURN(std::vector<AttachmentInfo> infos,
                        store_->attachments().List(target.source.base().name, target.field->name, pks));
  ojson result = ojson::array();
  size_t next = 0;
  for (int64_t pk : pks) {
    const AttachmentInfo* info = nullptr;
    if (next < infos.size() && infos[next].pk_id == pk) info = &infos[next++];
    result.push_back(InfoJson(pk, info, view));
  }
  return ResultResponse(result);
}

absl::StatusOr<HttpResponse> AttachmentsApi::UpdateInfo(const ApiRequest& r, bool view) {
  CMCP_ASSIGN_OR_RETURN(Target target, Resolve(r, view));
  CMCP_ASSIGN_OR_RETURN(std::string where, r.query.Required("q.where"));
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  const json* name = Member(body, "FileName");
  if (name == nullptr || !name->is_string() || name->get<std::string>().empty()) {
    return IncorrectBodyParameter("'FileName' is required.");
  }
  const std::string new_name = BaseName(name->get<std::string>());
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks, store_->records().Match(target.source, where, /*for_write=*/true));
  const std::string now = IsoUtc(store_->clock().Now());
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> renamed, store_->attachments().Rename(target.source.base().name,
                                                                                  target.field->name, pks, new_name,
                                                                                  now));
  CMCP_ASSIGN_OR_RETURN(std::vector<AttachmentInfo> infos,
                        store_->attachments().List(target.source.base().name, target.field->name, renamed));
  ojson result = ojson::array();
  for (const AttachmentInfo& info : infos) {
    CMCP_RETURN_IF_ERROR(store_->records().SetAttachmentValue(target.source, *target.field, info.pk_id, info.FullName()));
    if (RecordsApi::WantsRows(r.query)) result.push_back(InfoJson(info.pk_id, &info, view));
  }
  ojson out;
  out["RecordsAffected"] = static_cast<int64_t>(renamed.size());
  out["Result"] = result;
  return JsonResponse(200, out);
}

void AttachmentsApi::Register(ApiRoutes& routes) {
  auto bind = [this](absl::StatusOr<HttpResponse> (AttachmentsApi::*method)(const ApiRequest&, bool), bool view) {
    return [this, method, view](const ApiRequest& r) { return (this->*method)(r, view); };
  };
  for (bool view : {false, true}) {
    const std::string base = view ? "/v3/views/{viewName}/attachments/{attachmentFieldName}"
                                  : "/v3/tables/{tableName}/attachments/{attachmentFieldName}";
    const std::string kind = view ? "View" : "Table";
    routes.Add("GET", base + "/{recordPkId}", "DownloadFileFromAttachment" + kind + "Field",
               bind(&AttachmentsApi::Download, view));
    routes.Add("PUT", base + "/{recordPkId}", "UploadFileToAttachment" + kind + "Field",
               bind(&AttachmentsApi::Upload, view));
    routes.Add("DELETE", base, "DeleteFileFromAttachment" + kind + "Fields", bind(&AttachmentsApi::Delete, view));
    routes.Add("GET", base + "/fileInfo", "GetFileMetadataFromAttachment" + kind + "Fields",
               bind(&AttachmentsApi::GetInfo, view));
    routes.Add("PUT", base + "/fileInfo", "UpdateFileMetadataInAttachment" + kind + "Fields",
               bind(&AttachmentsApi::UpdateInfo, view));
  }
}

}  // namespace cmcp::sandbox
