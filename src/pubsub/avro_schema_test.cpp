#include "pubsub/avro_schema.hpp"

#include "pubsub/opportunity_schema.hpp"

#include <gtest/gtest.h>

namespace pe::pubsub::avro {
namespace {

std::string error_of(std::string_view json, const SchemaLimits& limits = {}) {
  auto s = Schema::parse(json, limits);
  if (s) return "(parsed)";
  EXPECT_EQ(s.error().code == Errc::invalid_argument || s.error().code == Errc::payload_too_large,
            true);
  return s.error().message;
}

TEST(AvroSchema, ParsesPrimitives) {
  for (auto [text, type] : {std::pair{"\"null\"", Type::null},
                            {"\"boolean\"", Type::boolean},
                            {"\"int\"", Type::int_},
                            {"\"long\"", Type::long_},
                            {"\"float\"", Type::float_},
                            {"\"double\"", Type::double_},
                            {"\"bytes\"", Type::bytes},
                            {"\"string\"", Type::string},
                            {"{\"type\":\"long\"}", Type::long_}}) {
    auto s = Schema::parse(text);
    ASSERT_TRUE(s) << text << ": " << s.error().message;
    EXPECT_EQ(s->root().type, type) << text;
  }
  auto date = Schema::parse(R"({"type":"int","logicalType":"date"})");
  ASSERT_TRUE(date);
  EXPECT_EQ(date->root().type, Type::int_);
  EXPECT_EQ(date->root().logical_type, "date");
}

TEST(AvroSchema, ParsesTheOpportunityChangeEvent) {
  auto s = Schema::parse(opportunity_change_event_schema());
  ASSERT_TRUE(s) << s.error().message;
  const Node& root = s->root();
  EXPECT_EQ(root.type, Type::record);
  EXPECT_EQ(root.name, "com.sforce.eventbus.OpportunityChangeEvent");
  ASSERT_EQ(root.fields.size(), 17u);
  EXPECT_EQ(root.fields[0].name, "ChangeEventHeader");
  EXPECT_EQ(root.field_index("StageName"), 2);
  EXPECT_EQ(root.field_index("LastModifiedDate"), 4);
  EXPECT_EQ(root.field_index("Nope"), -1);
  EXPECT_EQ(root.field("Amount"), &root.fields[3]);
  const Node& header = *root.fields[0].type;
  EXPECT_EQ(header.name, "com.sforce.eventbus.ChangeEventHeader");  // namespace inherited
  ASSERT_EQ(header.fields.size(), 12u);
  const Node& change_type = *header.field("changeType")->type;
  EXPECT_EQ(change_type.type, Type::enum_);
  EXPECT_EQ(change_type.name, "com.sforce.eventbus.ChangeType");
  EXPECT_EQ(change_type.symbol_index("UPDATE"), 1);
  EXPECT_EQ(change_type.symbols.back(), "SNAPSHOT");
  EXPECT_EQ(header.field("recordIds")->type->type, Type::array);
  EXPECT_EQ(header.field("recordIds")->type->items->type, Type::string);
  const Node& amount = *root.field("Amount")->type;
  ASSERT_EQ(amount.type, Type::union_);
  ASSERT_EQ(amount.branches.size(), 2u);
  EXPECT_EQ(amount.branches[0]->type, Type::null);
  EXPECT_EQ(amount.branches[1]->type, Type::double_);
  const Node& address = *root.field("ShippingAddress__c")->type->branches[1];
  EXPECT_EQ(address.type, Type::record);
  EXPECT_EQ(address.fields.size(), 10u);
  EXPECT_EQ(s->find("com.sforce.eventbus.Address"), &address);
  // The header's least size: 5 strings, 3 arrays... one byte each, plus int, long, long, enum.
  EXPECT_EQ(header.min_size, 12u);
}

TEST(AvroSchema, ResolvesNamesFullAndRelative) {
  auto s = Schema::parse(R"({"type":"record","name":"a.b.Outer","fields":[
      {"name":"x","type":{"type":"fixed","name":"Id","size":4}},
      {"name":"y","type":"Id"},
      {"name":"z","type":"a.b.Id"},
      {"name":"w","type":{"type":"enum","name":"E","namespace":"c","symbols":["P","Q"]}},
      {"name":"v","type":"c.E"},
      {"name":"m","type":{"type":"map","values":{"type":"array","items":"Id"}}}]})");
  ASSERT_TRUE(s) << s.error().message;
  const Node& root = s->root();
  EXPECT_EQ(root.fields[0].type->name, "a.b.Id");
  EXPECT_EQ(root.fields[0].type->size, 4u);
  EXPECT_EQ(root.fields[1].type, root.fields[0].type);
  EXPECT_EQ(root.fields[2].type, root.fields[0].type);
  EXPECT_EQ(root.fields[3].type->name, "c.E");
  EXPECT_EQ(root.fields[4].type, root.fields[3].type);
  EXPECT_EQ(root.fields[5].type->items->items, root.fields[0].type);
  EXPECT_EQ(error_of(R"({"type":"record","name":"a.R","fields":[{"name":"v","type":"E"}]})"),
            "avro schema: field 'v' of a.R: unknown type 'E'");
}

TEST(AvroSchema, AllowsRecursion) {
  auto s = Schema::parse(R"({"type":"record","name":"Node","fields":[
      {"name":"value","type":"long"},
      {"name":"next","type":["null","Node"]}]})");
  ASSERT_TRUE(s) << s.error().message;
  const Node& root = s->root();
  EXPECT_EQ(root.fields[1].type->branches[1], &root);
  EXPECT_EQ(root.min_size, 2u);  // a long and the union's branch index
}

TEST(AvroSchema, RefusesWhatIsNotAvro) {
  EXPECT_EQ(error_of("{"), "avro schema: invalid JSON: incomplete JSON");
  EXPECT_EQ(error_of("\"decimal\""), "avro schema: the schema: unknown type 'decimal'");
  EXPECT_EQ(error_of("42"),
            "avro schema: the schema: a type must be a name, an object or an array (a union)");
  EXPECT_EQ(error_of(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},
                        {"name":"a","type":"long"}]})"),
            "avro schema: field 'a' of R: the field is defined twice");
  EXPECT_EQ(error_of(R"(["null",{"type":"record","name":"R","fields":[]},
                        {"type":"enum","name":"R","symbols":["A"]}])"),
            "avro schema: the schema, union branch 2: the name 'R' is defined twice");
  EXPECT_EQ(error_of(R"(["null","string","null"])"),
            "avro schema: the schema: union branch 2 repeats null");
  EXPECT_EQ(error_of(R"(["null",["int"]])"),
            "avro schema: the schema: a union may not contain a union");
  EXPECT_EQ(error_of("[]"), "avro schema: the schema: a union needs at least one branch");
  EXPECT_EQ(error_of(R"({"type":"enum","name":"E","symbols":["A","A"]})"),
            "avro schema: E: the symbol 'A' is repeated");
  EXPECT_EQ(error_of(R"({"type":"enum","name":"E","symbols":["1A"]})"),
            "avro schema: E: enum symbols must be names");
  EXPECT_EQ(error_of(R"({"type":"record","name":"9R","fields":[]})"),
            "avro schema: the schema: invalid name '9R'");
  EXPECT_EQ(error_of(R"({"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]})"),
            "avro schema: field 'a-b' of R: invalid field name");
  EXPECT_EQ(error_of(R"({"type":"record","name":"R"})"),
            "avro schema: R: a record needs a \"fields\" array");
  EXPECT_EQ(error_of(R"({"type":"array"})"), "avro schema: the schema: array without \"items\"");
  EXPECT_EQ(error_of(R"({"type":"fixed","name":"F","size":-1})"),
            "avro schema: F: fixed needs a \"size\" from 0 to 1048576");
  EXPECT_EQ(error_of(R"({"type":"record","name":"int","fields":[]})"),
            "avro schema: the schema: a named type may not be called 'int'");
}

TEST(AvroSchema, EnforcesItsLimits) {
  std::string big = "\"" + std::string(1 << 20, ' ') + "string\"";
  auto s = Schema::parse(big);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::payload_too_large);
  // 40 arrays deep.
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += R"({"type":"array","items":)";
  deep += "\"int\"" + std::string(40, '}');
  EXPECT_EQ(error_of(deep).find("nested deeper than 32 types") != std::string::npos, true)
      << error_of(deep);
  SchemaLimits few;
  few.max_fields = 2;
  EXPECT_EQ(error_of(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},
      {"name":"b","type":"int"},{"name":"c","type":"int"}]})",
                     few),
            "avro schema: R: more than 2 fields");
}

}  // namespace
}  // namespace pe::pubsub::avro
