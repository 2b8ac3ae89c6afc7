#include "sandbox/caspio/api/api_common.h"

#include "absl/strings/match.h"

namespace cmcp::sandbox {

namespace {
constexpr char kJsonType[] = "application/json; charset=utf-8";
}  // namespace

std::string DumpJson(const ojson& value) { return value.dump(-1, ' ', false, ojson::error_handler_t::replace); }

HttpResponse JsonResponse(int status, const ojson& body) { return RawJsonResponse(status, DumpJson(body)); }

HttpResponse ResultResponse(const ojson& result, int status) {
  ojson body;
  body["Result"] = result;
  return JsonResponse(status, body);
}

HttpResponse RawJsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.Add("Content-Type", kJsonType);
  r.body = std::move(body);
  return r;
}

HttpResponse NoContent(int status) { return HttpResponse::Empty(status); }

const nlohmann::json* Member(const nlohmann::json& object, absl::string_view name) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (absl::EqualsIgnoreCase(it.key(), name)) return &*it;
  }
  return nullptr;
}

}  // namespace cmcp::sandbox
