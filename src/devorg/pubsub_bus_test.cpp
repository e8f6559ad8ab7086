// Unit tests of the local org's Pub/Sub topics, flow control and fixed Avro schemas, without
// gRPC (tests/devorg_pubsub_test.cpp drives the server).
#include "devorg/pubsub_bus.hpp"
#include "devorg/pubsub_payloads.hpp"
#include "pubsub/change_event_payload.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <thread>

namespace pe::devorg {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kTopic = "/data/OpportunityChangeEvent";

PubSubBus bus_with(int events, std::chrono::milliseconds retention = 72h) {
  PubSubBus bus({.retention = retention});
  bus.add_topic(TopicLog(std::string(kTopic), "schema-1", "{}", false));
  for (int i = 0; i < events; ++i) bus.publish(kTopic, "uuid", "payload");
  return bus;
}

TEST(PubSubBus, ReplayIdsAreEightBytesBigEndian) {
  EXPECT_EQ(encode_replay_id(0x0102030405060708), std::string("\x01\x02\x03\x04\x05\x06\x07\x08"));
  EXPECT_EQ(decode_replay_id(encode_replay_id(1736877279422521345)), 1736877279422521345);
  EXPECT_FALSE(decode_replay_id("1234"));
  EXPECT_FALSE(decode_replay_id(std::string(10, '\0')));
}

TEST(PubSubBus, PendingAccumulatesUpToOneHundred) {
  auto bus = bus_with(0);
  Subscription sub;
  ASSERT_FALSE(sub.open(bus, kTopic, ReplayStart::latest, "", 60));
  EXPECT_EQ(sub.pending(), 60);
  ASSERT_FALSE(sub.request("", 30));
  EXPECT_EQ(sub.pending(), 90);
  ASSERT_FALSE(sub.request(kTopic, 500));
  EXPECT_EQ(sub.pending(), 100);
  auto mismatch = sub.request("/event/QuoteGenerationComplete__e", 1);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->code, RpcCode::invalid_argument);
  auto none = Subscription().open(bus, kTopic, ReplayStart::latest, "", 0);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->error_code, "subscription.fetch.requested.events.invalid");
}

TEST(PubSubBus, TakeDeliversWhatIsOwedInOrder) {
  auto bus = bus_with(5);
  Subscription sub;
  ASSERT_FALSE(sub.open(bus, kTopic, ReplayStart::earliest, "", 2));
  auto first = sub.take(bus);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0]->replay_id, 1);
  EXPECT_EQ(sub.position(), 2);
  EXPECT_EQ(sub.pending(), 0);
  EXPECT_TRUE(sub.take(bus).empty());
  ASSERT_FALSE(sub.request("", 10));
  auto rest = sub.take(bus);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest.back()->replay_id, 5);
  EXPECT_EQ(sub.pending(), 7);
}

TEST(PubSubBus, CustomStartsAfterTheIdAndRefusesOthers) {
  auto bus = bus_with(3);
  Subscription sub;
  ASSERT_FALSE(sub.open(bus, kTopic, ReplayStart::custom, encode_replay_id(1), 10));
  EXPECT_EQ(sub.take(bus).front()->replay_id, 2);
  EXPECT_EQ(
      Subscription().open(bus, kTopic, ReplayStart::custom, encode_replay_id(4), 1)->error_code,
      "subscription.fetch.replayid.corrupted");
  EXPECT_EQ(Subscription().open(bus, kTopic, ReplayStart::custom, "", 1)->error_code,
            "subscription.fetch.replayid.validation.failed");
  EXPECT_EQ(Subscription().open(bus, "/data/Nope", ReplayStart::latest, "", 1)->code,
            RpcCode::not_found);
  Subscription latest;
  ASSERT_FALSE(latest.open(bus, kTopic, ReplayStart::latest, "", 10));
  EXPECT_EQ(latest.position(), 3);
  EXPECT_TRUE(latest.take(bus).empty());
}

TEST(PubSubBus, RetentionDropsOldEventsAndTheirIds) {
  auto bus = bus_with(2, 1ms);
  std::this_thread::sleep_for(5ms);
  bus.publish(kTopic, "uuid", "payload");  // drops 1 and 2
  EXPECT_EQ(bus.topic(kTopic)->floor(), 2);
  EXPECT_TRUE(Subscription().open(bus, kTopic, ReplayStart::custom, encode_replay_id(1), 1));
  Subscription sub;
  ASSERT_FALSE(sub.open(bus, kTopic, ReplayStart::custom, encode_replay_id(2), 1));
}

TEST(PubSubBus, WatchersWakeOnTheirTopicOnly) {
  auto bus = bus_with(0);
  bus.add_topic(TopicLog("/event/X__e", "schema-2", "{}", true));
  int woken = 0;
  uint64_t handle = bus.watch(std::string(kTopic), [&woken] { ++woken; });
  bus.publish(kTopic, "u", "p");
  bus.publish("/event/X__e", "u", "p");
  EXPECT_EQ(woken, 1);
  bus.unwatch(handle);
  bus.publish(kTopic, "u", "p");
  EXPECT_EQ(woken, 1);
}

TEST(PubSubPayloads, ChangeEventSchemaStartsWithTheHeaderAndHasAStableId) {
  const ObjectSchema& opp = *find_object("Opportunity");
  auto schema = change_event_schema(opp);
  EXPECT_EQ(schema.id, change_event_schema(opp).id);
  EXPECT_EQ(schema.id.size(), 22u);
  auto parsed = json::parse(schema.json).as_object();
  EXPECT_EQ(parsed.at("fields").at(0).at("name"), "ChangeEventHeader");
  EXPECT_NE(schema.id, platform_event_schema("QuoteGenerationComplete__e", {"Status__c"}).id);
}

TEST(PubSubPayloads, ChangeEventsAreWrittenByThePubSubCodecWithBitmaps) {
  const ObjectSchema& opp = *find_object("Opportunity");
  json::object header{{"entityName", "Opportunity"},
                      {"recordIds", json::array{std::string(SalesforceId::make("006", 1).str())}},
                      {"changeType", "UPDATE"},
                      {"changeOrigin", "com/salesforce/api/rest/62.0;client="},
                      {"transactionKey", "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3"},
                      {"sequenceNumber", 1},
                      {"commitTimestamp", 1765000000000},
                      {"commitNumber", 1736877279422521346},
                      {"commitUser", std::string(SalesforceId::make("005", 1).str())},
                      {"changedFields", json::array{"LastModifiedDate", "StageName"}},
                      {"nulledFields", json::array()},
                      {"diffFields", json::array()}};
  auto payload = encode_change_event(opp, header);
  ASSERT_TRUE(payload) << payload.error().message;
  auto schema = pubsub::avro::Schema::parse(change_event_schema(opp).json);
  ASSERT_TRUE(schema);
  auto decoded = pubsub::decode_change_event(*schema, *payload);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->event.transaction_key, "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3");
  EXPECT_EQ(decoded->commit_number, 1736877279422521346);
  auto names = decoded->event.changed_fields;
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"LastModifiedDate", "StageName"}));
  header["recordIds"] = json::array{"not-an-id"};
  EXPECT_FALSE(encode_change_event(opp, header));
}

TEST(PubSubPayloads, PlatformEventsRoundTrip) {
  PlatformEvent event;
  event.type = "QuoteGenerationComplete__e";
  event.created_ms = 1765000000000;
  event.created_by = SalesforceId::make("005", 1);
  event.fields["Status__c"] = "Quotes Generated: 5";
  auto body =
      decode_platform_event(event.type, encode_platform_event(event, {"Status__c"}), {"Status__c"});
  ASSERT_TRUE(body);
  EXPECT_EQ(body->at("CreatedDate"), 1765000000000);
  EXPECT_EQ(body->at("Status__c").at("string"), "Quotes Generated: 5");
  EXPECT_FALSE(decode_platform_event(event.type, "\x02", {"Status__c"}));
}

}  // namespace
}  // namespace pe::devorg
