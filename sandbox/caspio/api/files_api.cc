#include "sandbox/caspio/api/files_api.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/crypto.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/api/multipart.h"
#include "sandbox/caspio/tsql/tsql.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {
namespace {

using json = nlohmann::json;

std::string S(const json& doc, const char* key) {
  return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : "";
}

std::string BlobId(absl::string_view key) { return absl::StrCat("file:", key); }

std::string BaseName(absl::string_view name) {
  const size_t slash = name.find_last_of("/\\");
  return std::string(slash == absl::string_view::npos ? name : name.substr(slash + 1));
}

ojson FolderJson(const json& folder) {
  ojson o;
  o["Name"] = S(folder, "Name");
  o["ExternalKey"] = S(folder, "ExternalKey");
  o["DateCreated"] = S(folder, "DateCreated");
  return o;
}

}  // namespace

ojson FileInfoJson(const json& file) {
  ojson o;
  o["Name"] = S(file, "Name");
  o["ExternalKey"] = S(file, "ExternalKey");
  o["Size"] = file.value("Size", 0);
  o["ContentType"] = S(file, "ContentType");
  o["DateCreated"] = S(file, "DateCreated");
  o["LastModified"] = S(file, "LastModified");
  return o;
}

absl::StatusOr<std::string> FilesApi::FolderKey(const ApiRequest& r) {
  const std::string key(absl::StripAsciiWhitespace(r.query.Get("externalKey").value_or("")));
  if (key.empty()) return key;
  CMCP_ASSIGN_OR_RETURN(auto folder, store_->objects().Get("folder", absl::AsciiStrToLower(key)));
  if (!folder.has_value()) return ObjectNotFound(absl::StrCat("Folder '", key, "' was not found."));
  return S(*folder, "ExternalKey");
}

absl::StatusOr<json> FilesApi::FileByKey(absl::string_view key) {
  CMCP_ASSIGN_OR_RETURN(auto file, store_->objects().Get("file", absl::AsciiStrToLower(key)));
  if (!file.has_value()) return ObjectNotFound(absl::StrCat("File '", key, "' was not found."));
  return *std::move(file);
}

absl::StatusOr<std::optional<json>> FilesApi::FileNamed(absl::string_view folder, absl::string_view name) {
  CMCP_ASSIGN_OR_RETURN(std::vector<json> files, store_->objects().List("file"));
  for (json& f : files) {
    if (S(f, "Folder") == folder && absl::EqualsIgnoreCase(S(f, "Name"), name)) return std::optional<json>(std::move(f));
  }
  return std::optional<json>();
}

absl::StatusOr<json> FilesApi::FileByPath(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(std::string path, r.query.Required("filePath"));
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  if (parts.empty()) return IncorrectQueryParameter("filePath must name a file, e.g. /Reports/summary.pdf.");
  CMCP_ASSIGN_OR_RETURN(std::vector<json> folders, store_->objects().List("folder"));
  std::string parent;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    bool found = false;
    for (const json& f : folders) {
      if (S(f, "Parent") == parent && absl::EqualsIgnoreCase(S(f, "Name"), parts[i])) {
        parent = S(f, "ExternalKey");
        found = true;
        break;
      }
    }
    if (!found) return ObjectNotFound(absl::StrCat("Folder '", parts[i], "' in path '", path, "' was not found."));
  }
  CMCP_ASSIGN_OR_RETURN(auto file, FileNamed(parent, parts.back()));
  if (!file.has_value()) return ObjectNotFound(absl::StrCat("File '", path, "' was not found."));
  return *std::move(file);
}

absl::StatusOr<HttpResponse> FilesApi::ListPage(const ApiRequest& r, bool folders) {
  CMCP_ASSIGN_OR_RETURN(std::string parent, FolderKey(r));
  CMCP_ASSIGN_OR_RETURN(std::optional<int64_t> page_number, r.query.Int("pageNumber"));
  CMCP_ASSIGN_OR_RETURN(std::optional<int64_t> page_size, r.query.Int("pageSize"));
  CMCP_ASSIGN_OR_RETURN(bool descending, r.query.Bool("sortDescending", false));
  const int64_t number = page_number.value_or(1);
  const int64_t size = page_size.value_or(25);
  if (number < 1) return IncorrectQueryParameter("pageNumber must be 1 or greater.");
  if (size < 5 || size > 1000) return IncorrectQueryParameter("pageSize must be between 5 and 1000.");
  std::string sort = r.query.Get("sortField").value_or("Name");
  if (sort.empty()) sort = "Name";
  const std::vector<std::string> allowed = folders ? std::vector<std::string>{"Name", "DateCreated"}
                                                   : std::vector<std::string>{"Name", "Size", "ContentType",
                                                                              "DateCreated", "LastModified"};
  bool known = false;
  for (const std::string& a : allowed) {
    if (absl::EqualsIgnoreCase(a, sort)) {
      sort = a;
      known = true;
    }
  }
  if (!known) return IncorrectQueryParameter(absl::StrCat("sortField '", sort, "' is not supported."));
  CMCP_ASSIGN_OR_RETURN(std::vector<json> all, store_->objects().List(folders ? "folder" : "file"));
  std::vector<json> items;
  for (json& item : all) {
    if (S(item, folders ? "Parent" : "Folder") == parent) items.push_back(std::move(item));
  }
  std::stable_sort(items.begin(), items.end(), [&](const json& a, const json& b) {
    int c = 0;
    if (sort == "Size") {
      const int64_t x = a.value("Size", 0), y = b.value("Size", 0);
      c = x < y ? -1 : x > y ? 1 : 0;
    } else {
      c = tsql::CompareCi(S(a, sort.c_str()), S(b, sort.c_str()));
    }
    return descending ? c > 0 : c < 0;
  });
  ojson result = ojson::array();
  const size_t start = static_cast<size_t>((number - 1) * size);
  for (size_t i = start; i < items.size() && i < start + static_cast<size_t>(size); ++i) {
    result.push_back(folders ? FolderJson(items[i]) : FileInfoJson(items[i]));
  }
  ojson body;
  body["Result"] = result;
  body["Pagination"] = {{"TotalCount", items.size()}, {"PageNumber", number}, {"PageSize", size}};
  return JsonResponse(200, body);
}

absl::StatusOr<HttpResponse> FilesApi::ListFiles(const ApiRequest& r) { return ListPage(r, false); }
absl::StatusOr<HttpResponse> FilesApi::ListFolders(const ApiRequest& r) { return ListPage(r, true); }

absl::StatusOr<HttpResponse> FilesApi::GetFolder(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(auto folder, store_->objects().Get("folder", absl::AsciiStrToLower(r.Path("externalKey"))));
  if (!folder.has_value()) return ObjectNotFound(absl::StrCat("Folder '", r.Path("externalKey"), "' was not found."));
  return ResultResponse(FolderJson(*folder));
}

absl::StatusOr<HttpResponse> FilesApi::Download(const json& file) {
  CMCP_ASSIGN_OR_RETURN(auto data, store_->objects().GetBlob(BlobId(S(file, "ExternalKey"))));
  HttpResponse response;
  response.status = 200;
  response.headers.Add("Content-Type", S(file, "ContentType"));
  response.headers.Add("Content-Disposition", absl::StrCat("attachment; filename=\"", S(file, "Name"), "\""));
  response.body = data.value_or("");
  return response;
}

absl::StatusOr<HttpResponse> FilesApi::Remove(const json& file) {
  const std::string key = S(file, "ExternalKey");
  CMCP_RETURN_IF_ERROR(store_->objects().Delete("file", absl::AsciiStrToLower(key)).status());
  CMCP_RETURN_IF_ERROR(store_->objects().DeleteBlob(BlobId(key)));
  return NoContent(204);
}

absl::StatusOr<HttpResponse> FilesApi::UploadFiles(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(std::string folder, FolderKey(r));
  auto parts = ParseMultipart(r.http->headers.Get("Content-Type").value_or(""), r.http->body);
  if (!parts.ok()) return IncorrectBodyParameter(parts.status().message());
  std::vector<const MultipartPart*> files;
  for (const MultipartPart& p : *parts) {
    if (absl::EqualsIgnoreCase(p.name, "Files")) files.push_back(&p);
  }
  if (files.empty()) return IncorrectBodyParameter("At least one multipart part 'Files' is required.");
  std::vector<std::string> names;
  for (const MultipartPart* p : files) {
    const std::string name = BaseName(p->file_name);
    if (name.empty()) return IncorrectBodyParameter("Every 'Files' part must carry a filename.");
    if (static_cast<int64_t>(p->data.size()) > max_upload_bytes_) {
      return ContentTooLarge(absl::StrCat("File '", name, "' is ", p->data.size(), " bytes; the limit is ",
                                          max_upload_bytes_, " bytes."));
    }
    CMCP_ASSIGN_OR_RETURN(auto existing, FileNamed(folder, name));
    bool repeated = false;
    for (const std::string& n : names) repeated = repeated || absl::EqualsIgnoreCase(n, name);
    if (existing.has_value() || repeated) {
      return ConflictError(absl::StrCat("A file named '", name, "' already exists in this folder."));
    }
    names.push_back(name);
  }
  const std::string now = IsoUtc(store_->clock().Now());
  ojson result = ojson::array();
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string key = NewUuid();
    json doc = {{"Name", names[i]},          {"ExternalKey", key},
                {"Folder", folder},          {"Size", files[i]->data.size()},
                {"ContentType", files[i]->content_type}, {"DateCreated", now},
                {"LastModified", now}};
    CMCP_RETURN_IF_ERROR(store_->objects().Put("file", key, doc));
    CMCP_RETURN_IF_ERROR(store_->objects().PutBlob(BlobId(key), files[i]->data));
    result.push_back({{"Name", names[i]}, {"ExternalKey", key}});
  }
  return ResultResponse(result, 201);
}

absl::StatusOr<HttpResponse> FilesApi::UpdateFile(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(std::string folder, FolderKey(r));
  auto parts = ParseMultipart(r.http->headers.Get("Content-Type").value_or(""), r.http->body);
  if (!parts.ok()) return IncorrectBodyParameter(parts.status().message());
  const MultipartPart* file = nullptr;
  for (const MultipartPart& p : *parts) {
    if (absl::EqualsIgnoreCase(p.name, "File")) file = &p;
  }
  if (file == nullptr) return IncorrectBodyParameter("The multipart part 'File' is required.");
  const std::string name = BaseName(file->file_name);
  if (name.empty()) return IncorrectBodyParameter("The part 'File' must carry a filename.");
  if (static_cast<int64_t>(file->data.size()) > max_upload_bytes_) {
    return ContentTooLarge(absl::StrCat("The file is ", file->data.size(), " bytes; the limit is ",
                                        max_upload_bytes_, " bytes."));
  }
  const std::string now = IsoUtc(store_->clock().Now());
  CMCP_ASSIGN_OR_RETURN(auto existing, FileNamed(folder, name));
  json doc;
  int status = 201;
  if (existing.has_value()) {
    doc = *existing;
    status = 200;
  } else {
    doc = {{"Name", name}, {"ExternalKey", NewUuid()}, {"Folder", folder}, {"DateCreated", now}};
  }
  doc["Size"] = file->data.size();
  doc["ContentType"] = file->content_type;
  doc["LastModified"] = now;
  const std::string key = S(doc, "ExternalKey");
  CMCP_RETURN_IF_ERROR(store_->objects().Put("file", absl::AsciiStrToLower(key), doc));
  CMCP_RETURN_IF_ERROR(store_->objects().PutBlob(BlobId(key), file->data));
  ojson result;
  result["Name"] = S(doc, "Name");
  result["ExternalKey"] = key;
  return ResultResponse(result, status);
}

void FilesApi::Register(ApiRoutes& routes) {
  auto bind = [this](absl::StatusOr<HttpResponse> (FilesApi::*method)(const ApiRequest&)) {
    return [this, method](const ApiRequest& r) { return (this->*method)(r); };
  };
  routes.Add("GET", "/v3/files/folders", "ListFilesFolders", bind(&FilesApi::ListFolders));
  routes.Add("GET", "/v3/files/folders/{externalKey}", "GetFilesFolderMetadataByKey", bind(&FilesApi::GetFolder));
  routes.Add("GET", "/v3/files", "ListFiles", bind(&FilesApi::ListFiles));
  routes.Add("POST", "/v3/files", "UploadFiles", bind(&FilesApi::UploadFiles));
  routes.Add("PUT", "/v3/files", "UpdateFile", bind(&FilesApi::UpdateFile));
  routes.Add("GET", "/v3/files/{externalKey}/fileInfo", "GetFileMetadataByKey",
             [this](const ApiRequest& r) -> absl::StatusOr<HttpResponse> {
               CMCP_ASSIGN_OR_RETURN(json file, FileByKey(r.Path("externalKey")));
               return ResultResponse(FileInfoJson(file));
             });
  routes.Add("GET", "/v3/files/{externalKey}", "DownloadFileByKey",
             [this](const ApiRequest& r) -> absl::StatusOr<HttpResponse> {
               CMCP_ASSIGN_OR_RETURN(json file, FileByKey(r.Path("externalKey")));
               return Download(file);
             });
  routes.Add("DELETE", "/v3/files/{externalKey}", "DeleteFileByKey",
             [this](const ApiRequest& r) -> absl::StatusOr<HttpResponse> {
               CMCP_ASSIGN_OR_RETURN(json file, FileByKey(r.Path("externalKey")));
               return Remove(file);
             });
  routes.Add("GET", "/v3/files/path/fileInfo", "GetFileMetadataByPath",
             [this](const ApiRequest& r) -> absl::StatusOr<HttpResponse> {
               CMCP_ASSIGN_OR_RETURN(json file, FileByPath(r));
               return ResultResponse(FileInfoJson(file));
             });
  routes.Add("GET", "/v3/files/path", "DownloadFileByPath", [this](const ApiRequest& r) -> absl::StatusOr<HttpResponse> {
    CMCP_ASSIGN_OR_RETURN(json file, FileByPath(r));
    return Download(file);
  });
  routes.Add("DELETE", "/v3/files/path", "DeleteFileByPath", [this](const ApiRequest& r) -> absl::StatusOr<HttpResponse> {
    CMCP_ASSIGN_OR_RETURN(json file, FileByPath(r));
    return Remove(file);
  });
}

}  // namespace cmcp::sandbox
