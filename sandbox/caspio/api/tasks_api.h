// File: tasks_api.h
// Data import/export tasks: list, get, and run. A run is asynchronous: the
// task reports Busy (analysis), then Processing, then Ready again, over
// durations set by --task-busy and --task-processing and measured on the
// injected clock, so tests can drive it without sleeping long.
#pragma once

#include "absl/time/time.h"
#include "sandbox/caspio/api/api_common.h"
#include "sandbox/caspio/store/sandbox_store.h"

namespace cmcp::sandbox {

struct TaskTimings {
  absl::Duration busy = absl::Seconds(2);
  absl::Duration processing = absl::Seconds(3);
};

class TasksApi {
 public:
  TasksApi(SandboxStore* store, TaskTimings timings) : store_(store), timings_(timings) {}
  void Register(ApiRoutes& routes);

  // "Busy", "Processing" or "Ready" for a task document at `now`.
  static std::string StatusAt(const nlohmann::json& task, absl::Time now, const TaskTimings& timings);

 private:
  absl::StatusOr<nlohmann::json> Task(const ApiRequest& r);
  ojson TaskJson(const nlohmann::json& task) const;

  SandboxStore* store_;
  TaskTimings timings_;
};

}  // namespace cmcp::sandbox
