#include "services/toolgen/toolgen_settings.h"

namespace cmcp::toolgen {

ToolgenSettings LoadToolgenSettings(int argc, char** argv) {
  SettingsReader reader = SettingsReader::FromMain(argc, argv, "TOOLGEN_");
  ToolgenSettings s;
  s.service = ReadServiceSettings(reader);
  s.integration_dir = reader.String("integration-dir", "integrations/caspio",
                                    "directory with integration.json and documentation/");
  ExitIfInvalid("toolgen", reader.Finish());
  return s;
}

}  // namespace cmcp::toolgen
