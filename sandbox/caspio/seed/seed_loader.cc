#include "sandbox/caspio/seed/seed_loader.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/store/sandbox_store.h"

namespace cmcp::sandbox {

extern const unsigned char kEmbeddedSeedJson[];
extern const size_t kEmbeddedSeedJsonSize;

namespace {

using json = nlohmann::json;

absl::Status SeedError(absl::string_view where, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", message));
}

std::string Str(const json& object, const char* key, absl::string_view fallback = "") {
  if (object.is_object() && object.contains(key) && object[key].is_string()) return object[key].get<std::string>();
  return std::string(fallback);
}

// The bytes of a seeded file: "Text" (UTF-8) or "Base64".
absl::StatusOr<std::string> Content(const json& doc, absl::string_view where) {
  if (doc.contains("Base64")) {
    auto decoded = Base64Decode(Str(doc, "Base64"));
    if (!decoded.ok()) return SeedError(where, "Base64 content is not valid base64");
    return *std::move(decoded);
  }
  return Str(doc, "Text");
}

// Documents keep their ids lower-case: lookups are case-insensitive.
absl::Status PutDoc(SandboxStore& store, absl::string_view kind, const std::string& id, const json& doc) {
  if (id.empty()) return SeedError(kind, "an object has no id");
  return store.objects().Put(kind, absl::AsciiStrToLower(id), doc);
}

absl::Status SeedTable(const json& doc, SandboxStore& store) {
  TableDef table;
  table.name = Str(doc, "Name");
  table.note = Str(doc, "Note");
  table.directory = doc.value("Directory", false);
  const std::string where = absl::StrCat("table '", table.name, "'");
  for (const json& model : doc.value("Fields", json::array())) {
    auto field = FieldFromModel(model);
    if (!field.ok()) return SeedError(where, field.status().message());
    table.fields.push_back(*std::move(field));
  }
  CMCP_RETURN_IF_ERROR(store.catalog().CreateTable(std::move(table)));
  CMCP_ASSIGN_OR_RETURN(RecordSource source, RecordSource::Table(store.catalog(), Str(doc, "Name")));
  if (source.base().directory) source = RecordSource::Directory(&source.base());
  int index = 0;
  for (const json& record : doc.value("Records", json::array())) {
    ++index;
    const std::string at = absl::StrCat(where, " record ", index);
    auto pk = store.records().Insert(source, record, /*trusted=*/true);
    if (!pk.ok()) return SeedError(at, pk.status().message());
    // Attachment fields carry {"FileName", "ContentType", "Text" | "Base64"}.
    for (auto it = record.begin(); it != record.end(); ++it) {
      const FieldDef* field = source.ResolveField(it.key());
      if (field == nullptr || field->type != FieldType::kAttachment || it->is_null()) continue;
      CMCP_ASSIGN_OR_RETURN(std::string data, Content(*it, at));
      const std::string name = Str(*it, "FileName");
      if (name.empty()) return SeedError(at, "an attachment needs a FileName");
      CMCP_RETURN_IF_ERROR(store.attachments().Put(source.base().name, field->name, *pk, name,
                                                   Str(*it, "ContentType", "application/octet-stream"), data,
                                                   Str(*it, "DateCreated", "2024-01-01T00:00:00")));
      CMCP_RETURN_IF_ERROR(store.records().SetAttachmentValue(source, *field, *pk, name));
    }
  }
  return absl::OkStatus();
}

absl::Status SeedView(const json& doc, SandboxStore& store) {
  ViewDef view;
  view.name = Str(doc, "Name");
  view.note = Str(doc, "Note");
  view.table = Str(doc, "Table");
  view.filter = Str(doc, "Filter");
  view.fields = doc.value("Fields", std::vector<std::string>());
  absl::Status status = store.catalog().CreateView(std::move(view));
  if (!status.ok()) return SeedError(absl::StrCat("view '", Str(doc, "Name"), "'"), status.message());
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplySeed(const json& seed, SandboxStore& store) {
  if (!seed.is_object()) return absl::InvalidArgumentError("the seed must be a JSON object");
  try {
    for (const json& table : seed.value("tables", json::array())) CMCP_RETURN_IF_ERROR(SeedTable(table, store));
    for (const json& view : seed.value("views", json::array())) CMCP_RETURN_IF_ERROR(SeedView(view, store));
    for (const json& d : seed.value("directories", json::array())) {
      const TableDef* table = store.catalog().FindTable(Str(d, "Table"));
      if (table == nullptr || !table->directory) {
        return SeedError(absl::StrCat("directory '", Str(d, "Name"), "'"), "its Table must be a table with Directory: true");
      }
      CMCP_RETURN_IF_ERROR(PutDoc(store, "directory", Str(d, "Id"), d));
    }
    const json files = seed.value("files", json::object());
    for (const json& folder : files.value("folders", json::array())) {
      CMCP_RETURN_IF_ERROR(PutDoc(store, "folder", Str(folder, "ExternalKey"), folder));
    }
    for (json file : files.value("files", json::array())) {
      const std::string key = Str(file, "ExternalKey");
      CMCP_ASSIGN_OR_RETURN(std::string data, Content(file, absl::StrCat("file '", Str(file, "Name"), "'")));
      file.erase("Text");
      file.erase("Base64");
      file["Size"] = data.size();
      if (!file.contains("Folder")) file["Folder"] = "";
      CMCP_RETURN_IF_ERROR(PutDoc(store, "file", key, file));
      CMCP_RETURN_IF_ERROR(store.objects().PutBlob(absl::StrCat("file:", key), data));
    }
    for (const json& app : seed.value("bridgeApplications", json::array())) {
      json stored = app;
      stored.erase("DataPages");
      CMCP_RETURN_IF_ERROR(PutDoc(store, "app", Str(app, "ExternalKey"), stored));
      for (json page : app.value("DataPages", json::array())) {
        page["App"] = Str(app, "ExternalKey");
        CMCP_RETURN_IF_ERROR(PutDoc(store, "datapage", Str(page, "AppKey"), page));
      }
    }
    for (const json& webhook : seed.value("outgoingWebhooks", json::array())) {
      json stored = webhook;
      stored.erase("Events");
      CMCP_RETURN_IF_ERROR(PutDoc(store, "webhook", Str(webhook, "Id"), stored));
      for (json event : webhook.value("Events", json::array())) {
        event["WebhookId"] = Str(webhook, "Id");
        if (!event.contains("ObjectId") || event["ObjectId"].is_null()) {
          event["ObjectId"] = Hex(Sha256(absl::AsciiStrToLower(Str(event, "ObjectName")))).substr(0, 32);
        }
        CMCP_RETURN_IF_ERROR(PutDoc(store, "webhook_event", Str(event, "Id"), event));
      }
    }
    for (const json& task : seed.value("dataImportExportTasks", json::array())) {
      CMCP_RETURN_IF_ERROR(PutDoc(store, "task", Str(task, "ExternalKey"), task));
    }
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed seed: ", e.what()));
  }
  return absl::OkStatus();
}

absl::StatusOr<json> EmbeddedSeed() {
  const char* begin = reinterpret_cast<const char*>(kEmbeddedSeedJson);
  json seed = json::parse(begin, begin + kEmbeddedSeedJsonSize, nullptr, false);
  if (seed.is_discarded()) return absl::InternalError("the embedded seed is not valid JSON");
  return seed;
}

absl::StatusOr<json> ReadSeedFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read seed file \"", path, "\""));
  std::stringstream text;
  text << in.rdbuf();
  json seed = json::parse(text.str(), nullptr, false);
  if (seed.is_discarded()) return absl::InvalidArgumentError(absl::StrCat("seed file \"", path, "\" is not valid JSON"));
  return seed;
}

}  // namespace cmcp::sandbox
