#include "devorg/event_bus.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace pe::devorg {
namespace {

namespace json = boost::json;

const SalesforceId kUser = SalesforceId::make("005", 1);

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

TEST(EventBus, RestPublishRecordsTheEventAndPlaysTheFlow) {
  EventBus bus;
  auto published = bus.publish_rest("QuoteGenerationComplete__e",
                                    parse(R"({"Status__c":"Quotes Generated: 50"})"), kUser);
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_EQ(published->id.prefix(), "e00");
  auto events = bus.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].replay_id, 1);
  EXPECT_EQ(events[0].via, "rest");
  EXPECT_EQ(events[0].created_by, kUser);
  EXPECT_EQ(json::serialize(events[0].fields), R"({"Status__c":"Quotes Generated: 50"})");
  ASSERT_EQ(bus.notifications().size(), 1u);
  const auto& n = bus.notifications()[0];
  EXPECT_EQ(n.type, "QuoteGenerationComplete");
  EXPECT_EQ(n.title, "Quotes generated");
  EXPECT_EQ(n.body, "Quotes Generated: 50");
  EXPECT_EQ(n.recipient, kUser);
  EXPECT_EQ(n.replay_id, 1);
}

TEST(EventBus, RestAnswerReportsTheUuidFromWinter26) {
  PublishResult r{SalesforceId::make("e00", 7), "8a1c2f7e-0000-4000-8000-000000000001"};
  EXPECT_EQ(json::serialize(EventBus::rest_answer(r, "62.0")),
            R"({"id":")" + std::string(r.id.str()) + R"(","success":true,"errors":[]})");
  auto newer = EventBus::rest_answer(r, "65.0");
  ASSERT_EQ(newer.at("errors").as_array().size(), 1u);
  EXPECT_EQ(newer.at("errors").as_array()[0].as_object().at("statusCode"), "OPERATION_ENQUEUED");
  EXPECT_EQ(newer.at("success"), true);
}

TEST(EventBus, RestPublishRejectsWhatTheEventDoesNotHave) {
  EventBus bus;
  auto unknown_type = bus.publish_rest("Nope__e", parse("{}"), kUser);
  ASSERT_FALSE(unknown_type);
  EXPECT_EQ(unknown_type.error().error_code, "NOT_FOUND");
  EXPECT_EQ(unknown_type.error().http_status, 404);

  auto unknown_field =
      bus.publish_rest("QuoteGenerationComplete__e", parse(R"({"Bacon__c":"x"})"), kUser);
  ASSERT_FALSE(unknown_field);
  EXPECT_EQ(unknown_field.error().error_code, "INVALID_FIELD");
  EXPECT_EQ(unknown_field.error().message,
            "No such column 'Bacon__c' on sobject of type QuoteGenerationComplete__e");

  auto too_long = bus.publish_rest("QuoteGenerationComplete__e",
                                   json::object{{"Status__c", std::string(256, 'x')}}, kUser);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().error_code, "STRING_TOO_LONG");

  auto wrong_type =
      bus.publish_rest("QuoteGenerationComplete__e", parse(R"({"Status__c":[1,2]})"), kUser);
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(wrong_type.error().error_code, "JSON_PARSER_ERROR");
  EXPECT_TRUE(bus.events().empty());
  EXPECT_TRUE(bus.notifications().empty());
}

TEST(EventBus, EventingPublishTakesTheSamplesAvroJsonBody) {
  EventBus bus;
  auto other = SalesforceId::make("005", 9);
  auto replay = bus.publish_eventing(
      "QuoteGenerationComplete",
      parse(R"({"CreatedById":")" + std::string(other.str()) +
            R"(","CreatedDate":1736877277000,"Status__c":{"string":"Quotes Generated: 3"}})"),
      kUser);
  ASSERT_TRUE(replay) << replay.error().message;
  auto events = bus.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].via, "eventing");
  EXPECT_EQ(events[0].created_by, other);
  EXPECT_EQ(events[0].created_date, "2025-01-14T17:54:37.000+0000");
  EXPECT_EQ(bus.notifications().back().body, "Quotes Generated: 3");
  EXPECT_EQ(bus.notifications().back().recipient, other);
}

TEST(EventBus, EventingPublishRejectsUnknownPublicationsAndBadHeaders) {
  EventBus bus;
  EXPECT_EQ(bus.publish_eventing("Nope", parse("{}"), kUser).error().error_code, "NOT_FOUND");
  EXPECT_EQ(bus.publish_eventing("QuoteGenerationComplete",
                                 parse(R"({"CreatedById":"001000000000000AAA"})"), kUser)
                .error()
                .error_code,
            "MALFORMED_ID");
  EXPECT_EQ(bus.publish_eventing("QuoteGenerationComplete", parse(R"({"CreatedDate":"yesterday"})"),
                                 kUser)
                .error()
                .error_code,
            "JSON_PARSER_ERROR");
  EXPECT_EQ(bus.published(), 0u);
}

TEST(EventBus, KeepsTheLastEventsAndPagesByReplayId) {
  EventBus bus(3);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(bus.publish_rest("QuoteGenerationComplete__e",
                                 json::object{{"Status__c", std::to_string(i)}}, kUser));
  }
  auto kept = bus.events();
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept.front().replay_id, 3);
  EXPECT_EQ(bus.events(4).size(), 1u);
  EXPECT_EQ(bus.events(0, 2).size(), 2u);
  EXPECT_EQ(bus.published(), 5u);
}

TEST(EventBus, DatetimesUseSalesforcesWireForm) {
  EXPECT_EQ(salesforce_datetime(
                std::chrono::system_clock::time_point(std::chrono::milliseconds(1736877277123))),
            "2025-01-14T17:54:37.123+0000");
}

}  // namespace
}  // namespace pe::devorg
