// File: seed_loader.h
// Fills an empty SandboxStore from the seed JSON (seed.json, embedded in the
// binary unless --seed names another file): tables with their records and
// attachments, views, directories, files and folders, bridge applications
// with DataPages, outgoing webhooks with events, and import/export tasks.
// The format is documented in sandbox/caspio/README.md.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace cmcp::sandbox {

class SandboxStore;

absl::Status ApplySeed(const nlohmann::json& seed, SandboxStore& store);

// The seed compiled into the binary.
absl::StatusOr<nlohmann::json> EmbeddedSeed();
// A seed file; fails with a message naming the file.
absl::StatusOr<nlohmann::json> ReadSeedFile(const std::string& path);

}  // namespace cmcp::sandbox
