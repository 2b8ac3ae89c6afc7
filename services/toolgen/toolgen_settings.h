// File: toolgen_settings.h
// Typed settings of the toolgen service, read once in main (env prefix TOOLGEN_).
#pragma once

#include <string>

#include "common/service/service_runner.h"

namespace cmcp::toolgen {

struct ToolgenSettings {
  ServiceSettings service;
  // Directory holding integration.json and documentation/ (a ConfigMap in k8s).
  std::string integration_dir;
};

// Exits with a message naming the setting when something is wrong.
ToolgenSettings LoadToolgenSettings(int argc, char** argv);

}  // namespace cmcp::toolgen
