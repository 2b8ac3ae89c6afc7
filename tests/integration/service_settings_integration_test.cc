// Every binary refuses bad settings at start, naming the flag and the
// environment variable, with exit code 2 (SPEC: typed settings validated at
// start); --help documents every setting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"

namespace cmcp {
namespace {

using ::cmcp::testing::BinPath;
using ::cmcp::testing::ChildProcess;
using ::cmcp::testing::IsOk;
using ::testing::HasSubstr;

struct RunResult {
  int exit_code;
  std::string output;
};

RunResult RunBinary(std::vector<std::string> argv) {
  auto child = ChildProcess::Start(std::move(argv));
  EXPECT_THAT(child, IsOk());
  if (!child.ok()) return {-1, ""};
  // A binary that rejects its settings exits at once; wait for it (bounded).
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while ((*child)->Running() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  const bool exited = !(*child)->Running();
  (*child)->Stop(absl::Seconds(1));
  const int status = (*child)->wait_status();
  return {exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1, (*child)->ReadLog()};
}

TEST(ServiceSettingsTest, EachServiceNamesTheBadSetting) {
  RunResult toolgen = RunBinary({BinPath("toolgen"), "--listen=nonsense", "--log-level=loud"});
  EXPECT_EQ(toolgen.exit_code, 2);
  EXPECT_THAT(toolgen.output, HasSubstr("--log-level (TOOLGEN_LOG_LEVEL)"));

  RunResult token = RunBinary({BinPath("token"), "--toolgen-address=127.0.0.1:1", "--pepper=short",
                         "--encryption-key=notbase64"});
  EXPECT_EQ(token.exit_code, 2);
  EXPECT_THAT(token.output, HasSubstr("--pepper (TOKEN_PEPPER) must be at least 32 characters"));
  EXPECT_THAT(token.output, HasSubstr("--encryption-key (TOKEN_ENCRYPTION_KEY) must be base64 of exactly 32 bytes"));
  EXPECT_THAT(token.output, ::testing::Not(HasSubstr("short")));  // secret values are not echoed

  RunResult proxy = RunBinary({BinPath("proxy"), "--upstream-timeout=forever"});
  EXPECT_EQ(proxy.exit_code, 2);
  EXPECT_THAT(proxy.output, HasSubstr("--token-address (PROXY_TOKEN_ADDRESS) is required"));
  EXPECT_THAT(proxy.output, HasSubstr("--cursor-key (PROXY_CURSOR_KEY) is required"));
  EXPECT_THAT(proxy.output, HasSubstr("--upstream-timeout (PROXY_UPSTREAM_TIMEOUT) must be a duration"));

  RunResult edge = RunBinary({BinPath("edge"), "--bogus-flag=1"});
  EXPECT_EQ(edge.exit_code, 2);
  EXPECT_THAT(edge.output, HasSubstr("unknown flag --bogus-flag"));
  EXPECT_THAT(edge.output, HasSubstr("--session-key (EDGE_SESSION_KEY) is required"));
}

TEST(ServiceSettingsTest, HelpListsSettingsAndExitsZero) {
  RunResult help = RunBinary({BinPath("token"), "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("--redis-address (TOKEN_REDIS_ADDRESS)"));
  EXPECT_THAT(help.output, HasSubstr("--pepper-file (TOKEN_PEPPER_FILE)"));
}

}  // namespace
}  // namespace cmcp
