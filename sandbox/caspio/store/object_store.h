// File: object_store.h
// JSON documents by kind and id in SQLite (table designs, webhooks, apps,
// tasks, files, ...), kept in insertion order, plus binary blobs (file and
// attachment contents). Everything the sandbox knows lives in one database,
// so a file-backed --db survives restarts and reset is one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "sandbox/caspio/store/sqlite_db.h"

namespace cmcp::sandbox {

class ObjectStore {
 public:
  explicit ObjectStore(SqliteDb* db) : db_(db) {}

  // Creates the backing tables when missing.
  absl::Status Init();
  // True when the database holds no sandbox state yet (needs seeding).
  absl::StatusOr<bool> Empty();

  absl::StatusOr<std::vector<nlohmann::json>> List(absl::string_view kind);
  absl::StatusOr<std::optional<nlohmann::json>> Get(absl::string_view kind, absl::string_view id);
  // Inserts at the end, or replaces in place when the id exists.
  absl::Status Put(absl::string_view kind, absl::string_view id, const nlohmann::json& doc);
  // Returns whether it existed.
  absl::StatusOr<bool> Delete(absl::string_view kind, absl::string_view id);

  absl::Status PutBlob(absl::string_view id, absl::string_view data);
  absl::StatusOr<std::optional<std::string>> GetBlob(absl::string_view id);
  absl::Status DeleteBlob(absl::string_view id);

 private:
  SqliteDb* db_;
};

}  // namespace cmcp::sandbox
