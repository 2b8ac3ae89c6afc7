#include "sandbox/caspio/store/attachment_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status_macros.h"

namespace cmcp::sandbox {
namespace {

std::string Key(absl::string_view name) { return absl::AsciiStrToLower(name); }

std::string Marks(size_t n) {
  std::vector<std::string> marks(n, "?");
  return absl::StrJoin(marks, ",");
}

constexpr char kColumns[] = "pk, file_name, file_type, content_type, size, created, updated";

AttachmentInfo ReadInfo(const SqliteDb::Statement& s) {
  AttachmentInfo info;
  info.pk_id = s.Int64(0);
  info.file_name = std::string(s.Text(1));
  info.file_type = std::string(s.Text(2));
  info.content_type = std::string(s.Text(3));
  info.size = s.Int64(4);
  info.date_created = std::string(s.Text(5));
  info.date_updated = std::string(s.Text(6));
  return info;
}

}  // namespace

std::string AttachmentInfo::FullName() const {
  return file_type.empty() ? file_name : absl::StrCat(file_name, ".", file_type);
}

std::pair<std::string, std::string> SplitFileName(absl::string_view full_name) {
  const size_t dot = full_name.rfind('.');
  if (dot == absl::string_view::npos || dot == 0 || dot + 1 == full_name.size()) {
    return {std::string(full_name), ""};
  }
  return {std::string(full_name.substr(0, dot)), std::string(full_name.substr(dot + 1))};
}

absl::Status AttachmentStore::Init() {
  return db_->Exec(
      "CREATE TABLE IF NOT EXISTS _sandbox_attachments(tbl TEXT NOT NULL, field TEXT NOT NULL, pk INTEGER NOT NULL, "
      "file_name TEXT NOT NULL, file_type TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL, "
      "created TEXT NOT NULL, updated TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY(tbl, field, pk))");
}

absl::Status AttachmentStore::Put(absl::string_view table, absl::string_view field, int64_t pk_id,
                                  absl::string_view full_name, absl::string_view content_type, absl::string_view data,
                                  absl::string_view now) {
  auto [name, type] = SplitFileName(full_name);
  CMCP_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("INSERT INTO _sandbox_attachments(tbl, field, pk, file_name, file_type, content_type, size, "
                           "created, updated, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9) "
                           "ON CONFLICT(tbl, field, pk) DO UPDATE SET file_name = excluded.file_name, "
                           "file_type = excluded.file_type, content_type = excluded.content_type, "
                           "size = excluded.size, updated = excluded.updated, data = excluded.data"));
  CMCP_RETURN_IF_ERROR(s->BindAll({Key(table), Key(field), tsql::Value(pk_id), name, type, std::string(content_type),
                                   tsql::Value(static_cast<int64_t>(data.size())), std::string(now)}));
  CMCP_RETURN_IF_ERROR(s->BindBlob(9, data));
  return s->Run();
}

absl::StatusOr<std::optional<AttachmentStore::Stored>> AttachmentStore::Get(absl::string_view table,
                                                                            absl::string_view field, int64_t pk_id) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(absl::StrCat("SELECT ", kColumns,
                                                          ", data FROM _sandbox_attachments WHERE tbl = ? AND "
                                                          "field = ? AND pk = ?")));
  CMCP_RETURN_IF_ERROR(s->BindAll({Key(table), Key(field), tsql::Value(pk_id)}));
  CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<Stored>();
  Stored stored{ReadInfo(*s), std::string(s->Blob(7))};
  return std::optional<Stored>(std::move(stored));
}

absl::StatusOr<std::vector<AttachmentInfo>> AttachmentStore::List(absl::string_view table, absl::string_view field,
                                                                  const std::vector<int64_t>& pk_ids) {
  std::vector<AttachmentInfo> out;
  if (pk_ids.empty()) return out;
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(absl::StrCat("SELECT ", kColumns,
                                                          " FROM _sandbox_attachments WHERE tbl = ? AND field = ? "
                                                          "AND pk IN (",
                                                          Marks(pk_ids.size()), ") ORDER BY pk")));
  std::vector<tsql::Value> params = {Key(table), Key(field)};
  for (int64_t pk : pk_ids) params.emplace_back(pk);
  CMCP_RETURN_IF_ERROR(s->BindAll(params));
  while (true) {
    CMCP_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back(ReadInfo(*s));
  }
  return out;
}

absl::StatusOr<int64_t> AttachmentStore::Delete(absl::string_view table, absl::string_view field,
                                                const std::vector<int64_t>& pk_ids) {
  if (pk_ids.empty()) return 0;
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(absl::StrCat("DELETE FROM _sandbox_attachments WHERE tbl = ? AND "
                                                          "field = ? AND pk IN (",
                                                          Marks(pk_ids.size()), ")")));
  std::vector<tsql::Value> params = {Key(table), Key(field)};
  for (int64_t pk : pk_ids) params.emplace_back(pk);
  CMCP_RETURN_IF_ERROR(s->BindAll(params));
  CMCP_RETURN_IF_ERROR(s->Run());
  return db_->Changes();
}

absl::StatusOr<std::vector<int64_t>> AttachmentStore::Rename(absl::string_view table, absl::string_view field,
                                                             const std::vector<int64_t>& pk_ids,
                                                             absl::string_view new_name, absl::string_view now) {
  CMCP_ASSIGN_OR_RETURN(std::vector<AttachmentInfo> existing, List(table, field, pk_ids));
  std::vector<int64_t> renamed;
  for (const AttachmentInfo& info : existing) {
    auto [name, type] = SplitFileName(new_name);
    // A new name without an extension keeps the file's type.
    if (type.empty() || absl::AsciiStrToLower(type) != absl::AsciiStrToLower(info.file_type)) {
      name = std::string(new_name);
      type = info.file_type;
    }
    CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("UPDATE _sandbox_attachments SET file_name = ?, file_type = ?, "
                                               "updated = ? WHERE tbl = ? AND field = ? AND pk = ?"));
    CMCP_RETURN_IF_ERROR(s->BindAll({name, type, std::string(now), Key(table), Key(field), tsql::Value(info.pk_id)}));
    CMCP_RETURN_IF_ERROR(s->Run());
    renamed.push_back(info.pk_id);
  }
  return renamed;
}

absl::Status AttachmentStore::DeleteRecords(absl::string_view table, const std::vector<int64_t>& pk_ids) {
  if (pk_ids.empty()) return absl::OkStatus();
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare(absl::StrCat("DELETE FROM _sandbox_attachments WHERE tbl = ? AND pk IN (",
                                                          Marks(pk_ids.size()), ")")));
  std::vector<tsql::Value> params = {Key(table)};
  for (int64_t pk : pk_ids) params.emplace_back(pk);
  CMCP_RETURN_IF_ERROR(s->BindAll(params));
  return s->Run();
}

absl::Status AttachmentStore::DeleteField(absl::string_view table, absl::string_view field) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM _sandbox_attachments WHERE tbl = ? AND field = ?"));
  CMCP_RETURN_IF_ERROR(s->BindAll({Key(table), Key(field)}));
  return s->Run();
}

absl::Status AttachmentStore::RenameField(absl::string_view table, absl::string_view from, absl::string_view to) {
  CMCP_ASSIGN_OR_RETURN(auto s, db_->Prepare("UPDATE _sandbox_attachments SET field = ? WHERE tbl = ? AND field = ?"));
  CMCP_RETURN_IF_ERROR(s->BindAll({Key(to), Key(table), Key(from)}));
  return s->Run();
}

}  // namespace cmcp::sandbox
