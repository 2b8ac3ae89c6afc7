// File: sandbox_store.h
// Everything the emulated Caspio account holds, in one SQLite database: table
// and view designs (Catalog), records (RecordStore), and the other objects
// (ObjectStore). Opening an empty database applies the seed; Reset() drops
// everything and applies it again. Callers serialize access with mu().
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "nlohmann/json.hpp"
#include "sandbox/caspio/store/attachment_store.h"
#include "sandbox/caspio/store/catalog.h"
#include "sandbox/caspio/store/object_store.h"
#include "sandbox/caspio/store/record_store.h"
#include "sandbox/caspio/store/sqlite_db.h"
#include "sandbox/caspio/util/clock.h"

namespace cmcp::sandbox {

class SandboxStore {
 public:
  // `seed` is applied to an empty database (and on every Reset).
  static absl::StatusOr<std::unique_ptr<SandboxStore>> Open(const std::string& db_path, nlohmann::json seed,
                                                            const Clock* clock);

  absl::Status Reset() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex& mu() ABSL_LOCK_RETURNED(mu_) { return mu_; }
  SqliteDb& db() { return *db_; }
  ObjectStore& objects() { return *objects_; }
  Catalog& catalog() { return *catalog_; }
  RecordStore& records() { return *records_; }
  AttachmentStore& attachments() { return *attachments_; }
  const Clock& clock() const { return *clock_; }

 private:
  SandboxStore() = default;
  absl::Status ApplySeed();

  absl::Mutex mu_;
  const Clock* clock_ = nullptr;
  nlohmann::json seed_;
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<ObjectStore> objects_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<RecordStore> records_;
  std::unique_ptr<AttachmentStore> attachments_;
};

}  // namespace cmcp::sandbox
