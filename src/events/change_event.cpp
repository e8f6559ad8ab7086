#include "events/change_event.hpp"

#include "common/json_exact.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include <cctype>
#include <cstddef>

namespace pe::events {
namespace {

namespace json = boost::json;

// True when the media type (parameters aside) starts with `prefix`, in any case.
bool media_type_starts_with(std::string_view content_type, std::string_view prefix) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  if (type.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != prefix[i]) return false;
  }
  return true;
}

Error bad(std::string_view where, std::string_view problem) {
  return Error{Errc::invalid_argument, std::string(where) + ": " + std::string(problem)};
}

// Where a problem is, as "event 3: ChangeEventHeader": put together only when there is one, so
// that a good event costs no strings.
struct Where {
  std::string_view event;    // "event", "event 3"
  std::string_view section;  // "", "ChangeEventHeader"

  Error bad(std::string_view problem) const {
    if (section.empty()) return events::bad(event, problem);
    return events::bad(std::string(event) + ": " + std::string(section), problem);
  }
};

const json::value* member(const json::object& o, std::string_view key) {
  return o.if_contains(key);
}

// The string at `key`, or an empty view when it is absent or null and not required. It points
// into the parsed document.
Result<std::string_view> string_field(const json::object& o, std::string_view key,
                                      const Where& where, bool required) {
  const json::value* v = member(o, key);
  if (!v || v->is_null()) {
    if (required) return where.bad(std::string(key) + " is missing");
    return std::string_view();
  }
  if (!v->is_string())
    return where.bad(std::string(key) + " must be a string, not " + describe_json(*v));
  return std::string_view(v->as_string());
}

// The ChangeEventHeader of a data object → the event's fields.
Result<void> read_header(const json::value& data, ChangeEvent& e, std::string_view event_where,
                         const ParseLimits& limits) {
  if (!data.is_object()) return bad(event_where, "data must be an object");
  const json::value* header = member(data.as_object(), "ChangeEventHeader");
  if (!header || !header->is_object()) return bad(event_where, "data.ChangeEventHeader is missing");
  const auto& h = header->as_object();
  const Where at{event_where, "ChangeEventHeader"};
  auto entity = string_field(h, "entityName", at, true);
  if (!entity) return entity.error();
  e.entity = *entity;
  auto type = string_field(h, "changeType", at, true);
  if (!type) return type.error();
  e.change_type = *type;
  auto key = string_field(h, "transactionKey", at, true);
  if (!key) return key.error();
  if (key->empty() || key->size() > 64) return at.bad("transactionKey must be 1 to 64 characters");
  e.transaction_key = *key;
  auto origin = string_field(h, "changeOrigin", at, false);
  if (!origin) return origin.error();
  e.change_origin = *origin;
  if (const json::value* n = member(h, "sequenceNumber"); n && !n->is_null()) {
    if (!n->is_int64() || n->as_int64() < 0) return at.bad("sequenceNumber must be a whole number");
    e.sequence_number = n->as_int64();
  }
  if (const json::value* t = member(h, "commitTimestamp"); t && !t->is_null()) {
    if (!t->is_int64()) return at.bad("commitTimestamp must be epoch milliseconds");
    e.commit_timestamp = t->as_int64();
  }
  const json::value* ids = member(h, "recordIds");
  if (!ids || !ids->is_array()) return at.bad("recordIds must be an array");
  const auto& id_values = ids->as_array();
  if (id_values.size() > limits.max_record_ids) {
    return at.bad("more than " + std::to_string(limits.max_record_ids) + " recordIds");
  }
  e.record_ids.reserve(id_values.size());
  for (size_t i = 0; i < id_values.size(); ++i) {
    const auto& v = id_values[i];
    auto id_at = [&] {
      return std::string(event_where) + ": ChangeEventHeader.recordIds[" + std::to_string(i) + "]";
    };
    if (!v.is_string()) return bad(id_at(), "must be a string");
    auto id = SalesforceId::parse(v.as_string());
    if (!id) return bad(id_at(), id.error().message);
    e.record_ids.push_back(*id);
  }
  if (const json::value* fields = member(h, "changedFields"); fields && fields->is_array()) {
    e.changed_fields.reserve(fields->as_array().size());
    for (const auto& f : fields->as_array()) {
      if (!f.is_string()) return at.bad("changedFields must hold strings");
      e.changed_fields.emplace_back(f.as_string());
    }
  }
  return {};
}

// One structured-mode event (an object with specversion, id, data...).
Result<ChangeEvent> read_structured(const json::value& v, std::string_view where,
                                    const ParseLimits& limits) {
  if (!v.is_object()) return bad(where, "an event must be a JSON object");
  const auto& o = v.as_object();
  const Where at{where, ""};
  auto version = string_field(o, "specversion", at, true);
  if (!version) return version.error();
  if (*version != "1.0") return bad(where, "specversion must be \"1.0\"");
  ChangeEvent e;
  auto id = string_field(o, "id", at, true);
  if (!id) return id.error();
  e.id = *id;
  // source and type are required by CloudEvents but empty in Eventing's deliveries: tolerated.
  for (const char* key : {"source", "type", "subject", "datacontenttype"}) {
    auto s = string_field(o, key, at, false);
    if (!s) return s.error();
  }
  const json::value* data = member(o, "data");
  if (!data) return bad(where, "data is missing (data_base64 is not supported)");
  auto header = read_header(*data, e, where, limits);
  if (!header) return header.error();
  return e;
}

}  // namespace

Result<std::vector<ChangeEvent>> parse_change_events(
    std::string_view content_type, std::string_view body,
    const std::function<std::string_view(std::string_view)>& header, ParseLimits limits) {
  // The document lives only while its events are read: an arena on the stack spares the heap
  // one allocation per JSON value (it takes from the heap for bodies that outgrow it).
  alignas(std::max_align_t) unsigned char scratch[4096];
  json::monotonic_resource arena(scratch, sizeof scratch);
  auto parsed = parse_json_exact(body, 32, &arena);
  if (!parsed) return bad("body", parsed.error().message);
  std::vector<ChangeEvent> events;
  if (media_type_starts_with(content_type, "application/cloudevents-batch")) {
    if (!parsed->is_array()) return bad("body", "a batch must be a JSON array");
    if (parsed->as_array().size() > limits.max_events) {
      return bad("body", "more than " + std::to_string(limits.max_events) + " events in a batch");
    }
    for (size_t i = 0; i < parsed->as_array().size(); ++i) {
      auto e = read_structured(parsed->as_array()[i], "event " + std::to_string(i), limits);
      if (!e) return e.error();
      events.push_back(std::move(*e));
    }
    return events;
  }
  if (media_type_starts_with(content_type, "application/cloudevents")) {
    auto e = read_structured(*parsed, "event", limits);
    if (!e) return e.error();
    events.push_back(std::move(*e));
    return events;
  }
  // Binary mode: attributes in ce-* headers, the body is the data.
  std::string_view version = header("ce-specversion");
  if (version.empty()) {
    return Error{Errc::unsupported_media_type,
                 "expected a CloudEvent: application/cloudevents+json, "
                 "application/cloudevents-batch+json, or ce-* headers with a JSON body"};
  }
  if (version != "1.0") return bad("ce-specversion", "must be 1.0");
  ChangeEvent e;
  e.id = std::string(header("ce-id"));
  if (e.id.empty()) return bad("ce-id", "is missing");
  auto read = read_header(*parsed, e, "event", limits);
  if (!read) return read.error();
  events.push_back(std::move(e));
  return events;
}

}  // namespace pe::events
