// File: commands.h
// The `caspio-mcp` command line: accounts, servers, tools and api-tokens
// subcommands over the admin API, human-readable output or --json, and exit
// codes scripts can rely on. Everything the process touches (HTTP, env,
// files, clock, streams) comes in through CliContext, so tests use fakes.
//
//   int code = RunCli({"servers", "create", "--name", "agent", "--methods", "read"}, context);
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cli/cli_config.h"
#include "common/http/http_client.h"

namespace cmcp::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitRefused = 1,      // the API refused the request (4xx) or the command failed
  kExitUsage = 2,        // bad arguments, or no edge URL / admin token configured
  kExitUnavailable = 3,  // the edge could not be reached or answered 5xx
};

struct CliContext {
  HttpClient* http = nullptr;
  Environment env;
  std::function<absl::Time()> now;
  std::istream* in = nullptr;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
};

// Runs one command line (argv without the program name); returns the exit code.
int RunCli(const std::vector<std::string>& args, const CliContext& context);

// The top-level usage text.
std::string Usage();

}  // namespace cmcp::cli
