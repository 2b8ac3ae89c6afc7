#include "sandbox/caspio/api/records_api.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {

absl::StatusOr<ListOptions> RecordsApi::ListOptionsFrom(const QueryParams& query) {
  ListOptions o;
  o.query.select = query.Get("q.select").value_or("");
  o.query.where = query.Get("q.where").value_or("");
  o.query.group_by = query.Get("q.groupBy").value_or("");
  o.query.order_by = query.Get("q.orderBy").value_or("");
  CMCP_ASSIGN_OR_RETURN(o.limit, query.Int("q.limit"));
  CMCP_ASSIGN_OR_RETURN(o.page_number, query.Int("q.pageNumber"));
  CMCP_ASSIGN_OR_RETURN(o.page_size, query.Int("q.pageSize"));
  CMCP_ASSIGN_OR_RETURN(o.pagination_info, query.Bool("q.getPaginationInfo", false));
  return o;
}

HttpResponse RecordsApi::ListResponse(const ListResult& result) {
  std::string body;
  body.reserve(result.rows_json.size() + 96);
  body.append("{\"Result\":");
  body.append(result.rows_json);
  if (result.pagination.has_value()) {
    absl::StrAppend(&body, ",\"Pagination\":{\"TotalCount\":", result.pagination->total_count,
                    ",\"PageNumber\":", result.pagination->page_number, ",\"PageSize\":",
                    result.pagination->page_size, "}");
  }
  body.push_back('}');
  return RawJsonResponse(200, std::move(body));
}

bool RecordsApi::WantsRows(const QueryParams& query) {
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(query.Get("response").value_or("")), "rows");
}

absl::StatusOr<HttpResponse> RecordsApi::List(const ApiRequest& r, const RecordSource& source) {
  CMCP_ASSIGN_OR_RETURN(ListOptions options, ListOptionsFrom(r.query));
  CMCP_ASSIGN_OR_RETURN(ListResult result, store_->records().List(source, options));
  return ListResponse(result);
}

absl::StatusOr<HttpResponse> RecordsApi::Create(const ApiRequest& r, const RecordSource& source) {
  CMCP_ASSIGN_OR_RETURN(nlohmann::json body, r.JsonBody());
  CMCP_ASSIGN_OR_RETURN(int64_t pk, store_->records().Insert(source, body));
  if (!WantsRows(r.query)) return NoContent(201);
  CMCP_ASSIGN_OR_RETURN(std::string rows, store_->records().RowsJson(source, {pk}));
  return RawJsonResponse(201, absl::StrCat("{\"Result\":", rows, "}"));
}

absl::StatusOr<HttpResponse> RecordsApi::Update(const ApiRequest& r, const RecordSource& source) {
  CMCP_ASSIGN_OR_RETURN(std::string where, r.query.Required("q.where"));
  CMCP_ASSIGN_OR_RETURN(nlohmann::json body, r.JsonBody());
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks, store_->records().Update(source, where, body));
  std::string rows = "[]";
  if (WantsRows(r.query)) {
    CMCP_ASSIGN_OR_RETURN(rows, store_->records().RowsJson(source, pks));
  }
  return RawJsonResponse(200, absl::StrCat("{\"RecordsAffected\":", pks.size(), ",\"Result\":", rows, "}"));
}

absl::StatusOr<HttpResponse> RecordsApi::Delete(const ApiRequest& r, const RecordSource& source) {
  CMCP_ASSIGN_OR_RETURN(std::string where, r.query.Required("q.where"));
  CMCP_ASSIGN_OR_RETURN(std::vector<int64_t> pks, store_->records().Delete(source, where));
  CMCP_RETURN_IF_ERROR(store_->attachments().DeleteRecords(source.base().name, pks));
  return RawJsonResponse(200, absl::StrCat("{\"RecordsAffected\":", pks.size(), "}"));
}

void RecordsApi::Register(ApiRoutes& routes) {
  auto table = [this](auto method) {
    return [this, method](const ApiRequest& r) -> absl::StatusOr<HttpResponse> {
      CMCP_ASSIGN_OR_RETURN(RecordSource source, RecordSource::Table(store_->catalog(), r.Path("tableName")));
      return (this->*method)(r, source);
    };
  };
  auto view = [this](auto method) {
    return [this, method](const ApiRequest& r) -> absl::StatusOr<HttpResponse> {
      CMCP_ASSIGN_OR_RETURN(RecordSource source, RecordSource::View(store_->catalog(), r.Path("viewName")));
      return (this->*method)(r, source);
    };
  };
  routes.Add("GET", "/v3/tables/{tableName}/records", "ListTableRecords", table(&RecordsApi::List));
  routes.Add("POST", "/v3/tables/{tableName}/records", "CreateTableRecord", table(&RecordsApi::Create));
  routes.Add("PUT", "/v3/tables/{tableName}/records", "UpdateTableRecords", table(&RecordsApi::Update));
  routes.Add("DELETE", "/v3/tables/{tableName}/records", "DeleteTableRecords", table(&RecordsApi::Delete));
  routes.Add("GET", "/v3/views/{viewName}/records", "ListViewRecords", view(&RecordsApi::List));
  routes.Add("POST", "/v3/views/{viewName}/records", "CreateViewRecord", view(&RecordsApi::Create));
  routes.Add("PUT", "/v3/views/{viewName}/records", "UpdateViewRecords", view(&RecordsApi::Update));
  routes.Add("DELETE", "/v3/views/{viewName}/records", "DeleteViewRecords", view(&RecordsApi::Delete));
}

}  // namespace cmcp::sandbox
