#include "services/proxy/where_linter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status/error.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::proxy {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::StatusIs;
using ::testing::HasSubstr;

TEST(WhereLinterTest, AcceptsTheDocumentedSubset) {
  for (const char* clause :
       {"Category = 'Hardware' AND Quantity > 10", "(Status='A' OR Status='B') AND Price<100", "Name = 'O''Brien'",
        "Name LIKE '%bolt%'", "PK_ID IN (1,2,3)", "Price BETWEEN 5 AND 10", "Notes IS NULL",
        "Name = N'Zoë'", "Updated_At >= '2024-01-01'", "Note = 'a -- b ; c /* d'", "Total - 1 > 0",
        "_status = 'Locked'"}) {
    EXPECT_THAT(LintWhere("q.where", clause, WhereUse::kRead), IsOk()) << clause;
  }
}

TEST(WhereLinterTest, RefusesStackedStatementsAndCommentsNamingTheArgument) {
  auto s = LintWhere("q.where", "1=1; DROP TABLE x", WhereUse::kRead);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("q.where: contains ';'")));
  EXPECT_EQ(GetErrorDetail(s)->reason(), caspio_mcp::common::v1::ERROR_REASON_QUERY_REJECTED);
  EXPECT_EQ(GetErrorDetail(s)->field(), "q.where");
  EXPECT_THAT(LintWhere("q.where", "Name = 'x' -- and more", WhereUse::kRead),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("comment")));
  EXPECT_THAT(LintWhere("q.where", "Name = 'x' /* */", WhereUse::kRead),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("comment")));
}

TEST(WhereLinterTest, RefusesUnbalancedQuotesAndParentheses) {
  EXPECT_THAT(LintWhere("q.where", "Name = 'O'Brien'", WhereUse::kRead),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unterminated")));
  // "' OR ''='" is one balanced text literal: nothing to refuse structurally
  // (q.where is never embedded inside quotes, so it cannot break out of any);
  // Caspio rejects it as a non-boolean condition.
  EXPECT_THAT(LintWhere("q.where", "' OR ''='", WhereUse::kRead), IsOk());
  EXPECT_THAT(LintWhere("q.where", "(A = 1", WhereUse::kRead), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LintWhere("q.where", "A = 1)", WhereUse::kRead), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LintWhere("q.where", "Name = \"x\"", WhereUse::kRead),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("double quotes")));
}

TEST(WhereLinterTest, BulkWritesNeedAConditionWithoutSystemFields) {
  EXPECT_THAT(LintWhere("Where", "  ", WhereUse::kWrite),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("every row")));
  EXPECT_THAT(LintWhere("q.where", "", WhereUse::kRead), IsOk());
  auto s = LintWhere("Where", "_2fa_status = 'Disabled'", WhereUse::kWrite);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("_2fa_status")));
  EXPECT_EQ(GetErrorDetail(s)->field(), "Where");
  EXPECT_THAT(LintWhere("Where", "Email = 'a@b.c' AND _STATUS='Locked'", WhereUse::kWrite),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Inside text, or as part of a longer name, it is not the system field.
  EXPECT_THAT(LintWhere("Where", "Note = '_status' AND my_status = 1", WhereUse::kWrite), IsOk());
}

TEST(WhereLinterTest, RefusesControlCharactersAndOverlongClauses) {
  EXPECT_THAT(LintWhere("q.where", std::string("A = 1\0", 6), WhereUse::kRead), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LintWhere("q.where", std::string(kMaxWhereLength + 1, '1'), WhereUse::kRead),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("longer")));
}

// The linter checks the shape of a clause, not its meaning (docs/security.md):
// these pass it, and the defenses against them are elsewhere (Caspio's own
// checks and the account's permissions, dry_run, the tool filter).
TEST(WhereLinterTest, JudgesShapeNotMeaning) {
  for (const char* clause : {"1=1", "PK_ID > 0 OR 1=1", "PK_ID IN (SELECT PK_ID FROM Other_Table)",
                             "1=1 DELETE FROM Inventory",
                             "Name = N'O\u02bcBrien'"}) {  // U+02BC looks like a quote and is not one
    EXPECT_THAT(LintWhere("Where", clause, WhereUse::kWrite), IsOk()) << clause;
  }
}

}  // namespace
}  // namespace cmcp::proxy
