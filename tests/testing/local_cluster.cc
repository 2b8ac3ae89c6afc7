#include "tests/testing/local_cluster.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"

namespace cmcp::testing {
namespace {

using json = nlohmann::json;

absl::Status WriteSecret(const std::string& path, const std::string& value) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  out << value;
  return absl::OkStatus();
}

HttpResult ToResult(const absl::StatusOr<HttpClientResponse>& r) {
  HttpResult out;
  if (!r.ok()) {
    out.status = -1;
    out.raw = std::string(r.status().message());
    return out;
  }
  out.status = r->status;
  out.raw = r->body;
  out.headers = r->headers;
  out.body = json::parse(r->body, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LocalCluster>> LocalCluster::Start(LocalClusterOptions options) {
  std::unique_ptr<LocalCluster> c(new LocalCluster());
  auto redis = RedisServer::Start();
  if (!redis.ok()) return redis.status();
  c->redis_ = *std::move(redis);
  const TempDir& d = c->dir_;
  c->admin_token_ = absl::StrCat("cmcp_", Base64UrlEncode(RandomBytes(32)));
  for (const auto& [file, value] :
       std::vector<std::pair<std::string, std::string>>{{"pepper", Base64UrlEncode(RandomBytes(32))},
                                                        {"session-key", Base64UrlEncode(RandomBytes(32))},
                                                        {"cursor-key", Base64UrlEncode(RandomBytes(32))},
                                                        {"encryption-key", Base64Encode(RandomBytes(32))},
                                                        {"admin-token", c->admin_token_}}) {
    if (absl::Status s = WriteSecret(d.File(file), value); !s.ok()) return s;
  }
  auto with = [](std::vector<std::string> base, const std::vector<std::string>& extra) {
    base.insert(base.end(), extra.begin(), extra.end());
    return base;
  };
  if (options.sandbox) {
    c->argv_["sandbox"] = with({BinPath("caspio-sandbox"), "--listen=127.0.0.1:0", "--port-file=" + d.File("sandbox.port"),
                                "--client-id=sandbox-client", "--client-secret=sandbox-secret"},
                               options.sandbox_flags);
    if (absl::Status s = c->Launch("sandbox"); !s.ok()) return s;
  }
  c->argv_["toolgen"] = {BinPath("toolgen"), "--listen=127.0.0.1:0", "--port-file=" + d.File("toolgen.port"),
                         "--integration-dir=" + SourcePath("integrations/caspio")};
  if (absl::Status s = c->Launch("toolgen"); !s.ok()) return s;
  const std::string toolgen = absl::StrCat("127.0.0.1:", c->ports_["toolgen"]);
  c->argv_["token"] = with({BinPath("token"), "--listen=127.0.0.1:0", "--port-file=" + d.File("token.port"),
                            "--redis-address=" + c->redis_->address(), "--pepper-file=" + d.File("pepper"),
                            "--encryption-key-file=" + d.File("encryption-key"),
                            "--bootstrap-admin-token-file=" + d.File("admin-token"), "--toolgen-address=" + toolgen,
                            "--allow-loopback-base-urls=true"},
                           options.token_flags);
  if (absl::Status s = c->Launch("token"); !s.ok()) return s;
  const std::string token = absl::StrCat("127.0.0.1:", c->ports_["token"]);
  c->argv_["proxy"] = with({BinPath("proxy"), "--listen=127.0.0.1:0", "--port-file=" + d.File("proxy.port"),
                            "--token-address=" + token, "--cursor-key-file=" + d.File("cursor-key")},
                           options.proxy_flags);
  if (absl::Status s = c->Launch("proxy"); !s.ok()) return s;
  c->argv_["edge"] = with({BinPath("edge"), "--listen=127.0.0.1:0", "--port-file=" + d.File("edge.port"),
                           "--token-address=" + token, "--toolgen-address=" + toolgen,
                           "--proxy-address=" + absl::StrCat("127.0.0.1:", c->ports_["proxy"]),
                           "--session-key-file=" + d.File("session-key")},
                          options.edge_flags);
  if (absl::Status s = c->Launch("edge"); !s.ok()) return s;
  // Ready once the edge reaches all its backends.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    auto r = c->http_.Send({.url = c->edge_url() + "/readyz", .timeout = absl::Seconds(2)});
    if (r.ok() && r->status == 200) return c;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError("edge did not become ready");
}

absl::Status LocalCluster::Launch(const std::string& name) {
  std::vector<std::string> argv = argv_.at(name);
  // A restart keeps the port it had.
  if (ports_.contains(name)) {
    for (std::string& a : argv) {
      if (a == "--listen=127.0.0.1:0") a = absl::StrCat("--listen=127.0.0.1:", ports_[name]);
    }
  }
  auto process = ChildProcess::Start(argv, {.port_file = dir_.File(name + ".port"),
                                            .log_file = dir_.File(name + ".log")});
  if (!process.ok()) return process.status();
  ports_[name] = (*process)->port();
  processes_[name] = *std::move(process);
  return absl::OkStatus();
}

absl::Status LocalCluster::Restart(const std::string& name) {
  processes_.at(name)->Kill();
  return Launch(name);
}

LocalCluster::~LocalCluster() {
  for (const char* name : {"edge", "proxy", "token", "toolgen", "sandbox"}) {
    if (processes_.contains(name)) processes_[name]->Stop(absl::Seconds(5));
  }
}

std::string LocalCluster::edge_url() const { return absl::StrCat("http://127.0.0.1:", ports_.at("edge")); }
std::string LocalCluster::sandbox_url() const { return absl::StrCat("http://127.0.0.1:", ports_.at("sandbox")); }

HttpResult LocalCluster::Admin(const std::string& method, const std::string& path, const json& body,
                               const std::string& token) {
  HttpClientRequest r;
  r.method = method;
  r.url = edge_url() + path;
  r.timeout = absl::Seconds(20);
  if (token != "-") r.headers.Add("Authorization", absl::StrCat("Bearer ", token.empty() ? admin_token_ : token));
  if (!body.is_null()) {
    r.headers.Add("Content-Type", "application/json");
    r.body = body.is_string() ? body.get<std::string>() : body.dump();
  }
  return ToResult(http_.Send(r));
}

absl::StatusOr<std::string> LocalCluster::CreateSandboxAccount() {
  HttpResult r = Admin("POST", "/integrated-account",
                       {{"integration", "caspio"},
                        {"name", "sandbox"},
                        {"credentials",
                         {{"base_url", sandbox_url()}, {"client_id", "sandbox-client"}, {"client_secret", "sandbox-secret"}}}});
  if (r.status != 201) return absl::InternalError(absl::StrCat("create account: HTTP ", r.status, " ", r.raw));
  return r.body["id"].get<std::string>();
}

absl::StatusOr<json> LocalCluster::CreateServer(const std::string& account_id, json body) {
  HttpResult r = Admin("POST", absl::StrCat("/integrated-account/", account_id, "/mcp"), body);
  if (r.status != 201) return absl::InternalError(absl::StrCat("create server: HTTP ", r.status, " ", r.raw));
  return r.body;
}

McpTestClient::McpTestClient(std::string url, Headers extra_headers)
    : url_(std::move(url)), extra_(std::move(extra_headers)) {}

HttpResult McpTestClient::Post(const std::string& body, const Headers& headers) {
  HttpClientRequest r;
  r.method = "POST";
  r.url = url_;
  r.body = body;
  r.timeout = absl::Seconds(30);
  r.headers.Add("Content-Type", "application/json");
  r.headers.Add("Accept", "application/json, text/event-stream");
  for (const auto& h : extra_) r.headers.Add(h.name, h.value);
  for (const auto& h : headers) r.headers.Add(h.name, h.value);
  return ToResult(http_.Send(r));
}

HttpResult McpTestClient::Initialize(const std::string& protocol_version) {
  HttpResult r = Post(json{{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", "initialize"},
                           {"params", {{"protocolVersion", protocol_version}, {"capabilities", json::object()},
                                       {"clientInfo", {{"name", "cmcp-test"}, {"version", "1"}}}}}}.dump(),
                      {});
  if (r.status == 200) {
    session_id_ = std::string(r.headers.Get("Mcp-Session-Id").value_or(""));
    version_ = protocol_version;
    Headers h;
    h.Add("Mcp-Session-Id", session_id_);
    Post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", h);
  }
  return r;
}

HttpResult McpTestClient::Request(const std::string& method, const json& params) {
  Headers h;
  if (!session_id_.empty()) h.Add("Mcp-Session-Id", session_id_);
  if (!version_.empty()) h.Add("MCP-Protocol-Version", version_);
  return Post(json{{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", method}, {"params", params}}.dump(), h);
}

}  // namespace cmcp::testing
