// File: port_file.h
// Servers bind port 0 in tests and report the port they got through a file,
// written atomically (write + rename) so a reader never sees half of it.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace cmcp {

// No-op for an empty path.
absl::Status WritePortFile(const std::string& path, int port);

}  // namespace cmcp
