// caspio-mcp: the operator CLI. Wiring only; the commands live in cli/commands.cc.
#include <iostream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "cli/commands.h"
#include "common/http/http_client.h"

int main(int argc, char** argv) {
  cmcp::CurlHttpClient http;
  cmcp::cli::CliContext context;
  context.http = &http;
  context.env = cmcp::cli::ProcessEnvironment();
  context.now = [] { return absl::Now(); };
  context.in = &std::cin;
  context.out = &std::cout;
  context.err = &std::cerr;
  return cmcp::cli::RunCli(std::vector<std::string>(argv + 1, argv + argc), context);
}
