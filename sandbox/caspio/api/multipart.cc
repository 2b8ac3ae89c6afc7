#include "sandbox/caspio/api/multipart.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace cmcp::sandbox {
namespace {

// Value of `key` in a header's parameters: `form-data; name="File"; filename="a.pdf"`.
std::string Param(absl::string_view header, absl::string_view key) {
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos) continue;
    if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(part.substr(0, eq)), key)) continue;
    absl::string_view value = absl::StripAsciiWhitespace(part.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return "";
}

}  // namespace

absl::StatusOr<std::vector<MultipartPart>> ParseMultipart(absl::string_view content_type, absl::string_view body) {
  if (!absl::StartsWithIgnoreCase(absl::StripAsciiWhitespace(content_type), "multipart/form-data")) {
    return absl::InvalidArgumentError("The request must be multipart/form-data.");
  }
  const std::string boundary = Param(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) {
    return absl::InvalidArgumentError("The multipart/form-data Content-Type has no boundary.");
  }
  const std::string delimiter = absl::StrCat("--", boundary);
  std::vector<MultipartPart> parts;
  size_t pos = body.find(delimiter);
  if (pos == absl::string_view::npos) return absl::InvalidArgumentError("The multipart body has no parts.");
  pos += delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return absl::InvalidArgumentError("Malformed multipart delimiter line.");
    pos += 2;
    const size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == absl::string_view::npos) return absl::InvalidArgumentError("Malformed multipart part headers.");
    MultipartPart part;
    part.content_type = "application/octet-stream";
    for (absl::string_view line : absl::StrSplit(body.substr(pos, headers_end - pos), "\r\n")) {
      const size_t colon = line.find(':');
      if (colon == absl::string_view::npos) continue;
      const absl::string_view name = absl::StripAsciiWhitespace(line.substr(0, colon));
      const absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
      if (absl::EqualsIgnoreCase(name, "Content-Disposition")) {
        part.name = Param(value, "name");
        part.file_name = Param(value, "filename");
      } else if (absl::EqualsIgnoreCase(name, "Content-Type")) {
        part.content_type = std::string(value);
      }
    }
    const size_t data_start = headers_end + 4;
    const size_t next = body.find(absl::StrCat("\r\n", delimiter), data_start);
    if (next == absl::string_view::npos) return absl::InvalidArgumentError("The multipart body is not terminated.");
    part.data = std::string(body.substr(data_start, next - data_start));
    parts.push_back(std::move(part));
    pos = next + 2 + delimiter.size();
  }
  return parts;
}

}  // namespace cmcp::sandbox
