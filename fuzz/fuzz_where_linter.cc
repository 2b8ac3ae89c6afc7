// Fuzz target: the q.where / Where linter (services/proxy/where_linter.h).
// Input: the clause itself. Besides "no crash", it checks what the linter
// promises with an independent reading of the text: an accepted clause has
// no statement separator, comment or double quote outside its text literals,
// no control character, balanced parentheses, and fits the length cap; a
// clause accepted for a write is also accepted for a read; every refusal is
// INVALID_ARGUMENT naming the argument.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status/error.h"
#include "services/proxy/where_linter.h"

namespace {

using cmcp::proxy::LintWhere;
using cmcp::proxy::WhereUse;

[[noreturn]] void Fail(const char* what, absl::string_view clause) {
  std::fprintf(stderr, "fuzz_where_linter: %s for clause [%.*s]\n", what, static_cast<int>(clause.size()),
               clause.data());
  std::abort();
}

void CheckRefusal(const absl::Status& status, absl::string_view clause) {
  if (status.code() != absl::StatusCode::kInvalidArgument) Fail("refusal is not INVALID_ARGUMENT", clause);
  const auto detail = cmcp::GetErrorDetail(status);
  if (!detail.has_value() || detail->field() != "q.where" ||
      detail->reason() != caspio_mcp::common::v1::ERROR_REASON_QUERY_REJECTED) {
    Fail("refusal lacks the QUERY_REJECTED detail naming the argument", clause);
  }
  if (!absl::StartsWith(status.message(), "q.where: ")) Fail("message does not name the argument", clause);
}

// What must hold for any accepted, non-blank clause.
void CheckAccepted(absl::string_view clause) {
  if (clause.size() > cmcp::proxy::kMaxWhereLength) Fail("accepted a clause over the length cap", clause);
  for (char c : clause) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') Fail("accepted a control character", clause);
  }
  // Splitting on ' leaves the text outside literals at even indexes (an
  // escaped '' inside a literal yields an empty even piece, which is harmless).
  const std::vector<absl::string_view> pieces = absl::StrSplit(clause, '\'');
  if (pieces.size() % 2 == 0) Fail("accepted an unterminated literal", clause);
  int depth = 0;
  for (size_t i = 0; i < pieces.size(); i += 2) {
    const absl::string_view outside = pieces[i];
    if (absl::StrContains(outside, ';')) Fail("accepted ';' outside a literal", clause);
    if (absl::StrContains(outside, "--")) Fail("accepted '--' outside a literal", clause);
    if (absl::StrContains(outside, "/*")) Fail("accepted '/*' outside a literal", clause);
    if (absl::StrContains(outside, '"')) Fail("accepted '\"' outside a literal", clause);
    for (char c : outside) {
      if (c == '(') ++depth;
      if (c == ')' && --depth < 0) Fail("accepted an unbalanced ')'", clause);
    }
  }
  if (depth != 0) Fail("accepted an unbalanced '('", clause);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view clause(reinterpret_cast<const char*>(data), size);
  const absl::Status read = LintWhere("q.where", clause, WhereUse::kRead);
  const absl::Status write = LintWhere("q.where", clause, WhereUse::kWrite);
  if (!read.ok()) CheckRefusal(read, clause);
  if (!write.ok()) CheckRefusal(write, clause);
  if (write.ok() && !read.ok()) Fail("accepted for a write but refused for a read", clause);
  const bool blank = clause.find_first_not_of(" \t\n\r\f\v") == absl::string_view::npos;
  if (blank && write.ok()) Fail("accepted a blank clause for a write", clause);
  if (read.ok() && !blank) CheckAccepted(clause);
  if (write.ok()) {
    // No directory system field as a whole identifier outside literals.
    const std::vector<absl::string_view> pieces = absl::StrSplit(clause, '\'');
    for (size_t i = 0; i < pieces.size(); i += 2) {
      for (absl::string_view field : {"_status", "_sign_in_method", "_2fa_status"}) {
        const std::string rest = absl::AsciiStrToLower(pieces[i]);
        for (size_t at = 0; (at = rest.find(field.data(), at, field.size())) != std::string::npos; ++at) {
          const auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
          const bool starts = at == 0 || !ident(rest[at - 1]);
          const size_t end = at + field.size();
          const bool ends = end == rest.size() || !ident(rest[end]);
          if (starts && ends) Fail("accepted a directory system field in a write condition", clause);
        }
      }
    }
  }
  return 0;
}
