#include "sandbox/caspio/api/webhooks_api.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/status/status_macros.h"
#include "sandbox/caspio/util/caspio_status.h"

namespace cmcp::sandbox {
namespace {

using json = nlohmann::json;

constexpr char kActor[] = "REST API";
constexpr const char* kEventTypes[] = {"table.recordInsert", "table.recordUpdate", "table.recordDelete"};
constexpr const char* kEventSources[] = {"Datasheet", "DataPages", "RESTAPIs", "TriggeredActions",
                                         "Tasks",     "DataParts", "Extensions"};

std::string S(const json& doc, const char* key) {
  return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : "";
}

ojson Strings(const json& doc, const char* key) {
  ojson out = ojson::array();
  if (doc.contains(key) && doc[key].is_array()) {
    for (const json& v : doc[key]) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

ojson NullableString(const json& doc, const char* key) {
  return doc.contains(key) && doc[key].is_string() ? ojson(doc[key].get<std::string>()) : ojson(nullptr);
}

int64_t Int(const json& doc, const char* key) {
  return doc.contains(key) && doc[key].is_number_integer() ? doc[key].get<int64_t>() : 0;
}

// The properties a webhook shows in list, get and put answers.
ojson WebhookJson(const json& w, bool with_counters, int64_t events) {
  ojson o;
  o["Id"] = S(w, "Id");
  o["Status"] = S(w, "Status");
  o["Name"] = S(w, "Name");
  o["Description"] = NullableString(w, "Description");
  o["OutgoingUrls"] = Strings(w, "OutgoingUrls");
  o["CallThrottling"] = Int(w, "CallThrottling");
  if (with_counters) {
    o["Events"] = events;
    o["Messages"] = Int(w, "Messages");
    o["Calls"] = Int(w, "Calls");
    o["Errors"] = Int(w, "Errors");
  }
  o["LastModified"] = NullableString(w, "LastModified");
  o["ModifiedBy"] = NullableString(w, "ModifiedBy");
  o["DateCreated"] = S(w, "DateCreated");
  o["CreatedBy"] = NullableString(w, "CreatedBy");
  return o;
}

enum class EventView { kList, kGet, kPost, kPut };

ojson EventJson(const json& e, EventView view) {
  ojson o;
  o["Id"] = S(e, "Id");
  o["Type"] = S(e, "Type");
  o["Status"] = S(e, "Status");
  o["ObjectName"] = NullableString(e, "ObjectName");
  if (view == EventView::kList || view == EventView::kGet) o["ObjectId"] = NullableString(e, "ObjectId");
  o["ObjectFields"] = Strings(e, "ObjectFields");
  o["EventSources"] = Strings(e, "EventSources");
  o["CustomPayloadFields"] = Strings(e, "CustomPayloadFields");
  o["CustomPayloadTemplate"] = NullableString(e, "CustomPayloadTemplate");
  if (view == EventView::kGet) {
    o["Messages"] = Int(e, "Messages");
    o["Calls"] = Int(e, "Calls");
    o["Errors"] = Int(e, "Errors");
  }
  if (view != EventView::kPost) {
    o["LastModified"] = NullableString(e, "LastModified");
    o["ModifiedBy"] = NullableString(e, "ModifiedBy");
  }
  o["DateCreated"] = S(e, "DateCreated");
  o["CreatedBy"] = NullableString(e, "CreatedBy");
  return o;
}

absl::StatusOr<std::vector<std::string>> StringList(const json& body, const char* name) {
  std::vector<std::string> out;
  const json* value = Member(body, name);
  if (value == nullptr || value->is_null()) return out;
  if (!value->is_array()) return IncorrectBodyParameter(absl::StrCat("'", name, "' must be an array of strings."));
  for (const json& item : *value) {
    if (!item.is_string()) return IncorrectBodyParameter(absl::StrCat("'", name, "' must be an array of strings."));
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

absl::StatusOr<json> WebhooksApi::Webhook(const ApiRequest& r) {
  const std::string& id = r.Path("webhookId");
  CMCP_ASSIGN_OR_RETURN(auto w, store_->objects().Get("webhook", absl::AsciiStrToLower(id)));
  if (!w.has_value()) return ObjectNotFound(absl::StrCat("Outgoing webhook '", id, "' was not found."));
  return *std::move(w);
}

absl::StatusOr<std::vector<json>> WebhooksApi::Events(const json& webhook) {
  CMCP_ASSIGN_OR_RETURN(std::vector<json> all, store_->objects().List("webhook_event"));
  std::vector<json> out;
  for (json& e : all) {
    if (absl::EqualsIgnoreCase(S(e, "WebhookId"), S(webhook, "Id"))) out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<json> WebhooksApi::Event(const ApiRequest& r, const json& webhook) {
  const std::string& id = r.Path("eventId");
  CMCP_ASSIGN_OR_RETURN(auto e, store_->objects().Get("webhook_event", absl::AsciiStrToLower(id)));
  if (!e.has_value() || !absl::EqualsIgnoreCase(S(*e, "WebhookId"), S(webhook, "Id"))) {
    return ObjectNotFound(absl::StrCat("Event '", id, "' of webhook '", S(webhook, "Id"), "' was not found."));
  }
  return *std::move(e);
}

absl::Status WebhooksApi::ApplyWebhook(const json& body, bool creating, const std::string& self_id, json* w) {
  if (!body.is_object()) return IncorrectBodyParameter("The body must be a JSON object.");
  if (const json* name = Member(body, "Name"); name != nullptr && !name->is_null()) {
    if (!name->is_string() || absl::StripAsciiWhitespace(name->get<std::string>()).empty()) {
      return IncorrectBodyParameter("'Name' must be a non-empty string.");
    }
    CMCP_ASSIGN_OR_RETURN(std::vector<json> all, store_->objects().List("webhook"));
    for (const json& other : all) {
      if (S(other, "Id") != self_id && absl::EqualsIgnoreCase(S(other, "Name"), name->get<std::string>())) {
        return IncorrectBodyParameter(absl::StrCat("An outgoing webhook named '", name->get<std::string>(),
                                                   "' already exists."));
      }
    }
    (*w)["Name"] = name->get<std::string>();
  } else if (creating) {
    return IncorrectBodyParameter("'Name' is required.");
  }
  if (const json* d = Member(body, "Description"); d != nullptr) {
    if (!d->is_null() && !d->is_string()) return IncorrectBodyParameter("'Description' must be a string.");
    (*w)["Description"] = *d;
  }
  if (const json* urls = Member(body, "OutgoingUrls"); urls != nullptr && !urls->is_null()) {
    CMCP_ASSIGN_OR_RETURN(std::vector<std::string> list, StringList(body, "OutgoingUrls"));
    if (list.empty()) return IncorrectBodyParameter("'OutgoingUrls' must list at least one URL.");
    for (size_t i = 0; i < list.size(); ++i) {
      if (!absl::StartsWithIgnoreCase(list[i], "https://") || list[i].size() <= 8) {
        return IncorrectBodyParameter(absl::StrCat("Outgoing URL '", list[i], "' must be an absolute https:// URL."));
      }
      for (size_t j = 0; j < i; ++j) {
        if (absl::EqualsIgnoreCase(list[i], list[j])) {
          return IncorrectBodyParameter(absl::StrCat("Outgoing URL '", list[i], "' is listed twice."));
        }
      }
    }
    (*w)["OutgoingUrls"] = list;
  } else if (creating) {
    return IncorrectBodyParameter("'OutgoingUrls' is required.");
  }
  if (const json* t = Member(body, "CallThrottling"); t != nullptr && !t->is_null()) {
    if (!t->is_number_integer() || t->get<int64_t>() <= 0 || t->get<int64_t>() > kPlanMaxCallThrottling) {
      return IncorrectBodyParameter(absl::StrCat("'CallThrottling' must be an integer from 1 to ",
                                                 kPlanMaxCallThrottling, " (the plan maximum)."));
    }
    (*w)["CallThrottling"] = t->get<int64_t>();
  } else if (creating) {
    (*w)["CallThrottling"] = kPlanMaxCallThrottling;
  }
  return absl::OkStatus();
}

absl::Status WebhooksApi::ApplyEvent(const json& body, const json& webhook, const std::string& self_id, json* e) {
  if (!body.is_object()) return IncorrectBodyParameter("The body must be a JSON object.");
  const json* type = Member(body, "EventType");
  if (type == nullptr || !type->is_string()) return IncorrectBodyParameter("'EventType' is required.");
  std::string event_type;
  for (const char* t : kEventTypes) {
    if (absl::EqualsIgnoreCase(t, type->get<std::string>())) event_type = t;
  }
  if (event_type.empty()) {
    return IncorrectBodyParameter(absl::StrCat("'EventType' must be table.recordInsert, table.recordUpdate or "
                                               "table.recordDelete, not '", type->get<std::string>(), "'."));
  }
  const json* object = Member(body, "ObjectName");
  if (object == nullptr || !object->is_string()) return IncorrectBodyParameter("'ObjectName' (a table) is required.");
  const TableDef* table = store_->catalog().FindTable(object->get<std::string>());
  if (table == nullptr) {
    return IncorrectBodyParameter(absl::StrCat("Table '", object->get<std::string>(), "' was not found."));
  }
  auto fields_of_table = [&](const char* name) -> absl::StatusOr<std::vector<std::string>> {
    CMCP_ASSIGN_OR_RETURN(std::vector<std::string> fields, StringList(body, name));
    for (std::string& f : fields) {
      const FieldDef* field = table->FindField(f);
      if (field == nullptr && !absl::EqualsIgnoreCase(f, "PK_ID")) {
        return IncorrectBodyParameter(absl::StrCat("'", name, "': field '", f, "' is not in table '", table->name, "'."));
      }
      if (field != nullptr) f = field->name;
    }
    return fields;
  };
  CMCP_ASSIGN_OR_RETURN(std::vector<std::string> object_fields, fields_of_table("ObjectFields"));
  if (!object_fields.empty() && event_type != "table.recordUpdate") {
    return IncorrectBodyParameter("'ObjectFields' applies to table.recordUpdate events only.");
  }
  CMCP_ASSIGN_OR_RETURN(std::vector<std::string> payload_fields, fields_of_table("CustomPayloadFields"));
  CMCP_ASSIGN_OR_RETURN(std::vector<std::string> sources, StringList(body, "EventSources"));
  for (std::string& s : sources) {
    bool known = false;
    for (const char* k : kEventSources) {
      if (absl::EqualsIgnoreCase(k, s)) {
        s = k;
        known = true;
      }
    }
    if (!known) return IncorrectBodyParameter(absl::StrCat("Unknown event source '", s, "'."));
  }
  const json* template_text = Member(body, "CustomPayloadTemplate");
  if (template_text != nullptr && !template_text->is_null() && !template_text->is_string()) {
    return IncorrectBodyParameter("'CustomPayloadTemplate' must be a string.");
  }
  const json* enabled = Member(body, "Enabled");
  if (enabled != nullptr && !enabled->is_null() && !enabled->is_boolean()) {
    return IncorrectBodyParameter("'Enabled' must be true or false.");
  }
  // One insert and one delete event per table and webhook.
  if (event_type != "table.recordUpdate") {
    CMCP_ASSIGN_OR_RETURN(std::vector<json> events, Events(webhook));
    for (const json& other : events) {
      if (S(other, "Id") != self_id && S(other, "Type") == event_type &&
          absl::EqualsIgnoreCase(S(other, "ObjectName"), table->name)) {
        return IncorrectBodyParameter(absl::StrCat("Webhook '", S(webhook, "Name"), "' already has a ", event_type,
                                                   " event for table '", table->name, "'."));
      }
    }
  }
  (*e)["Type"] = event_type;
  (*e)["ObjectName"] = table->name;
  (*e)["ObjectId"] = Hex(Sha256(absl::AsciiStrToLower(table->name))).substr(0, 32);
  (*e)["ObjectFields"] = object_fields;
  (*e)["EventSources"] = sources;
  (*e)["CustomPayloadFields"] = payload_fields;
  (*e)["CustomPayloadTemplate"] = template_text != nullptr && template_text->is_string() ? *template_text : json();
  const bool on = enabled != nullptr && enabled->is_boolean() ? enabled->get<bool>() : true;
  (*e)["Status"] = on ? "Enabled" : "Disabled";
  return absl::OkStatus();
}

absl::StatusOr<HttpResponse> WebhooksApi::List(const ApiRequest&) {
  CMCP_ASSIGN_OR_RETURN(std::vector<json> all, store_->objects().List("webhook"));
  ojson out = ojson::array();
  for (const json& w : all) out.push_back(WebhookJson(w, false, 0));
  return JsonResponse(200, out);
}

absl::StatusOr<HttpResponse> WebhooksApi::Create(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  json w = json::object();
  CMCP_RETURN_IF_ERROR(ApplyWebhook(body, /*creating=*/true, "", &w));
  const std::string now = IsoUtc(store_->clock().Now());
  w["Id"] = NewUuid();
  w["Status"] = "Enabled";
  w["Secret"] = Base64UrlEncode(RandomBytes(32));
  w["DateCreated"] = now;
  w["CreatedBy"] = kActor;
  CMCP_RETURN_IF_ERROR(store_->objects().Put("webhook", S(w, "Id"), w));
  ojson o;
  o["Id"] = S(w, "Id");
  o["Name"] = S(w, "Name");
  o["Description"] = NullableString(w, "Description");
  o["OutgoingUrls"] = Strings(w, "OutgoingUrls");
  o["CallThrottling"] = Int(w, "CallThrottling");
  o["Secret"] = S(w, "Secret");
  o["DateCreated"] = now;
  o["CreatedBy"] = kActor;
  return JsonResponse(201, o);
}

absl::StatusOr<HttpResponse> WebhooksApi::Get(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json w, Webhook(r));
  CMCP_ASSIGN_OR_RETURN(std::vector<json> events, Events(w));
  return JsonResponse(200, WebhookJson(w, true, static_cast<int64_t>(events.size())));
}

absl::StatusOr<HttpResponse> WebhooksApi::Update(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json w, Webhook(r));
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  CMCP_RETURN_IF_ERROR(ApplyWebhook(body, /*creating=*/false, S(w, "Id"), &w));
  const std::string now = IsoUtc(store_->clock().Now());
  if (const json* enabled = Member(body, "Enabled"); enabled != nullptr && !enabled->is_null()) {
    if (!enabled->is_boolean()) return IncorrectBodyParameter("'Enabled' must be true or false.");
    const std::string status = enabled->get<bool>() ? "Enabled" : "Disabled";
    w["Status"] = status;
    // Enabled toggles every event of the webhook.
    CMCP_ASSIGN_OR_RETURN(std::vector<json> events, Events(w));
    for (json& e : events) {
      e["Status"] = status;
      e["LastModified"] = now;
      e["ModifiedBy"] = kActor;
      CMCP_RETURN_IF_ERROR(store_->objects().Put("webhook_event", absl::AsciiStrToLower(S(e, "Id")), e));
    }
  }
  w["LastModified"] = now;
  w["ModifiedBy"] = kActor;
  CMCP_RETURN_IF_ERROR(store_->objects().Put("webhook", absl::AsciiStrToLower(S(w, "Id")), w));
  ojson o = WebhookJson(w, false, 0);
  return JsonResponse(200, o);
}

absl::StatusOr<HttpResponse> WebhooksApi::Delete(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json w, Webhook(r));
  CMCP_ASSIGN_OR_RETURN(std::vector<json> events, Events(w));
  for (const json& e : events) {
    CMCP_RETURN_IF_ERROR(store_->objects().Delete("webhook_event", absl::AsciiStrToLower(S(e, "Id"))).status());
  }
  CMCP_RETURN_IF_ERROR(store_->objects().Delete("webhook", absl::AsciiStrToLower(S(w, "Id"))).status());
  return NoContent(204);
}

absl::StatusOr<HttpResponse> WebhooksApi::ListEvents(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json w, Webhook(r));
  CMCP_ASSIGN_OR_RETURN(std::vector<json> events, Events(w));
  ojson out = ojson::array();
  for (const json& e : events) out.push_back(EventJson(e, EventView::kList));
  return JsonResponse(200, out);
}

absl::StatusOr<HttpResponse> WebhooksApi::CreateEvent(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json w, Webhook(r));
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  json e = json::object();
  CMCP_RETURN_IF_ERROR(ApplyEvent(body, w, "", &e));
  e["Id"] = NewUuid();
  e["WebhookId"] = S(w, "Id");
  e["DateCreated"] = IsoUtc(store_->clock().Now());
  e["CreatedBy"] = kActor;
  CMCP_RETURN_IF_ERROR(store_->objects().Put("webhook_event", S(e, "Id"), e));
  return JsonResponse(201, EventJson(e, EventView::kPost));
}

absl::StatusOr<HttpResponse> WebhooksApi::GetEvent(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json w, Webhook(r));
  CMCP_ASSIGN_OR_RETURN(json e, Event(r, w));
  return JsonResponse(200, EventJson(e, EventView::kGet));
}

absl::StatusOr<HttpResponse> WebhooksApi::UpdateEvent(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json w, Webhook(r));
  CMCP_ASSIGN_OR_RETURN(json e, Event(r, w));
  CMCP_ASSIGN_OR_RETURN(json body, r.JsonBody());
  CMCP_RETURN_IF_ERROR(ApplyEvent(body, w, S(e, "Id"), &e));
  e["LastModified"] = IsoUtc(store_->clock().Now());
  e["ModifiedBy"] = kActor;
  CMCP_RETURN_IF_ERROR(store_->objects().Put("webhook_event", absl::AsciiStrToLower(S(e, "Id")), e));
  return JsonResponse(200, EventJson(e, EventView::kPut));
}

absl::StatusOr<HttpResponse> WebhooksApi::DeleteEvent(const ApiRequest& r) {
  CMCP_ASSIGN_OR_RETURN(json w, Webhook(r));
  CMCP_ASSIGN_OR_RETURN(json e, Event(r, w));
  CMCP_RETURN_IF_ERROR(store_->objects().Delete("webhook_event", absl::AsciiStrToLower(S(e, "Id"))).status());
  return NoContent(204);
}

void WebhooksApi::Register(ApiRoutes& routes) {
  auto bind = [this](absl::StatusOr<HttpResponse> (WebhooksApi::*method)(const ApiRequest&)) {
    return [this, method](const ApiRequest& r) { return (this->*method)(r); };
  };
  const std::string base = "/v3/outgoingWebhooks";
  routes.Add("GET", base, "ListOutgoingWebhooks", bind(&WebhooksApi::List));
  routes.Add("POST", base, "CreateOutgoingWebhook", bind(&WebhooksApi::Create));
  routes.Add("GET", base + "/{webhookId}", "GetOutgoingWebhook", bind(&WebhooksApi::Get));
  routes.Add("PUT", base + "/{webhookId}", "UpdateOutgoingWebhook", bind(&WebhooksApi::Update));
  routes.Add("DELETE", base + "/{webhookId}", "DeleteOutgoingWebhook", bind(&WebhooksApi::Delete));
  routes.Add("GET", base + "/{webhookId}/events", "ListOutgoingWebhookEvents", bind(&WebhooksApi::ListEvents));
  routes.Add("POST", base + "/{webhookId}/events", "CreateOutgoingWebhookEvent", bind(&WebhooksApi::CreateEvent));
  routes.Add("GET", base + "/{webhookId}/events/{eventId}", "GetOutgoingWebhookEvent", bind(&WebhooksApi::GetEvent));
  routes.Add("PUT", base + "/{webhookId}/events/{eventId}", "UpdateOutgoingWebhookEvent",
             bind(&WebhooksApi::UpdateEvent));
  routes.Add("DELETE", base + "/{webhookId}/events/{eventId}", "DeleteOutgoingWebhookEvent",
             bind(&WebhooksApi::DeleteEvent));
}

}  // namespace cmcp::sandbox
