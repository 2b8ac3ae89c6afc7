// proxy: executes MCP tool calls against Caspio.
#include "caspio_mcp/token/v1/token_service.grpc.pb.h"
#include "common/grpc/grpc_client.h"
#include "common/http/http_client.h"
#include "common/process/runtime.h"
#include "common/process/signals.h"
#include "common/service/service_runner.h"
#include "services/proxy/proxy_service.h"
#include "services/proxy/proxy_settings.h"

int main(int argc, char** argv) {
  cmcp::ApplyReleaseRuntimeDefaults();
  cmcp::BlockTerminationSignals();
  const cmcp::proxy::ProxySettings settings = cmcp::proxy::LoadProxySettings(argc, argv);
  cmcp::InitLogging("proxy", settings.service.log_level);

  cmcp::CurlHttpClient http;
  cmcp::proxy::GrpcCredentialsSource credentials(
      caspio_mcp::token::v1::TokenService::NewStub(cmcp::MakeChannel(settings.token_address)));
  cmcp::proxy::CaspioAuthenticator auth(settings.auth, &http, &credentials);
  cmcp::proxy::CursorCodec cursors(settings.cursor_key);
  cmcp::proxy::ToolExecutor executor(settings.executor, &http, &auth, &cursors);
  cmcp::ThreadPool pool(settings.worker_threads, settings.max_queue);
  cmcp::proxy::ProxyServiceImpl service(&executor, &pool);
  return cmcp::RunGrpcService("proxy", settings.service, {&service}, nullptr);
}
