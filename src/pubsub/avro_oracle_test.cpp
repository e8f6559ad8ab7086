// Our codec against Debian's Avro C (libavro-dev), the reference implementation: what we encode,
// Avro C reads to the same values (compared as Avro C's JSON and with avro_value_equal); what
// Avro C writes, we decode; and both write the same bytes for the same value. Avro C is linked
// into this test only.
#include "pubsub/avro_codec.hpp"
#include "pubsub/change_event_payload.hpp"
#include "pubsub/opportunity_schema.hpp"

#include <avro.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

namespace pe::pubsub::avro {
namespace {

// ---- Avro C's reference counts, held by RAII ---------------------------------------------------

struct SchemaRef {
  avro_schema_t schema = nullptr;
  ~SchemaRef() {
    if (schema) avro_schema_decref(schema);
  }
};
struct IfaceRef {
  avro_value_iface_t* iface = nullptr;
  ~IfaceRef() {
    if (iface) avro_value_iface_decref(iface);
  }
};
struct ValueRef {
  avro_value_t value{};
  bool live = false;
  ~ValueRef() {
    if (live) avro_value_decref(&value);
  }
};

// One schema on Avro C's side, able to make empty values of it.
class CSchema {
 public:
  explicit CSchema(std::string_view json) {
    if (avro_schema_from_json_length(json.data(), json.size(), &schema_.schema) != 0) {
      throw std::runtime_error(std::string("avro c: ") + avro_strerror());
    }
    iface_.iface = avro_generic_class_from_schema(schema_.schema);
    if (!iface_.iface) throw std::runtime_error(std::string("avro c: ") + avro_strerror());
  }
  std::unique_ptr<ValueRef> make() const {
    auto v = std::make_unique<ValueRef>();
    if (avro_generic_value_new(iface_.iface, &v->value) != 0) {
      throw std::runtime_error(std::string("avro c: ") + avro_strerror());
    }
    v->live = true;
    return v;
  }

 private:
  SchemaRef schema_;
  IfaceRef iface_;
};

std::string to_json(const avro_value_t& v) {
  char* text = nullptr;
  if (avro_value_to_json(&v, 1, &text) != 0) return std::string("error: ") + avro_strerror();
  std::unique_ptr<char, decltype(&std::free)> owned(text, &std::free);
  return text;
}

// Avro C reads `bytes` into a new value; "" in `error` when it could.
std::unique_ptr<ValueRef> c_read(const CSchema& schema, const std::string& bytes,
                                 std::string& error) {
  auto v = schema.make();
  avro_reader_t reader = avro_reader_memory(bytes.data(), static_cast<int64_t>(bytes.size()));
  if (avro_value_read(reader, &v->value) != 0) error = avro_strerror();
  avro_reader_free(reader);
  return v;
}

std::string c_write(avro_value_t& v) {
  size_t size = 0;
  if (avro_value_sizeof(&v, &size) != 0) return "sizeof failed";
  std::string out(size, '\0');
  avro_writer_t writer = avro_writer_memory(out.data(), static_cast<int64_t>(out.size()));
  int rc = avro_value_write(writer, &v);
  int64_t used = avro_writer_tell(writer);
  avro_writer_free(writer);
  if (rc != 0) return std::string("write failed: ") + avro_strerror();
  out.resize(static_cast<size_t>(used));
  return out;
}

// Builds on Avro C's side the value ours holds (branches must be set: pass a decoded value).
void set(const Node& t, const Value& v, avro_value_t* out) {
  avro_value_t child;
  switch (t.type) {
    case Type::null:
      avro_value_set_null(out);
      return;
    case Type::boolean:
      avro_value_set_boolean(out, std::get<bool>(v.datum));
      return;
    case Type::int_:
      avro_value_set_int(out, static_cast<int32_t>(std::get<int64_t>(v.datum)));
      return;
    case Type::long_:
      avro_value_set_long(out, std::get<int64_t>(v.datum));
      return;
    case Type::float_:
      avro_value_set_float(out, std::get<float>(v.datum));
      return;
    case Type::double_:
      avro_value_set_double(out, std::get<double>(v.datum));
      return;
    case Type::string: {
      const auto& s = std::get<std::string>(v.datum);
      avro_value_set_string_len(out, s.c_str(), s.size() + 1);  // Avro C counts the NUL
      return;
    }
    case Type::bytes: {
      auto s = std::get<std::string>(v.datum);
      avro_value_set_bytes(out, s.data(), s.size());
      return;
    }
    case Type::fixed: {
      auto s = std::get<std::string>(v.datum);
      avro_value_set_fixed(out, s.data(), s.size());
      return;
    }
    case Type::enum_:
      avro_value_set_enum(out, static_cast<int>(std::get<Value::Enum>(v.datum).index));
      return;
    case Type::array:
      for (const Value& item : std::get<Value::Array>(v.datum).items) {
        avro_value_append(out, &child, nullptr);
        set(*t.items, item, &child);
      }
      return;
    case Type::map:
      for (size_t i = 0; i < std::get<Value::Map>(v.datum).keys.size(); ++i) {
        const auto& map = std::get<Value::Map>(v.datum);
        avro_value_add(out, map.keys[i].c_str(), &child, nullptr, nullptr);
        set(*t.items, map.values[i], &child);
      }
      return;
    case Type::record: {
      const auto& fields = std::get<Value::Record>(v.datum).fields;
      for (size_t i = 0; i < fields.size(); ++i) {
        avro_value_get_by_index(out, i, &child, nullptr);
        set(*t.fields[i].type, fields[i], &child);
      }
      return;
    }
    case Type::union_:
      avro_value_set_branch(out, v.branch, &child);
      set(*t.branches[static_cast<size_t>(v.branch)], v, &child);
      return;
  }
}

// The whole comparison for one schema and value.
void check_against_avro_c(std::string_view schema_json, const Value& value,
                          const std::vector<std::string>& json_must_contain = {}) {
  auto schema = Schema::parse(schema_json);
  ASSERT_TRUE(schema) << schema.error().message;
  CSchema c(schema_json);

  auto ours = encode(*schema, value);
  ASSERT_TRUE(ours) << ours.error().message;
  auto canonical = decode(*schema, *ours);  // every union branch filled in
  ASSERT_TRUE(canonical) << canonical.error().message;

  // Ours → Avro C: it reads our bytes, all of them, to the value we meant.
  std::string error;
  auto read = c_read(c, *ours, error);
  ASSERT_EQ(error, "");
  auto built = c.make();
  set(schema->root(), *canonical, &built->value);
  const std::string json = to_json(read->value);
  EXPECT_EQ(json, to_json(built->value));
  EXPECT_TRUE(avro_value_equal(&read->value, &built->value));
  for (const auto& part : json_must_contain) {
    EXPECT_NE(json.find(part), std::string::npos) << part << " not in " << json;
  }
  // Avro C → ours: the same bytes, and we decode them to the same value.
  const std::string theirs = c_write(built->value);
  EXPECT_EQ(theirs, *ours);
  auto back = decode(*schema, theirs);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, *canonical);
}

TEST(AvroOracle, ASmallRecordAsAvroCPrintsIt) {
  const char* schema = R"({"type":"record","name":"R","fields":[
      {"name":"a","type":"int"},{"name":"b","type":["null","string"]}]})";
  Value v = Value::of(Value::Record{{Value::of(int64_t{5}), Value::of(std::string("x"))}});
  check_against_avro_c(schema, v, {R"({"a": 5, "b": {"string": "x"}})"});
}

TEST(AvroOracle, EveryType) {
  const char* schema = R"({"type":"record","name":"All","namespace":"t","fields":[
      {"name":"n","type":"null"},
      {"name":"b","type":"boolean"},
      {"name":"i","type":"int"},
      {"name":"l","type":"long"},
      {"name":"f","type":"float"},
      {"name":"d","type":"double"},
      {"name":"by","type":"bytes"},
      {"name":"s","type":"string"},
      {"name":"fx","type":{"type":"fixed","name":"Four","size":4}},
      {"name":"e","type":{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS","CLUBS"]}},
      {"name":"am","type":{"type":"array","items":{"type":"map","values":"long"}}},
      {"name":"u","type":["null","int","string",{"type":"record","name":"P","fields":[
          {"name":"x","type":"double"}]}]},
      {"name":"u2","type":["null","int","string","P"]},
      {"name":"list","type":{"type":"record","name":"Cell","fields":[
          {"name":"v","type":"long"},{"name":"next","type":["null","Cell"]}]}}]})";
  Value::Map m1{{"one", "minus"}, {Value::of(int64_t{1}), Value::of(int64_t{-300})}};
  Value::Map m2{};
  Value cell2 = Value::of(Value::Record{{Value::of(int64_t{2}), Value{}}});
  Value cell1 = Value::of(Value::Record{{Value::of(int64_t{1}), cell2}});
  Value v = Value::of(Value::Record{{
      Value{},
      Value::of(true),
      Value::of(int64_t{-2147483648}),
      Value::of(int64_t{1736877279422521345}),
      Value::of(1.5f),
      Value::of(-0.125),
      Value::of(std::string("\0\x01\xff", 3)),
      Value::of(std::string("héllo")),
      Value::of(std::string("abcd")),
      Value::of(Value::Enum{2, "CLUBS"}),
      Value::of(Value::Array{{Value::of(m1), Value::of(m2)}}),
      Value::of(Value::Record{{Value::of(0.5)}}),
      Value::of(std::string("s"), 2),
      cell1,
  }});
  check_against_avro_c(
      schema, v,
      {R"("e": "CLUBS")", R"("l": 1736877279422521345)", R"("u2": {"string": "s"})",
       R"("next": {"Cell": {"v": 2, "next": null}})", R"("u": {"P": {"x": 0.5}})"});
}

TEST(AvroOracle, TheOpportunityChangeEvent) {
  ChangeEventHeader h;
  h.event.entity = "Opportunity";
  h.event.change_type = "UPDATE";
  h.event.record_ids = {*SalesforceId::parse("006am000006pSAYAA2")};
  h.event.transaction_key = "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3";
  h.event.sequence_number = 3;
  h.event.commit_timestamp = 1736877277000;
  h.event.changed_fields = {"StageName", "Amount", "ShippingAddress__c.City"};
  h.change_origin = "com/salesforce/api/rest/62.0;client=pricing-engine";
  h.commit_number = 1736877279422521345;
  h.commit_user = "005am000004KT8PAAW";
  Value::Record address;
  address.fields.resize(10);
  address.fields[1] = Value::of(std::string("Lyon"));
  address.fields[7] = Value::of(45.76);
  const std::vector<BodyField> body = {
      {"StageName", Value::of(std::string("Negotiation/Review"))},
      {"Amount", Value::of(125000.5)},
      {"IsClosed", Value::of(false)},
      {"CloseDate", Value::of(int64_t{20200})},
      {"ShippingAddress__c", Value::of(std::move(address))},
  };
  auto schema = Schema::parse(opportunity_change_event_schema());
  ASSERT_TRUE(schema);
  auto bytes = encode_change_event(*schema, h, body);
  ASSERT_TRUE(bytes) << bytes.error().message;
  auto value = decode(*schema, *bytes);
  ASSERT_TRUE(value);
  check_against_avro_c(
      opportunity_change_event_schema(), *value,
      {R"("changeType": "UPDATE")", R"("commitNumber": 1736877279422521345)",
       R"("changedFields": ["0x0C", "9-0x02"])", R"("StageName": {"string": "Negotiation/Review"})",
       R"("City": {"string": "Lyon"})", R"("Name": null)"});
}

}  // namespace
}  // namespace pe::pubsub::avro
