#include "sandbox/caspio/api/directories_api.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/api/records_api.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {
namespace {

using json = nlohmann::json;

std::string S(const json& doc, const char* key) {
  return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : "";
}

}  // namespace

absl::StatusOr<RecordSource> DirectoriesApi::Users(const ApiRequest& r) {
  const std::string& id = r.Path("directoryId");
  CMCP_ASSIGN_OR_RETURN(auto directory, store_->objects().Get("directory", absl::AsciiStrToLower(id)));
  if (!directory.has_value()) return ObjectNotFound(absl::StrCat("Directory '", id, "' was not found."));
  const TableDef* table = store_->catalog().FindTable(S(*directory, "Table"));
  if (table == nullptr) return ObjectNotFound(absl::StrCat("The table of directory '", id, "' was not found."));
  return RecordSource::Directory(table);
}

absl::StatusOr<HttpResponse> DirectoriesApi::ListDirectories(const ApiRequest&) {
  CMCP_ASSIGN_OR_RETURN(std::vector<json> directories, store_->objects().List("directory"));
  ojson result = ojson::array();
  for (const json& d : directories) {
    int64_t users = 0;
    if (const TableDef* table = store_->catalog().FindTable(S(d, "Table")); table != nullptr) {
      CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks,
                            store_->records().Match(RecordSource::Directory(table), "", /*for_write=*/false));
      users = static_cast<int64_t>(pks.size());
    }
    ojson item;
    item["Id"] = S(d, "Id");
    item["Name"] = S(d, "Name");
    item["NumberOfUsers"] = users;
    item["DateCreated"] = S(d, "DateCreated");
    item["DateUpdated"] = S(d, "DateUpdated");
    item["CreatedBy"] = S(d, "CreatedBy");
    item["UpdatedBy"] = S(d, "UpdatedBy");
    result.push_back(item);
  }
  return ResultResponse(result);
}

absl::StatusOr<HttpResponse> DirectoriesApi::ListUsers(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(RecordSource source, Users(r));
  CMCP_ASSIGN_OR_RETURN(ListOptions options, RecordsApi::ListOptionsFrom(r.query));
  CMCP_ASSIGN_OR_RETURN(ListResult result, store_->records().List(source, options));
  return RecordsApi::ListResponse(result);
}

absl::StatusOr<HttpResponse> DirectoriesApi::CreateUser(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(RecordSource source, Users(r));
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  CMCP_ASSIGN_OR_RETURN(int64_t pk, store_->records().Insert(source, body));
  if (!RecordsApi::WantsRows(r.query)) return NoContent(201);
  CMCP_ASSIGN_OR_RETURN(std::string rows, store_->records().RowsJson(source, {pk}));
  return RawJsonResponse(201, absl::StrCat("{\"Result\":", rows, "}"));
}

absl::StatusOr<HttpResponse> DirectoriesApi::UpdateUsers(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(RecordSource source, Users(r));
  CMCP_ASSIGN_OR_RETURN(std::string where, r.query.Required("Where"));
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks, store_->records().Update(source, where, body));
  std::string rows = "[]";
  if (RecordsApi::WantsRows(r.query)) {
    CMCP_ASSIGN_OR_RETURN(rows, store_->records().RowsJson(source, pks));
  }
  return RawJsonResponse(200, absl::StrCat("{\"UsersAffected\":", pks.size(), ",\"Result\":", rows, "}"));
}

absl::StatusOr<HttpResponse> DirectoriesApi::DeleteUsers(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(RecordSource source, Users(r));
  CMCP_ASSIGN_OR_RETURN(std::string where, r.query.Required("Where"));
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks, store_->records().Delete(source, where));
  CMCP_RETURN_IF_ERROR(store_->attachments().DeleteRecords(source.base().name, pks));
  return RawJsonResponse(200, absl::StrCat("{\"UsersAffected\":", pks.size(), "}"));
}

absl::StatusOr<HttpResponse> DirectoriesApi::ActivateUser(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(RecordSource source, Users(r));
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  if (!body.is_object()) return IncorrectBodyParameter("The body must be an ActivateUserRequest object.");
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (!absl::EqualsIgnoreCase(it.key(), "UserGUID") && !absl::EqualsIgnoreCase(it.key(), "SendEmail")) {
      return IncorrectBodyParameter(absl::StrCat("Unknown property '", it.key(), "'."));
    }
  }
  const json* guid = Member(body, "UserGUID");
  if (guid == nullptr || !guid->is_string() || guid->get<std::string>().empty()) {
    return IncorrectBodyParameter("'UserGUID' is required.");
  }
  const json* send_email = Member(body, "SendEmail");
  if (send_email != nullptr && !send_email->is_boolean()) {
    return IncorrectBodyParameter("'SendEmail' must be true or false.");
  }
  const FieldDef* guid_field = source.base().FindField("UserGUID");
  if (guid_field == nullptr) return IncorrectBodyParameter("The directory table has no UserGUID field.");
  const std::string wanted = guid->get<std::string>();
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks, store_->records().FindByValue(source, *guid_field, wanted));
  if (pks.empty()) return ObjectNotFound(absl::StrCat("User with UserGUID '", wanted, "' was not found."));
  CMCP_ASSIGN_OR_RETURN(std::string status, store_->records().DirectoryAttribute(source, pks[0], "_status"));
  if (status == "Active") return ConflictError(absl::StrCat("User '", wanted, "' is already active."));
  if (status == "Inactive" || status == "ActivationExpired") {
    // A fresh link makes the user wait for activation again.
    CMCP_RETURN_IF_ERROR(store_->records().SetDirectoryAttribute(source, pks[0], "_status", "ActivationPending"));
  }
  const std::string host(r.http->headers.Get("Host").value_or("localhost"));
  ojson result;
  result["ActivationUrl"] = absl::StrCat("http://", host, "/__sandbox/activate/", r.Path("directoryId"), "?token=",
                                         Base64UrlEncode(RandomBytes(24)));
  return ResultResponse(result);
}

void DirectoriesApi::Register(ApiRoutes& routes) {
  auto bind = [this](absl::StatusOr<HttpResponse> (DirectoriesApi::*method)(const ApiRequest&)) {
    return [this, method](const ApiRequest& r) { return (this->*method)(r); };
  };
  routes.Add("GET", "/v3/directories", "ListDirectories", bind(&DirectoriesApi::ListDirectories));
  routes.Add("GET", "/v3/directories/{directoryId}/users", "ListDirectoryUsers", bind(&DirectoriesApi::ListUsers));
  routes.Add("POST", "/v3/directories/{directoryId}/users", "CreateUser", bind(&DirectoriesApi::CreateUser));
  routes.Add("PUT", "/v3/directories/{directoryId}/users", "UpdateUsers", bind(&DirectoriesApi::UpdateUsers));
  routes.Add("DELETE", "/v3/directories/{directoryId}/users", "DeleteUsers", bind(&DirectoriesApi::DeleteUsers));
  routes.Add("POST", "/v3/directories/{directoryId}/users/activate", "ActivateUser",
             bind(&DirectoriesApi::ActivateUser));
}

}  // namespace cmcp::sandbox
