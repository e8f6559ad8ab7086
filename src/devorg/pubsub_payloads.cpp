// pubsub_payloads.cpp: the local org's Avro schemas, and its payloads written and read by the
// product's codec (src/pubsub/).
#include "devorg/pubsub_payloads.hpp"

#include "pubsub/avro_codec.hpp"
#include "pubsub/change_event_payload.hpp"
#include "pubsub/event_publisher.hpp"

#include <openssl/sha.h>
#include <boost/json/serialize.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>

namespace pe::devorg {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 10> kChangeTypes = {
    "CREATE",     "UPDATE",     "DELETE",       "UNDELETE",     "GAP_CREATE",
    "GAP_UPDATE", "GAP_DELETE", "GAP_UNDELETE", "GAP_OVERFLOW", "SNAPSHOT"};

std::string schema_id_of(const std::string& text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int held = 0;
  for (size_t i = 0; i < 16; ++i) {  // 128 bits → 22 characters, no padding
    bits = (bits << 8) | digest[i];
    held += 8;
    while (held >= 6) {
      out.push_back(kAlphabet[(bits >> (held - 6)) & 0x3f]);
      held -= 6;
    }
  }
  if (held > 0) out.push_back(kAlphabet[(bits << (6 - held)) & 0x3f]);
  return out;
}

TopicSchema make_schema(const json::object& schema) {
  std::string text = json::serialize(schema);
  return {schema_id_of(text), std::move(text)};
}

json::value avro_type(FieldType type) {
  switch (type) {
    case FieldType::boolean:
      return "boolean";
    case FieldType::int_:
      return "int";
    case FieldType::double_:
    case FieldType::currency:
    case FieldType::percent:
      return "double";
    case FieldType::date:
      return "int";  // days since the epoch
    case FieldType::datetime:
      return "long";  // epoch milliseconds
    default:
      return "string";
  }
}

json::object string_array_field(std::string_view name) {
  return {{"name", name}, {"type", json::object{{"type", "array"}, {"items", "string"}}}};
}

json::object header_schema() {
  json::array fields;
  fields.push_back(json::object{{"name", "entityName"}, {"type", "string"}});
  fields.push_back(string_array_field("recordIds"));
  json::array symbols;
  for (auto s : kChangeTypes) symbols.emplace_back(s);
  fields.push_back(json::object{
      {"name", "changeType"},
      {"type", json::object{{"type", "enum"}, {"name", "ChangeType"}, {"symbols", symbols}}}});
  fields.push_back(json::object{{"name", "changeOrigin"}, {"type", "string"}});
  fields.push_back(json::object{{"name", "transactionKey"}, {"type", "string"}});
  fields.push_back(json::object{{"name", "sequenceNumber"}, {"type", "int"}});
  fields.push_back(json::object{{"name", "commitTimestamp"}, {"type", "long"}});
  fields.push_back(json::object{{"name", "commitNumber"}, {"type", "long"}});
  fields.push_back(json::object{{"name", "commitUser"}, {"type", "string"}});
  fields.push_back(string_array_field("nulledFields"));
  fields.push_back(string_array_field("diffFields"));
  fields.push_back(string_array_field("changedFields"));
  return {{"type", "record"},
          {"name", "ChangeEventHeader"},
          {"namespace", "com.sforce.eventbus"},
          {"fields", std::move(fields)}};
}

// The body fields of an object's change event, in schema order (field 1 onwards).
std::vector<const FieldSchema*> body_fields(const ObjectSchema& object) {
  std::vector<const FieldSchema*> out;
  for (const auto& f : object.fields) {
    if (f.name != "Id") out.push_back(&f);
  }
  return out;
}

std::vector<std::string> strings_of(const json::object& header, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* v = header.if_contains(key); v && v->is_array()) {
    for (const auto& item : v->as_array()) {
      if (item.is_string()) out.emplace_back(item.as_string());
    }
  }
  return out;
}

std::string string_of(const json::object& header, std::string_view key) {
  const auto* v = header.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t number_of(const json::object& header, std::string_view key) {
  const auto* v = header.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

}  // namespace

TopicSchema change_event_schema(const ObjectSchema& object) {
  json::array fields;
  fields.push_back(json::object{{"name", "ChangeEventHeader"}, {"type", header_schema()}});
  for (const FieldSchema* f : body_fields(object)) {
    fields.push_back(json::object{{"name", f->name},
                                  {"type", json::array{"null", avro_type(f->type)}},
                                  {"doc", "Data:" + std::string(type_name(f->type))},
                                  {"default", nullptr}});
  }
  return make_schema({{"type", "record"},
                      {"name", std::string(object.name) + "ChangeEvent"},
                      {"namespace", "com.sforce.eventbus"},
                      {"fields", std::move(fields)}});
}

std::vector<std::string> platform_event_fields(std::string_view type) {
  if (type == "QuoteGenerationComplete__e") return {"Status__c"};
  return {};
}

TopicSchema platform_event_schema(std::string_view type, const std::vector<std::string>& fields) {
  json::array out;
  out.push_back(
      json::object{{"name", "CreatedDate"}, {"type", "long"}, {"doc", "CreatedDate:DateTime"}});
  out.push_back(
      json::object{{"name", "CreatedById"}, {"type", "string"}, {"doc", "CreatedBy:EntityId"}});
  for (const auto& f : fields) {
    out.push_back(json::object{{"name", f},
                               {"type", json::array{"null", "string"}},
                               {"doc", "Data:Text"},
                               {"default", nullptr}});
  }
  return make_schema({{"type", "record"},
                      {"name", type},
                      {"namespace", "com.sforce.eventbus"},
                      {"fields", std::move(out)}});
}

Result<std::string> encode_change_event(const ObjectSchema& object, const json::object& header) {
  // The product's codec (src/pubsub/) writes it, with the schema above parsed once per thread.
  thread_local std::map<std::string, std::shared_ptr<const pubsub::avro::Schema>, std::less<>>
      schemas;
  auto it = schemas.find(object.name);
  if (it == schemas.end()) {
    auto parsed = pubsub::avro::Schema::parse(change_event_schema(object).json);
    if (!parsed) return parsed.error();
    it = schemas
             .emplace(std::string(object.name),
                      std::make_shared<const pubsub::avro::Schema>(std::move(*parsed)))
             .first;
  }
  pubsub::ChangeEventHeader out;
  out.event.entity = string_of(header, "entityName");
  out.event.change_type = string_of(header, "changeType");
  for (const auto& id : strings_of(header, "recordIds")) {
    if (auto r = events::add_record_id(id, out.event.record_ids, out.event.wildcard_ids); !r) {
      return r.error();
    }
  }
  out.event.transaction_key = string_of(header, "transactionKey");
  out.event.sequence_number = number_of(header, "sequenceNumber");
  out.event.commit_timestamp = number_of(header, "commitTimestamp");
  out.event.changed_fields = strings_of(header, "changedFields");
  out.change_origin = string_of(header, "changeOrigin");
  out.commit_number = number_of(header, "commitNumber");
  out.commit_user = string_of(header, "commitUser");
  out.nulled_fields = strings_of(header, "nulledFields");
  out.diff_fields = strings_of(header, "diffFields");
  return pubsub::encode_change_event(*it->second, out);
}

namespace {

// The platform event's schema (platform_event_schema), parsed once per thread and field list.
const pubsub::avro::Schema& parsed_platform_schema(std::string_view type,
                                                   const std::vector<std::string>& fields) {
  thread_local std::map<std::string, std::shared_ptr<const pubsub::avro::Schema>, std::less<>>
      schemas;
  std::string key(type);
  for (const auto& f : fields) key += "," + f;
  auto it = schemas.find(key);
  if (it == schemas.end()) {
    // Our own schema: it parses (a test says so), so value() cannot throw here.
    auto parsed = pubsub::avro::Schema::parse(platform_event_schema(type, fields).json).value();
    it =
        schemas.emplace(key, std::make_shared<const pubsub::avro::Schema>(std::move(parsed))).first;
  }
  return *it->second;
}

}  // namespace

std::string encode_platform_event(const PlatformEvent& event,
                                  const std::vector<std::string>& fields) {
  std::vector<pubsub::EventField> values;
  values.emplace_back("CreatedDate", pubsub::avro::Value::of(event.created_ms));
  values.emplace_back("CreatedById", pubsub::avro::Value::of(std::string(event.created_by.str())));
  for (const auto& f : fields) {
    const auto* v = event.fields.if_contains(f);
    if (v && v->is_string())
      values.emplace_back(f, pubsub::avro::Value::of(std::string(v->as_string())));
  }
  auto bytes = pubsub::encode_record(parsed_platform_schema(event.type, fields), values);
  return bytes ? std::move(*bytes) : std::string();
}

ApiResult<json::object> decode_platform_event(std::string_view type, std::string_view payload,
                                              const std::vector<std::string>& fields) {
  const auto& schema = parsed_platform_schema(type, fields);
  auto value = pubsub::avro::decode(schema, payload);
  if (!value) {
    return ApiError("INVALID_PAYLOAD",
                    "The payload does not match the topic's schema: " + value.error().message, 400);
  }
  const auto& record = std::get<pubsub::avro::Value::Record>(value->datum).fields;
  const auto& root = schema.root();
  auto field = [&](std::string_view name) -> const pubsub::avro::Value& {
    return record[static_cast<size_t>(root.field_index(name))];
  };
  json::object body;
  if (const auto* created = std::get_if<int64_t>(&field("CreatedDate").datum);
      created && *created > 0) {
    body["CreatedDate"] = *created;
  }
  if (const auto* by = std::get_if<std::string>(&field("CreatedById").datum); by && !by->empty()) {
    body["CreatedById"] = *by;
  }
  for (const auto& f : fields) {
    const auto* text = std::get_if<std::string>(&field(f).datum);
    if (text) {
      body[f] = json::object{{"string", *text}};
    } else {
      body[f] = nullptr;
    }
  }
  return body;
}

}  // namespace pe::devorg
