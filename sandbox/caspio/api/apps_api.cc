#include "sandbox/caspio/api/apps_api.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {
namespace {

using json = nlohmann::json;

// Account host used in deployment code (the sandbox has no public host).
constexpr char kAccountHost[] = "c0sandbox.caspio.com";

std::string S(const json& doc, const char* key) {
  return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : "";
}

ojson DataPageJson(const json& page, const json& app) {
  ojson o;
  o["Name"] = S(page, "Name");
  o["AppKey"] = S(page, "AppKey");
  o["AppName"] = S(app, "AppName");
  o["Path"] = S(page, "Path");
  o["Type"] = S(page, "Type");
  o["DateCreated"] = S(page, "DateCreated");
  o["DateModified"] = S(page, "DateModified");
  o["CreatedBy"] = S(page, "CreatedBy");
  o["ModifiedBy"] = S(page, "ModifiedBy");
  o["Note"] = S(page, "Note");
  return o;
}

}  // namespace

absl::StatusOr<json> AppsApi::App(const ApiRequest& r) {
  const std::string& key = r.Path("externalKey");
  CMCP_ASSIGN_OR_RETURN(auto app, store_->objects().Get("app", absl::AsciiStrToLower(key)));
  if (!app.has_value()) return ObjectNotFound(absl::StrCat("Bridge application '", key, "' was not found."));
  return *std::move(app);
}

absl::StatusOr<std::vector<json>> AppsApi::DataPages(const json& app) {
  CMCP_ASSIGN_OR_RETURN(std::vector<json> all, store_->objects().List("datapage"));
  std::vector<json> pages;
  for (json& page : all) {
    if (absl::EqualsIgnoreCase(S(page, "App"), S(app, "ExternalKey"))) pages.push_back(std::move(page));
  }
  return pages;
}

absl::StatusOr<json> AppsApi::DataPage(const ApiRequest& r, const json& app) {
  const std::string& key = r.Path("appKey");
  CMCP_ASSIGN_OR_RETURN(auto page, store_->objects().Get("datapage", absl::AsciiStrToLower(key)));
  if (!page.has_value() || !absl::EqualsIgnoreCase(S(*page, "App"), S(app, "ExternalKey"))) {
    return ObjectNotFound(absl::StrCat("DataPage '", key, "' was not found in application '", S(app, "AppName"), "'."));
  }
  return *std::move(page);
}

absl::StatusOr<bool> AppsApi::DeployedFlag(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  const json* deployed = Member(body, "Deployed");
  if (deployed == nullptr || !deployed->is_boolean()) {
    return IncorrectBodyParameter("'Deployed' (true or false) is required.");
  }
  return deployed->get<bool>();
}

absl::StatusOr<HttpResponse> AppsApi::ListApps(const ApiRequest&) {
  CMCP_ASSIGN_OR_RETURN(std::vector<json> apps, store_->objects().List("app"));
  ojson result = ojson::array();
  for (const json& app : apps) {
    CMCP_ASSIGN_OR_RETURN(std::vector<json> pages, DataPages(app));
    ojson o;
    o["AppName"] = S(app, "AppName");
    o["ExternalKey"] = S(app, "ExternalKey");
    o["DataPagesCount"] = pages.size();
    o["DateCreated"] = S(app, "DateCreated");
    o["DateModified"] = S(app, "DateModified");
    o["DefaultIcon"] = app.value("DefaultIcon", true);
    o["IconFileName"] = app.contains("IconFileName") && app["IconFileName"].is_string() ? ojson(S(app, "IconFileName"))
                                                                                        : ojson(nullptr);
    result.push_back(o);
  }
  return ResultResponse(result);
}

absl::StatusOr<HttpResponse> AppsApi::GetApp(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json app, App(r));
  CMCP_ASSIGN_OR_RETURN(std::vector<json> pages, DataPages(app));
  ojson o;
  o["AppName"] = S(app, "AppName");
  o["ExternalKey"] = S(app, "ExternalKey");
  o["DataPagesCount"] = pages.size();
  o["DateCreated"] = S(app, "DateCreated");
  o["DateModified"] = S(app, "DateModified");
  o["DefaultIcon"] = app.value("DefaultIcon", true);
  o["IconFileName"] = app.contains("IconFileName") && app["IconFileName"].is_string() ? ojson(S(app, "IconFileName"))
                                                                                      : ojson(nullptr);
  return ResultResponse(o);
}

absl::StatusOr<HttpResponse> AppsApi::ListDataPages(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json app, App(r));
  CMCP_ASSIGN_OR_RETURN(std::vector<json> pages, DataPages(app));
  ojson result = ojson::array();
  for (const json& page : pages) result.push_back(DataPageJson(page, app));
  return ResultResponse(result);
}

absl::StatusOr<HttpResponse> AppsApi::GetDataPage(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json app, App(r));
  CMCP_ASSIGN_OR_RETURN(json page, DataPage(r, app));
  return ResultResponse(DataPageJson(page, app));
}

absl::StatusOr<HttpResponse> AppsApi::GetDeploymentCode(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json app, App(r));
  CMCP_ASSIGN_OR_RETURN(json page, DataPage(r, app));
  CMCP_ASSIGN_OR_RETURN(std::string method, r.query.Required("method"));
  const std::string m = absl::AsciiStrToLower(absl::StripAsciiWhitespace(method));
  const std::string key = S(page, "AppKey");
  const std::string url = absl::StrCat("https://", kAccountHost, "/dp/", key);
  std::string code;
  if (m == "iframe" || m == "i") {
    code = absl::StrCat("<iframe name=\"Caspio_", key, "\" title=\"", S(page, "Name"), "\" src=\"", url,
                        "\" style=\"border: 0;\" width=\"100%\" height=\"600\">Sorry, but your browser does not "
                        "support frames.</iframe>");
  } else if (m == "url" || m == "u") {
    code = url;
  } else if (m == "embedded" || m == "e") {
    code = absl::StrCat("<script type=\"text/javascript\" src=\"https://", kAccountHost, "/dp/", key,
                        "/emb\"></script>");
  } else if (m == "net" || m == "n") {
    code = absl::StrCat("<%@ Register TagPrefix=\"caspio\" Namespace=\"Caspio.Deploy\" Assembly=\"Caspio.Deploy\" %>"
                        "<caspio:DataPage runat=\"server\" AppKey=\"", key, "\" Url=\"https://", kAccountHost, "\" />");
  } else {
    return IncorrectQueryParameter(absl::StrCat("Deployment method '", method,
                                                "' is not supported; use iFrame, URL, Embedded or Net (I, U, E, N)."));
  }
  return JsonResponse(200, ojson(code));
}

absl::StatusOr<HttpResponse> AppsApi::SetDeployment(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json app, App(r));
  CMCP_ASSIGN_OR_RETURN(json page, DataPage(r, app));
  CMCP_ASSIGN_OR_RETURN(bool deployed, DeployedFlag(r));
  page["Deployed"] = deployed;
  page["DateModified"] = IsoUtc(store_->clock().Now());
  CMCP_RETURN_IF_ERROR(store_->objects().Put("datapage", absl::AsciiStrToLower(S(page, "AppKey")), page));
  return NoContent(204);
}

absl::StatusOr<HttpResponse> AppsApi::SetAllDeployments(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json app, App(r));
  CMCP_ASSIGN_OR_RETURN(bool deployed, DeployedFlag(r));
  CMCP_ASSIGN_OR_RETURN(std::vector<json> pages, DataPages(app));
  const std::string now = IsoUtc(store_->clock().Now());
  for (json& page : pages) {
    page["Deployed"] = deployed;
    page["DateModified"] = now;
    CMCP_RETURN_IF_ERROR(store_->objects().Put("datapage", absl::AsciiStrToLower(S(page, "AppKey")), page));
  }
  return NoContent(204);
}

void AppsApi::Register(ApiRoutes& routes) {
  auto bind = [this](absl::StatusOr<HttpResponse> (AppsApi::*method)(const ApiRequest&)) {
    return [this, method](const ApiRequest& r) { return (this->*method)(r); };
  };
  const std::string base = "/v3/bridgeApplications";
  routes.Add("GET", base, "ListBridgeApplications", bind(&AppsApi::ListApps));
  routes.Add("GET", base + "/{externalKey}", "GetBridgeApplication", bind(&AppsApi::GetApp));
  routes.Add("GET", base + "/{externalKey}/datapages", "ListBridgeApplicationDataPages", bind(&AppsApi::ListDataPages));
  routes.Add("GET", base + "/{externalKey}/datapages/{appKey}", "GetBridgeApplicationDataPage",
             bind(&AppsApi::GetDataPage));
  routes.Add("GET", base + "/{externalKey}/datapages/{appKey}/deployment", "GetBridgeApplicationDataPageDeploymentCode",
             bind(&AppsApi::GetDeploymentCode));
  routes.Add("PUT", base + "/{externalKey}/datapages/{appKey}/deployment", "UpdateBridgeApplicationDataPageDeployment",
             bind(&AppsApi::SetDeployment));
  routes.Add("PUT", base + "/{externalKey}/datapages/deployment", "UpdateBridgeApplicationDataPagesDeployment",
             bind(&AppsApi::SetAllDeployments));
}

}  // namespace cmcp::sandbox
