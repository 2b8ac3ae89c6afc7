#include "common/config/settings_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"

namespace cmcp {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

SettingsReader Reader(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return SettingsReader(
      std::move(args),
      [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      },
      "TOKEN_");
}

TEST(SettingsReaderTest, FlagOverridesEnvironmentWhichOverridesDefault) {
  SettingsReader r = Reader({"--redis-address=flag:1"}, {{"TOKEN_REDIS_ADDRESS", "env:2"},
                                                         {"TOKEN_LOG_LEVEL", "debug"}});
  EXPECT_EQ(r.String("redis-address", "default:3", ""), "flag:1");
  EXPECT_EQ(r.String("log-level", "info", ""), "debug");
  EXPECT_EQ(r.String("other", "fallback", ""), "fallback");
  EXPECT_THAT(r.Finish(), IsOk());
}

TEST(SettingsReaderTest, ParsesTypedValues) {
  SettingsReader r = Reader({"--threads", "8", "--verbose", "--timeout=250ms"});
  EXPECT_EQ(r.Int("threads", 4, 1, 64, ""), 8);
  EXPECT_TRUE(r.Bool("verbose", false, ""));
  EXPECT_EQ(r.Duration("timeout", absl::Seconds(1), absl::ZeroDuration(), absl::Minutes(1), ""),
            absl::Milliseconds(250));
  EXPECT_THAT(r.Finish(), IsOk());
}

TEST(SettingsReaderTest, ReportsEveryProblemNamingFlagAndVariable) {
  SettingsReader r = Reader({"--threads=zero", "--bogus=1"}, {{"TOKEN_TIMEOUT", "soon"}});
  r.Int("threads", 4, 1, 64, "");
  r.Duration("timeout", absl::Seconds(1), absl::ZeroDuration(), absl::Minutes(1), "");
  r.RequiredString("pepper", "");
  EXPECT_THAT(r.Finish(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--threads (TOKEN_THREADS) must be an integer"),
                             HasSubstr("--timeout (TOKEN_TIMEOUT) must be a duration"),
                             HasSubstr("--pepper (TOKEN_PEPPER) is required"),
                             HasSubstr("unknown flag --bogus"))));
}

TEST(SettingsReaderTest, RangeIsEnforced) {
  SettingsReader r = Reader({"--threads=1000"});
  r.Int("threads", 4, 1, 64, "");
  EXPECT_THAT(r.Finish(), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("must be between 1 and 64, got 1000")));
}

TEST(SettingsReaderTest, SecretComesFromFileWithoutTrailingNewline) {
  cmcp::testing::TempDir dir;
  std::ofstream(dir.File("pepper")) << "s3cret\n";
  SettingsReader r = Reader({}, {{"TOKEN_PEPPER_FILE", dir.File("pepper")}});
  EXPECT_EQ(r.Secret("pepper", true, ""), "s3cret");
  EXPECT_THAT(r.Finish(), IsOk());
}

TEST(SettingsReaderTest, SecretFromBothPlacesIsAnError) {
  SettingsReader r = Reader({"--pepper=a", "--pepper-file=/x"});
  r.Secret("pepper", true, "");
  EXPECT_THAT(r.Finish(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not both")));
}

TEST(SettingsReaderTest, ListSplitsOnCommas) {
  SettingsReader r = Reader({"--origins= a.example , b.example,,"});
  EXPECT_THAT(r.List("origins", "", ""), ::testing::ElementsAre("a.example", "b.example"));
}

}  // namespace
}  // namespace cmcp
