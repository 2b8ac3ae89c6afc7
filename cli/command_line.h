// File: command_line.h
// A small, strict argv parser for subcommands: each command declares its
// flags; "--flag value", "--flag=value" and boolean "--flag" are accepted,
// "--" ends the flags, anything unknown is a usage error naming the flag.
//
//   absl::StatusOr<ParsedArgs> args = ParseArgs(argv, {{"name", FlagKind::kValue}, {"yes", FlagKind::kBool}});
//   if (args.ok() && args->Has("yes")) ...
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cmcp::cli {

enum class FlagKind { kBool, kValue };

struct FlagSpec {
  std::string name;  // without the leading "--"
  FlagKind kind = FlagKind::kValue;
};

struct ParsedArgs {
  std::map<std::string, std::string> values;  // bool flags map to "true"
  std::vector<std::string> positionals;

  bool Has(const std::string& flag) const { return values.contains(flag); }
  std::string Get(const std::string& flag, const std::string& fallback = "") const {
    auto it = values.find(flag);
    return it == values.end() ? fallback : it->second;
  }
};

// INVALID_ARGUMENT for unknown flags, a missing value, or a flag given twice.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs);

// "read, write,,custom" -> {"read", "write", "custom"}.
std::vector<std::string> SplitList(const std::string& text);

}  // namespace cmcp::cli
