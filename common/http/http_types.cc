#include "common/http/http_types.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace cmcp {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void Headers::Add(std::string name, std::string value) {
  entries_.push_back({std::move(name), std::move(value)});
}

void Headers::Set(std::string name, std::string value) {
  Remove(name);
  Add(std::move(name), std::move(value));
}

void Headers::Remove(absl::string_view name) {
  std::erase_if(entries_, [&](const Entry& e) { return absl::EqualsIgnoreCase(e.name, name); });
}

std::optional<absl::string_view> Headers::Get(absl::string_view name) const {
  for (const Entry& e : entries_) {
    if (absl::EqualsIgnoreCase(e.name, name)) return absl::string_view(e.value);
  }
  return std::nullopt;
}

std::vector<absl::string_view> Headers::GetAll(absl::string_view name) const {
  std::vector<absl::string_view> out;
  for (const Entry& e : entries_) {
    if (absl::EqualsIgnoreCase(e.name, name)) out.push_back(e.value);
  }
  return out;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.Add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.Add("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Empty(int status) {
  HttpResponse r;
  r.status = status;
  return r;
}

absl::string_view StatusReason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

absl::StatusOr<std::string> PercentDecode(absl::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return absl::InvalidArgumentError("truncated percent escape");
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return absl::InvalidArgumentError("malformed percent escape");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PercentEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQuery(absl::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view part : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const size_t eq = part.find('=');
    const absl::string_view raw_name = part.substr(0, eq);
    const absl::string_view raw_value = eq == absl::string_view::npos ? "" : part.substr(eq + 1);
    absl::StatusOr<std::string> name = PercentDecode(raw_name, true);
    if (!name.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("query parameter name \"", raw_name,
                                                     "\": ", name.status().message()));
    }
    absl::StatusOr<std::string> value = PercentDecode(raw_value, true);
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter \"", *name, "\": ", value.status().message()));
    }
    out.emplace_back(*std::move(name), *std::move(value));
  }
  return out;
}

}  // namespace cmcp
