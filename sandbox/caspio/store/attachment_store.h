// File: attachment_store.h
// Files held in ATTACHMENT fields, one per record and field: bytes and the
// metadata Caspio reports (FileName without extension, FileType = extension,
// Size, DateCreated, DateUpdated). Keyed by table, field and PK_ID.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sandbox/caspio/store/sqlite_db.h"

namespace cmcp::sandbox {

struct AttachmentInfo {
  int64_t pk_id = 0;
  std::string file_name;  // without extension
  std::string file_type;  // extension, e.g. "pdf"
  std::string content_type;
  int64_t size = 0;
  std::string date_created;
  std::string date_updated;
  // "name.ext", the value shown in the record's field.
  std::string FullName() const;
};

// Splits "report.final.pdf" into {"report.final", "pdf"}.
std::pair<std::string, std::string> SplitFileName(absl::string_view full_name);

class AttachmentStore {
 public:
  explicit AttachmentStore(SqliteDb* db) : db_(db) {}
  absl::Status Init();

  // Creates or replaces; DateCreated survives a replacement.
  absl::Status Put(absl::string_view table, absl::string_view field, int64_t pk_id, absl::string_view full_name,
                   absl::string_view content_type, absl::string_view data, absl::string_view now);
  struct Stored {
    AttachmentInfo info;
    std::string data;
  };
  absl::StatusOr<std::optional<Stored>> Get(absl::string_view table, absl::string_view field, int64_t pk_id);
  // Metadata for these records (absent ones are skipped).
  absl::StatusOr<std::vector<AttachmentInfo>> List(absl::string_view table, absl::string_view field,
                                                   const std::vector<int64_t>& pk_ids);
  // Returns how many attachments were removed.
  absl::StatusOr<int64_t> Delete(absl::string_view table, absl::string_view field, const std::vector<int64_t>& pk_ids);
  // Renames the file of each record that has one; returns the PK_IDs renamed.
  absl::StatusOr<std::vector<int64_t>> Rename(absl::string_view table, absl::string_view field,
                                              const std::vector<int64_t>& pk_ids, absl::string_view new_name,
                                              absl::string_view now);
  absl::Status DeleteRecords(absl::string_view table, const std::vector<int64_t>& pk_ids);
  absl::Status DeleteField(absl::string_view table, absl::string_view field);
  absl::Status RenameField(absl::string_view table, absl::string_view from, absl::string_view to);

 private:
  SqliteDb* db_;
};

}  // namespace cmcp::sandbox
