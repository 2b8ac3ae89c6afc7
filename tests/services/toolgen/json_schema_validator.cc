#include "tests/services/toolgen/json_schema_validator.h"

// GCC 12 reports a false -Wrestrict inside std::string concatenations that
// valijson's templates instantiate at -O3 (GCC bug 105651).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cmcp::toolgen::testing {

std::string ValidateInstance(const nlohmann::json& schema_json, const nlohmann::json& instance) {
  valijson::Schema schema;
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_json);
    parser.populateSchema(schema_adapter, schema);
  } catch (const std::exception& e) {  // valijson reports bad schemas only by exception
    return absl::StrCat("schema cannot be loaded: ", e.what());
  }
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(instance);
  if (validator.validate(schema, adapter, &results)) return "";
  std::string out;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    absl::StrAppend(&out, out.empty() ? "" : "; ", absl::StrJoin(error.context, ""), ": ", error.description);
  }
  return out;
}

}  // namespace cmcp::toolgen::testing
