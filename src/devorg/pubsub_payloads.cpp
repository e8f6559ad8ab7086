// pubsub_payloads.cpp: the local org's fixed Avro schemas and their encoding (Avro 1.11 binary:
// zig-zag varints, length-prefixed strings, arrays as blocks ending in a zero count, a union as
// its branch index then the value).
#include "devorg/pubsub_payloads.hpp"

#include "pubsub/change_event_payload.hpp"

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

void put_long(std::string& out, int64_t value) {
  auto z = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  while (z >= 0x80) {
    out.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}

void put_string(std::string& out, std::string_view s) {
  put_long(out, static_cast<int64_t>(s.size()));
  out.append(s);
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

// Reads what put_long wrote; false at the end of the bytes or on an over-long varint.
bool get_long(std::string_view& in, int64_t& value) {
  uint64_t z = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    z |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      value = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
      return true;
    }
  }
  return false;
}

bool get_string(std::string_view& in, std::string& value) {
  int64_t size = 0;
  if (!get_long(in, size) || size < 0 || static_cast<uint64_t>(size) > in.size()) return false;
  value.assign(in.substr(0, static_cast<size_t>(size)));
  in.remove_prefix(static_cast<size_t>(size));
  return true;
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

std::string encode_platform_event(const PlatformEvent& event,
                                  const std::vector<std::string>& fields) {
  std::string out;
  put_long(out, event.created_ms);
  put_string(out, event.created_by.str());
  for (const auto& f : fields) {
    const auto* v = event.fields.if_contains(f);
    if (v && v->is_string()) {
      put_long(out, 1);
      put_string(out, v->as_string());
    } else {
      put_long(out, 0);
    }
  }
  return out;
}

ApiResult<json::object> decode_platform_event(std::string_view payload,
                                              const std::vector<std::string>& fields) {
  auto bad = [](std::string_view what) {
    return ApiError("INVALID_PAYLOAD",
                    "The payload does not match the topic's schema: " + std::string(what), 400);
  };
  json::object body;
  int64_t created = 0;
  std::string created_by;
  if (!get_long(payload, created)) return bad("CreatedDate");
  if (!get_string(payload, created_by)) return bad("CreatedById");
  if (created > 0) body["CreatedDate"] = created;
  if (!created_by.empty()) body["CreatedById"] = created_by;
  for (const auto& f : fields) {
    int64_t branch = 0;
    if (!get_long(payload, branch) || branch < 0 || branch > 1) return bad(f);
    if (branch == 0) {
      body[f] = nullptr;
      continue;
    }
    std::string value;
    if (!get_string(payload, value)) return bad(f);
    body[f] = json::object{{"string", value}};
  }
  if (!payload.empty()) return bad("bytes after the last field");
  return body;
}

}  // namespace pe::devorg
