#include "pubsub/change_event_payload.hpp"

#include "events/change_filter.hpp"
#include "pubsub/avro_codec.hpp"
#include "pubsub/opportunity_schema.hpp"

#include <gtest/gtest.h>

namespace pe::pubsub {
namespace {

using Names = std::vector<std::string>;

const avro::Schema& oce() {
  static const avro::Schema schema = *avro::Schema::parse(opportunity_change_event_schema());
  return schema;
}

// The Eventing sample's header (salesforce-facts.md section 5), with names for the bitmaps.
ChangeEventHeader sample_header() {
  ChangeEventHeader h;
  h.event.entity = "Opportunity";
  h.event.change_type = "UPDATE";
  h.event.record_ids = {*SalesforceId::parse("006am000006pSAYAA2"),
                        SalesforceId::make("006", 12345)};
  h.event.transaction_key = "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3";
  h.event.sequence_number = 1;
  h.event.commit_timestamp = 1736877277000;
  h.event.changed_fields = {"StageName", "LastModifiedDate", "ShippingAddress__c.City"};
  h.change_origin = "com/salesforce/api/soap/62.0;client=SfdcInternalAPI/";
  h.commit_number = 1736877279422521345;
  h.commit_user = "005am000004KT8PAAW";
  h.nulled_fields = {"Description"};
  h.diff_fields = {};
  return h;
}

std::string payload(const ChangeEventHeader& h, std::span<const BodyField> body = {}) {
  auto bytes = encode_change_event(oce(), h, body);
  EXPECT_TRUE(bytes) << bytes.error().message;
  return bytes ? *bytes : std::string();
}

TEST(PubsubChangeEvent, ReadsTheWholeHeader) {
  const std::vector<BodyField> body = {
      {"StageName", avro::Value::of(std::string("Closed Won"))},
      {"LastModifiedDate", avro::Value::of(int64_t{1736877277000})}};
  auto decoded = decode_change_event(oce(), payload(sample_header(), body));
  ASSERT_TRUE(decoded) << decoded.error().message;
  const events::ChangeEvent& e = decoded->event;
  EXPECT_EQ(e.entity, "Opportunity");
  EXPECT_EQ(e.change_type, "UPDATE");
  ASSERT_EQ(e.record_ids.size(), 2u);
  EXPECT_EQ(e.record_ids[0].str(), "006am000006pSAYAA2");
  EXPECT_EQ(e.record_ids[1], SalesforceId::make("006", 12345));
  EXPECT_TRUE(e.wildcard_ids.empty());
  EXPECT_EQ(e.transaction_key, "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3");
  EXPECT_EQ(e.sequence_number, 1);
  EXPECT_EQ(e.commit_timestamp, 1736877277000);
  EXPECT_EQ(e.changed_fields, (Names{"StageName", "LastModifiedDate", "ShippingAddress__c.City"}));
  EXPECT_EQ(decoded->change_origin, "com/salesforce/api/soap/62.0;client=SfdcInternalAPI/");
  EXPECT_EQ(decoded->commit_number, 1736877279422521345);  // above 2^53, exact
  EXPECT_EQ(decoded->commit_user, "005am000004KT8PAAW");
  EXPECT_EQ(decoded->nulled_fields, Names{"Description"});
  EXPECT_TRUE(decoded->diff_fields.empty());
  // On the wire the lists are bitmaps, as Salesforce sends them.
  auto raw = avro::decode(oce(), payload(sample_header(), body));
  ASSERT_TRUE(raw);
  const auto& header =
      std::get<avro::Value::Record>(std::get<avro::Value::Record>(raw->datum).fields[0].datum);
  const auto& changed = std::get<avro::Value::Array>(header.fields[11].datum).items;
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(std::get<std::string>(changed[0].datum), "0x14");  // bits 2 and 4
  EXPECT_EQ(std::get<std::string>(changed[1].datum), "9-0x02");
  const auto& stage = std::get<avro::Value::Record>(raw->datum).fields[2];
  EXPECT_EQ(stage.branch, 1);
  EXPECT_EQ(std::get<std::string>(stage.datum), "Closed Won");
  EXPECT_TRUE(std::get<avro::Value::Record>(raw->datum).fields[3].is_null());  // Amount
}

TEST(PubsubChangeEvent, ChangeTypeIsTheSchemasSymbolNotAnIndex) {
  // The same event under a schema whose enum lists UPDATE first: index 0 means UPDATE there.
  std::string json(opportunity_change_event_schema());
  const std::string from = R"(["CREATE", "UPDATE",)";
  json.replace(json.find(from), from.size(), R"(["UPDATE", "CREATE",)");
  auto other = avro::Schema::parse(json);
  ASSERT_TRUE(other) << other.error().message;
  auto bytes = encode_change_event(*other, sample_header());
  ASSERT_TRUE(bytes);
  EXPECT_EQ(
      std::get<avro::Value::Enum>(
          std::get<avro::Value::Record>(
              std::get<avro::Value::Record>(avro::decode(*other, *bytes)->datum).fields[0].datum)
              .fields[2]
              .datum)
          .index,
      0u);
  auto decoded = decode_change_event(*other, *bytes);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->event.change_type, "UPDATE");
  // Read with the other schema's order, the same bytes say CREATE: the writer's schema decides.
  auto misread = decode_change_event(oce(), *bytes);
  ASSERT_TRUE(misread);
  EXPECT_EQ(misread->event.change_type, "CREATE");
}

TEST(PubsubChangeEvent, ValidatesRecordIdsAsTheWebhookDoes) {
  auto h = sample_header();
  h.event.record_ids.clear();
  h.event.wildcard_ids = {"006*"};
  auto wildcard = decode_change_event(oce(), payload(h));
  ASSERT_TRUE(wildcard) << wildcard.error().message;
  EXPECT_TRUE(wildcard->event.record_ids.empty());
  EXPECT_EQ(wildcard->event.wildcard_ids, Names{"006*"});

  // An Id with a wrong checksum, written by hand (the encoder takes only valid Ids).
  h.event.wildcard_ids = {"006am000006pSAYAAX"};
  auto bad = decode_change_event(oce(), payload(h));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  auto expected = SalesforceId::parse("006am000006pSAYAAX").error().message;
  EXPECT_EQ(bad.error().message, "pubsub event: ChangeEventHeader.recordIds[0]: " + expected);

  h = sample_header();
  events::ParseLimits limits;
  limits.max_record_ids = 1;
  auto many = decode_change_event(oce(), payload(h), limits);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().message, "pubsub event: ChangeEventHeader: more than 1 recordIds");
}

TEST(PubsubChangeEvent, RefusesBadHeadersAndPayloads) {
  auto h = sample_header();
  h.event.transaction_key = "";
  EXPECT_EQ(decode_change_event(oce(), payload(h)).error().message,
            "pubsub event: ChangeEventHeader: transactionKey must be 1 to 64 characters");
  h = sample_header();
  std::string bytes = payload(h);
  EXPECT_EQ(decode_change_event(oce(), bytes.substr(0, bytes.size() - 3)).error().message,
            "pubsub event: payload: avro: truncated varint at byte " +
                std::to_string(bytes.size() - 3) + " (in LastModifiedById)");
  EXPECT_EQ(decode_change_event(oce(), bytes + "x").error().message,
            "pubsub event: payload: avro: 1 bytes after the datum at byte " +
                std::to_string(bytes.size()));
  h.event.changed_fields = {"Planet__c"};
  EXPECT_EQ(encode_change_event(oce(), h).error().message,
            "pubsub event: ChangeEventHeader.changedFields: field bitmaps: "
            "com.sforce.eventbus.OpportunityChangeEvent has no field 'Planet__c'");
  h = sample_header();
  const std::vector<BodyField> wrong = {{"Amount", avro::Value::of(std::string("ten"))}};
  EXPECT_EQ(encode_change_event(oce(), h, wrong).error().message,
            "pubsub event: encode: avro encode: no union branch fits the value for union "
            "(in Amount)");
  // A bitmap bit beyond the writer's fields, from a payload written by hand.
  auto raw = avro::decode(oce(), payload(sample_header()));
  auto& header =
      std::get<avro::Value::Record>(std::get<avro::Value::Record>(raw->datum).fields[0].datum);
  std::get<avro::Value::Array>(header.fields[11].datum).items = {
      avro::Value::of(std::string("0x40000"))};
  auto forged = avro::encode(oce(), *raw);
  ASSERT_TRUE(forged);
  EXPECT_EQ(decode_change_event(oce(), *forged).error().message,
            "pubsub event: ChangeEventHeader.changedFields: field bitmap '0x40000': bit 18 is set "
            "but com.sforce.eventbus.OpportunityChangeEvent has 17 fields");
}

// The change-type and changed-field filter (events/change_filter.hpp, what the webhook applies)
// judges a Pub/Sub event by the names its bitmaps stand for.
TEST(PubsubChangeEvent, FiltersLikeTheWebhook) {
  auto judged = [](const events::ChangeEvent& e, std::vector<std::string> fields) {
    return events::judge({.changed_fields = std::move(fields)}, e).skip;
  };
  auto h = sample_header();
  h.event.changed_fields = {"StageName", "LastModifiedDate"};
  auto stage = decode_change_event(oce(), payload(h));
  ASSERT_TRUE(stage);
  EXPECT_EQ(judged(stage->event, {"StageName", "Amount"}), events::Skip::none);
  EXPECT_EQ(judged(stage->event, {"Amount"}), events::Skip::fields);
  EXPECT_EQ(judged(stage->event, {}), events::Skip::none);
  h.event.changed_fields = {"ShippingAddress__c.City"};
  auto city = decode_change_event(oce(), payload(h));
  ASSERT_TRUE(city);
  EXPECT_EQ(judged(city->event, {"ShippingAddress__c.City"}), events::Skip::none);
  h.event.change_type = "DELETE";
  auto deleted = decode_change_event(oce(), payload(h));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(judged(deleted->event, {}), events::Skip::change_type);
  h.event.change_type = "GAP_UPDATE";
  auto gap = decode_change_event(oce(), payload(h));
  ASSERT_TRUE(gap);
  EXPECT_EQ(judged(gap->event, {"Amount"}), events::Skip::none);
  // The same event as the webhook gets it from Eventing, bitmap kept: it cannot be judged.
  events::ChangeEvent webhook = stage->event;
  webhook.changed_fields = {"0x14"};
  auto verdict = events::judge({.changed_fields = {"Amount"}}, webhook);
  EXPECT_EQ(verdict.skip, events::Skip::none);
  EXPECT_TRUE(verdict.fields_undecoded);
}

TEST(PubsubChangeEvent, EncodesWhatItDecodes) {
  auto h = sample_header();
  std::string bytes = payload(h);
  auto decoded = decode_change_event(oce(), bytes);
  ASSERT_TRUE(decoded);
  auto again = encode_change_event(oce(), *decoded);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, bytes);
}

}  // namespace
}  // namespace pe::pubsub
