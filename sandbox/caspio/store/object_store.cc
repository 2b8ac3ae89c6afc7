#include "sandbox/caspio/store/object_store.h"

#include <sqlite3.h>

#include "common/status/status_macros.h"

namespace cmcp::sandbox {

using json = nlohmann::json;

absl::Status ObjectStore::Init() {
  return db_->Exec(
      "CREATE TABLE IF NOT EXISTS _sandbox_objects(kind TEXT NOT NULL, id TEXT NOT NULL, "
      "seq INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(kind, id));"
      "CREATE INDEX IF NOT EXISTS _sandbox_objects_seq ON _sandbox_objects(kind, seq);"
      "CREATE TABLE IF NOT EXISTS _sandbox_blobs(id TEXT PRIMARY KEY, data BLOB NOT NULL);");
}

absl::StatusOr<bool> ObjectStore::Empty() {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT COUNT(*) FROM _sandbox_objects"));
  CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
  return !row || s->Int64(0) == 0;
}

absl::StatusOr<std::vector<json>> ObjectStore::List(absl::string_view kind) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT doc FROM _sandbox_objects WHERE kind = ? ORDER BY seq"));
  CMCP_RETURN_IF_ERROR(s->Bind(1, std::string(kind)));
  std::vector<json> out;
  while (true) {
    CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    json doc = json::parse(s->Text(0), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return absl::DataLossError("stored document is not JSON");
    out.push_back(std::move(doc));
  }
  return out;
}

absl::StatusOr<std::optional<json>> ObjectStore::Get(absl::string_view kind, absl::string_view id) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT doc FROM _sandbox_objects WHERE kind = ? AND id = ?"));
  CMCP_RETURN_IF_ERROR(s->Bind(1, std::string(kind)));
  CMCP_RETURN_IF_ERROR(s->Bind(2, std::string(id)));
  CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<json>();
  json doc = json::parse(s->Text(0), nullptr, false);
  if (doc.is_discarded()) return absl::DataLossError("stored document is not JSON");
  return std::optional<json>(std::move(doc));
}

absl::Status ObjectStore::Put(absl::string_view kind, absl::string_view id, const json& doc) {
  CMCP_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("INSERT INTO _sandbox_objects(kind, id, seq, doc) VALUES (?1, ?2, "
                           "(SELECT COALESCE(MAX(seq), 0) + 1 FROM _sandbox_objects WHERE kind = ?1), ?3) "
                           "ON CONFLICT(kind, id) DO UPDATE SET doc = excluded.doc"));
  CMCP_RETURN_IF_ERROR(s->Bind(1, std::string(kind)));
  CMCP_RETURN_IF_ERROR(s->Bind(2, std::string(id)));
  CMCP_RETURN_IF_ERROR(s->Bind(3, doc.dump(-1, ' ', false, json::error_handler_t::replace)));
  return s->Run();
}

absl::StatusOr<bool> ObjectStore::Delete(absl::string_view kind, absl::string_view id) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM _sandbox_objects WHERE kind = ? AND id = ?"));
  CMCP_RETURN_IF_ERROR(s->Bind(1, std::string(kind)));
  CMCP_RETURN_IF_ERROR(s->Bind(2, std::string(id)));
  CMCP_RETURN_IF_ERROR(s->Run());
  return db_->Changes() > 0;
}

absl::Status ObjectStore::PutBlob(absl::string_view id, absl::string_view data) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("INSERT OR REPLACE INTO _sandbox_blobs(id, data) VALUES (?, ?)"));
  CMCP_RETURN_IF_ERROR(s->Bind(1, std::string(id)));
  CMCP_RETURN_IF_ERROR(s->BindBlob(2, data));
  return s->Run();
}

absl::StatusOr<std::optional<std::string>> ObjectStore::GetBlob(absl::string_view id) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT data FROM _sandbox_blobs WHERE id = ?"));
  CMCP_RETURN_IF_ERROR(s->Bind(1, std::string(id)));
  CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(s->Blob(0)));
}

absl::Status ObjectStore::DeleteBlob(absl::string_view id) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM _sandbox_blobs WHERE id = ?"));
  CMCP_RETURN_IF_ERROR(s->Bind(1, std::string(id)));
  return s->Run();
}

}  // namespace cmcp::sandbox
