// File: multipart.h
// Parses multipart/form-data request bodies (RFC 7578) for the upload
// endpoints: part name, file name, content type and bytes of each part.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cmcp::sandbox {

struct MultipartPart {
  std::string name;          // form field name ("File", "Files")
  std::string file_name;     // from Content-Disposition filename= (may be empty)
  std::string content_type;  // "application/octet-stream" when absent
  std::string data;
};

// `content_type` is the request's Content-Type header. Fails with
// INVALID_ARGUMENT when it is not multipart/form-data or the body is malformed.
absl::StatusOr<std::vector<MultipartPart>> ParseMultipart(absl::string_view content_type, absl::string_view body);

}  // namespace cmcp::sandbox
