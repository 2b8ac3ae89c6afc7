// The documentation records against Caspio's own OpenAPI spec (in-repo copy):
// every operation is covered by exactly one method, and every parameter's
// name, location, type and requiredness agree. Path parameters are matched by
// position in the template (the records use flat snake_case names); query
// parameters by their API names; managed query parameters are accounted for;
// JSON bodies property by property; multipart parts by part name. Where a
// record is deliberately stricter than the spec, spec_deviations says why.
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/toolgen/integration_definition.h"
#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"

namespace cmcp::toolgen {
namespace {

using ::cmcp::testing::IsOk;
using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

struct Operation {
  std::string verb;  // "GET"
  std::string path;  // "/v3/tables/{tableName}/records"
  json op;
};

class OpenApiConformanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto integration = LoadIntegration(cmcp::testing::SourcePath("integrations/caspio"));
    ASSERT_THAT(integration, IsOk());
    integration_ = new Integration(*std::move(integration));
    std::ifstream in(cmcp::testing::SourcePath("integrations/caspio/" + integration_->openapi));
    ASSERT_TRUE(in) << "cannot read the OpenAPI spec named by integration.json";
    spec_ = new json(json::parse(in));
    for (const auto& [path, item] : (*spec_)["paths"].items()) {
      for (const auto& [verb, op] : item.items()) {
        std::string upper = verb;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        (*operations_)[op["operationId"].get<std::string>()] = {upper, path, op};
      }
    }
  }

  // Follows $ref, allOf (of one), and oneOf (of one) to the schema itself.
  static json Resolve(json schema) {
    for (int i = 0; i < 10; ++i) {
      if (schema.contains("$ref")) {
        const std::string ref = schema["$ref"];
        schema = (*spec_)["components"]["schemas"][ref.substr(ref.rfind('/') + 1)];
      } else if (schema.contains("allOf") && schema["allOf"].size() == 1) {
        schema = schema["allOf"][0];
      } else if (schema.contains("oneOf") && schema["oneOf"].size() == 1) {
        schema = schema["oneOf"][0];
      } else {
        break;
      }
    }
    return schema;
  }

  // "string" from {"type": "string"} or {"type": ["string", "null"]}.
  static std::string MainType(const json& schema) {
    if (!schema.contains("type")) return "";
    if (schema["type"].is_string()) return schema["type"];
    for (const json& t : schema["type"]) {
      if (t != "null") return t;
    }
    return "";
  }

  template <typename J>
  static std::set<std::string> Required(const J& schema) {
    std::set<std::string> out;
    if (schema.is_object() && schema.contains("required")) {
      for (const auto& r : schema["required"]) out.insert(r.template get<std::string>());
    }
    return out;
  }

  // Every (method, record) pair of the integration.
  template <typename Fn>
  static void ForEachMethod(Fn fn) {
    for (const ResourceDefinition& r : integration_->resources) {
      for (const MethodDefinition& m : r.methods) {
        auto doc = integration_->documentation.find({r.name, m.name});
        ASSERT_NE(doc, integration_->documentation.end()) << r.name << "." << m.name << " has no record";
        auto op = operations_->find(m.operation_id);
        ASSERT_NE(op, operations_->end()) << m.operation_id << " is not in the spec";
        SCOPED_TRACE(absl::StrCat(r.name, ".", m.name, " (", m.operation_id, ")"));
        fn(m, doc->second, op->second);
      }
    }
  }

  static Integration* integration_;
  static json* spec_;
  static std::map<std::string, Operation>* operations_;
};
Integration* OpenApiConformanceTest::integration_ = nullptr;
json* OpenApiConformanceTest::spec_ = nullptr;
std::map<std::string, Operation>* OpenApiConformanceTest::operations_ = new std::map<std::string, Operation>();

TEST_F(OpenApiConformanceTest, EveryOperationIsCoveredExactlyOnce) {
  std::map<std::string, int> covered;
  for (const ResourceDefinition& r : integration_->resources) {
    for (const MethodDefinition& m : r.methods) ++covered[m.operation_id];
  }
  EXPECT_EQ(operations_->size(), 70u);
  for (const auto& [id, op] : *operations_) EXPECT_EQ(covered[id], 1) << id << " " << op.verb << " " << op.path;
  for (const auto& [id, count] : covered) EXPECT_TRUE(operations_->contains(id)) << id << " is not in the spec";
  EXPECT_EQ(integration_->documentation.size(), 70u) << "every method has its documentation record";
}

TEST_F(OpenApiConformanceTest, VerbAndPathAgreeWithPathParametersByPosition) {
  ForEachMethod([](const MethodDefinition& m, const DocumentationRecord& doc, const Operation& op) {
    EXPECT_EQ(m.http_method, op.verb);
    const std::regex param("\\{[^}]+\\}");
    EXPECT_EQ(std::regex_replace(m.path, param, "{}"), std::regex_replace(op.path, param, "{}"));
    const std::vector<std::string> flat = PathTemplateParameters(m.path);
    const std::vector<std::string> api = PathTemplateParameters(op.path);
    ASSERT_EQ(flat.size(), api.size());
    for (size_t i = 0; i < flat.size(); ++i) {
      json spec_param;
      for (const json& p : op.op.value("parameters", json::array())) {
        if (p["in"] == "path" && p["name"] == api[i]) spec_param = p;
      }
      ASSERT_TRUE(spec_param.is_object()) << api[i] << " is not declared as a path parameter";
      EXPECT_TRUE(spec_param.value("required", false)) << api[i];
      ASSERT_TRUE(doc.path_schema["properties"].contains(flat[i])) << flat[i];
      EXPECT_EQ(MainType(doc.path_schema["properties"][flat[i]]), MainType(spec_param["schema"]))
          << flat[i] << " (Caspio: " << api[i] << ")";
      EXPECT_TRUE(Required(doc.path_schema).contains(flat[i])) << flat[i];
    }
  });
}

TEST_F(OpenApiConformanceTest, QueryParametersAgreeOrAreManaged) {
  ForEachMethod([](const MethodDefinition& m, const DocumentationRecord& doc, const Operation& op) {
    const ordered_json props = doc.query_schema.is_object() ? doc.query_schema.value("properties", ordered_json::object())
                                                            : ordered_json::object();
    const std::set<std::string> required = Required(doc.query_schema);
    const std::set<std::string> managed(m.managed_query_parameters.begin(), m.managed_query_parameters.end());
    std::set<std::string> spec_names;
    for (const json& p : op.op.value("parameters", json::array())) {
      if (p["in"] != "query") continue;
      const std::string name = p["name"];
      spec_names.insert(name);
      if (managed.contains(name)) {
        EXPECT_FALSE(p.value("required", false)) << "a managed parameter cannot be required: " << name;
        EXPECT_FALSE(props.contains(name)) << name << " is managed, so it must not be documented";
        continue;
      }
      ASSERT_TRUE(props.contains(name)) << "query parameter " << name << " is neither documented nor managed";
      EXPECT_EQ(MainType(props[name]), MainType(p["schema"])) << name;
      EXPECT_EQ(required.contains(name), p.value("required", false)) << name;
    }
    for (const auto& [name, prop] : props.items()) EXPECT_TRUE(spec_names.contains(name)) << name << " is not in the spec";
    for (const std::string& name : managed) EXPECT_TRUE(spec_names.contains(name)) << "managed " << name << " is not in the spec";
    if (!m.where.argument.empty()) {
      EXPECT_TRUE(spec_names.contains(m.where.argument)) << m.where.argument;
    }
  });
}

TEST_F(OpenApiConformanceTest, BodiesAgreePropertyByPropertyAndUploadsByPart) {
  ForEachMethod([](const MethodDefinition& m, const DocumentationRecord& doc, const Operation& op) {
    if (!op.op.contains("requestBody")) {
      EXPECT_TRUE(doc.body_schema.is_null()) << "the spec has no request body";
      EXPECT_TRUE(m.multipart_files.empty());
      return;
    }
    const json& content = op.op["requestBody"]["content"];
    ASSERT_EQ(content.size(), 1u);
    const std::string media = content.begin().key();
    const json schema = Resolve(content.begin().value()["schema"]);
    const std::set<std::string> spec_required = Required(schema);
    const json spec_props = schema.value("properties", json::object());
    if (media == "multipart/form-data") {
      std::set<std::string> parts;
      for (const auto& [arg, part] : m.multipart_files) parts.insert(part);
      std::set<std::string> spec_parts;
      for (const auto& [name, prop] : spec_props.items()) spec_parts.insert(name);
      EXPECT_EQ(parts, spec_parts);
      for (const auto& [arg, part] : m.multipart_files) {
        ASSERT_TRUE(doc.body_schema["properties"].contains(arg)) << arg;
        EXPECT_EQ(Required(doc.body_schema).contains(arg), spec_required.contains(part)) << arg;
        // "Files" takes several files (an array of binaries), "File" one.
        EXPECT_EQ(spec_props[part].value("type", ""), part == "Files" ? "array" : "string") << part;
      }
      return;
    }
    ASSERT_EQ(media, "application/json");
    if (!doc.body_argument.empty()) {
      // The body is one free-form object (a record's field -> value map).
      EXPECT_EQ(schema.value("type", ""), "object");
      EXPECT_FALSE(schema.contains("properties")) << "a body with named properties should be flat arguments";
      EXPECT_EQ(doc.body_schema.value("type", ""), "object");
      return;
    }
    const ordered_json props = doc.body_schema.value("properties", ordered_json::object());
    const std::set<std::string> required = Required(doc.body_schema);
    for (const auto& [name, prop] : spec_props.items()) {
      ASSERT_TRUE(props.contains(name)) << "body property " << name << " is not documented";
      EXPECT_EQ(MainType(props[name]), MainType(prop)) << name;
      if (MainType(prop) == "array") {
        const json spec_items = Resolve(prop["items"]);
        EXPECT_EQ(MainType(props[name]["items"]), MainType(spec_items)) << name << " items";
      }
      const bool deviates = doc.spec_deviations.contains(name);
      if (spec_required.contains(name)) {
        EXPECT_TRUE(required.contains(name)) << name << " is required by the spec";
      }
      if (!spec_required.contains(name) && required.contains(name)) {
        EXPECT_TRUE(deviates) << name << " is required here but optional in the spec; say why in spec_deviations";
      } else {
        EXPECT_FALSE(deviates) << "spec_deviations lists " << name << ", which does not deviate";
      }
    }
    for (const auto& [name, prop] : props.items()) EXPECT_TRUE(spec_props.contains(name)) << name << " is not in the spec";
    for (const auto& [name, why] : doc.spec_deviations) EXPECT_TRUE(props.contains(name)) << "deviation for unknown " << name;
  });
}

TEST_F(OpenApiConformanceTest, ResponseKindAndSuccessStatusesAgree) {
  ForEachMethod([](const MethodDefinition& m, const DocumentationRecord& doc, const Operation& op) {
    bool any_body = false, binary = false;
    for (const auto& [status, response] : op.op["responses"].items()) {
      const int code = std::stoi(status);
      if (code < 200 || code > 299) continue;
      EXPECT_THAT(m.success_statuses, ::testing::Contains(code)) << "spec success status " << code;
      if (response.contains("content")) {
        any_body = true;
        const json schema = response["content"]["application/json"]["schema"];
        binary = binary || schema.value("format", "") == "binary";
      }
    }
    for (int code : m.success_statuses) EXPECT_TRUE(op.op["responses"].contains(std::to_string(code))) << code;
    EXPECT_EQ(m.response, binary ? "binary" : any_body ? "json" : "empty");
  });
}

// The result schema a record documents has the same members as the spec's
// (Result, or the bare body for webhooks; the item for lists).
TEST_F(OpenApiConformanceTest, ResponseSchemasNameTheSpecsMembers) {
  int compared = 0;
  ForEachMethod([&compared](const MethodDefinition& m, const DocumentationRecord& doc, const Operation& op) {
    if (m.response != "json" || !doc.response_schema.is_object()) return;
    json body;
    for (const auto& [status, response] : op.op["responses"].items()) {
      if (status[0] == '2' && response.contains("content")) body = Resolve(response["content"]["application/json"]["schema"]);
    }
    json result = body.contains("properties") && body["properties"].contains("Result") ? Resolve(body["properties"]["Result"]) : body;
    if (m.kind == MethodKind::kList || MainType(result) == "array") result = Resolve(result.value("items", json::object()));
    ordered_json mine = doc.response_schema;
    if (MainType(mine) == "array") mine = mine["items"];
    if (!result.contains("properties") || !mine.contains("properties")) return;  // free-form rows
    std::set<std::string> spec_names, my_names;
    for (const auto& [name, prop] : result["properties"].items()) spec_names.insert(name);
    for (const auto& [name, prop] : mine["properties"].items()) my_names.insert(name);
    EXPECT_EQ(my_names, spec_names);
    ++compared;
  });
  EXPECT_GT(compared, 30);
}

TEST_F(OpenApiConformanceTest, BulkWritesHaveADryRunReadThatExistsInTheSpec) {
  ForEachMethod([](const MethodDefinition& m, const DocumentationRecord& doc, const Operation& op) {
    if (!m.bulk_write) return;
    ASSERT_FALSE(m.dry_run.path.empty()) << "bulk writes need a dry_run preview";
    const std::regex param("\\{[^}]+\\}");
    const std::string shape = std::regex_replace(m.dry_run.path, param, "{}");
    bool found = false;
    for (const auto& [id, other] : *operations_) {
      if (other.verb != "GET" || std::regex_replace(other.path, param, "{}") != shape) continue;
      for (const json& p : other.op.value("parameters", json::array())) {
        found = found || (p["in"] == "query" && p["name"] == m.dry_run.where_parameter);
      }
    }
    EXPECT_TRUE(found) << "no GET " << m.dry_run.path << " with ?" << m.dry_run.where_parameter;
  });
}

}  // namespace
}  // namespace cmcp::toolgen
