#include "services/proxy/argument_validator.h"

// GCC 12 reports a false -Wrestrict inside std::string concatenations that
// valijson's templates instantiate at -O3 (GCC bug 105651); nothing here
// overlaps. Scoped to this translation unit only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/crypto/crypto.h"
#include "common/status/error.h"

namespace cmcp::proxy {
namespace {

constexpr size_t kMaxCachedSchemas = 4096;

// valijson's context is {"<root>", "[file]", "[file_name]"} -> "file.file_name".
std::string FieldPath(const std::vector<std::string>& context) {
  std::vector<std::string> parts;
  for (const std::string& c : context) {
    absl::string_view part = c;
    if (part == "<root>") continue;
    absl::ConsumePrefix(&part, "[");
    absl::ConsumeSuffix(&part, "]");
    absl::ConsumePrefix(&part, "\"");
    absl::ConsumeSuffix(&part, "\"");
    parts.emplace_back(part);
  }
  return absl::StrJoin(parts, ".");
}

}  // namespace

ArgumentValidator::ArgumentValidator() = default;
ArgumentValidator::~ArgumentValidator() = default;

absl::StatusOr<std::shared_ptr<const valijson::Schema>> ArgumentValidator::Compile(const std::string& schema_json) {
  const std::string key = Sha256(schema_json);
  {
    absl::MutexLock lock(&mu_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  nlohmann::json document = nlohmann::json::parse(schema_json, nullptr, false);
  if (document.is_discarded()) return InternalError("the tool's input schema is not valid JSON");
  auto schema = std::make_shared<valijson::Schema>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document);
    parser.populateSchema(adapter, *schema);
  } catch (const std::exception& e) {
    return InternalError(absl::StrCat("the tool's input schema cannot be used: ", e.what()));
  }
  absl::MutexLock lock(&mu_);
  if (cache_.size() >= kMaxCachedSchemas) cache_.clear();
  cache_[key] = schema;
  return schema;
}

absl::Status ArgumentValidator::Validate(const caspio_mcp::toolgen::v1::Tool& tool, const nlohmann::json& arguments) {
  auto schema = Compile(tool.input_schema_json());
  if (!schema.ok()) return schema.status();
  const nlohmann::json& target = arguments.is_null() ? nlohmann::json::object() : arguments;
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(target);
  if (validator.validate(**schema, adapter, &results)) return absl::OkStatus();
  // The deepest error is the most specific one.
  valijson::ValidationResults::Error best, error;
  while (results.popError(error)) {
    if (error.context.size() > best.context.size()) best = error;
  }
  const std::string field = FieldPath(best.context);
  return InvalidFieldError(field.empty() ? "arguments" : field,
                           absl::StrCat(field.empty() ? "arguments" : absl::StrCat("argument \"", field, "\""), ": ",
                                        best.description),
                           "check the tool's input schema for the expected shape");
}

}  // namespace cmcp::proxy
