// File: openapi_checker.h
// Test support: reads the in-repo Caspio OpenAPI 3 document and validates
// JSON responses against its response schemas. Implements the subset of
// OpenAPI schema features that document uses: $ref, allOf, oneOf, nullable,
// type, format (int32, int64, uuid, date-time, binary), properties, required,
// additionalProperties, items, minLength and enum.
//
// One rule is specific to how the document was generated (Swashbuckle for
// .NET): a bare {"type": "object"} used as an additionalProperties value
// stands for .NET's `object`, i.e. any JSON value (record field values).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace cmcp::sandbox::testing {

class OpenApiSpec {
 public:
  struct Operation {
    std::string method;  // upper case
    std::string path;    // "/v3/tables/{tableName}"
    std::string operation_id;
    nlohmann::json definition;
  };

  static absl::StatusOr<OpenApiSpec> Load(const std::string& file);

  const std::vector<Operation>& operations() const { return operations_; }
  // Status codes the operation documents ("200", "404", ...).
  std::vector<int> DocumentedStatuses(const Operation& op) const;
  // The JSON schema of a documented response, or null when it has no body.
  // Binary responses ({"type":"string","format":"binary"}) are returned too.
  nlohmann::json ResponseSchema(const Operation& op, int status) const;
  // Problems found validating `value` against `schema` ("" path = root).
  std::vector<std::string> Validate(const nlohmann::json& schema, const nlohmann::json& value) const;

 private:
  void ValidateAt(const nlohmann::json& schema, const nlohmann::json& value, const std::string& path,
                  std::vector<std::string>* problems, int depth) const;
  const nlohmann::json& Resolve(const nlohmann::json& schema) const;

  nlohmann::json document_;
  std::vector<Operation> operations_;
};

}  // namespace cmcp::sandbox::testing
