#include "sandbox/caspio/api/tasks_api.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {
namespace {

using json = nlohmann::json;

std::string S(const json& doc, const char* key) {
  return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : "";
}

}  // namespace

std::string TasksApi::StatusAt(const json& task, absl::Time now, const TaskTimings& timings) {
  if (!task.contains("_RunStartedUnixMicros") || !task["_RunStartedUnixMicros"].is_number_integer()) return "Ready";
  const absl::Duration elapsed = now - absl::FromUnixMicros(task["_RunStartedUnixMicros"].get<int64_t>());
  if (elapsed < timings.busy) return "Busy";
  if (elapsed < timings.busy + timings.processing) return "Processing";
  return "Ready";
}

absl::StatusOr<json> TasksApi::Task(const ApiRequest& r) {
  const std::string& key = r.Path("externalKey");
  CMCP_ASSIGN_OR_RETURN(auto task, store_->objects().Get("task", absl::AsciiStrToLower(key)));
  if (!task.has_value()) return ObjectNotFound(absl::StrCat("Task '", key, "' was not found."));
  return *std::move(task);
}

ojson TasksApi::TaskJson(const json& task) const {
  ojson o;
  o["Name"] = S(task, "Name");
  o["ExternalKey"] = S(task, "ExternalKey");
  o["Status"] = StatusAt(task, store_->clock().Now(), timings_);
  o["TaskTimeZone"] = S(task, "TaskTimeZone");
  o["Frequency"] = S(task, "Frequency");
  o["Note"] = S(task, "Note");
  return o;
}

void TasksApi::Register(ApiRoutes& routes) {
  routes.Add("GET", "/v3/dataImportExportTasks", "ListDataImportExportTasks",
             [this](const ApiRequest&) -> absl::StatusOr<HttpResponse> {
               CMCP_ASSIGN_OR_RETURN(std::vector<json> tasks, store_->objects().List("task"));
               ojson result = ojson::array();
               for (const json& t : tasks) result.push_back(TaskJson(t));
               return ResultResponse(result);
             });
  routes.Add("GET", "/v3/dataImportExportTasks/{externalKey}", "GetDataImportExportTask",
             [this](const ApiRequest& r) -> absl::StatusOr<HttpResponse> {
               CMCP_ASSIGN_OR_RETURN(json task, Task(r));
               return ResultResponse(TaskJson(task));
             });
  routes.Add("POST", "/v3/dataImportExportTasks/{externalKey}/run", "RunDataImportExportTask",
             [this](const ApiRequest& r) -> absl::StatusOr<HttpResponse> {
               CMCP_ASSIGN_OR_RETURN(json task, Task(r));
               const absl::Time now = store_->clock().Now();
               if (StatusAt(task, now, timings_) != "Ready") {
                 return CaspioError(400, "TaskIsRunning",
                                    absl::StrCat("Task '", S(task, "Name"), "' is already running."));
               }
               task["_RunStartedUnixMicros"] = absl::ToUnixMicros(now);
               task["LastRunTimeUTC"] = IsoUtc(now);
               CMCP_RETURN_IF_ERROR(store_->objects().Put("task", absl::AsciiStrToLower(S(task, "ExternalKey")), task));
               return NoContent(204);
             });
}

}  // namespace cmcp::sandbox
