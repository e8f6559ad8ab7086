#include "events/change_event.hpp"

#include "common/json_exact.hpp"

#include <boost/json/value.hpp>

#include <cctype>

namespace pe::events {
namespace {

namespace json = boost::json;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The media type without parameters, lower-cased.
std::string media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return lower(type);
}

Error bad(std::string_view where, std::string_view problem) {
  return Error{Errc::invalid_argument, std::string(where) + ": " + std::string(problem)};
}

const json::value* member(const json::object& o, std::string_view key) {
  return o.if_contains(key);
}

Result<std::string> string_field(const json::object& o, std::string_view key,
                                 std::string_view where, bool required) {
  const json::value* v = member(o, key);
  if (!v || v->is_null()) {
    if (required) return bad(where, std::string(key) + " is missing");
    return std::string();
  }
  if (!v->is_string())
    return bad(where, std::string(key) + " must be a string, not " + describe_json(*v));
  return std::string(v->as_string());
}

// The ChangeEventHeader of a data object → the event's fields.
Result<void> read_header(const json::value& data, ChangeEvent& e, std::string_view where,
                         const ParseLimits& limits) {
  if (!data.is_object()) return bad(where, "data must be an object");
  const json::value* header = member(data.as_object(), "ChangeEventHeader");
  if (!header || !header->is_object()) return bad(where, "data.ChangeEventHeader is missing");
  const auto& h = header->as_object();
  std::string at = std::string(where) + ": ChangeEventHeader";
  auto entity = string_field(h, "entityName", at, true);
  if (!entity) return entity.error();
  e.entity = *entity;
  auto type = string_field(h, "changeType", at, true);
  if (!type) return type.error();
  e.change_type = *type;
  auto key = string_field(h, "transactionKey", at, true);
  if (!key) return key.error();
  if (key->empty() || key->size() > 64) return bad(at, "transactionKey must be 1 to 64 characters");
  e.transaction_key = *key;
  auto origin = string_field(h, "changeOrigin", at, false);
  if (!origin) return origin.error();
  e.change_origin = *origin;
  if (const json::value* n = member(h, "sequenceNumber"); n && !n->is_null()) {
    if (!n->is_int64() || n->as_int64() < 0)
      return bad(at, "sequenceNumber must be a whole number");
    e.sequence_number = n->as_int64();
  }
  if (const json::value* t = member(h, "commitTimestamp"); t && !t->is_null()) {
    if (!t->is_int64()) return bad(at, "commitTimestamp must be epoch milliseconds");
    e.commit_timestamp = t->as_int64();
  }
  const json::value* ids = member(h, "recordIds");
  if (!ids || !ids->is_array()) return bad(at, "recordIds must be an array");
  if (ids->as_array().size() > limits.max_record_ids) {
    return bad(at, "more than " + std::to_string(limits.max_record_ids) + " recordIds");
  }
  for (size_t i = 0; i < ids->as_array().size(); ++i) {
    const auto& v = ids->as_array()[i];
    std::string id_at = at + ".recordIds[" + std::to_string(i) + "]";
    if (!v.is_string()) return bad(id_at, "must be a string");
    auto id = SalesforceId::parse(v.as_string());
    if (!id) return bad(id_at, id.error().message);
    e.record_ids.push_back(*id);
  }
  if (const json::value* fields = member(h, "changedFields"); fields && fields->is_array()) {
    for (const auto& f : fields->as_array()) {
      if (!f.is_string()) return bad(at, "changedFields must hold strings");
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
  auto version = string_field(o, "specversion", where, true);
  if (!version) return version.error();
  if (*version != "1.0") return bad(where, "specversion must be \"1.0\"");
  ChangeEvent e;
  auto id = string_field(o, "id", where, true);
  if (!id) return id.error();
  e.id = *id;
  // source and type are required by CloudEvents but empty in Eventing's deliveries: tolerated.
  for (const char* key : {"source", "type", "subject", "datacontenttype"}) {
    auto s = string_field(o, key, where, false);
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
  std::string type = media_type(content_type);
  auto parsed = parse_json_exact(body, 32);
  if (!parsed) return bad("body", parsed.error().message);
  std::vector<ChangeEvent> events;
  if (type.starts_with("application/cloudevents-batch")) {
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
  if (type.starts_with("application/cloudevents")) {
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
