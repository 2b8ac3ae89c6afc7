// The T-SQL subset translator: what it accepts, what it refuses, and that no
// client text ever reaches the SQL it produces.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sandbox/caspio/tsql/tsql.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::sandbox::tsql {
namespace {

using ::cmcp::testing::IsOk;
using ::cmcp::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Schema InventorySchema() {
  Schema schema;
  schema.columns = {
      {"PK_ID", "\"PK_ID\"", ValueType::kInteger, "", true},
      {"SKU", "\"SKU\"", ValueType::kText, "", true},
      {"Name", "\"Name\"", ValueType::kText, "", true},
      {"Category", "\"Category\"", ValueType::kText, "", true},
      {"Quantity", "\"Quantity\"", ValueType::kInteger, "", true},
      {"Price", "\"Price\"", ValueType::kNumber, "", true},
      {"InStock", "\"InStock\"", ValueType::kBoolean, "", true},
      {"Updated_At", "\"Updated_At\"", ValueType::kDateTime, "", true},
      {"Secret", "\"Secret\"", ValueType::kText, "Password field 'Secret' cannot be used.", false},
  };
  schema.default_order_sql = "\"PK_ID\"";
  return schema;
}

Value S(const char* s) { return Value(std::string(s)); }
Value I(int64_t i) { return Value(i); }

absl::Status WhereStatus(absl::string_view where) { return TranslateWhere(where, InventorySchema()).status(); }

TEST(TranslateWhereTest, BindsEveryLiteral) {
  auto f = TranslateWhere("Name = 'O''Brien Bracket' AND Quantity > 10", InventorySchema());
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->sql, "((\"Name\" = ? COLLATE TSQL_CI) AND (\"Quantity\" > ?))");
  EXPECT_THAT(f->params, ElementsAre(S("O'Brien Bracket"), I(10)));
}

TEST(TranslateWhereTest, AcceptsTheDocumentedSubset) {
  for (const char* where : {
           "PK_ID = 1", "PK_ID='1'", "Price >= 2.5", "Price <> 3", "Price != 3", "Quantity !< 3",
           "(Category='Hardware' OR Category='Tools') AND Price<100", "NOT InStock = 1",
           "Name LIKE '%bracket%'", "Name NOT LIKE 'W_dget'", "Name LIKE '[GW]%'", "Name LIKE '5!%' ESCAPE '!'",
           "PK_ID IN (1,2,3)", "Category NOT IN ('Safety', N'Tools')", "Price BETWEEN 10 AND 100",
           "Price NOT BETWEEN 1 AND 2", "Name IS NULL", "Name IS NOT NULL OR Name = ''", "Name = N'Café'",
           "Updated_At >= '2024-01-01'", "Updated_At < '2024-02-01T00:00:00'", "Updated_At = '01/05/2024 09:30'",
           "InStock = 0", "InStock = 'true'", "Quantity * Price > 1000", "-Quantity < 0", "[Name] = 'Widget'",
           "\"Name\" = 'Widget'", "UPPER(Name) = 'WIDGET'", "LEN(Name) > 5", "YEAR(Updated_At) = 2024",
           "ISNULL(Quantity, 0) = 0", "Name + ' x' = 'Widget x'", "pk_id = 1", "  Quantity  >  1  ",
       }) {
    EXPECT_THAT(WhereStatus(where), IsOk()) << where;
  }
}

TEST(TranslateWhereTest, NormalizesDateLiteralsForComparison) {
  auto f = TranslateWhere("Updated_At >= '2024-01-05'", InventorySchema());
  ASSERT_THAT(f, IsOk());
  EXPECT_THAT(f->params, ElementsAre(S("2024-01-05T00:00:00")));
  EXPECT_THAT(WhereStatus("Updated_At >= '2024-13-45'"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Conversion failed")));
}

TEST(TranslateWhereTest, CoercesLiteralsToTheColumnType) {
  auto quoted_pk = TranslateWhere("PK_ID = '7'", InventorySchema());
  ASSERT_THAT(quoted_pk, IsOk());
  EXPECT_THAT(quoted_pk->params, ElementsAre(I(7)));
  auto yes = TranslateWhere("InStock = 'TRUE'", InventorySchema());
  ASSERT_THAT(yes, IsOk());
  EXPECT_THAT(yes->params, ElementsAre(I(1)));
  EXPECT_THAT(WhereStatus("Quantity = 'abc'"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                        HasSubstr("Conversion failed when converting")));
}

TEST(TranslateWhereTest, RefusesConstructsOutsideTheSubset) {
  for (const char* where : {
           "", "   ", "Name", "Quantity + 1", "Name =", "= 1", "(Name = 'a'", "Name = 'a')", "Name = 'unclosed",
           "Nope = 1", "PK_ID IN (SELECT PK_ID FROM Inventory)", "EXISTS (SELECT 1)",
           "CASE WHEN 1=1 THEN 1 END = 1", "COUNT(*) > 1", "Name = NEWID()", "dbo.Inventory.Name = 'a'",
           "Name = @x", "#temp = 1", "Price = 0x1F", "Name LIKE 'a' ESCAPE 'ab'", "Name IN ()", "Name BETWEEN 1",
           "Name IS 'a'", "Quantity > 1 AND", "NOT", "Inventory.Name = 'a'", "Name = 'a' COLLATE Latin1_General_CS_AS",
       }) {
    EXPECT_THAT(WhereStatus(where), StatusIs(absl::StatusCode::kInvalidArgument)) << where;
  }
}

TEST(TranslateWhereTest, NamesTheProblemLikeSqlServer) {
  EXPECT_THAT(WhereStatus("Nme = 'x'"), StatusIs(absl::StatusCode::kInvalidArgument, "Invalid column name 'Nme'."));
  EXPECT_THAT(WhereStatus("Name = 'x' ORDER BY Name"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("near the keyword 'ORDER'")));
  EXPECT_THAT(WhereStatus("Secret = 'x'"), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Password")));
  EXPECT_THAT(WhereStatus("Quantity"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("non-boolean")));
}

TEST(TranslateWhereTest, RefusesInjectionAttempts) {
  for (const char* attack : {
           "1=1; DROP TABLE x", "1=1;DROP TABLE Inventory--", "Name = 'a'; DELETE FROM Inventory",
           "Name = 'a' -- comment", "Name = 'a' /* c */", "Name = '' OR ''=''; --", "1=1 UNION SELECT * FROM sqlite_master",
           "Name = 'a' OR 1=1) --", "Name = char(39)", "Name = 'x' AND (SELECT COUNT(*) FROM sqlite_master) > 0",
           "Name = 'x'; ATTACH DATABASE '/tmp/x' AS y", "EXEC xp_cmdshell 'ls'", "WAITFOR DELAY '0:0:5'",
       }) {
    EXPECT_THAT(WhereStatus(attack), StatusIs(absl::StatusCode::kInvalidArgument)) << attack;
  }
}

TEST(TranslateWhereTest, QuoteTricksStayInsideBoundValues) {
  // ' OR ''=' is a complete string literal: it compares Name with the text
  // "' OR '='" and never becomes SQL.
  auto f = TranslateWhere("Name = ''' OR ''='''", InventorySchema());
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->sql, "(\"Name\" = ? COLLATE TSQL_CI)");
  EXPECT_THAT(f->params, ElementsAre(S("' OR '='")));
  // The classic "' OR ''='" payload spliced into Name='<payload>' is a
  // tautology in T-SQL, and is translated as exactly that: bound values only.
  auto tautology = TranslateWhere("Name='' OR ''=''", InventorySchema());
  ASSERT_THAT(tautology, IsOk());
  EXPECT_EQ(tautology->sql, "((\"Name\" = ? COLLATE TSQL_CI) OR (? = ? COLLATE TSQL_CI))");
  EXPECT_THAT(tautology->params, ElementsAre(S(""), S(""), S("")));
}

TEST(TranslateWhereTest, NoClientTextEverReachesTheSql) {
  const char* const probes[] = {"zz_marker", "Robert'); DROP TABLE Students;--", "%marker%", "N'marker'"};
  for (const char* probe : probes) {
    const std::string literal = [&] {
      std::string out = "'";
      for (const char* c = probe; *c; ++c) out += (*c == '\'') ? std::string("''") : std::string(1, *c);
      return out + "'";
    }();
    for (const std::string& where : {"Name = " + literal, "Name LIKE " + literal, "Category IN (" + literal + ")"}) {
      auto f = TranslateWhere(where, InventorySchema());
      ASSERT_THAT(f, IsOk()) << where;
      EXPECT_THAT(f->sql, Not(HasSubstr("marker"))) << where;
      EXPECT_THAT(f->sql, Not(HasSubstr("DROP"))) << where;
    }
  }
}

TEST(TranslateWhereTest, BoundsNesting) {
  std::string deep(200, '(');
  deep += "PK_ID = 1";
  deep += std::string(200, ')');
  EXPECT_THAT(WhereStatus(deep), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested too deeply")));
  std::string nots;
  for (int i = 0; i < 200; ++i) nots += "NOT ";
  EXPECT_THAT(WhereStatus(nots + "PK_ID = 1"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TranslateQueryTest, DefaultsToAllReadableFieldsInPkOrder) {
  auto q = TranslateQuery({}, InventorySchema());
  ASSERT_THAT(q, IsOk());
  ASSERT_EQ(q->outputs.size(), 8u);  // the password field is skipped
  EXPECT_EQ(q->outputs[0].name, "PK_ID");
  EXPECT_EQ(q->order_by.sql, "\"PK_ID\"");
  EXPECT_FALSE(q->aggregated);
}

TEST(TranslateQueryTest, SelectsFieldsAliasesAndAggregates) {
  auto q = TranslateQuery({.select = "Category, COUNT(*) AS N, Total = SUM(Quantity), AVG(Price) [Average], "
                                     "COUNT(DISTINCT Name) 'Names'",
                           .group_by = "Category",
                           .order_by = "N DESC, 1"},
                          InventorySchema());
  ASSERT_THAT(q, IsOk());
  ASSERT_EQ(q->outputs.size(), 5u);
  EXPECT_EQ(q->outputs[0].name, "Category");
  EXPECT_EQ(q->outputs[1].name, "N");
  EXPECT_EQ(q->outputs[2].name, "Total");
  EXPECT_EQ(q->outputs[3].name, "Average");
  EXPECT_EQ(q->outputs[4].name, "Names");
  EXPECT_EQ(q->order_by.sql, "c1 DESC, c0 COLLATE TSQL_CI");
  EXPECT_TRUE(q->aggregated);
}

TEST(TranslateQueryTest, SelectNamesFollowTheSchemaSpelling) {
  auto q = TranslateQuery({.select = "name, pk_id, Price * 2"}, InventorySchema());
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->outputs[0].name, "Name");
  EXPECT_EQ(q->outputs[1].name, "PK_ID");
  EXPECT_EQ(q->outputs[2].name, "Column1");
}

TEST(TranslateQueryTest, EnforcesGroupingRules) {
  EXPECT_THAT(TranslateQuery({.select = "Name, COUNT(*)"}, InventorySchema()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Column 'Name' is invalid in the select list")));
  EXPECT_THAT(TranslateQuery({.select = "*", .group_by = "Category"}, InventorySchema()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is invalid in the select list")));
  EXPECT_THAT(TranslateQuery({.select = "Category", .group_by = "Category", .order_by = "Name"}, InventorySchema()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ORDER BY clause")));
  EXPECT_THAT(TranslateQuery({.select = "Category", .group_by = "COUNT(*)"}, InventorySchema()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("GROUP BY")));
  EXPECT_THAT(TranslateQuery({.select = "SUM(COUNT(*))"}, InventorySchema()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("aggregate")));
  EXPECT_THAT(TranslateQuery({.select = "SUM(Name)"}, InventorySchema()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid for sum")));
  EXPECT_THAT(TranslateQuery({.select = "Category + '!'", .group_by = "Category"}, InventorySchema()), IsOk());
}

TEST(TranslateQueryTest, ValidatesOrderBy) {
  EXPECT_THAT(TranslateQuery({.order_by = "Price DESC, Name ASC"}, InventorySchema()), IsOk());
  EXPECT_THAT(TranslateQuery({.order_by = "9"}, InventorySchema()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out of range")));
  EXPECT_THAT(TranslateQuery({.order_by = "'x'"}, InventorySchema()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("constant expression")));
  EXPECT_THAT(TranslateQuery({.order_by = "Price; DROP TABLE x"}, InventorySchema()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(TranslateQuery({.select = "DISTINCT Category", .order_by = "Price"}, InventorySchema()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("DISTINCT")));
  EXPECT_THAT(TranslateQuery({.select = "Secret"}, InventorySchema()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Password")));
}

TEST(TextSemanticsTest, LikeFollowsSqlServer) {
  EXPECT_TRUE(LikeMatch("O'Brien Bracket", "%brien%", ""));
  EXPECT_TRUE(LikeMatch("Widget", "w_dget", ""));
  EXPECT_TRUE(LikeMatch("Gadget", "[fg]%", ""));
  EXPECT_FALSE(LikeMatch("Widget", "[^w]%", ""));
  EXPECT_TRUE(LikeMatch("Item7", "Item[0-9]", ""));
  EXPECT_TRUE(LikeMatch("50%", "50!%", "!"));
  EXPECT_FALSE(LikeMatch("500", "50!%", "!"));
  EXPECT_TRUE(LikeMatch("abc   ", "abc", ""));
  EXPECT_FALSE(LikeMatch("abc", "abcd", ""));
  // Pathological patterns stay linear-ish instead of exploding.
  EXPECT_FALSE(LikeMatch(std::string(20000, 'a'), "%a%a%a%a%a%a%a%a%a%a%a%a%b", ""));
}

TEST(TextSemanticsTest, ComparesCaseInsensitivelyIgnoringTrailingSpaces) {
  EXPECT_EQ(CompareCi("Widget", "WIDGET"), 0);
  EXPECT_EQ(CompareCi("Widget  ", "widget"), 0);
  EXPECT_LT(CompareCi("apple", "Banana"), 0);
}

TEST(TextSemanticsTest, NormalizesSqlServerDateForms) {
  EXPECT_EQ(*NormalizeDateTime("2024-01-01"), "2024-01-01T00:00:00");
  EXPECT_EQ(*NormalizeDateTime("2024-01-01T10:11:12.123"), "2024-01-01T10:11:12");
  EXPECT_EQ(*NormalizeDateTime("2024-01-01 10:11"), "2024-01-01T10:11:00");
  EXPECT_EQ(*NormalizeDateTime("1/31/2024"), "2024-01-31T00:00:00");
  EXPECT_EQ(*NormalizeDateTime("20240131"), "2024-01-31T00:00:00");
  EXPECT_EQ(*NormalizeDateTime("2024-01-31 1:05 PM"), "2024-01-31T13:05:00");
  EXPECT_FALSE(NormalizeDateTime("2023-02-29").ok());
  EXPECT_FALSE(NormalizeDateTime("yesterday").ok());
}

TEST(TranslateWhereTest, SupportsDateArithmeticWithBoundDateParts) {
  auto f = TranslateWhere("Updated_At > DATEADD(day, -7, GETDATE())", InventorySchema());
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->sql, "(\"Updated_At\" > tsql_dateadd(?, (-?), tsql_now()))");
  EXPECT_THAT(f->params, ElementsAre(S("day"), I(7)));
  auto diff = TranslateWhere("DATEDIFF(mm, Updated_At, '2024-04-30') = 0", InventorySchema());
  ASSERT_THAT(diff, IsOk());
  EXPECT_THAT(diff->params, ElementsAre(S("month"), S("2024-04-30T00:00:00"), I(0)));
  EXPECT_THAT(WhereStatus("DATEADD(fortnight, 1, Updated_At) > GETDATE()"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("date part")));
  EXPECT_THAT(WhereStatus("DATEADD(day, 'x', Updated_At) > GETDATE()"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(WhereStatus("GETDATE(1) > Updated_At"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TextSemanticsTest, DateAddAndDateDiffFollowSqlServer) {
  EXPECT_EQ(*DateAdd("month", 1, "2024-01-31T10:00:00"), "2024-02-29T10:00:00");
  EXPECT_EQ(*DateAdd("yy", -1, "2024-02-29T00:00:00"), "2023-02-28T00:00:00");
  EXPECT_EQ(*DateAdd("d", 7, "2024-12-28T23:00:00"), "2025-01-04T23:00:00");
  EXPECT_EQ(*DateAdd("hh", 2, "2024-12-31T23:30:00"), "2025-01-01T01:30:00");
  EXPECT_EQ(*DateDiff("year", "2024-12-31T23:59:59", "2025-01-01T00:00:00"), 1);
  EXPECT_EQ(*DateDiff("day", "2024-01-01T23:00:00", "2024-01-02T01:00:00"), 1);
  EXPECT_EQ(*DateDiff("month", "2024-03-31", "2024-01-01"), -2);
  EXPECT_EQ(*DateDiff("week", "2024-06-01", "2024-06-02"), 1);  // Saturday -> Sunday crosses a week
  EXPECT_FALSE(DateAdd("day", 1, "not a date").ok());
  EXPECT_FALSE(DateAdd("year", 9000, "2024-01-01").ok());
}

// Random token soup (a poor man's fuzzer, deterministic): the translator must
// answer every input with a result or a client error, never crash or hang,
// and never put client text into the SQL.
TEST(TranslateFuzzTest, SurvivesRandomInput) {
  const std::vector<std::string> pieces = {
      "Name", "Price", "PK_ID", "InStock", "Updated_At", "Secret", "Nope", "'x'", "'O''B'", "N'é'", "''", "1", "2.5",
      "1e3", "-", "+", "*", "/", "%", "=", "<>", "!=", "<", ">=", "!<", "(", ")", ",", "AND", "OR", "NOT", "LIKE",
      "IN", "BETWEEN", "IS", "NULL", "ESCAPE", "COUNT(*)", "SUM(", "AVG(", "DISTINCT", "AS", "alias", "DESC", ";",
      "--", "/*", "[Name]", "\"x", "'unclosed", "SELECT", "@v", "#t", "\x01", ".", "UPPER(", "ISNULL(", "YEAR("};
  std::mt19937 random(12345);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(0, 12);
  const Schema schema = InventorySchema();
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (int n = length(random); n > 0; --n) text += pieces[pick(random)] + " ";
    QueryText query;
    switch (i % 4) {
      case 0: query.where = text; break;
      case 1: query.select = text; break;
      case 2: query.group_by = text; break;
      default: query.order_by = text; break;
    }
    auto result = TranslateQuery(query, schema);
    if (!result.ok()) {
      EXPECT_THAT(result.status().code(), ::testing::AnyOf(absl::StatusCode::kInvalidArgument,
                                                           absl::StatusCode::kFailedPrecondition))
          << text;
      continue;
    }
    for (const std::string& sql : {result->select.sql, result->where.sql, result->group_by.sql, result->order_by.sql}) {
      EXPECT_THAT(sql, Not(HasSubstr("'"))) << text;
      EXPECT_THAT(sql, Not(HasSubstr(";"))) << text;
      EXPECT_THAT(sql, Not(HasSubstr("alias"))) << text;
    }
  }
}

}  // namespace
}  // namespace cmcp::sandbox::tsql
