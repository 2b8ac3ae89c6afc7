#include "sandbox/caspio/store/sandbox_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/seed/seed_loader.h"

namespace cmcp::sandbox {

absl::StatusOr<std::unique_ptr<SandboxStore>> SandboxStore::Open(const std::string& db_path, nlohmann::json seed,
                                                                 const Clock* clock) {
  std::unique_ptr<SandboxStore> store(new SandboxStore());
  store->clock_ = clock;
  store->seed_ = std::move(seed);
  CMCP_ASSIGN_OR_RETURN(store->db_, SqliteDb::Open(db_path, clock));
  store->objects_ = std::make_unique<ObjectStore>(store->db_.get());
  CMCP_RETURN_IF_ERROR(store->objects_->Init());
  store->catalog_ = std::make_unique<Catalog>(store->db_.get(), store->objects_.get());
  store->records_ = std::make_unique<RecordStore>(store->db_.get(), store->catalog_.get(), clock);
  store->attachments_ = std::make_unique<AttachmentStore>(store->db_.get());
  CMCP_RETURN_IF_ERROR(store->attachments_->Init());
  absl::MutexLock lock(&store->mu_);
  CMCP_ASSIGN_OR_RETURN(bool empty, store->objects_->Empty());
  if (empty) {
    CMCP_RETURN_IF_ERROR(store->ApplySeed());
  } else {
    CMCP_RETURN_IF_ERROR(store->catalog_->Load());
  }
  return store;
}

absl::Status SandboxStore::ApplySeed() {
  CMCP_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  absl::Status status = sandbox::ApplySeed(seed_, *this);
  if (!status.ok()) {
    (void)db_->Exec("ROLLBACK");
    return absl::Status(status.code(), absl::StrCat("seed: ", status.message()));
  }
  return db_->Exec("COMMIT");
}

absl::Status SandboxStore::Reset() {
  db_->ClearCache();
  // Every user table, then every sandbox table, then the designs.
  std::vector<std::string> drops;
  {
    CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                               "(name LIKE 'u\\_%' ESCAPE '\\' OR name LIKE '\\_sandbox\\_%' ESCAPE '\\')"));
    while (true) {
      CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      drops.emplace_back(s->Text(0));
    }
  }
  db_->ClearCache();
  for (const std::string& table : drops) {
    CMCP_RETURN_IF_ERROR(db_->Exec(absl::StrCat("DROP TABLE IF EXISTS ", QuoteIdentifier(table))));
  }
  CMCP_RETURN_IF_ERROR(objects_->Init());
  CMCP_RETURN_IF_ERROR(attachments_->Init());
  CMCP_RETURN_IF_ERROR(catalog_->Load());
  return ApplySeed();
}

}  // namespace cmcp::sandbox
