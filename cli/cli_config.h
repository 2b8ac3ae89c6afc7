// File: cli_config.h
// Where the CLI finds the edge and the admin token, most specific first:
//   edge URL:     --url, $CASPIO_MCP_URL, EDGE_URL in the env file
//   admin token:  --admin-token-file FILE, $CASPIO_MCP_ADMIN_TOKEN, ADMIN_TOKEN in the env file
//   account:      --account, $CASPIO_MCP_ACCOUNT, ACCOUNT_ID in the env file
// The env file is --env-file, else $CASPIO_MCP_ENV_FILE, else ./.run/env when
// it exists (what `scripts/up.sh --detach` writes). There is deliberately no
// flag that takes the admin token itself: argv is visible to other users.
//
//   absl::StatusOr<Connection> c = ResolveConnection(flags, env);
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cmcp::cli {

// The process environment, injectable for tests.
struct Environment {
  std::function<std::optional<std::string>(const std::string& name)> get_env;
  // NOT_FOUND when the file does not exist.
  std::function<absl::StatusOr<std::string>(const std::string& path)> read_file;
};

// The real environment (getenv, files on disk).
Environment ProcessEnvironment();

struct ConnectionFlags {
  std::string url;
  std::string admin_token_file;
  std::string env_file;
  std::string account;
};

struct Connection {
  std::string url;
  std::string admin_token;
  std::string default_account;  // "" when none is configured
};

// KEY=VALUE lines; '#' comments, blank lines, "export " and quotes allowed.
std::map<std::string, std::string> ParseEnvFile(absl::string_view text);

// INVALID_ARGUMENT (a usage problem) when the URL or the token is missing,
// saying every place it was looked for.
absl::StatusOr<Connection> ResolveConnection(const ConnectionFlags& flags, const Environment& env);

}  // namespace cmcp::cli
