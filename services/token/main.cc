// token: accounts, MCP servers and hashed tokens in Redis.
#include <iostream>

#include "caspio_mcp/toolgen/v1/toolgen_service.grpc.pb.h"
#include "common/grpc/grpc_client.h"
#include "common/process/runtime.h"
#include "common/process/signals.h"
#include "common/service/service_runner.h"
#include "services/token/audit_service.h"
#include "services/token/coordination_service.h"
#include "services/token/expiry_sweeper.h"
#include "services/token/redis_token_store.h"
#include "services/token/token_service.h"
#include "services/token/token_settings.h"

int main(int argc, char** argv) {
  cmcp::ApplyReleaseRuntimeDefaults();
  cmcp::BlockTerminationSignals();
  const cmcp::token::TokenSettings settings = cmcp::token::LoadTokenSettings(argc, argv);
  cmcp::InitLogging("token", settings.service.log_level);

  auto redis = std::make_shared<cmcp::RedisClient>(settings.redis);
  cmcp::token::RedisTokenStore store(redis, settings.key_prefix);
  auto secrets = cmcp::token::SecretBox::Create(settings.encryption_key_id, settings.encryption_keys);
  if (!secrets.ok()) {
    std::cerr << "token: " << secrets.status().message() << "\n";
    return 2;
  }
  cmcp::token::GrpcToolChecker tools(
      caspio_mcp::toolgen::v1::ToolgenService::NewStub(cmcp::MakeChannel(settings.toolgen_address)));
  cmcp::token::TokenManager manager(settings.manager, &store, &*secrets,
                                    cmcp::token::BaseUrlPolicy(settings.allowed_base_urls, settings.allow_loopback_base_urls),
                                    &tools);
  if (!settings.bootstrap_admin_token.empty()) {
    if (absl::Status s = manager.EnsureBootstrapAdminToken(settings.bootstrap_admin_token); !s.ok()) {
      std::cerr << "token: cannot store the bootstrap admin token: " << s.message() << "\n";
      return 1;
    }
  }
  cmcp::token::ExpirySweeper sweeper(&store, settings.sweep_interval);
  cmcp::ThreadPool pool(settings.worker_threads, settings.max_queue);
  cmcp::token::TokenServiceImpl service(&manager, &pool);
  cmcp::token::RedisCoordinationStore coordination_store(redis, settings.key_prefix);
  cmcp::token::CoordinationServiceImpl coordination(&coordination_store, &pool);
  cmcp::token::RedisAuditStore audit_store(redis, settings.key_prefix, settings.audit_max_entries);
  cmcp::token::AuditLog audit_log(settings.audit, &audit_store);
  cmcp::token::AuditServiceImpl audit(&audit_log, &pool);
  return cmcp::RunGrpcService("token", settings.service, {&service, &coordination, &audit},
                              [&store] { return store.Ping(); });
}
