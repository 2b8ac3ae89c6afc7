#include "services/proxy/where_linter.h"

#include <array>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/error.h"

namespace cmcp::proxy {
namespace {

constexpr std::array<absl::string_view, 3> kSystemFields = {"_status", "_sign_in_method", "_2fa_status"};

absl::Status Reject(absl::string_view argument, absl::string_view message, absl::string_view hint) {
  return MakeError(absl::StatusCode::kInvalidArgument, absl::StrCat(argument, ": ", message),
                   caspio_mcp::common::v1::ERROR_REASON_QUERY_REJECTED, argument, hint);
}

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

absl::Status LintWhere(absl::string_view argument, absl::string_view clause, WhereUse use) {
  if (absl::StripAsciiWhitespace(clause).empty()) {
    if (use == WhereUse::kWrite) {
      return Reject(argument, "must not be empty for an update or delete: it would change every row",
                    "write a condition that selects exactly the rows to change, e.g. \"PK_ID = 42\"");
    }
    return absl::OkStatus();
  }
  if (clause.size() > kMaxWhereLength) {
    return Reject(argument, absl::StrCat("is longer than ", kMaxWhereLength, " characters"),
                  "use a shorter condition, e.g. a range or IN list on PK_ID");
  }
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < clause.size(); ++i) {
    const char c = clause[i];
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return Reject(argument, "contains a control character", "remove it");
    }
    if (in_string) {
      if (c == '\'') {
        if (i + 1 < clause.size() && clause[i + 1] == '\'') {
          ++i;  // '' is an escaped quote inside text
        } else {
          in_string = false;
        }
      }
      continue;
    }
    switch (c) {
      case '\'':
        in_string = true;
        break;
      case ';':
        return Reject(argument, "contains ';': only one condition is allowed, never a second statement",
                      "remove the semicolon and anything after it");
      case '-':
        if (i + 1 < clause.size() && clause[i + 1] == '-') {
          return Reject(argument, "contains a comment (--)", "remove the comment");
        }
        break;
      case '/':
        if (i + 1 < clause.size() && clause[i + 1] == '*') {
          return Reject(argument, "contains a comment (/*)", "remove the comment");
        }
        break;
      case '(':
        ++depth;
        break;
      case ')':
        if (--depth < 0) {
          return Reject(argument, "has a ')' without a matching '('", "balance the parentheses");
        }
        break;
      case '"':
        return Reject(argument, "uses double quotes",
                      "quote text with single quotes ('like this'); write a quote inside text as ''");
      default:
        break;
    }
    if (use == WhereUse::kWrite && c == '_' && (i == 0 || !IsIdentChar(clause[i - 1]))) {
      for (absl::string_view field : kSystemFields) {
        if (clause.size() - i >= field.size() &&
            absl::EqualsIgnoreCase(clause.substr(i, field.size()), field) &&
            (i + field.size() == clause.size() || !IsIdentChar(clause[i + field.size()]))) {
          return Reject(argument,
                        absl::StrCat("uses ", field, ", which Caspio allows only when reading, not in update or "
                                     "delete conditions"),
                        absl::StrCat("first list the users with ", field,
                                     " in q.where, then update or delete them by their own fields "
                                     "(e.g. \"UserGUID IN ('...')\")"));
        }
      }
    }
  }
  if (in_string) {
    return Reject(argument, "has an unterminated text literal (odd number of single quotes)",
                  "close every text with ' and write a quote inside text as '' (O''Brien)");
  }
  if (depth != 0) return Reject(argument, "has a '(' without a matching ')'", "balance the parentheses");
  return absl::OkStatus();
}

}  // namespace cmcp::proxy
