#include "services/edge/admin_api.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/crypto/crypto.h"
#include "common/grpc/async_unary.h"
#include "common/logging/logger.h"
#include "common/status/error.h"
#include "nlohmann/json.hpp"
#include "services/edge/http_errors.h"
#include "common/json/json_depth.h"
#include "services/edge/log_query.h"

namespace cmcp::edge {
namespace {

using json = nlohmann::ordered_json;
namespace pb = ::caspio_mcp::token::v1;
namespace toolpb = ::caspio_mcp::toolgen::v1;
using google::protobuf::Timestamp;

json TimeJson(const Timestamp& ts) {
  const absl::Time t = absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<Timestamp> ParseTime(const json& value, absl::string_view field) {
  if (!value.is_string()) {
    return InvalidFieldError(field, absl::StrCat(field, " must be an RFC 3339 date-time string such as "
                                                        "2026-12-31T23:59:59Z"));
  }
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, value.get<std::string>(), &t, &err)) {
    return InvalidFieldError(field, absl::StrCat(field, " is not an RFC 3339 date-time: \"", value.get<std::string>(),
                                                 "\" (example: 2026-12-31T23:59:59Z)"));
  }
  Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(ts.seconds())) / absl::Nanoseconds(1)));
  return ts;
}

absl::StatusOr<std::string> StringField(const json& obj, const char* key, absl::string_view field, bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return MissingFieldError(field, absl::StrCat(field, " is required"));
    return std::string();
  }
  if (!it->is_string()) return InvalidFieldError(field, absl::StrCat(field, " must be a string"));
  return it->get<std::string>();
}

absl::Status StringList(const json& obj, const char* key, absl::string_view field,
                        google::protobuf::RepeatedPtrField<std::string>* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_array()) return InvalidFieldError(field, absl::StrCat(field, " must be an array of strings"));
  for (size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) {
      return InvalidFieldError(absl::StrCat(field, "[", i, "]"), absl::StrCat(field, "[", i, "] must be a string"));
    }
    out->Add((*it)[i].get<std::string>());
  }
  return absl::OkStatus();
}

absl::StatusOr<pb::McpServerConfig> ParseConfig(const json& value) {
  pb::McpServerConfig config;
  if (value.is_null()) return config;
  if (!value.is_object()) return InvalidFieldError("config", "config must be an object");
  for (const auto& [key, v] : value.items()) {
    if (key != "methods" && key != "tags" && key != "require_api_token_auth") {
      return InvalidFieldError(absl::StrCat("config.", key),
                               absl::StrCat("unknown field config.", key, "; config takes methods, tags and "
                                                                         "require_api_token_auth"));
    }
  }
  if (auto s = StringList(value, "methods", "config.methods", config.mutable_filter()->mutable_methods()); !s.ok()) return s;
  if (auto s = StringList(value, "tags", "config.tags", config.mutable_filter()->mutable_tags()); !s.ok()) return s;
  if (value.contains("require_api_token_auth") && !value["require_api_token_auth"].is_null()) {
    if (!value["require_api_token_auth"].is_boolean()) {
      return InvalidFieldError("config.require_api_token_auth", "config.require_api_token_auth must be true or false");
    }
    config.set_require_api_token_auth(value["require_api_token_auth"].get<bool>());
  }
  return config;
}

json AccountJson(const pb::Account& a) {
  return {{"id", a.id()},
          {"integration", a.integration()},
          {"name", a.name()},
          {"credentials", {{"base_url", a.base_url()}, {"client_id", a.client_id()}}},
          {"created_at", TimeJson(a.created_at())},
          {"updated_at", TimeJson(a.updated_at())}};
}

json ServerJson(const pb::McpServer& s) {
  json methods = json::array(), tags = json::array();
  for (const std::string& m : s.config().filter().methods()) methods.push_back(m);
  for (const std::string& t : s.config().filter().tags()) tags.push_back(t);
  return {{"id", s.id()},
          {"name", s.name()},
          {"integrated_account_id", s.integrated_account_id()},
          {"config", {{"methods", methods}, {"tags", tags}, {"require_api_token_auth", s.config().require_api_token_auth()}}},
          {"expires_at", s.has_expires_at() ? TimeJson(s.expires_at()) : json(nullptr)},
          {"created_at", TimeJson(s.created_at())},
          {"updated_at", TimeJson(s.updated_at())}};
}

json ApiTokenJson(const pb::ApiToken& t) {
  json accounts = json::array();
  for (const std::string& a : t.account_ids()) accounts.push_back(a);
  return {{"id", t.id()},
          {"name", t.name()},
          {"scope", t.scope() == pb::API_TOKEN_SCOPE_ADMIN ? "admin" : "mcp_client"},
          {"account_ids", accounts},
          {"expires_at", t.has_expires_at() ? TimeJson(t.expires_at()) : json(nullptr)},
          {"created_at", TimeJson(t.created_at())}};
}

HttpResponse JsonResponse(int status, const json& body) { return HttpResponse::Json(status, body.dump()); }

std::map<std::string, std::string> QueryMap(const std::string& query) {
  std::map<std::string, std::string> out;
  auto parsed = ParseQuery(query);
  if (parsed.ok()) {
    for (auto& [k, v] : *parsed) out[k] = v;
  }
  return out;
}

// Errors name the field as this caller sent it: the token service says
// "cursor" and toolgen "config.tags[0]"; on a query string those are
// "next_cursor" and "tags[0]".
absl::Status RenameField(absl::Status status, absl::string_view from_prefix, absl::string_view to_prefix) {
  auto detail = GetErrorDetail(status);
  if (!detail.has_value() || !absl::StartsWith(detail->field(), from_prefix)) return status;
  detail->set_field(absl::StrCat(to_prefix, detail->field().substr(from_prefix.size())));
  return WithErrorDetail(std::move(status), *detail);
}

// The filter a preview applies: `methods` and `tags`, comma-separated, as
// config.methods and config.tags; toolgen validates them.
caspio_mcp::common::v1::ToolFilter QueryFilter(std::map<std::string, std::string>& query) {
  caspio_mcp::common::v1::ToolFilter filter;
  for (absl::string_view m : absl::StrSplit(query["methods"], ',', absl::SkipWhitespace())) {
    filter.add_methods(std::string(absl::StripAsciiWhitespace(m)));
  }
  for (absl::string_view t : absl::StrSplit(query["tags"], ',', absl::SkipWhitespace())) {
    filter.add_tags(std::string(absl::StripAsciiWhitespace(t)));
  }
  return filter;
}

json CapabilityJson(const toolpb::MethodCapability& m) {
  json tags = json::array();
  for (const std::string& tag : m.tags()) tags.push_back(tag);
  json out = {{"name", m.name()},
              {"tool_name", m.tool_name().empty() ? json(nullptr) : json(m.tool_name())},
              {"resource", m.resource()},
              {"method", m.method()},
              {"description", m.description()},
              {"title", m.title()},
              {"tags", tags},
              {"described", m.described()},
              {"operation_id", m.operation_id()}};
  if (m.has_annotations()) {
    const toolpb::ToolAnnotations& a = m.annotations();
    out["annotations"] = {{"title", a.title()},
                          {"read_only_hint", a.read_only_hint()},
                          {"destructive_hint", a.destructive_hint()},
                          {"idempotent_hint", a.idempotent_hint()},
                          {"open_world_hint", a.open_world_hint()}};
  }
  return out;
}

}  // namespace

std::string McpUrl(absl::string_view public_url, absl::string_view token) {
  return absl::StrCat(public_url, "/mcp/", token, "/mcp");
}

// One admin request: authenticates, then runs the route's body.
class AdminApi::Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(AdminApi* api, HttpRequest request, PathParams params, std::shared_ptr<HttpResponder> responder)
      : api_(api), request_(std::move(request)), params_(std::move(params)), responder_(std::move(responder)),
        request_id_(Hex(RandomBytes(8))) {}

  using Body = std::function<void(std::shared_ptr<Exchange>)>;

  void Authenticate(Body body) {
    absl::string_view auth = request_.headers.Get("Authorization").value_or("");
    if (!absl::ConsumePrefix(&auth, "Bearer ") && !absl::ConsumePrefix(&auth, "bearer ")) auth = "";
    if (auth.empty()) {
      return Fail(MakeError(absl::StatusCode::kUnauthenticated,
                            "the admin API needs Authorization: Bearer <admin API token>",
                            caspio_mcp::common::v1::ERROR_REASON_UNAUTHENTICATED, "Authorization"));
    }
    pb::VerifyApiTokenRequest verify;
    verify.set_token(std::string(auth));
    verify.set_required_scope(pb::API_TOKEN_SCOPE_ADMIN);
    auto self = shared_from_this();
    AsyncUnary<pb::ApiToken>(
        *api_->queue_, api_->settings_.rpc_timeout, std::move(verify),
        [token = api_->token_](auto* c, const auto& q, grpc::CompletionQueue* cq) { return token->AsyncVerifyApiToken(c, q, cq); },
        [self, body = std::move(body)](absl::StatusOr<pb::ApiToken> r) {
          if (!r.ok()) return self->Fail(r.status());
          body(self);
        });
  }

  // Parses the JSON object body.
  absl::StatusOr<json> JsonBody() const {
    absl::string_view type = request_.headers.Get("Content-Type").value_or("");
    if (!absl::StartsWithIgnoreCase(type, "application/json")) {
      return MakeError(absl::StatusCode::kInvalidArgument, "Content-Type must be application/json",
                       caspio_mcp::common::v1::ERROR_REASON_INVALID_FIELD, "Content-Type");
    }
    if (JsonNestsDeeperThan(request_.body, kMaxJsonDepth)) {
      return MakeError(absl::StatusCode::kInvalidArgument,
                       absl::StrCat("the request body is nested deeper than ", kMaxJsonDepth, " levels"),
                       caspio_mcp::common::v1::ERROR_REASON_INVALID_FIELD, "body");
    }
    json body = json::parse(request_.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return MakeError(absl::StatusCode::kInvalidArgument, "the request body must be a JSON object",
                       caspio_mcp::common::v1::ERROR_REASON_INVALID_FIELD, "body");
    }
    return body;
  }

  // Calls the token service and answers with `render(response)` on success.
  template <typename Response, typename Request, typename Start>
  void CallToken(Request request, Start start, std::function<HttpResponse(Response&)> render) {
    auto self = shared_from_this();
    AsyncUnary<Response>(*api_->queue_, api_->settings_.rpc_timeout, std::move(request),
                         [token = api_->token_, start](auto* c, const auto& q, grpc::CompletionQueue* cq) { return start(token, c, q, cq); },
                         [self, render = std::move(render)](absl::StatusOr<Response> r) {
                           if (!r.ok()) return self->Fail(RenameField(r.status(), "cursor", "next_cursor"));
                           self->Send(render(*r));
                         });
  }

  // Runs `then` once the token service has the account named in the path
  // (404 when it does not): the catalog is the same for every account, but a
  // preview for an account that does not exist is a mistake worth reporting.
  void RequireAccount(std::function<void(std::shared_ptr<Exchange>)> then) {
    pb::GetAccountRequest req;
    req.set_id(params_.at("id"));
    auto self = shared_from_this();
    AsyncUnary<pb::Account>(
        *api_->queue_, api_->settings_.rpc_timeout, std::move(req),
        [t = api_->token_](auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncGetAccount(c, q, cq); },
        [self, then = std::move(then)](absl::StatusOr<pb::Account> account) {
          if (!account.ok()) return self->Fail(account.status());
          then(self);
        });
  }

  void Fail(const absl::Status& status) {
    HttpResponse r = AdminErrorResponse(status, request_id_);
    if (r.status == 401) r.headers.Add("WWW-Authenticate", "Bearer realm=\"admin\"");
    Send(std::move(r));
  }

  void Send(HttpResponse response) {
    response.headers.Set("X-Request-ID", request_id_);
    LogInfo("admin request")
        .With("request_id", request_id_)
        .With("method", request_.method)
        .With("path", request_.path)
        .With("status", response.status);
    responder_->Respond(std::move(response));
  }

  AdminApi* api_;
  HttpRequest request_;
  PathParams params_;
  std::shared_ptr<HttpResponder> responder_;
  std::string request_id_;
};

AdminApi::AdminApi(AdminApiSettings settings, ClientQueue* queue, pb::TokenService::Stub* token,
                   toolpb::ToolgenService::Stub* toolgen, pb::AuditService::Stub* audit)
    : settings_(std::move(settings)), queue_(queue), token_(token), toolgen_(toolgen), audit_(audit) {}

void AdminApi::Register(Router& router) {
  using X = std::shared_ptr<Exchange>;
  auto route = [this, &router](absl::string_view method, absl::string_view pattern, Exchange::Body body) {
    router.Add(method, pattern,
               [this, body](HttpRequest request, const PathParams& params, std::shared_ptr<HttpResponder> r) {
                 std::make_shared<Exchange>(this, std::move(request), params, std::move(r))->Authenticate(body);
               });
  };

  route("POST", "/integrated-account", [](X x) {
    auto body = x->JsonBody();
    if (!body.ok()) return x->Fail(body.status());
    pb::CreateAccountRequest req;
    auto integration = StringField(*body, "integration", "integration", true);
    auto name = StringField(*body, "name", "name", true);
    if (!integration.ok()) return x->Fail(integration.status());
    if (!name.ok()) return x->Fail(name.status());
    const json credentials = body->value("credentials", json());
    if (!credentials.is_object()) return x->Fail(MissingFieldError("credentials", "credentials must be an object with base_url, client_id and client_secret"));
    auto base_url = StringField(credentials, "base_url", "credentials.base_url", true);
    auto client_id = StringField(credentials, "client_id", "credentials.client_id", true);
    auto client_secret = StringField(credentials, "client_secret", "credentials.client_secret", true);
    for (const auto* s : {&base_url, &client_id, &client_secret}) {
      if (!s->ok()) return x->Fail(s->status());
    }
    req.set_integration(*integration);
    req.set_name(*name);
    req.set_base_url(*base_url);
    req.set_client_id(*client_id);
    req.set_client_secret(*client_secret);
    x->CallToken<pb::Account>(std::move(req),
                              [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncCreateAccount(c, q, cq); },
                              [](pb::Account& a) { return JsonResponse(201, AccountJson(a)); });
  });

  route("GET", "/integrated-account", [](X x) {
    auto query = QueryMap(x->request_.query);
    pb::ListAccountsRequest req;
    int limit = 0;
    if (query.contains("limit") && (!absl::SimpleAtoi(query["limit"], &limit) || limit < 1 || limit > 100)) {
      return x->Fail(InvalidFieldError("limit", "limit must be an integer from 1 to 100"));
    }
    req.set_page_size(limit);
    req.set_cursor(query["next_cursor"]);
    x->CallToken<pb::ListAccountsResponse>(
        std::move(req), [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncListAccounts(c, q, cq); },
        [](pb::ListAccountsResponse& resp) {
          json result = json::array();
          for (const pb::Account& a : resp.accounts()) result.push_back(AccountJson(a));
          return JsonResponse(200, {{"result", result},
                                    {"next_cursor", resp.next_cursor().empty() ? json(nullptr) : json(resp.next_cursor())}});
        });
  });

  route("GET", "/integrated-account/{id}", [](X x) {
    pb::GetAccountRequest req;
    req.set_id(x->params_.at("id"));
    x->CallToken<pb::Account>(std::move(req),
                              [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncGetAccount(c, q, cq); },
                              [](pb::Account& a) { return JsonResponse(200, AccountJson(a)); });
  });

  route("DELETE", "/integrated-account/{id}", [](X x) {
    pb::DeleteAccountRequest req;
    req.set_id(x->params_.at("id"));
    x->CallToken<pb::DeleteAccountResponse>(
        std::move(req), [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncDeleteAccount(c, q, cq); },
        [id = x->params_.at("id")](pb::DeleteAccountResponse& r) {
          return JsonResponse(200, {{"id", id}, {"deleted", true}, {"deleted_mcp_servers", r.deleted_servers()}});
        });
  });

  route("POST", "/integrated-account/{id}/mcp", [](X x) {
    auto body = x->JsonBody();
    if (!body.ok()) return x->Fail(body.status());
    pb::CreateMcpServerRequest req;
    req.set_account_id(x->params_.at("id"));
    auto name = StringField(*body, "name", "name", true);
    if (!name.ok()) return x->Fail(name.status());
    req.set_name(*name);
    auto config = ParseConfig(body->value("config", json()));
    if (!config.ok()) return x->Fail(config.status());
    *req.mutable_config() = *config;
    if (body->contains("expires_at") && !(*body)["expires_at"].is_null()) {
      auto ts = ParseTime((*body)["expires_at"], "expires_at");
      if (!ts.ok()) return x->Fail(ts.status());
      *req.mutable_expires_at() = *ts;
    }
    x->CallToken<pb::CreateMcpServerResponse>(
        std::move(req), [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncCreateMcpServer(c, q, cq); },
        [public_url = x->api_->settings_.public_url](pb::CreateMcpServerResponse& r) {
          json out = ServerJson(r.server());
          out["token"] = r.token();
          out["url"] = McpUrl(public_url, r.token());
          return JsonResponse(201, out);
        });
  });

  route("GET", "/integrated-account/{id}/mcp", [](X x) {
    auto query = QueryMap(x->request_.query);
    pb::ListMcpServersRequest req;
    req.set_account_id(x->params_.at("id"));
    int limit = 0;
    if (query.contains("limit") && (!absl::SimpleAtoi(query["limit"], &limit) || limit < 1 || limit > 100)) {
      return x->Fail(InvalidFieldError("limit", "limit must be an integer from 1 to 100"));
    }
    req.set_page_size(limit);
    req.set_cursor(query["next_cursor"]);
    x->CallToken<pb::ListMcpServersResponse>(
        std::move(req), [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncListMcpServers(c, q, cq); },
        [](pb::ListMcpServersResponse& resp) {
          json result = json::array();
          for (const pb::McpServer& s : resp.servers()) result.push_back(ServerJson(s));
          return JsonResponse(200, {{"result", result},
                                    {"next_cursor", resp.next_cursor().empty() ? json(nullptr) : json(resp.next_cursor())}});
        });
  });

  route("GET", "/integrated-account/{id}/mcp/{mcp_id}", [](X x) {
    pb::GetMcpServerRequest req;
    req.set_account_id(x->params_.at("id"));
    req.set_id(x->params_.at("mcp_id"));
    x->CallToken<pb::McpServer>(std::move(req),
                                [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncGetMcpServer(c, q, cq); },
                                [](pb::McpServer& s) { return JsonResponse(200, ServerJson(s)); });
  });

  route("PATCH", "/integrated-account/{id}/mcp/{mcp_id}", [](X x) {
    auto body = x->JsonBody();
    if (!body.ok()) return x->Fail(body.status());
    pb::UpdateMcpServerRequest req;
    req.set_account_id(x->params_.at("id"));
    req.set_id(x->params_.at("mcp_id"));
    for (const auto& [key, v] : body->items()) {
      if (key != "name" && key != "config" && key != "expires_at") {
        return x->Fail(InvalidFieldError(key, absl::StrCat("unknown field ", key, "; PATCH takes name, config and expires_at")));
      }
    }
    if (body->contains("name")) {
      auto name = StringField(*body, "name", "name", true);
      if (!name.ok()) return x->Fail(name.status());
      req.set_name(*name);
    }
    if (body->contains("config") && !(*body)["config"].is_null()) {
      auto config = ParseConfig((*body)["config"]);
      if (!config.ok()) return x->Fail(config.status());
      *req.mutable_config() = *config;
    }
    if (body->contains("expires_at")) {
      if ((*body)["expires_at"].is_null()) {
        req.set_clear_expires_at(true);
      } else {
        auto ts = ParseTime((*body)["expires_at"], "expires_at");
        if (!ts.ok()) return x->Fail(ts.status());
        *req.mutable_expires_at() = *ts;
      }
    }
    x->CallToken<pb::McpServer>(std::move(req),
                                [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncUpdateMcpServer(c, q, cq); },
                                [](pb::McpServer& s) { return JsonResponse(200, ServerJson(s)); });
  });

  route("DELETE", "/integrated-account/{id}/mcp/{mcp_id}", [](X x) {
    pb::DeleteMcpServerRequest req;
    req.set_account_id(x->params_.at("id"));
    req.set_id(x->params_.at("mcp_id"));
    x->CallToken<pb::DeleteMcpServerResponse>(
        std::move(req), [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncDeleteMcpServer(c, q, cq); },
        [id = x->params_.at("mcp_id")](pb::DeleteMcpServerResponse&) {
          return JsonResponse(200, {{"id", id}, {"deleted", true}});
        });
  });

  route("GET", "/integrated-account/{id}/tools", [](X x) {
    // The account must exist; then toolgen says what the filter exposes.
    auto query = QueryMap(x->request_.query);
    toolpb::ListToolsRequest tools_req;
    *tools_req.mutable_filter() = QueryFilter(query);
    x->RequireAccount([tools_req = std::move(tools_req)](X x) mutable {
      AsyncUnary<toolpb::ListToolsResponse>(
          *x->api_->queue_, x->api_->settings_.rpc_timeout, std::move(tools_req),
          [g = x->api_->toolgen_](auto* c, const auto& q, grpc::CompletionQueue* cq) { return g->AsyncListTools(c, q, cq); },
          [x](absl::StatusOr<toolpb::ListToolsResponse> r) {
            if (!r.ok()) return x->Fail(RenameField(r.status(), "config.", ""));
            json result = json::array();
            for (const toolpb::Tool& t : r->tools()) {
              json tags = json::array();
              for (const std::string& tag : t.tags()) tags.push_back(tag);
              result.push_back({{"name", t.name()},
                                {"title", t.title()},
                                {"resource", t.binding().resource()},
                                {"method", t.binding().method()},
                                {"tags", tags},
                                {"read_only", t.annotations().read_only_hint()},
                                {"destructive", t.annotations().destructive_hint()}});
            }
            x->Send(JsonResponse(200, {{"result", result}, {"count", r->tools_size()}}));
          });
    });
  });

  route("GET", "/integrated-account/{id}/capabilities", [](X x) {
    // Truto's capabilities: every method in the filter's scope, described or
    // not, with ai_readiness. The account must exist, as for /tools.
    auto query = QueryMap(x->request_.query);
    toolpb::GetCapabilitiesRequest capabilities_req;
    *capabilities_req.mutable_filter() = QueryFilter(query);
    x->RequireAccount([capabilities_req = std::move(capabilities_req)](X x) mutable {
      AsyncUnary<toolpb::Capabilities>(
          *x->api_->queue_, x->api_->settings_.rpc_timeout, std::move(capabilities_req),
          [g = x->api_->toolgen_](auto* c, const auto& q, grpc::CompletionQueue* cq) { return g->AsyncGetCapabilities(c, q, cq); },
          [x](absl::StatusOr<toolpb::Capabilities> r) {
            if (!r.ok()) return x->Fail(RenameField(r.status(), "config.", ""));
            json methods = json::array();
            for (const toolpb::MethodCapability& m : r->methods()) methods.push_back(CapabilityJson(m));
            const toolpb::AiReadiness& readiness = r->ai_readiness();
            x->Send(JsonResponse(200, {{"integration", r->integration()},
                                       {"methods", methods},
                                       {"ai_readiness", {{"total_methods", readiness.total_methods()},
                                                         {"described_methods", readiness.described_methods()},
                                                         {"score", readiness.score()}}},
                                       {"catalog_version", r->catalog_version()}}));
          });
    });
  });

  route("POST", "/api-token", [](X x) {
    auto body = x->JsonBody();
    if (!body.ok()) return x->Fail(body.status());
    pb::CreateApiTokenRequest req;
    auto name = StringField(*body, "name", "name", true);
    if (!name.ok()) return x->Fail(name.status());
    req.set_name(*name);
    auto scope = StringField(*body, "scope", "scope", false);
    if (!scope.ok()) return x->Fail(scope.status());
    if (scope->empty() || *scope == "mcp_client") req.set_scope(pb::API_TOKEN_SCOPE_MCP_CLIENT);
    else if (*scope == "admin") req.set_scope(pb::API_TOKEN_SCOPE_ADMIN);
    else return x->Fail(InvalidFieldError("scope", "scope must be \"mcp_client\" or \"admin\""));
    if (auto s = StringList(*body, "account_ids", "account_ids", req.mutable_account_ids()); !s.ok()) return x->Fail(s);
    if (body->contains("expires_at") && !(*body)["expires_at"].is_null()) {
      auto ts = ParseTime((*body)["expires_at"], "expires_at");
      if (!ts.ok()) return x->Fail(ts.status());
      *req.mutable_expires_at() = *ts;
    }
    x->CallToken<pb::CreateApiTokenResponse>(
        std::move(req), [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncCreateApiToken(c, q, cq); },
        [](pb::CreateApiTokenResponse& r) {
          json out = ApiTokenJson(r.api_token());
          out["token"] = r.token();
          return JsonResponse(201, out);
        });
  });

  route("GET", "/log", [](X x) {
    auto request = ParseLogQuery(x->request_.query);
    if (!request.ok()) return x->Fail(request.status());
    AsyncUnary<pb::ListToolCallsResponse>(
        *x->api_->queue_, x->api_->settings_.rpc_timeout, *std::move(request),
        [a = x->api_->audit_](auto* c, const auto& q, grpc::CompletionQueue* cq) { return a->AsyncListToolCalls(c, q, cq); },
        [x](absl::StatusOr<pb::ListToolCallsResponse> r) {
          if (!r.ok()) return x->Fail(RenameField(r.status(), "cursor", "next_cursor"));
          json result = json::array();
          for (const pb::ToolCallEntry& e : r->entries()) result.push_back(LogEntryJson(e));
          x->Send(JsonResponse(200, {{"result", result},
                                     {"next_cursor", r->next_cursor().empty() ? json(nullptr) : json(r->next_cursor())}}));
        });
  });

  route("DELETE", "/api-token/{id}", [](X x) {
    pb::DeleteApiTokenRequest req;
    req.set_id(x->params_.at("id"));
    x->CallToken<pb::DeleteApiTokenResponse>(
        std::move(req), [](auto* t, auto* c, const auto& q, grpc::CompletionQueue* cq) { return t->AsyncDeleteApiToken(c, q, cq); },
        [id = x->params_.at("id")](pb::DeleteApiTokenResponse&) { return JsonResponse(200, {{"id", id}, {"deleted", true}}); });
  });
}

}  // namespace cmcp::edge
