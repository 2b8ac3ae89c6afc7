// The schema checker used by the contract test must reject what the spec
// rejects, or the contract test would pass vacuously.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/sandbox/openapi_checker.h"
#include "tests/testing/child_process.h"

namespace cmcp::sandbox::testing {
namespace {

using json = nlohmann::json;
using ::testing::IsEmpty;
using ::testing::Not;

class OpenApiCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto spec = OpenApiSpec::Load(
        cmcp::testing::SourcePath("integrations/caspio/openapi/caspio-rest-v3-openapi-2026-06-29.json"));
    ASSERT_TRUE(spec.ok()) << spec.status();
    spec_ = std::make_unique<OpenApiSpec>(*std::move(spec));
  }
  json Schema(const std::string& name) { return json{{"$ref", "#/components/schemas/" + name}}; }
  std::unique_ptr<OpenApiSpec> spec_;
};

TEST_F(OpenApiCheckerTest, ListsOperationsInDocumentOrder) {
  ASSERT_EQ(spec_->operations().size(), 70u);
  EXPECT_EQ(spec_->operations()[0].operation_id, "ListTables");
  EXPECT_EQ(spec_->operations()[1].operation_id, "CreateTable");
}

TEST_F(OpenApiCheckerTest, AcceptsValidBodies) {
  EXPECT_THAT(spec_->Validate(Schema("GetTablesResponse"), json::parse(R"({"Result":["A","B"]})")), IsEmpty());
  EXPECT_THAT(spec_->Validate(Schema("GetRecordsResponse"),
                              json::parse(R"({"Result":[{"PK_ID":1,"Name":"x","InStock":true,"Price":2.5,"N":null}],
                                              "Pagination":{"TotalCount":1,"PageNumber":1,"PageSize":25}})")),
              IsEmpty());
  EXPECT_THAT(spec_->Validate(Schema("DeleteRecordsResponse"), json::parse(R"({"RecordsAffected":0})")), IsEmpty());
}

TEST_F(OpenApiCheckerTest, RejectsWrongShapes) {
  EXPECT_THAT(spec_->Validate(Schema("GetTablesResponse"), json::parse(R"({"Result":[1]})")), Not(IsEmpty()));
  EXPECT_THAT(spec_->Validate(Schema("GetTablesResponse"), json::parse(R"({"Result":[],"Extra":1})")), Not(IsEmpty()));
  EXPECT_THAT(spec_->Validate(Schema("DeleteRecordsResponse"), json::parse(R"({"RecordsAffected":"3"})")),
              Not(IsEmpty()));
  EXPECT_THAT(spec_->Validate(Schema("DeleteRecordsResponse"), json::parse(R"({"RecordsAffected":4294967296})")),
              Not(IsEmpty()));
  EXPECT_THAT(spec_->Validate(Schema("UploadFileResult"), json::parse(R"({"Name":"a","ExternalKey":"nope"})")),
              Not(IsEmpty()));
  EXPECT_THAT(spec_->Validate(Schema("WebhookListGetResponse"), json::parse(R"({"DateCreated":"yesterday"})")),
              Not(IsEmpty()));
  EXPECT_THAT(spec_->Validate(Schema("AppItem"), json::parse(R"({"DataPagesCount":null})")), Not(IsEmpty()));
  EXPECT_THAT(spec_->Validate(Schema("GetRecordsResponse"), json::parse(R"({"Result":{"PK_ID":1}})")), Not(IsEmpty()));
}

}  // namespace
}  // namespace cmcp::sandbox::testing
