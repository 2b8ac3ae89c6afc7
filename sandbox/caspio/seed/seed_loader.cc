#include "sandbox/caspio/seed/seed_loader.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
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
    auto pk = store.records().Insert(source, record, /*trusted=*/true);
    if (!pk.ok()) return SeedError(absl::StrCat(where, " record ", index), pk.status().message());
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
    for (const char* kind : {"directories", "bridgeApplications", "outgoingWebhooks", "dataImportExportTasks"}) {
      (void)kind;
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
