#include "services/edge/edge_server.h"

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/grpc/grpc_client.h"
#include "common/http/admin_http.h"
#include "common/http/router.h"
#include "common/http/static_files.h"
#include "common/logging/logger.h"
#include "services/edge/admin_api.h"
#include "services/edge/audit_sink.h"
#include "services/edge/mcp_handler.h"

namespace cmcp::edge {
namespace {

HttpResponse NotFound() {
  return HttpResponse::Json(404, R"({"error":{"code":"not_found","message":"no such path"}})");
}

std::string HostOf(const std::string& url) {
  const size_t sep = url.find("://");
  if (sep == std::string::npos) return "";
  std::string rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find('/'));
  if (!rest.empty() && rest[0] == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

}  // namespace

struct EdgeServer::Impl {
  EdgeSettings settings;
  std::shared_ptr<grpc::Channel> token_channel, toolgen_channel, proxy_channel;
  std::unique_ptr<caspio_mcp::token::v1::TokenService::Stub> token;
  std::unique_ptr<caspio_mcp::token::v1::CoordinationService::Stub> coordination_stub;
  std::unique_ptr<caspio_mcp::toolgen::v1::ToolgenService::Stub> toolgen;
  std::unique_ptr<caspio_mcp::proxy::v1::ProxyService::Stub> proxy;
  std::unique_ptr<caspio_mcp::token::v1::AuditService::Stub> audit_stub;
  // Every gRPC call of the edge completes on this queue's thread. Declared
  // after the stubs, so it is shut down (its calls drained) before they go.
  std::unique_ptr<ClientQueue> client_queue;
  std::unique_ptr<GrpcAuditSink> audit;
  std::unique_ptr<GrpcMcpBackend> backend;
  std::unique_ptr<EdgeCoordination> coordination;
  std::unique_ptr<StreamRegistry> streams;
  std::unique_ptr<McpSessionCodec> sessions;
  std::unique_ptr<McpCore> core;
  std::unique_ptr<McpHandler> mcp;
  std::unique_ptr<AdminApi> admin;
  Router router;
  std::unique_ptr<StaticFiles> console;
  std::unique_ptr<StaticFiles> openapi;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<HttpServer> admin_http;
  std::atomic<bool> draining{false};

  absl::Status Ready() const {
    if (draining.load()) return absl::UnavailableError("draining");
    for (const auto& [name, channel] : {std::pair{"token", token_channel}, std::pair{"toolgen", toolgen_channel},
                                        std::pair{"proxy", proxy_channel}}) {
      if (channel->GetState(/*try_to_connect=*/true) == GRPC_CHANNEL_TRANSIENT_FAILURE) {
        return absl::UnavailableError(absl::StrCat(name, " service is unreachable"));
      }
    }
    return absl::OkStatus();
  }

  void Handle(HttpRequest request, std::shared_ptr<HttpResponder> responder) {
    // With a separate admin listener, the public port keeps only health checks.
    const bool public_admin = settings.admin_http.listen_address.empty() || request.path != "/metrics";
    if (public_admin) {
      if (auto admin_response = HandleAdminRequest(request, [this] { return Ready(); })) {
        responder->Respond(*std::move(admin_response));
        return;
      }
    }
    for (const auto* files : {console.get(), openapi.get()}) {
      if (files == nullptr) continue;
      if (auto r = files->Serve(request)) {
        responder->Respond(*std::move(r));
        return;
      }
    }
    RouteMatch match = router.Find(request.method, request.path);
    switch (match.outcome) {
      case RouteMatch::kFound:
        (*match.handler)(std::move(request), match.params, std::move(responder));
        return;
      case RouteMatch::kMethodNotAllowed: {
        HttpResponse r = HttpResponse::Json(
            405, R"({"error":{"code":"method_not_allowed","message":"method not allowed on this path"}})");
        r.headers.Add("Allow", match.allowed);
        responder->Respond(std::move(r));
        return;
      }
      case RouteMatch::kBadPath:
        responder->Respond(HttpResponse::Json(400, R"({"error":{"code":"bad_request","message":"malformed path"}})"));
        return;
      case RouteMatch::kNotFound:
        responder->Respond(NotFound());
        return;
    }
  }
};

EdgeServer::EdgeServer(EdgeSettings settings) : impl_(new Impl) {
  Impl& i = *impl_;
  i.settings = std::move(settings);
  i.token_channel = MakeChannel(i.settings.token_address);
  i.toolgen_channel = MakeChannel(i.settings.toolgen_address);
  i.proxy_channel = MakeChannel(i.settings.proxy_address);
  i.token = caspio_mcp::token::v1::TokenService::NewStub(i.token_channel);
  i.coordination_stub = caspio_mcp::token::v1::CoordinationService::NewStub(i.token_channel);
  i.toolgen = caspio_mcp::toolgen::v1::ToolgenService::NewStub(i.toolgen_channel);
  i.proxy = caspio_mcp::proxy::v1::ProxyService::NewStub(i.proxy_channel);
  i.audit_stub = caspio_mcp::token::v1::AuditService::NewStub(i.token_channel);
  i.client_queue = std::make_unique<ClientQueue>();
  i.audit = std::make_unique<GrpcAuditSink>(i.settings.audit, i.client_queue.get(), i.audit_stub.get());
  i.backend = std::make_unique<GrpcMcpBackend>(i.settings.backend, i.client_queue.get(), i.token.get(), i.toolgen.get(),
                                               i.proxy.get());
  i.coordination = std::make_unique<GrpcEdgeCoordination>(i.settings.coordination, i.client_queue.get(),
                                                          i.coordination_stub.get(),
                                                          Hex(RandomBytes(8)));
  i.streams = std::make_unique<StreamRegistry>();
  i.sessions = std::make_unique<McpSessionCodec>(i.settings.session_key, i.settings.session_max_age);
  i.core = std::make_unique<McpCore>(i.settings.core, i.backend.get(), i.coordination.get(), i.streams.get(),
                                     i.audit.get());
  McpHandlerSettings mcp_settings = i.settings.mcp;
  if (const std::string host = HostOf(i.settings.public_url); !host.empty()) mcp_settings.allowed_hosts.push_back(host);
  mcp_settings.resume_wait = i.settings.backend.tool_call_timeout;
  i.mcp = std::make_unique<McpHandler>(std::move(mcp_settings), i.backend.get(), i.sessions.get(), i.core.get(),
                                       i.coordination.get(), i.streams.get());
  i.admin = std::make_unique<AdminApi>(AdminApiSettings{i.settings.public_url}, i.client_queue.get(),
                                       i.token.get(), i.toolgen.get(), i.audit_stub.get());
  i.admin->Register(i.router);
  if (!i.settings.console_dir.empty()) {
    i.console = std::make_unique<StaticFiles>(
        StaticFilesSettings{.root = i.settings.console_dir, .url_prefix = "/console", .spa_fallback = true});
  }
  if (!i.settings.openapi_file.empty()) {
    const std::string file = i.settings.openapi_file;
    const size_t slash = file.rfind('/');
    i.openapi = std::make_unique<StaticFiles>(
        StaticFilesSettings{.root = slash == std::string::npos ? "." : file.substr(0, slash),
                            .url_prefix = "/openapi.json",
                            .index_file = slash == std::string::npos ? file : file.substr(slash + 1),
                            .exact = true});
  }
  // /mcp/{token} is the endpoint of SPEC §4; /mcp/{token}/mcp is the same
  // endpoint under a path ending in "/mcp", which clients that infer the
  // transport from the URL (the MCP Inspector CLI) need. Handed-out URLs use
  // the latter. /sse and /messages serve the 2024-11-05 HTTP+SSE transport.
  auto add = [this](const char* pattern, McpRoute route) {
    for (const char* method : {"POST", "GET", "DELETE", "PUT", "PATCH"}) {
      impl_->router.Add(method, pattern,
                        [this, route](HttpRequest request, const PathParams& params, std::shared_ptr<HttpResponder> r) {
                          impl_->mcp->Handle(std::move(request), params.at("token"), route, std::move(r));
                        });
    }
  };
  add("/mcp/{token}", McpRoute::kStreamable);
  add("/mcp/{token}/mcp", McpRoute::kStreamable);
  add("/mcp/{token}/sse", McpRoute::kLegacySse);
  add("/mcp/{token}/messages", McpRoute::kLegacyMessages);
}

EdgeServer::~EdgeServer() { Stop(); }

absl::Status EdgeServer::Start() {
  Impl& i = *impl_;
  i.coordination->Start([this](const nlohmann::json& message) { impl_->mcp->OnBusMessage(message); });
  i.streams->StartWatcher(i.backend.get(), i.settings.stream_watch_interval, i.settings.stream_keepalive,
                          i.settings.backend.resolve_cache_ttl);
  i.http = std::make_unique<HttpServer>(i.settings.http, [this](HttpRequest request, std::shared_ptr<HttpResponder> r) {
    impl_->Handle(std::move(request), std::move(r));
  });
  if (absl::Status status = i.http->Start(); !status.ok()) return status;
  if (!i.settings.admin_http.listen_address.empty()) {
    auto admin = StartAdminHttp(i.settings.admin_http, [this] { return impl_->Ready(); });
    if (!admin.ok()) return admin.status();
    i.admin_http = *std::move(admin);
  }
  if (i.settings.public_url.empty()) {
    // Default: the loopback address and the port actually bound.
    std::string host = i.settings.http.listen_address.substr(0, i.settings.http.listen_address.rfind(':'));
    if (host.empty() || host == "0.0.0.0" || host == "*") host = "127.0.0.1";
    i.admin->set_public_url(absl::StrCat("http://", host, ":", i.http->port()));
  }
  LogInfo("edge started").With("port", i.http->port()).With("replica", i.coordination->replica_id());
  return absl::OkStatus();
}

int EdgeServer::port() const { return impl_->http ? impl_->http->port() : 0; }

void EdgeServer::Drain() {
  Impl& i = *impl_;
  if (!i.http) return;
  i.draining.store(true);
  LogInfo("edge draining").With("in_flight", i.http->in_flight());
  // Streams hold no work worth waiting for: clients reconnect elsewhere.
  i.streams->CloseAll();
  i.http->Drain(i.settings.drain_timeout);
  Stop();
}

void EdgeServer::Stop() {
  Impl& i = *impl_;
  i.streams->CloseAll();
  if (i.http) i.http->Stop();
  if (i.admin_http) i.admin_http->Stop();
  // In-flight gRPC callbacks still reference the handler and its parts.
  if (!i.mcp->WaitIdle(absl::Seconds(10))) LogWarning("edge stopped with exchanges still in flight");
  i.coordination->Stop();
  // The last audit entries go out, with a moment to land, before the queue
  // cancels what is left.
  i.audit->Stop();
  i.client_queue->Shutdown(i.settings.audit.rpc_timeout);
}

}  // namespace cmcp::edge
