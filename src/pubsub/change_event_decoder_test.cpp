// The subscriber's schema cache: each payload read with the schema of its own id, a schema that
// changes mid-stream (a new id) read alongside the old, and a bounded number kept.
#include "pubsub/change_event_decoder.hpp"

#include "pubsub/avro_schema.hpp"
#include "pubsub/change_event_payload.hpp"
#include "pubsub/opportunity_schema.hpp"

#include <gtest/gtest.h>

namespace pe::pubsub {
namespace {

ChangeEventHeader header(std::vector<std::string> changed) {
  ChangeEventHeader h;
  h.event.entity = "Opportunity";
  h.event.change_type = "UPDATE";
  h.event.record_ids = {SalesforceId::make("006", 7)};
  h.event.transaction_key = "tx-1";
  h.event.sequence_number = 1;
  h.event.changed_fields = std::move(changed);
  return h;
}

std::string encoded(std::string_view json, const ChangeEventHeader& h) {
  auto schema = avro::Schema::parse(json);
  EXPECT_TRUE(schema) << schema.error().message;
  auto bytes = encode_change_event(*schema, h);
  EXPECT_TRUE(bytes) << bytes.error().message;
  return bytes ? *bytes : std::string();
}

TEST(ChangeEventDecoder, ReadsEachPayloadWithItsOwnSchema) {
  // The org adds a field before StageName: the bitmaps' bit positions move with the new schema.
  const std::string old_schema(opportunity_change_event_schema());
  std::string new_schema = old_schema;
  const std::string at = R"({"name": "StageName")";
  const size_t where = new_schema.find(at);
  ASSERT_NE(where, std::string::npos) << old_schema;
  new_schema.insert(where,
                    R"({"name": "Added__c", "type": ["null", "string"], "default": null}, )");

  ChangeEventDecoder decoder;
  EXPECT_FALSE(decoder.has_schema("v1"));
  EXPECT_EQ(decoder.decode("v1", "x").error().code, Errc::not_found);
  ASSERT_TRUE(decoder.add_schema("v1", old_schema));
  ASSERT_TRUE(decoder.add_schema("v2", new_schema));
  auto before = decoder.decode("v1", encoded(old_schema, header({"StageName"})));
  auto after = decoder.decode("v2", encoded(new_schema, header({"StageName", "Added__c"})));
  ASSERT_TRUE(before) << before.error().message;
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(before->changed_fields, std::vector<std::string>{"StageName"});
  EXPECT_EQ(after->changed_fields, (std::vector<std::string>{"Added__c", "StageName"}));
  // The old payload read with the new schema would name the wrong field: ids keep them apart.
  auto mixed = decoder.decode("v2", encoded(old_schema, header({"StageName"})));
  EXPECT_TRUE(!mixed || mixed->changed_fields != std::vector<std::string>{"StageName"});
  EXPECT_FALSE(decoder.add_schema("bad", R"({"type": "nonsense"})"));
}

TEST(ChangeEventDecoder, KeepsABoundedNumberOfSchemas) {
  ChangeEventDecoder decoder;
  const std::string json(opportunity_change_event_schema());
  for (size_t i = 0; i < ChangeEventDecoder::kMaxSchemas + 5; ++i) {
    ASSERT_TRUE(decoder.add_schema("id-" + std::to_string(i), json));
  }
  EXPECT_FALSE(decoder.has_schema("id-0"));  // the oldest went first
  EXPECT_FALSE(decoder.has_schema("id-4"));
  EXPECT_TRUE(decoder.has_schema("id-5"));
  EXPECT_TRUE(decoder.has_schema("id-" + std::to_string(ChangeEventDecoder::kMaxSchemas + 4)));
}

}  // namespace
}  // namespace pe::pubsub
