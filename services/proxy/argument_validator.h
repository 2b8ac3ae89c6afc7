// File: argument_validator.h
// Validates tool arguments against the tool's JSON Schema input schema with
// valijson (Debian libvalijson-dev, draft 7, which covers every keyword the
// documentation records use). Compiled schemas are cached by content digest,
// so a tool's schema is parsed once per process. Errors name the argument
// path ("file.file_name") and say what is wrong.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.pb.h"
#include "nlohmann/json.hpp"

namespace valijson {
class Schema;
}

namespace cmcp::proxy {

class ArgumentValidator {
 public:
  ArgumentValidator();
  ~ArgumentValidator();

  // OK, or INVALID_ARGUMENT (reason INVALID_FIELD) naming the first problem.
  absl::Status Validate(const caspio_mcp::toolgen::v1::Tool& tool, const nlohmann::json& arguments);

 private:
  absl::StatusOr<std::shared_ptr<const valijson::Schema>> Compile(const std::string& schema_json);

  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const valijson::Schema>> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmcp::proxy
