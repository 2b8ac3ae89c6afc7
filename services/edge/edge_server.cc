#include "services/edge/edge_server.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/grpc_client.h"
#include "common/http/admin_http.h"
#include "common/http/router.h"
#include "common/http/static_files.h"
#include "nlohmann/json.hpp"
#include "services/edge/admin_api.h"
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
  std::unique_ptr<caspio_mcp::toolgen::v1::ToolgenService::Stub> toolgen;
  std::unique_ptr<caspio_mcp::proxy::v1::ProxyService::Stub> proxy;
  std::unique_ptr<GrpcMcpBackend> backend;
  std::unique_ptr<McpSessionCodec> sessions;
  std::unique_ptr<McpHandler> mcp;
  std::unique_ptr<AdminApi> admin;
  Router router;
  std::unique_ptr<StaticFiles> console;
  std::unique_ptr<StaticFiles> openapi;
  std::unique_ptr<HttpServer> http;

  absl::Status Ready() const {
    for (const auto& [name, channel] : {std::pair{"token", token_channel}, std::pair{"toolgen", toolgen_channel},
                                        std::pair{"proxy", proxy_channel}}) {
      if (channel->GetState(/*try_to_connect=*/true) == GRPC_CHANNEL_TRANSIENT_FAILURE) {
        return absl::UnavailableError(absl::StrCat(name, " service is unreachable"));
      }
    }
    return absl::OkStatus();
  }

  void Handle(HttpRequest request, std::shared_ptr<HttpResponder> responder) {
    if (auto admin_response = HandleAdminRequest(request, [this] { return Ready(); })) {
      responder->Respond(*std::move(admin_response));
      return;
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
  i.toolgen = caspio_mcp::toolgen::v1::ToolgenService::NewStub(i.toolgen_channel);
  i.proxy = caspio_mcp::proxy::v1::ProxyService::NewStub(i.proxy_channel);
  i.backend = std::make_unique<GrpcMcpBackend>(i.settings.backend, i.token.get(), i.toolgen.get(), i.proxy.get());
  i.sessions = std::make_unique<McpSessionCodec>(i.settings.session_key);
  McpHandlerSettings mcp_settings;
  mcp_settings.allowed_hosts = i.settings.allowed_hosts;
  mcp_settings.allowed_origins = i.settings.allowed_origins;
  if (const std::string host = HostOf(i.settings.public_url); !host.empty()) mcp_settings.allowed_hosts.push_back(host);
  i.mcp = std::make_unique<McpHandler>(std::move(mcp_settings), i.backend.get(), i.sessions.get());
  i.admin = std::make_unique<AdminApi>(AdminApiSettings{i.settings.public_url}, i.token.get(), i.toolgen.get());
  i.admin->Register(i.router);
  if (!i.settings.console_dir.empty()) {
    i.console = std::make_unique<StaticFiles>(
        StaticFilesSettings{.root = i.settings.console_dir, .url_prefix = "/console", .spa_fallback = true});
  }
  if (!i.settings.openapi_file.empty()) {
    // Serve exactly one file: its directory as root, the URL as its name.
    const std::string file = i.settings.openapi_file;
    const size_t slash = file.rfind('/');
    i.openapi = std::make_unique<StaticFiles>(
        StaticFilesSettings{.root = slash == std::string::npos ? "." : file.substr(0, slash),
                            .url_prefix = "/openapi.json",
                            .index_file = slash == std::string::npos ? file : file.substr(slash + 1),
                            .exact = true});
  }
  // /mcp/{token} is the endpoint of SPEC §4; /mcp/{token}/mcp is the same
  // endpoint under a path ending in "/mcp", which is what clients that infer
  // the transport from the URL (the MCP Inspector CLI) need. Handed-out URLs
  // use the latter.
  for (const char* pattern : {"/mcp/{token}", "/mcp/{token}/mcp"}) {
    for (const char* method : {"POST", "GET", "DELETE", "PUT", "PATCH"}) {
      i.router.Add(method, pattern, [this](HttpRequest request, const PathParams& params,
                                           std::shared_ptr<HttpResponder> responder) {
        impl_->mcp->Handle(std::move(request), params.at("token"), std::move(responder));
      });
    }
  }
}

EdgeServer::~EdgeServer() { Stop(); }

absl::Status EdgeServer::Start() {
  impl_->http = std::make_unique<HttpServer>(impl_->settings.http, [this](HttpRequest request,
                                                                          std::shared_ptr<HttpResponder> responder) {
    impl_->Handle(std::move(request), std::move(responder));
  });
  absl::Status status = impl_->http->Start();
  if (!status.ok()) return status;
  if (impl_->settings.public_url.empty()) {
    // Default: the loopback address and the port actually bound.
    std::string host = impl_->settings.http.listen_address.substr(0, impl_->settings.http.listen_address.rfind(':'));
    if (host.empty() || host == "0.0.0.0" || host == "*") host = "127.0.0.1";
    impl_->admin->set_public_url(absl::StrCat("http://", host, ":", impl_->http->port()));
  }
  return absl::OkStatus();
}

int EdgeServer::port() const { return impl_->http ? impl_->http->port() : 0; }

void EdgeServer::Stop() {
  if (impl_->http) impl_->http->Stop();
}

}  // namespace cmcp::edge
