#include "common/logging/redact.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/logging/logger.h"

namespace cmcp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RedactTest, HidesMcpUrlToken) {
  EXPECT_EQ(RedactSecrets("POST /mcp/q9L2xZ_abcDEF-123/messages?x=1"),
            "POST /mcp/[REDACTED]/messages?x=1");
  EXPECT_EQ(RedactSecrets("url=https://h/mcp/tok\"}"), "url=https://h/mcp/[REDACTED]\"}");
}

TEST(RedactTest, HidesBearerAndBasicCredentials) {
  EXPECT_EQ(RedactSecrets("Authorization: Bearer abc.def"), "Authorization: [REDACTED]");
  EXPECT_EQ(RedactSecrets("header bearer xyz end"), "header bearer [REDACTED] end");
  EXPECT_EQ(RedactSecrets("Basic dXNlcjpwYXNz"), "Basic [REDACTED]");
}

TEST(RedactTest, HidesSecretNamedValuesInFormsQueriesAndJson) {
  EXPECT_EQ(RedactSecrets("grant_type=client_credentials&client_id=id1&client_secret=s3cr3t"),
            "grant_type=client_credentials&client_id=id1&client_secret=[REDACTED]");
  EXPECT_EQ(RedactSecrets(R"({"access_token":"eyJ.x","expires_in":86399})"),
            R"({"access_token":"[REDACTED]","expires_in":86399})");
  EXPECT_EQ(RedactSecrets(R"({"password": "p\"w", "name":"n"})"),
            R"({"password": "[REDACTED]", "name":"n"})");
}

TEST(RedactTest, LeavesOrdinaryTextAlone) {
  const std::string text = "listed 10 rows from Inventory where Quantity > 5";
  EXPECT_EQ(RedactSecrets(text), text);
}

TEST(RedactTest, SecretKeysAreRecognizedCaseInsensitively) {
  EXPECT_TRUE(IsSecretKey("Client_Secret"));
  EXPECT_TRUE(IsSecretKey("mcp_token"));
  EXPECT_TRUE(IsSecretKey("Authorization"));
  EXPECT_FALSE(IsSecretKey("server_id"));
  EXPECT_FALSE(IsSecretKey("next_cursor"));
}

class CapturingSink : public LogSink {
 public:
  void Write(absl::string_view line) override { lines.emplace_back(line); }
  std::vector<std::string> lines;
};

TEST(LoggerTest, EmitsOneJsonObjectPerLineWithRedaction) {
  CapturingSink sink;
  SetLogSinkForTesting(&sink);
  InitLogging("test", LogLevel::kInfo);
  LogInfo("resolved /mcp/SECRETTOKEN").With("client_secret", "hunter2").With("rows", 3);
  LogDebug("dropped below level");
  SetLogSinkForTesting(nullptr);
  ASSERT_EQ(sink.lines.size(), 1u);
  const std::string& line = sink.lines[0];
  EXPECT_THAT(line, HasSubstr("\"service\":\"test\""));
  EXPECT_THAT(line, HasSubstr("\"rows\":3"));
  EXPECT_THAT(line, Not(HasSubstr("SECRETTOKEN")));
  EXPECT_THAT(line, Not(HasSubstr("hunter2")));
  EXPECT_EQ(line.back(), '\n');
}

}  // namespace
}  // namespace cmcp
