// File: json_text.h
// Fast JSON text building for the hot path (record lists), where building an
// nlohmann::json tree per row would cost more than the query itself.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace cmcp::sandbox {

// Appends `text` as a JSON string literal; invalid UTF-8 becomes U+FFFD.
void AppendJsonString(std::string* out, absl::string_view text);

// Appends a number in the shortest form that round-trips; integral values
// are written without a fraction ("120", not "120.0"), as Caspio does.
void AppendJsonNumber(std::string* out, double value);

}  // namespace cmcp::sandbox
