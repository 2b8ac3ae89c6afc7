#include "cli/cli_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace cmcp::cli {
namespace {

constexpr char kDefaultEnvFile[] = ".run/env";

std::string Unquote(absl::string_view v) {
  v = absl::StripAsciiWhitespace(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  return std::string(v);
}

}  // namespace

Environment ProcessEnvironment() {
  Environment env;
  env.get_env = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  env.read_file = [](const std::string& path) -> absl::StatusOr<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  };
  return env;
}

std::map<std::string, std::string> ParseEnvFile(absl::string_view text) {
  std::map<std::string, std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    absl::ConsumePrefix(&line, "export ");
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos || eq == 0) continue;
    out[std::string(absl::StripAsciiWhitespace(line.substr(0, eq)))] = Unquote(line.substr(eq + 1));
  }
  return out;
}

absl::StatusOr<Connection> ResolveConnection(const ConnectionFlags& flags, const Environment& env) {
  // The env file: explicit ones must exist, the default one may not.
  std::map<std::string, std::string> file_vars;
  std::string env_file = flags.env_file;
  if (env_file.empty()) env_file = env.get_env("CASPIO_MCP_ENV_FILE").value_or("");
  const bool explicit_file = !env_file.empty();
  if (!explicit_file) env_file = kDefaultEnvFile;
  absl::StatusOr<std::string> text = env.read_file(env_file);
  if (text.ok()) {
    file_vars = ParseEnvFile(*text);
  } else if (explicit_file) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read the env file ", env_file, ": ", text.status().message()));
  }
  auto from_file = [&](const char* key) {
    auto it = file_vars.find(key);
    return it == file_vars.end() ? std::string() : it->second;
  };

  Connection c;
  c.url = flags.url;
  if (c.url.empty()) c.url = env.get_env("CASPIO_MCP_URL").value_or("");
  if (c.url.empty()) c.url = from_file("EDGE_URL");
  if (c.url.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no edge URL: pass --url http://HOST:PORT, set CASPIO_MCP_URL, or run where ", kDefaultEnvFile,
        " exists (scripts/up.sh --detach writes it)"));
  }
  if (!absl::StartsWith(c.url, "http://") && !absl::StartsWith(c.url, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat("the edge URL must start with http:// or https:// (got \"", c.url, "\")"));
  }
  c.url = std::string(absl::StripSuffix(c.url, "/"));

  if (!flags.admin_token_file.empty()) {
    absl::StatusOr<std::string> token = env.read_file(flags.admin_token_file);
    if (!token.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read --admin-token-file ", flags.admin_token_file, ": ", token.status().message()));
    }
    c.admin_token = std::string(absl::StripAsciiWhitespace(*token));
  }
  if (c.admin_token.empty()) c.admin_token = env.get_env("CASPIO_MCP_ADMIN_TOKEN").value_or("");
  if (c.admin_token.empty()) c.admin_token = from_file("ADMIN_TOKEN");
  if (c.admin_token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no admin API token: set CASPIO_MCP_ADMIN_TOKEN, pass --admin-token-file FILE, or run where ",
        kDefaultEnvFile, " exists"));
  }

  c.default_account = flags.account;
  if (c.default_account.empty()) c.default_account = env.get_env("CASPIO_MCP_ACCOUNT").value_or("");
  if (c.default_account.empty()) c.default_account = from_file("ACCOUNT_ID");
  return c;
}

}  // namespace cmcp::cli
