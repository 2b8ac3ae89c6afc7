#include "common/tracing/trace_context.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"

namespace cmcp {
namespace {

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZeros(absl::string_view s) { return s.find_first_not_of('0') == absl::string_view::npos; }

std::string RandomHexId(size_t bytes) {
  while (true) {
    std::string id = Hex(RandomBytes(bytes));
    if (!AllZeros(id)) return id;
  }
}

}  // namespace

std::optional<TraceContext> TraceContext::Parse(absl::string_view traceparent) {
  const absl::string_view v = absl::StripAsciiWhitespace(traceparent);
  // version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 = 55; later
  // versions may append "-..." fields.
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return std::nullopt;
  const absl::string_view version = v.substr(0, 2), trace = v.substr(3, 32), parent = v.substr(36, 16),
                          flags = v.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff" || !IsLowerHex(trace) || !IsLowerHex(parent) || !IsLowerHex(flags)) {
    return std::nullopt;
  }
  if (version == "00" && v.size() != 55) return std::nullopt;
  if (version != "00" && v.size() > 55 && v[55] != '-') return std::nullopt;
  if (AllZeros(trace) || AllZeros(parent)) return std::nullopt;
  return TraceContext(std::string(trace), std::string(parent), std::string(flags));
}

TraceContext TraceContext::Start() { return TraceContext(RandomHexId(16), RandomHexId(8), "01"); }

TraceContext TraceContext::ContinueOrStart(std::optional<absl::string_view> traceparent) {
  if (traceparent.has_value()) {
    if (std::optional<TraceContext> parent = Parse(*traceparent)) return parent->NewSpan();
  }
  return Start();
}

TraceContext TraceContext::NewSpan() const {
  if (!valid()) return Start();
  return TraceContext(trace_id_, RandomHexId(8), flags_);
}

std::string TraceContext::Header() const {
  if (!valid()) return "";
  return absl::StrCat("00-", trace_id_, "-", span_id_, "-", flags_);
}

}  // namespace cmcp
