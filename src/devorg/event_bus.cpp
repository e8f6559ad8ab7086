#include "devorg/event_bus.hpp"

#include "devorg/change_events.hpp"
#include "devorg/schema.hpp"

#include <cstdio>
#include <ctime>

namespace pe::devorg {
namespace {

namespace json = boost::json;

int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The platform events the org defines (src-org/main/default/objects/*__e) and their fields.
struct EventType {
  std::string_view name;
  std::string_view publication;  // the Eventing publication the samples create for it
  std::vector<std::string_view> fields;
};

const std::vector<EventType>& event_types() {
  static const std::vector<EventType> types = {
      {"QuoteGenerationComplete__e", "QuoteGenerationComplete", {"Status__c"}},
  };
  return types;
}

const EventType* find_type(std::string_view name) {
  for (const auto& t : event_types()) {
    if (iequals(t.name, name)) return &t;
  }
  return nullptr;
}

constexpr size_t kMaxText = 255;
constexpr size_t kMaxNotifications = 10'000;

// {"string": "x"} (an Avro-JSON union branch) → "x"; anything else unchanged.
const json::value& unwrap_union(const json::value& v) {
  if (v.is_object() && v.as_object().size() == 1) {
    const auto& [key, inner] = *v.as_object().begin();
    if (key == "string" || key == "long" || key == "int") return inner;
  }
  return v;
}

// The API version's number ("62.0" → 62); 0 when malformed.
int major_version(std::string_view version) {
  int major = 0;
  for (char c : version) {
    if (c < '0' || c > '9') break;
    major = major * 10 + (c - '0');
  }
  return major;
}

}  // namespace

std::string salesforce_datetime(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[96];  // room for any int the compiler can imagine
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

ApiResult<json::object> EventBus::check_fields(std::string_view type_name,
                                               const json::object& fields) const {
  const EventType* type = find_type(type_name);
  if (!type) {
    return ApiError("NOT_FOUND", "The requested resource does not exist", 404);
  }
  json::object out;
  for (const auto& [key, raw] : fields) {
    if (key == "attributes") continue;
    std::string_view canonical;
    for (auto f : type->fields) {
      if (iequals(f, key)) canonical = f;
    }
    if (canonical.empty()) {
      return ApiError("INVALID_FIELD",
                      "No such column '" + printable(key, 80) + "' on sobject of type " +
                          std::string(type->name),
                      400);
    }
    const json::value& value = unwrap_union(raw);
    if (value.is_null()) {
      out[canonical] = nullptr;
      continue;
    }
    if (!value.is_string()) {
      return ApiError("JSON_PARSER_ERROR",
                      "Cannot deserialize instance of string from " +
                          std::string(value.is_object() ? "START_OBJECT" : "VALUE") +
                          " value for field " + std::string(canonical),
                      400);
    }
    if (value.as_string().size() > kMaxText) {
      return ApiError("STRING_TOO_LONG",
                      std::string(canonical) + ": data value too large (max length=255)", 400,
                      {std::string(canonical)});
    }
    out[canonical] = value;
  }
  return out;
}

int64_t EventBus::record(PlatformEvent event) {
  event.replay_id = next_replay_id_++;
  // Play the Flow: QuoteGenerationComplete__e → a custom notification to the publisher.
  if (event.type == "QuoteGenerationComplete__e") {
    Notification n;
    n.replay_id = event.replay_id;
    n.title = "Quotes generated";
    if (auto it = event.fields.find("Status__c");
        it != event.fields.end() && it->value().is_string()) {
      n.body = std::string(it->value().as_string());
    }
    n.recipient = event.created_by;
    n.created_date = event.created_date;
    notifications_.push_back(std::move(n));
    if (notifications_.size() > kMaxNotifications) notifications_.pop_front();
  }
  int64_t replay_id = event.replay_id;
  events_.push_back(std::move(event));
  if (listener_) listener_(events_.back());
  if (events_.size() > max_events_) events_.pop_front();
  return replay_id;
}

ApiResult<PublishResult> EventBus::publish_rest(std::string_view type, const json::object& fields,
                                                SalesforceId user) {
  auto checked = check_fields(type, fields);
  if (!checked) return checked.error();
  PlatformEvent event;
  event.id = SalesforceId::make("e00", next_serial_++);
  event.type = std::string(find_type(type)->name);
  event.via = "rest";
  event.created_by = user;
  auto now = std::chrono::system_clock::now();
  event.created_date = salesforce_datetime(now);
  event.created_ms = epoch_ms(now);
  event.fields = std::move(*checked);
  PublishResult result{event.id, random_uuid()};
  record(std::move(event));
  return result;
}

json::object EventBus::rest_answer(const PublishResult& result, std::string_view api_version) {
  json::object answer;
  answer["id"] = result.id.str();
  answer["success"] = true;
  json::array errors;
  // From Winter '26 (API 65.0, doc release 258) the answer reports the event's UUID as a status
  // while success stays true (salesforce-facts.md, section 4).
  if (major_version(api_version) >= 65) {
    errors.push_back(json::object{{"statusCode", "OPERATION_ENQUEUED"},
                                  {"message", result.event_uuid},
                                  {"fields", json::array()}});
  }
  answer["errors"] = std::move(errors);
  return answer;
}

ApiResult<int64_t> EventBus::publish_eventing(std::string_view publication,
                                              const json::object& body, SalesforceId default_user,
                                              std::string_view via) {
  const EventType* type = nullptr;
  for (const auto& t : event_types()) {
    if (t.publication == publication || t.name == publication) type = &t;
  }
  if (!type) {
    return ApiError("NOT_FOUND", "No publication named '" + printable(publication, 80) + "'", 404);
  }
  PlatformEvent event;
  event.type = std::string(type->name);
  event.via = std::string(via);
  event.created_by = default_user;
  auto now = std::chrono::system_clock::now();
  event.created_date = salesforce_datetime(now);
  event.created_ms = epoch_ms(now);
  json::object custom;
  for (const auto& [key, raw] : body) {
    const json::value& value = unwrap_union(raw);
    if (key == "CreatedById") {
      if (!value.is_string()) {
        return ApiError("JSON_PARSER_ERROR", "CreatedById must be a string", 400);
      }
      auto id = SalesforceId::parse(value.as_string());
      if (!id || id->prefix() != "005") {
        return ApiError("MALFORMED_ID", "CreatedById is not a User Id", 400);
      }
      event.created_by = *id;
    } else if (key == "CreatedDate") {
      if (!value.is_int64() || value.as_int64() < 0) {
        return ApiError("JSON_PARSER_ERROR", "CreatedDate must be epoch milliseconds", 400);
      }
      event.created_date = salesforce_datetime(
          std::chrono::system_clock::time_point(std::chrono::milliseconds(value.as_int64())));
      event.created_ms = value.as_int64();
    } else {
      custom[key] = raw;
    }
  }
  auto checked = check_fields(type->name, custom);
  if (!checked) return checked.error();
  event.fields = std::move(*checked);
  return record(std::move(event));
}

std::vector<PlatformEvent> EventBus::events(int64_t after, size_t limit) const {
  std::vector<PlatformEvent> out;
  for (const auto& e : events_) {
    if (e.replay_id <= after) continue;
    if (out.size() >= limit) break;
    out.push_back(e);
  }
  return out;
}

}  // namespace pe::devorg
