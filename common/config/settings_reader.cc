#include "common/config/settings_reader.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace cmcp {

SettingsReader::SettingsReader(std::vector<std::string> args, EnvLookup env,
                               std::string env_prefix)
    : env_(std::move(env)), env_prefix_(std::move(env_prefix)) {
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      continue;
    }
    if (!absl::ConsumePrefix(&arg, "--")) {
      positional_.emplace_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    if (eq != absl::string_view::npos) {
      flags_[std::string(arg.substr(0, eq))] = std::string(arg.substr(eq + 1));
    } else if (i + 1 < args.size() && !absl::StartsWith(args[i + 1], "--")) {
      flags_[std::string(arg)] = args[++i];
    } else {
      flags_[std::string(arg)] = "true";  // bare boolean flag
    }
  }
}

SettingsReader SettingsReader::FromMain(int argc, char** argv, std::string env_prefix) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return SettingsReader(
      std::move(args),
      [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      },
      std::move(env_prefix));
}

std::string SettingsReader::Describe(absl::string_view name) const {
  std::string env = absl::StrCat(env_prefix_, name);
  absl::StrReplaceAll({{"-", "_"}}, &env);
  return absl::StrCat("--", name, " (", absl::AsciiStrToUpper(env), ")");
}

std::optional<std::string> SettingsReader::Lookup(absl::string_view name) {
  consumed_[std::string(name)] = true;
  if (auto it = flags_.find(name); it != flags_.end()) return it->second;
  std::string env = absl::StrCat(env_prefix_, name);
  absl::StrReplaceAll({{"-", "_"}}, &env);
  return env_(absl::AsciiStrToUpper(env));
}

std::string SettingsReader::String(absl::string_view name, absl::string_view default_value,
                                   absl::string_view help) {
  help_lines_.push_back(absl::StrCat("  ", Describe(name), "  ", help, " [default: ",
                                     default_value, "]"));
  return Lookup(name).value_or(std::string(default_value));
}

std::string SettingsReader::RequiredString(absl::string_view name, absl::string_view help) {
  help_lines_.push_back(absl::StrCat("  ", Describe(name), "  ", help, " [required]"));
  std::optional<std::string> value = Lookup(name);
  if (!value.has_value() || value->empty()) {
    AddError(name, "is required");
    return "";
  }
  return *value;
}

int64_t SettingsReader::Int(absl::string_view name, int64_t default_value, int64_t min,
                            int64_t max, absl::string_view help) {
  help_lines_.push_back(absl::StrCat("  ", Describe(name), "  ", help, " [default: ",
                                     default_value, ", range ", min, "..", max, "]"));
  std::optional<std::string> raw = Lookup(name);
  if (!raw.has_value()) return default_value;
  int64_t value = 0;
  if (!absl::SimpleAtoi(*raw, &value)) {
    AddError(name, absl::StrCat("must be an integer, got \"", *raw, "\""));
    return default_value;
  }
  if (value < min || value > max) {
    AddError(name, absl::StrCat("must be between ", min, " and ", max, ", got ", value));
    return default_value;
  }
  return value;
}

bool SettingsReader::Bool(absl::string_view name, bool default_value, absl::string_view help) {
  help_lines_.push_back(absl::StrCat("  ", Describe(name), "  ", help, " [default: ",
                                     default_value ? "true" : "false", "]"));
  std::optional<std::string> raw = Lookup(name);
  if (!raw.has_value()) return default_value;
  bool value = false;
  if (!absl::SimpleAtob(*raw, &value)) {
    AddError(name, absl::StrCat("must be true or false, got \"", *raw, "\""));
    return default_value;
  }
  return value;
}

absl::Duration SettingsReader::Duration(absl::string_view name, absl::Duration default_value,
                                        absl::Duration min, absl::Duration max,
                                        absl::string_view help) {
  help_lines_.push_back(absl::StrCat("  ", Describe(name), "  ", help, " [default: ",
                                     absl::FormatDuration(default_value), "]"));
  std::optional<std::string> raw = Lookup(name);
  if (!raw.has_value()) return default_value;
  absl::Duration value;
  if (!absl::ParseDuration(*raw, &value)) {
    AddError(name, absl::StrCat("must be a duration such as 500ms, 30s or 5m, got \"", *raw, "\""));
    return default_value;
  }
  if (value < min || value > max) {
    AddError(name, absl::StrCat("must be between ", absl::FormatDuration(min), " and ",
                                absl::FormatDuration(max), ", got ", absl::FormatDuration(value)));
    return default_value;
  }
  return value;
}

std::string SettingsReader::Secret(absl::string_view name, bool required, absl::string_view help) {
  const std::string file_name = absl::StrCat(name, "-file");
  help_lines_.push_back(absl::StrCat("  ", Describe(name), " or ", Describe(file_name), "  ", help,
                                     required ? " [required]" : ""));
  std::optional<std::string> value = Lookup(name);
  std::optional<std::string> path = Lookup(file_name);
  if (value.has_value() && path.has_value()) {
    AddError(name, absl::StrCat("set either it or ", Describe(file_name), ", not both"));
    return "";
  }
  if (path.has_value()) {
    std::ifstream in(*path, std::ios::binary);
    if (!in) {
      AddError(file_name, absl::StrCat("cannot read file \"", *path, "\""));
      return "";
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    // Secret files written by `echo` or kubectl often end in a newline.
    value = std::string(absl::StripTrailingAsciiWhitespace(buffer.str()));
  }
  if (required && (!value.has_value() || value->empty())) {
    AddError(name, absl::StrCat("is required (or ", Describe(file_name), ")"));
    return "";
  }
  return value.value_or("");
}

std::vector<std::string> SettingsReader::List(absl::string_view name,
                                              absl::string_view default_value,
                                              absl::string_view help) {
  const std::string raw = String(name, default_value, help);
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(raw, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

void SettingsReader::AddError(absl::string_view name, absl::string_view message) {
  errors_.push_back(absl::StrCat(Describe(name), " ", message));
}

absl::Status SettingsReader::Finish() {
  if (help_requested_) {
    return absl::FailedPreconditionError(
        absl::StrCat("settings (flag, or environment variable):\n", absl::StrJoin(help_lines_, "\n")));
  }
  for (const auto& [flag, value] : flags_) {
    if (!consumed_.contains(flag)) errors_.push_back(absl::StrCat("unknown flag --", flag));
  }
  for (const std::string& arg : positional_) {
    errors_.push_back(absl::StrCat("unexpected argument \"", arg, "\""));
  }
  if (errors_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid settings:\n  ", absl::StrJoin(errors_, "\n  ")));
}

void ExitIfInvalid(absl::string_view program, const absl::Status& status) {
  if (status.ok()) return;
  if (status.code() == absl::StatusCode::kFailedPrecondition) {
    std::cout << program << " " << status.message() << std::endl;
    std::exit(0);
  }
  std::cerr << program << ": " << status.message() << std::endl;
  std::exit(2);
}

}  // namespace cmcp
