#include "services/edge/mcp_backend.h"

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/grpc/async_unary.h"
#include "common/grpc/trace_metadata.h"
#include "common/status/error.h"
#include "nlohmann/json.hpp"

namespace cmcp::edge {
namespace {

namespace tokenpb = ::caspio_mcp::token::v1;
namespace toolpb = ::caspio_mcp::toolgen::v1;
namespace proxypb = ::caspio_mcp::proxy::v1;
using json = nlohmann::ordered_json;

ServerView ToView(const tokenpb::McpServer& s) {
  ServerView v;
  v.id = s.id();
  v.name = s.name();
  v.account_id = s.integrated_account_id();
  v.filter = s.config().filter();
  v.require_api_token_auth = s.config().require_api_token_auth();
  if (s.has_expires_at()) {
    v.expires_at = absl::FromUnixSeconds(s.expires_at().seconds()) + absl::Nanoseconds(s.expires_at().nanos());
  }
  return v;
}

json RenderTool(const toolpb::Tool& t) {
  json tool = {{"name", t.name()}, {"title", t.title()}, {"description", t.description()}};
  tool["inputSchema"] = json::parse(t.input_schema_json(), nullptr, false);
  if (!t.output_schema_json().empty()) tool["outputSchema"] = json::parse(t.output_schema_json(), nullptr, false);
  const toolpb::ToolAnnotations& a = t.annotations();
  tool["annotations"] = {{"title", a.title()},
                         {"readOnlyHint", a.read_only_hint()},
                         {"destructiveHint", a.destructive_hint()},
                         {"idempotentHint", a.idempotent_hint()},
                         {"openWorldHint", a.open_world_hint()}};
  return tool;
}

}  // namespace

std::string FilterKey(const caspio_mcp::common::v1::ToolFilter& filter) {
  std::string key;
  for (const std::string& m : filter.methods()) absl::StrAppend(&key, "m:", m, "\n");
  for (const std::string& t : filter.tags()) absl::StrAppend(&key, "t:", t, "\n");
  return key;
}

const toolpb::Tool* ToolList::Find(absl::string_view name) const {
  auto it = by_name.find(name);
  return it == by_name.end() ? nullptr : &tools[it->second];
}

std::shared_ptr<const ToolList> MakeToolList(std::vector<toolpb::Tool> tools) {
  auto list = std::make_shared<ToolList>();
  list->tools = std::move(tools);
  json array = json::array();
  for (size_t i = 0; i < list->tools.size(); ++i) {
    list->by_name[list->tools[i].name()] = i;
    array.push_back(RenderTool(list->tools[i]));
  }
  list->tools_json = array.dump();
  return list;
}

GrpcMcpBackend::GrpcMcpBackend(GrpcMcpBackendSettings settings, ClientQueue* queue, tokenpb::TokenService::Stub* token,
                               toolpb::ToolgenService::Stub* toolgen, proxypb::ProxyService::Stub* proxy)
    : settings_(settings), queue_(queue), token_(token), toolgen_(toolgen), proxy_(proxy) {}

void GrpcMcpBackend::ResolveServer(const std::string& token, Callback<ServerView> done) {
  // Cache by a digest so raw tokens never sit in edge memory longer than a request.
  const std::string key = Sha256(token);
  const absl::Time now = absl::Now();
  std::optional<absl::StatusOr<ServerView>> cached;
  {
    absl::MutexLock lock(&mu_);
    auto it = resolve_cache_.find(key);
    if (it != resolve_cache_.end() && it->second.expires > now) cached = it->second.server;
  }
  // Callbacks run outside the lock: they re-enter this backend.
  if (cached.has_value()) {
    // Expiry is exact even inside the cache window.
    if (cached->ok() && (*cached)->expires_at.has_value() && *(*cached)->expires_at <= now) {
      cached = NotFoundError("unknown MCP token");
    }
    done(*std::move(cached));
    return;
  }
  tokenpb::ResolveMcpTokenRequest request;
  request.set_token(token);
  AsyncUnary<tokenpb::ResolvedMcpServer>(
      *queue_, settings_.rpc_timeout, std::move(request),
      [this](auto* ctx, const auto& req, grpc::CompletionQueue* cq) { return token_->AsyncResolveMcpToken(ctx, req, cq); },
      [this, key, done = std::move(done)](absl::StatusOr<tokenpb::ResolvedMcpServer> r) {
        absl::StatusOr<ServerView> view = r.ok() ? absl::StatusOr<ServerView>(ToView(r->server())) : r.status();
        // Cache answers, including "not found" (tokens are random, an unknown
        // one never becomes valid), but never transport failures.
        if (r.ok() || absl::IsNotFound(r.status())) {
          const absl::Duration ttl =
              r.ok() ? std::min(settings_.resolve_cache_ttl, absl::Milliseconds(r->cache_ttl_ms()))
                     : settings_.resolve_cache_ttl;
          absl::MutexLock lock(&mu_);
          if (resolve_cache_.size() >= settings_.max_cache_entries) resolve_cache_.clear();
          resolve_cache_[key] = {view, absl::Now() + ttl};
        }
        done(std::move(view));
      });
}

void GrpcMcpBackend::VerifyApiToken(const std::string& api_token, const std::string& account_id,
                                    std::function<void(absl::Status)> done) {
  const std::string key = absl::StrCat(Sha256(api_token), account_id);
  bool cached = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = api_token_cache_.find(key);
    cached = it != api_token_cache_.end() && it->second > absl::Now();
  }
  if (cached) {
    done(absl::OkStatus());
    return;
  }
  tokenpb::VerifyApiTokenRequest request;
  request.set_token(api_token);
  request.set_required_scope(tokenpb::API_TOKEN_SCOPE_MCP_CLIENT);
  request.set_account_id(account_id);
  AsyncUnary<tokenpb::ApiToken>(
      *queue_, settings_.rpc_timeout, std::move(request),
      [this](auto* ctx, const auto& req, grpc::CompletionQueue* cq) { return token_->AsyncVerifyApiToken(ctx, req, cq); },
      [this, key, done = std::move(done)](absl::StatusOr<tokenpb::ApiToken> r) {
        if (r.ok()) {
          absl::MutexLock lock(&mu_);
          if (api_token_cache_.size() >= settings_.max_cache_entries) api_token_cache_.clear();
          api_token_cache_[key] = absl::Now() + settings_.resolve_cache_ttl;
        }
        done(r.status());
      });
}

void GrpcMcpBackend::ListTools(const caspio_mcp::common::v1::ToolFilter& filter,
                               Callback<std::shared_ptr<const ToolList>> done) {
  const std::string key = FilterKey(filter);
  std::shared_ptr<const ToolList> cached;
  {
    absl::MutexLock lock(&mu_);
    auto it = tools_cache_.find(key);
    if (it != tools_cache_.end() && it->second.expires > absl::Now()) cached = it->second.tools;
  }
  if (cached != nullptr) {
    done(std::move(cached));
    return;
  }
  toolpb::ListToolsRequest request;
  *request.mutable_filter() = filter;
  AsyncUnary<toolpb::ListToolsResponse>(
      *queue_, settings_.rpc_timeout, std::move(request),
      [this](auto* ctx, const auto& req, grpc::CompletionQueue* cq) { return toolgen_->AsyncListTools(ctx, req, cq); },
      [this, key, done = std::move(done)](absl::StatusOr<toolpb::ListToolsResponse> r) {
        if (!r.ok()) {
          done(r.status());
          return;
        }
        std::vector<toolpb::Tool> tools(r->tools().begin(), r->tools().end());
        std::shared_ptr<const ToolList> list = MakeToolList(std::move(tools));
        {
          absl::MutexLock lock(&mu_);
          if (tools_cache_.size() >= settings_.max_cache_entries) tools_cache_.clear();
          tools_cache_[key] = {list, absl::Now() + settings_.tools_cache_ttl};
        }
        done(std::move(list));
      });
}

std::function<void()> GrpcMcpBackend::CallTool(const ServerView& server, const toolpb::Tool& tool,
                                               std::string arguments_json, std::string request_id,
                                               const TraceContext& trace, Callback<proxypb::CallToolResponse> done) {
  proxypb::CallToolRequest request;
  request.set_account_id(server.account_id);
  request.set_mcp_server_id(server.id);
  *request.mutable_tool() = tool;
  request.set_arguments_json(std::move(arguments_json));
  request.set_request_id(std::move(request_id));
  return AsyncUnary<proxypb::CallToolResponse>(
      *queue_, settings_.tool_call_timeout, std::move(request),
      [this](auto* ctx, const auto& req, grpc::CompletionQueue* cq) { return proxy_->AsyncCallTool(ctx, req, cq); },
      std::move(done), [trace](grpc::ClientContext& context) { AddTraceMetadata(context, trace); });
}

}  // namespace cmcp::edge
