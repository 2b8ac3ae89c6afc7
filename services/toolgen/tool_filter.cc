#include "services/toolgen/tool_filter.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/error.h"

namespace cmcp::toolgen {

absl::StatusOr<ToolFilterPredicate> ToolFilterPredicate::Create(
    const caspio_mcp::common::v1::ToolFilter& filter, const FilterVocabulary& vocabulary) {
  ToolFilterPredicate p;
  p.any_method_ = filter.methods().empty();
  for (int i = 0; i < filter.methods_size(); ++i) {
    const std::string& m = filter.methods(i);
    if (m == "read") {
      p.read_ = true;
    } else if (m == "write") {
      p.write_ = true;
    } else if (m == "custom") {
      p.custom_ = true;
    } else if (vocabulary.methods.contains(m)) {
      p.method_names_.insert(m);
    } else {
      return InvalidFieldError(
          absl::StrCat("config.methods[", i, "]"),
          absl::StrCat("unknown method \"", m, "\""),
          absl::StrCat("use read, write, custom or one of: ", absl::StrJoin(vocabulary.methods, ", ")));
    }
  }
  for (int i = 0; i < filter.tags_size(); ++i) {
    const std::string& t = filter.tags(i);
    if (!vocabulary.tags.contains(t)) {
      return InvalidFieldError(absl::StrCat("config.tags[", i, "]"),
                               absl::StrCat("unknown tag \"", t, "\""),
                               absl::StrCat("use one of: ", absl::StrJoin(vocabulary.tags, ", ")));
    }
    p.tags_.insert(t);
  }
  return p;
}

bool ToolFilterPredicate::Matches(absl::string_view method, MethodKind kind,
                                  const std::vector<std::string>& tags) const {
  bool method_ok = any_method_;
  if (!method_ok) {
    switch (kind) {
      case MethodKind::kList:
      case MethodKind::kGet:
        method_ok = read_;
        break;
      case MethodKind::kCreate:
      case MethodKind::kUpdate:
      case MethodKind::kDelete:
        method_ok = write_;
        break;
      case MethodKind::kCustom:
        method_ok = custom_;
        break;
    }
    method_ok = method_ok || method_names_.contains(method);
  }
  if (!method_ok) return false;
  if (tags_.empty()) return true;
  for (const std::string& tag : tags) {
    if (tags_.contains(tag)) return true;
  }
  return false;
}

}  // namespace cmcp::toolgen
