#include "sandbox/caspio/server/sandbox_server.h"

#include "common/logging/logger.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/api/apps_api.h"
#include "sandbox/caspio/api/attachments_api.h"
#include "sandbox/caspio/api/design_api.h"
#include "sandbox/caspio/api/directories_api.h"
#include "sandbox/caspio/api/files_api.h"
#include "sandbox/caspio/api/records_api.h"
#include "sandbox/caspio/api/tasks_api.h"
#include "sandbox/caspio/api/webhooks_api.h"
#include "sandbox/caspio/seed/seed_loader.h"

namespace cmcp::sandbox {

namespace {

template <typename Api, typename... Args>
void Mount(ApiRoutes& routes, Args&&... args) {
  auto api = std::make_shared<Api>(std::forward<Args>(args)...);
  api->Register(routes);
  routes.Own(api);
}

}  // namespace

ApiRoutes BuildApiRoutes(SandboxStore* store, const SandboxSettings& settings) {
  ApiRoutes routes;
  Mount<DesignApi>(routes, store);
  Mount<RecordsApi>(routes, store);
  Mount<AttachmentsApi>(routes, store, settings.max_upload_bytes);
  Mount<FilesApi>(routes, store, settings.max_upload_bytes);
  Mount<WebhooksApi>(routes, store);
  Mount<TasksApi>(routes, store, TaskTimings{settings.task_busy, settings.task_processing});
  Mount<AppsApi>(routes, store);
  Mount<DirectoriesApi>(routes, store);
  return routes;
}

absl::StatusOr<std::unique_ptr<SandboxServer>> SandboxServer::Start(const SandboxSettings& settings) {
  std::unique_ptr<SandboxServer> server(new SandboxServer());
  nlohmann::json seed;
  if (settings.seed_path.empty()) {
    CMCP_ASSIGN_OR_RETURN(seed, EmbeddedSeed());
  } else {
    CMCP_ASSIGN_OR_RETURN(seed, ReadSeedFile(settings.seed_path));
  }
  CMCP_ASSIGN_OR_RETURN(server->store_, SandboxStore::Open(settings.db_path, std::move(seed), &server->clock_));
  server->tokens_ = std::make_unique<TokenService>(settings.tokens, &server->clock_);
  if (settings.enable_faults) server->faults_ = std::make_unique<FaultInjector>(&server->clock_);
  server->app_ = std::make_unique<SandboxApp>(server->store_.get(), server->tokens_.get(), server->faults_.get(),
                                              BuildApiRoutes(server->store_.get(), settings));
  server->delays_ = std::make_unique<DelayQueue>();
  SandboxApp* app = server->app_.get();
  DelayQueue* delays = server->delays_.get();
  server->http_ = std::make_unique<HttpServer>(
      settings.http, [app, delays](HttpRequest request, std::shared_ptr<HttpResponder> responder) {
        SandboxApp::Outcome outcome = app->Handle(std::move(request));
        if (outcome.delay > absl::ZeroDuration()) {
          delays->RunAfter(outcome.delay, [responder, response = std::move(outcome.response)]() mutable {
            responder->Respond(std::move(response));
          });
          return;
        }
        responder->Respond(std::move(outcome.response));
      });
  CMCP_RETURN_IF_ERROR(server->http_->Start());
  LogInfo("caspio sandbox ready")
      .With("port", server->http_->port())
      .With("db", settings.db_path)
      .With("seed", settings.seed_path.empty() ? "embedded" : settings.seed_path)
      .With("faults", settings.enable_faults);
  return server;
}

SandboxServer::~SandboxServer() { Stop(); }

void SandboxServer::Stop() {
  if (http_) http_->Stop();
  delays_.reset();
}

}  // namespace cmcp::sandbox
