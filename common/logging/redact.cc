#include "common/logging/redact.h"

#include <array>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cmcp {
namespace {

constexpr std::array<absl::string_view, 12> kSecretKeyParts = {
    "token",      "secret",  "password", "passwd",     "authorization", "cookie",
    "pepper",     "api_key", "apikey",   "credential", "private_key",   "encryption_key"};

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// Characters that end a token-like value in URLs, headers and text.
bool EndsValue(char c) {
  return c == '/' || c == '?' || c == '#' || c == '&' || c == '"' || c == '\'' || c == ',' ||
         c == ';' || c == '}' || c == ']' || c == '<' || c == '>' ||
         std::isspace(static_cast<unsigned char>(c));
}

size_t SkipValue(absl::string_view text, size_t pos) {
  while (pos < text.size() && !EndsValue(text[pos])) ++pos;
  return pos;
}

}  // namespace

bool IsSecretKey(absl::string_view key) {
  const std::string lower = absl::AsciiStrToLower(key);
  for (absl::string_view part : kSecretKeyParts) {
    if (absl::StrContains(lower, part)) return true;
  }
  return false;
}

std::string RedactSecrets(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    // 1. "/mcp/<token>"
    if (text.compare(i, 5, "/mcp/") == 0) {
      out.append("/mcp/");
      const size_t end = SkipValue(text, i + 5);
      if (end > i + 5) absl::StrAppend(&out, kRedacted);
      i = end;
      continue;
    }
    // 2. "Bearer <credential>" / "Basic <credential>" (case-insensitive).
    bool scheme_matched = false;
    for (absl::string_view scheme : {absl::string_view("bearer "), absl::string_view("basic ")}) {
      if (i + scheme.size() <= text.size() &&
          absl::EqualsIgnoreCase(text.substr(i, scheme.size()), scheme) &&
          (i == 0 || !IsKeyChar(text[i - 1]))) {
        absl::StrAppend(&out, text.substr(i, scheme.size()));
        i += scheme.size();
        const size_t end = SkipValue(text, i);
        if (end > i) absl::StrAppend(&out, kRedacted);
        i = end;
        scheme_matched = true;
        break;
      }
    }
    if (scheme_matched) continue;
    // 3. <secret-key><sep><value>, where sep is '=', ':' or '":' (JSON), with
    //    optional quotes and spaces around the value.
    if (IsKeyChar(text[i]) && (i == 0 || !IsKeyChar(text[i - 1]))) {
      size_t key_end = i;
      while (key_end < text.size() && IsKeyChar(text[key_end])) ++key_end;
      const absl::string_view key = text.substr(i, key_end - i);
      size_t p = key_end;
      if (p < text.size() && (text[p] == '"' || text[p] == '\'')) ++p;  // closing quote of key
      while (p < text.size() && text[p] == ' ') ++p;
      if (p < text.size() && (text[p] == '=' || text[p] == ':') && IsSecretKey(key)) {
        ++p;
        while (p < text.size() && text[p] == ' ') ++p;
        char quote = 0;
        if (p < text.size() && (text[p] == '"' || text[p] == '\'')) quote = text[p++];
        absl::StrAppend(&out, text.substr(i, p - i));
        size_t end = p;
        if (quote != 0) {
          while (end < text.size() && text[end] != quote) {
            end += (text[end] == '\\' && end + 1 < text.size()) ? 2 : 1;
          }
        } else {
          // "Authorization: Bearer x": the credential is the word after the scheme.
          for (absl::string_view scheme : {absl::string_view("bearer "), absl::string_view("basic ")}) {
            if (p + scheme.size() <= text.size() &&
                absl::EqualsIgnoreCase(text.substr(p, scheme.size()), scheme)) {
              end = p + scheme.size();
              break;
            }
          }
          end = SkipValue(text, end);
        }
        if (end > p) absl::StrAppend(&out, kRedacted);
        i = end;
        continue;
      }
      absl::StrAppend(&out, key);
      i = key_end;
      continue;
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

}  // namespace cmcp
