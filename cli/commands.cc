#include "cli/commands.h"

#include <istream>
#include <ostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "cli/admin_client.h"
#include "cli/command_line.h"
#include "cli/duration.h"
#include "cli/output.h"
#include "common/http/http_types.h"

namespace cmcp::cli {
namespace {

// One invocation of a command, after parsing.
struct Run {
  const CliContext& context;
  ParsedArgs args;
  AdminClient* api;
  Connection connection;
  bool json = false;
  bool explicit_account = false;

  std::ostream& out() const { return *context.out; }
  absl::Time now() const { return context.now(); }

  absl::StatusOr<std::string> Account() const {
    if (connection.default_account.empty()) {
      return absl::InvalidArgumentError(
          "which account? pass --account ID (see `caspio-mcp accounts list`), or set CASPIO_MCP_ACCOUNT");
    }
    return connection.default_account;
  }
  void PrintJson(const Json& value) const { out() << value.dump(2) << "\n"; }
};

using Handler = std::function<absl::Status(Run&)>;

struct Command {
  std::string group;
  std::string name;
  std::string synopsis;  // after "caspio-mcp <group> <name>"
  std::string help;
  std::vector<FlagSpec> flags;
  int positionals = 0;  // exactly this many
  std::string positional_name;
  Handler handler;
};

std::string Str(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string AccountPath(const std::string& id) { return absl::StrCat("/integrated-account/", PercentEncode(id)); }
std::string ServerPath(const std::string& account, const std::string& id) {
  return absl::StrCat(AccountPath(account), "/mcp/", PercentEncode(id));
}

// --expires-in / --expires-at / --no-expiry -> the expires_at value to send:
// nullopt = not given, null = clear, a string = set.
absl::StatusOr<std::optional<Json>> ExpiryFlag(const Run& run, bool allow_clear) {
  const int given = run.args.Has("expires-in") + run.args.Has("expires-at") + run.args.Has("no-expiry");
  if (given > 1) return absl::InvalidArgumentError("give only one of --expires-in, --expires-at and --no-expiry");
  if (run.args.Has("expires-in")) {
    absl::StatusOr<absl::Duration> d = ParseHumanDuration(run.args.Get("expires-in"));
    if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat("--expires-in: ", d.status().message()));
    return std::optional<Json>(Json(Rfc3339(run.now() + *d)));
  }
  if (run.args.Has("expires-at")) {
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, run.args.Get("expires-at"), &t, &err)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--expires-at: \"", run.args.Get("expires-at"), "\" is not RFC 3339 (example: 2026-12-31T23:59:59Z)"));
    }
    return std::optional<Json>(Json(Rfc3339(t)));
  }
  if (run.args.Has("no-expiry")) {
    if (!allow_clear) return absl::InvalidArgumentError("--no-expiry is the default for a new server");
    return std::optional<Json>(Json(nullptr));
  }
  return std::optional<Json>();
}

Json ListJson(const std::string& text) {
  Json out = Json::array();
  for (const std::string& item : SplitList(text)) out.push_back(item);
  return out;
}

void PrintServerSummary(const Run& run, const Json& s) {
  const Json config = s.value("config", Json::object());
  run.out() << "  id:        " << Str(s, "id") << "\n"
            << "  account:   " << Str(s, "integrated_account_id") << "\n"
            << "  methods:   " << JoinOr(config.value("methods", Json()), "all") << "\n"
            << "  tags:      " << JoinOr(config.value("tags", Json()), "all") << "\n"
            << "  API token: " << (config.value("require_api_token_auth", false) ? "required" : "not required") << "\n"
            << "  expires:   " << ExpiryText(s.value("expires_at", Json()), run.now()) << "\n";
}

// ------------------------------------------------------------------ accounts

absl::Status AccountsList(Run& run) {
  absl::StatusOr<std::vector<Json>> accounts = run.api->ListAll("/integrated-account");
  if (!accounts.ok()) return accounts.status();
  if (run.json) {
    run.PrintJson(Json(*accounts));
    return absl::OkStatus();
  }
  std::vector<std::vector<std::string>> rows;
  for (const Json& a : *accounts) {
    const Json creds = a.value("credentials", Json::object());
    rows.push_back({Str(a, "id"), Str(a, "name"), Str(creds, "base_url"), Str(creds, "client_id"), Str(a, "created_at")});
  }
  run.out() << Table({"ID", "NAME", "BASE URL", "CLIENT ID", "CREATED"}, rows);
  if (accounts->empty()) run.out() << "(no account yet: caspio-mcp accounts add --help)\n";
  return absl::OkStatus();
}

absl::Status AccountsGet(Run& run) {
  absl::StatusOr<Json> a = run.api->Call("GET", AccountPath(run.args.positionals[0]));
  if (!a.ok()) return a.status();
  if (run.json) {
    run.PrintJson(*a);
    return absl::OkStatus();
  }
  const Json creds = a->value("credentials", Json::object());
  run.out() << Str(*a, "name") << "\n"
            << "  id:        " << Str(*a, "id") << "\n"
            << "  base URL:  " << Str(creds, "base_url") << "\n"
            << "  client id: " << Str(creds, "client_id") << "\n"
            << "  created:   " << Str(*a, "created_at") << "\n";
  return absl::OkStatus();
}

absl::Status AccountsAdd(Run& run) {
  for (const char* required : {"name", "base-url", "client-id"}) {
    if (run.args.Get(required).empty()) return absl::InvalidArgumentError(absl::StrCat("--", required, " is required"));
  }
  std::string secret;
  const std::string file = run.args.Get("client-secret-file");
  if (file == "-") {
    if (run.context.in == nullptr) return absl::InvalidArgumentError("no standard input to read the secret from");
    std::getline(*run.context.in, secret);
  } else if (!file.empty()) {
    absl::StatusOr<std::string> text = run.context.env.read_file(file);
    if (!text.ok()) return absl::InvalidArgumentError(absl::StrCat("--client-secret-file: ", text.status().message()));
    secret = *text;
  } else {
    secret = run.context.env.get_env("CASPIO_CLIENT_SECRET").value_or("");
  }
  secret = std::string(absl::StripAsciiWhitespace(secret));
  if (secret.empty()) {
    return absl::InvalidArgumentError(
        "no client secret: pass --client-secret-file FILE (or - for standard input), or set CASPIO_CLIENT_SECRET");
  }
  Json body = {{"integration", "caspio"},
               {"name", run.args.Get("name")},
               {"credentials",
                {{"base_url", run.args.Get("base-url")}, {"client_id", run.args.Get("client-id")}, {"client_secret", secret}}}};
  absl::StatusOr<Json> a = run.api->Call("POST", "/integrated-account", body);
  if (!a.ok()) return a.status();
  if (run.json) {
    run.PrintJson(*a);
    return absl::OkStatus();
  }
  run.out() << "Connected account \"" << Str(*a, "name") << "\" (id " << Str(*a, "id") << ").\n"
            << "Next: caspio-mcp servers create --account " << Str(*a, "id") << " --name NAME --methods read\n";
  return absl::OkStatus();
}

absl::Status AccountsRm(Run& run) {
  absl::StatusOr<Json> r = run.api->Call("DELETE", AccountPath(run.args.positionals[0]));
  if (!r.ok()) return r.status();
  if (run.json) {
    run.PrintJson(*r);
    return absl::OkStatus();
  }
  run.out() << "Deleted account " << run.args.positionals[0] << " and its " << r->value("deleted_mcp_servers", 0)
            << " MCP server(s); their URLs answer 404 now.\n";
  return absl::OkStatus();
}

// ------------------------------------------------------------------ servers

absl::Status ServersList(Run& run) {
  absl::StatusOr<std::string> account = run.Account();
  if (!account.ok()) return account.status();
  absl::StatusOr<std::vector<Json>> servers = run.api->ListAll(absl::StrCat(AccountPath(*account), "/mcp"));
  if (!servers.ok()) return servers.status();
  if (run.json) {
    run.PrintJson(Json(*servers));
    return absl::OkStatus();
  }
  std::vector<std::vector<std::string>> rows;
  for (const Json& s : *servers) {
    const Json config = s.value("config", Json::object());
    rows.push_back({Str(s, "id"), Str(s, "name"), JoinOr(config.value("methods", Json()), "all"),
                    JoinOr(config.value("tags", Json()), "all"),
                    config.value("require_api_token_auth", false) ? "required" : "no",
                    ExpiryText(s.value("expires_at", Json()), run.now())});
  }
  run.out() << Table({"ID", "NAME", "METHODS", "TAGS", "API TOKEN", "EXPIRES"}, rows);
  if (servers->empty()) run.out() << "(no MCP server yet: caspio-mcp servers create --help)\n";
  return absl::OkStatus();
}

absl::Status ServersGet(Run& run) {
  absl::StatusOr<std::string> account = run.Account();
  if (!account.ok()) return account.status();
  absl::StatusOr<Json> s = run.api->Call("GET", ServerPath(*account, run.args.positionals[0]));
  if (!s.ok()) return s.status();
  if (run.json) {
    run.PrintJson(*s);
    return absl::OkStatus();
  }
  run.out() << "MCP server \"" << Str(*s, "name") << "\"\n";
  PrintServerSummary(run, *s);
  run.out() << "(the URL is shown only when a server is created)\n";
  return absl::OkStatus();
}

absl::Status ServersCreate(Run& run) {
  absl::StatusOr<std::string> account = run.Account();
  if (!account.ok()) return account.status();
  if (run.args.Get("name").empty()) return absl::InvalidArgumentError("--name is required");
  absl::StatusOr<std::optional<Json>> expiry = ExpiryFlag(run, /*allow_clear=*/false);
  if (!expiry.ok()) return expiry.status();
  Json config = Json::object();
  if (run.args.Has("methods")) config["methods"] = ListJson(run.args.Get("methods"));
  if (run.args.Has("tags")) config["tags"] = ListJson(run.args.Get("tags"));
  if (run.args.Has("require-api-token")) config["require_api_token_auth"] = true;
  Json body = {{"name", run.args.Get("name")}, {"config", config}};
  if (expiry->has_value()) body["expires_at"] = **expiry;
  absl::StatusOr<Json> s = run.api->Call("POST", absl::StrCat(AccountPath(*account), "/mcp"), body);
  if (!s.ok()) return s.status();
  if (run.json) {
    run.PrintJson(*s);
    return absl::OkStatus();
  }
  const std::string url = Str(*s, "url");
  run.out() << "Created MCP server \"" << Str(*s, "name") << "\".\n";
  PrintServerSummary(run, *s);
  run.out() << "\nMCP URL (shown only this once; a secret: anyone holding it can use these tools):\n  " << url
            << "\n\n"
            << ClientSnippets(url, Str(*s, "name"),
                              s->value("config", Json::object()).value("require_api_token_auth", false));
  return absl::OkStatus();
}

absl::Status ServersUpdate(Run& run) {
  absl::StatusOr<std::string> account = run.Account();
  if (!account.ok()) return account.status();
  const std::string path = ServerPath(*account, run.args.positionals[0]);
  if (run.args.Has("require-api-token") && run.args.Has("no-require-api-token")) {
    return absl::InvalidArgumentError("give only one of --require-api-token and --no-require-api-token");
  }
  absl::StatusOr<std::optional<Json>> expiry = ExpiryFlag(run, /*allow_clear=*/true);
  if (!expiry.ok()) return expiry.status();
  Json patch = Json::object();
  if (run.args.Has("name")) patch["name"] = run.args.Get("name");
  if (expiry->has_value()) patch["expires_at"] = **expiry;
  const bool config_change = run.args.Has("methods") || run.args.Has("tags") || run.args.Has("require-api-token") ||
                             run.args.Has("no-require-api-token");
  if (config_change) {
    // PATCH replaces the whole config: start from the server's current one.
    absl::StatusOr<Json> current = run.api->Call("GET", path);
    if (!current.ok()) return current.status();
    Json config = current->value("config", Json::object());
    if (run.args.Has("methods")) config["methods"] = ListJson(run.args.Get("methods"));
    if (run.args.Has("tags")) config["tags"] = ListJson(run.args.Get("tags"));
    if (run.args.Has("require-api-token")) config["require_api_token_auth"] = true;
    if (run.args.Has("no-require-api-token")) config["require_api_token_auth"] = false;
    patch["config"] = config;
  }
  if (patch.empty()) {
    return absl::InvalidArgumentError(
        "nothing to change: give --name, --methods, --tags, --expires-in, --expires-at, --no-expiry or "
        "--[no-]require-api-token");
  }
  absl::StatusOr<Json> s = run.api->Call("PATCH", path, patch);
  if (!s.ok()) return s.status();
  if (run.json) {
    run.PrintJson(*s);
    return absl::OkStatus();
  }
  run.out() << "Updated MCP server \"" << Str(*s, "name") << "\" (its URL is unchanged).\n";
  PrintServerSummary(run, *s);
  return absl::OkStatus();
}

absl::Status ServersRm(Run& run) {
  absl::StatusOr<std::string> account = run.Account();
  if (!account.ok()) return account.status();
  absl::StatusOr<Json> r = run.api->Call("DELETE", ServerPath(*account, run.args.positionals[0]));
  if (!r.ok()) return r.status();
  if (run.json) {
    run.PrintJson(*r);
    return absl::OkStatus();
  }
  run.out() << "Deleted MCP server " << run.args.positionals[0] << "; its URL answers 404 now.\n";
  return absl::OkStatus();
}

// ------------------------------------------------------------------ tools

// GET <account>/<what>?methods=…&tags=… from --methods and --tags.
absl::StatusOr<Json> GetFiltered(Run& run, absl::string_view what, const std::vector<std::string>& methods,
                                 const std::vector<std::string>& tags) {
  absl::StatusOr<std::string> account = run.Account();
  if (!account.ok()) return account.status();
  std::vector<std::string> query;
  if (!methods.empty()) query.push_back(absl::StrCat("methods=", PercentEncode(absl::StrJoin(methods, ","))));
  if (!tags.empty()) query.push_back(absl::StrCat("tags=", PercentEncode(absl::StrJoin(tags, ","))));
  std::string path = absl::StrCat(AccountPath(*account), "/", what);
  if (!query.empty()) absl::StrAppend(&path, "?", absl::StrJoin(query, "&"));
  return run.api->Call("GET", path);
}

absl::Status Tools(Run& run) {
  const std::vector<std::string> methods = SplitList(run.args.Get("methods"));
  const std::vector<std::string> tags = SplitList(run.args.Get("tags"));
  absl::StatusOr<Json> r = GetFiltered(run, "tools", methods, tags);
  if (!r.ok()) return r.status();
  if (run.json) {
    run.PrintJson(*r);
    return absl::OkStatus();
  }
  std::vector<std::vector<std::string>> rows;
  for (const Json& t : r->value("result", Json::array())) {
    std::vector<std::string> notes;
    if (t.value("read_only", false)) notes.push_back("read-only");
    if (t.value("destructive", false)) notes.push_back("destructive");
    rows.push_back({Str(t, "name"), Str(t, "method"), JoinOr(t.value("tags", Json()), "-"), absl::StrJoin(notes, ", ")});
  }
  run.out() << Table({"TOOL", "METHOD", "TAGS", "NOTES"}, rows);
  const int count = r->value("count", static_cast<int>(rows.size()));
  run.out() << count << (count == 1 ? " tool" : " tools") << " with methods "
            << (methods.empty() ? "all" : absl::StrJoin(methods, ",")) << " and tags "
            << (tags.empty() ? "all" : absl::StrJoin(tags, ",")) << ".";
  if (count == 0) run.out() << " A server with this filter would be refused: widen --methods or --tags.";
  run.out() << "\n";
  return absl::OkStatus();
}

// Truto's Capabilities API: every method in the filter's scope, described
// or not, and how ready the catalog is for an AI agent.
absl::Status Capabilities(Run& run) {
  absl::StatusOr<Json> r =
      GetFiltered(run, "capabilities", SplitList(run.args.Get("methods")), SplitList(run.args.Get("tags")));
  if (!r.ok()) return r.status();
  if (run.json) {
    run.PrintJson(*r);
    return absl::OkStatus();
  }
  std::vector<std::vector<std::string>> rows;
  for (const Json& m : r->value("methods", Json::array())) {
    const Json& tool = m.contains("tool_name") ? m["tool_name"] : Json();
    rows.push_back({Str(m, "name"), tool.is_string() ? tool.get<std::string>() : "-",
                    JoinOr(m.value("tags", Json()), "-"), m.value("described", false) ? "yes" : "no"});
  }
  run.out() << Table({"METHOD", "TOOL", "TAGS", "DESCRIBED"}, rows);
  const Json readiness = r->value("ai_readiness", Json::object());
  run.out() << "AI readiness: " << readiness.value("described_methods", 0) << " of "
            << readiness.value("total_methods", 0) << " methods described (score "
            << readiness.value("score", 0.0) << ").\n";
  return absl::OkStatus();
}

// ------------------------------------------------------------------ API tokens

absl::Status ApiTokensCreate(Run& run) {
  if (run.args.Get("name").empty()) return absl::InvalidArgumentError("--name is required");
  const std::string scope = run.args.Get("scope", "mcp_client");
  if (scope != "mcp_client" && scope != "admin") {
    return absl::InvalidArgumentError("--scope must be mcp_client or admin");
  }
  Json body = {{"name", run.args.Get("name")}, {"scope", scope}};
  // Only an explicit --account limits a token; the default account does not.
  if (run.explicit_account) body["account_ids"] = {run.connection.default_account};
  absl::StatusOr<Json> t = run.api->Call("POST", "/api-token", body);
  if (!t.ok()) return t.status();
  if (run.json) {
    run.PrintJson(*t);
    return absl::OkStatus();
  }
  run.out() << "Created " << scope << " API token \"" << Str(*t, "name") << "\" (id " << Str(*t, "id")
            << "). Shown only this once:\n  " << Str(*t, "token") << "\n";
  if (scope == "mcp_client") {
    run.out() << "Clients of servers created with --require-api-token send it as: Authorization: Bearer <token>\n";
  }
  return absl::OkStatus();
}

absl::Status ApiTokensRm(Run& run) {
  absl::StatusOr<Json> r = run.api->Call("DELETE", absl::StrCat("/api-token/", PercentEncode(run.args.positionals[0])));
  if (!r.ok()) return r.status();
  if (run.json) {
    run.PrintJson(*r);
    return absl::OkStatus();
  }
  run.out() << "Revoked API token " << run.args.positionals[0] << ".\n";
  return absl::OkStatus();
}

// ------------------------------------------------------------------ the table

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {"accounts", "list", "", "List the connected Caspio accounts.", {}, 0, "", AccountsList},
      {"accounts", "get", "ID", "Show one account (never its secret).", {}, 1, "ID", AccountsGet},
      {"accounts", "add", "--name NAME --base-url URL --client-id ID [--client-secret-file FILE|-]",
       "Connect a Caspio account (REST API v3 credentials from Caspio's Web Services Profile).\n"
       "The client secret is read from --client-secret-file (\"-\" = standard input) or $CASPIO_CLIENT_SECRET,\n"
       "never from the command line.",
       {{"name"}, {"base-url"}, {"client-id"}, {"client-secret-file"}}, 0, "", AccountsAdd},
      {"accounts", "rm", "ID", "Delete an account and every MCP server minted for it.", {}, 1, "ID", AccountsRm},
      {"servers", "list", "[--account ID]", "List an account's MCP servers (never their URLs).", {}, 0, "", ServersList},
      {"servers", "get", "[--account ID] SERVER_ID", "Show one MCP server.", {}, 1, "SERVER_ID", ServersGet},
      {"servers", "create",
       "[--account ID] --name NAME [--methods LIST] [--tags LIST] [--expires-in 24h | --expires-at TIME]\n"
       "                          [--require-api-token]",
       "Mint an MCP server and print its URL (shown only this once) with client settings.\n"
       "  --methods  read (get+list), write (create+update+delete), custom, or exact method names; comma-separated\n"
       "  --tags     tags of the account's tools (see `caspio-mcp tools`); a tool needs any one of them\n"
       "Methods AND tags; omitted = all. Preview first with `caspio-mcp tools --methods ... --tags ...`.",
       {{"name"}, {"methods"}, {"tags"}, {"expires-in"}, {"expires-at"}, {"require-api-token", FlagKind::kBool}}, 0, "",
       ServersCreate},
      {"servers", "update",
       "[--account ID] SERVER_ID [--name NAME] [--methods LIST] [--tags LIST]\n"
       "                          [--expires-in 2h | --expires-at TIME | --no-expiry] [--[no-]require-api-token]",
       "Change a server; its URL stays the same. --expires-in sets a new expiry, --no-expiry clears it.",
       {{"name"}, {"methods"}, {"tags"}, {"expires-in"}, {"expires-at"}, {"no-expiry", FlagKind::kBool},
        {"require-api-token", FlagKind::kBool}, {"no-require-api-token", FlagKind::kBool}},
       1, "SERVER_ID", ServersUpdate},
      {"servers", "rm", "[--account ID] SERVER_ID", "Delete a server; its URL answers 404 at once.", {}, 1, "SERVER_ID",
       ServersRm},
      {"tools", "", "[--account ID] [--methods LIST] [--tags LIST]",
       "Preview exactly which tools a server with this filter would expose (no filter = the whole catalog,\n"
       "with every method and tag you can filter on).",
       {{"methods"}, {"tags"}}, 0, "", Tools},
      {"capabilities", "", "[--account ID] [--methods LIST] [--tags LIST]",
       "Every Caspio method in the filter's scope, with or without a tool, and the catalog's AI readiness\n"
       "(how many methods are described), as Truto's Capabilities API.",
       {{"methods"}, {"tags"}}, 0, "", Capabilities},
      {"api-tokens", "create", "--name NAME [--scope mcp_client|admin] [--account ID]",
       "Mint an API token (shown once). mcp_client tokens are the second factor of servers created with\n"
       "--require-api-token; --account limits one to that account.",
       {{"name"}, {"scope"}}, 0, "", ApiTokensCreate},
      {"api-tokens", "rm", "ID", "Revoke an API token.", {}, 1, "ID", ApiTokensRm},
  };
  return *commands;
}

std::string Title(const Command& c) { return c.name.empty() ? c.group : absl::StrCat(c.group, " ", c.name); }

std::string CommandUsage(const Command& c) {
  return absl::StrCat("usage: caspio-mcp ", Title(c), c.synopsis.empty() ? "" : " ", c.synopsis, "\n\n", c.help,
                      "\n\nGlobal flags: --url URL, --admin-token-file FILE, --env-file FILE, --account ID, --json\n");
}

std::string GroupUsage(const std::string& group) {
  std::string out = absl::StrCat("usage: caspio-mcp ", group, " <command>\n\n");
  for (const Command& c : Commands()) {
    if (c.group == group) absl::StrAppend(&out, "  caspio-mcp ", Title(c), " ", c.synopsis, "\n");
  }
  return out;
}

// Pulls the global flags out of `args` wherever they are.
struct GlobalFlags {
  ConnectionFlags connection;
  bool json = false;
  bool help = false;
  std::vector<std::string> rest;
};

absl::StatusOr<GlobalFlags> ExtractGlobals(const std::vector<std::string>& args) {
  GlobalFlags g;
  const std::vector<std::pair<std::string, std::string*>> valued = {
      {"url", &g.connection.url},
      {"admin-token-file", &g.connection.admin_token_file},
      {"env-file", &g.connection.env_file},
      {"account", &g.connection.account}};
  bool done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (done) {
      g.rest.push_back(a);
      continue;
    }
    if (a == "--") {
      done = true;
      g.rest.push_back(a);
      continue;
    }
    if (a == "--json") {
      g.json = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      g.help = true;
      continue;
    }
    if (a == "--admin-token" || absl::StartsWith(a, "--admin-token=")) {
      return absl::InvalidArgumentError(
          "there is no --admin-token flag (argv is visible to other users): set CASPIO_MCP_ADMIN_TOKEN or pass "
          "--admin-token-file FILE");
    }
    bool matched = false;
    for (const auto& [name, target] : valued) {
      const std::string flag = absl::StrCat("--", name);
      if (a == flag) {
        if (i + 1 >= args.size()) return absl::InvalidArgumentError(absl::StrCat(flag, " needs a value"));
        *target = args[++i];
        matched = true;
      } else if (absl::StartsWith(a, absl::StrCat(flag, "="))) {
        *target = a.substr(flag.size() + 1);
        matched = true;
      }
    }
    if (!matched) g.rest.push_back(a);
  }
  return g;
}

int Fail(const CliContext& context, bool json, const absl::Status& status, const std::string& usage_hint) {
  std::ostream& err = *context.err;
  if (std::optional<ApiError> api = ApiErrorOf(status)) {
    if (json) {
      err << Json({{"http_status", api->http_status}, {"error", api->body.is_object() ? api->body.value("error", Json()) : Json()}})
                 .dump(2)
          << "\n";
    } else {
      err << FormatApiError(*api);
      if (api->http_status == 401) err << "  (check the admin API token: CASPIO_MCP_ADMIN_TOKEN or --admin-token-file)\n";
    }
    return api->http_status >= 500 ? kExitUnavailable : kExitRefused;
  }
  const absl::StatusCode code = status.code();
  if (code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded) {
    err << "error: " << status.message() << "\n";
    return kExitUnavailable;
  }
  if (code == absl::StatusCode::kInvalidArgument) {
    err << "caspio-mcp: " << status.message() << "\n";
    if (!usage_hint.empty()) err << usage_hint << "\n";
    return kExitUsage;
  }
  err << "error: " << status.message() << "\n";
  return kExitRefused;
}

}  // namespace

std::string Usage() {
  std::string out =
      "caspio-mcp: create and manage MCP servers for Caspio from the command line.\n\n"
      "usage: caspio-mcp [global flags] <command> [flags]\n\n";
  for (const Command& c : Commands()) absl::StrAppend(&out, "  caspio-mcp ", Title(c), " ", c.synopsis, "\n");
  absl::StrAppend(&out,
                  "\nGlobal flags (anywhere on the line):\n"
                  "  --url URL               the edge, e.g. http://127.0.0.1:8080   (or $CASPIO_MCP_URL)\n"
                  "  --admin-token-file FILE file holding the admin API token      (or $CASPIO_MCP_ADMIN_TOKEN)\n"
                  "  --env-file FILE         KEY=VALUE file with EDGE_URL, ADMIN_TOKEN, ACCOUNT_ID\n"
                  "                          (default: ./.run/env, written by scripts/up.sh --detach)\n"
                  "  --account ID            the account to work on                 (or $CASPIO_MCP_ACCOUNT)\n"
                  "  --json                  machine-readable output (errors as JSON on stderr)\n\n"
                  "Exit codes: 0 ok, 1 refused by the API (message, field and hint on stderr), 2 usage or\n"
                  "configuration error, 3 edge unreachable or failing (5xx).\n"
                  "Run `caspio-mcp <command> --help` for a command's flags. docs/quickstart.md walks through it.\n");
  return out;
}

int RunCli(const std::vector<std::string>& args, const CliContext& context) {
  std::ostream& out = *context.out;
  absl::StatusOr<GlobalFlags> globals = ExtractGlobals(args);
  if (!globals.ok()) return Fail(context, false, globals.status(), "Run `caspio-mcp --help` for usage.");
  std::vector<std::string> rest = globals->rest;
  if (rest.empty() || rest[0] == "help") {
    if (rest.empty() && !globals->help) {
      *context.err << Usage();
      return kExitUsage;
    }
    out << Usage();
    return kExitOk;
  }
  const std::string group = rest[0];
  bool known_group = false;
  const Command* command = nullptr;
  for (const Command& c : Commands()) {
    if (c.group != group) continue;
    known_group = true;
    if (c.name.empty() || (rest.size() > 1 && rest[1] == c.name)) command = &c;
  }
  if (!known_group) {
    return Fail(context, false, absl::InvalidArgumentError(absl::StrCat("unknown command \"", group, "\"")),
                "Run `caspio-mcp --help` for the commands.");
  }
  if (command == nullptr) {
    if (globals->help || rest.size() == 1) {
      (globals->help ? out : *context.err) << GroupUsage(group);
      return globals->help ? kExitOk : kExitUsage;
    }
    return Fail(context, false,
                absl::InvalidArgumentError(absl::StrCat("unknown command \"", group, " ", rest[1], "\"")),
                GroupUsage(group));
  }
  if (globals->help) {
    out << CommandUsage(*command);
    return kExitOk;
  }
  const std::string hint = absl::StrCat("Run `caspio-mcp ", Title(*command), " --help` for usage.");
  std::vector<std::string> command_args(rest.begin() + (command->name.empty() ? 1 : 2), rest.end());
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(command_args, command->flags);
  if (!parsed.ok()) return Fail(context, globals->json, parsed.status(), hint);
  if (static_cast<int>(parsed->positionals.size()) != command->positionals) {
    const std::string what =
        command->positionals == 0
            ? absl::StrCat("unexpected argument \"", parsed->positionals[0], "\"")
            : (parsed->positionals.empty() ? absl::StrCat(command->positional_name, " is required")
                                           : absl::StrCat("expected one ", command->positional_name, ", got ",
                                                          parsed->positionals.size(), " arguments"));
    return Fail(context, globals->json, absl::InvalidArgumentError(what), hint);
  }
  absl::StatusOr<Connection> connection = ResolveConnection(globals->connection, context.env);
  if (!connection.ok()) return Fail(context, globals->json, connection.status(), "");
  AdminClient api(context.http, connection->url, connection->admin_token);
  Run run{context, *std::move(parsed), &api, *connection, globals->json, !globals->connection.account.empty()};
  absl::Status status = command->handler(run);
  if (!status.ok()) return Fail(context, globals->json, status, hint);
  return kExitOk;
}

}  // namespace cmcp::cli
