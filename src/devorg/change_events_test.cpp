#include "devorg/change_events.hpp"

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include <regex>

namespace pe::devorg {
namespace {

namespace json = boost::json;

SalesforceId opportunity(int serial) { return SalesforceId::make("006", serial); }

Change update(SalesforceId id, std::vector<std::string> fields) {
  return {.kind = Change::Kind::update,
          .object = "Opportunity",
          .id = id,
          .changed_fields = std::move(fields)};
}

std::vector<json::object> build(const std::vector<Change>& changes) {
  int n = 0;
  ChangeOrigin origin{.api = "rest",
                      .api_version = "62.0",
                      .client = "jsforce",
                      .user = SalesforceId::make("005", 1)};
  CommitInfo commit{.transaction_key = "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3",
                    .commit_number = 1736877279422521345,
                    .commit_timestamp_ms = 1736877277000};
  return build_change_events(changes, origin, commit,
                             [&] { return "event-" + std::to_string(++n); });
}

const json::object& header(const json::object& event) {
  return event.at("data").as_object().at("ChangeEventHeader").as_object();
}

TEST(ChangeEvents, OneUpdateLooksLikeTheEventingSample) {
  auto events = build({update(opportunity(1), {"StageName"})});
  ASSERT_EQ(events.size(), 1u);
  const auto& e = events[0];
  EXPECT_EQ(e.at("specversion"), "1.0");
  EXPECT_EQ(e.at("id"), "event-1");
  EXPECT_EQ(e.at("source"), "");
  EXPECT_EQ(e.at("type"), "");
  EXPECT_EQ(e.at("subject"), "/data/OpportunityChangeEvent");
  EXPECT_EQ(e.at("datacontenttype"), "application/json");
  const auto& h = header(e);
  EXPECT_EQ(h.size(), 12u) << json::serialize(h);
  EXPECT_EQ(h.at("entityName"), "Opportunity");
  EXPECT_EQ(h.at("changeType"), "UPDATE");
  EXPECT_EQ(h.at("changeOrigin"), "com/salesforce/api/rest/62.0;client=jsforce");
  EXPECT_EQ(h.at("transactionKey"), "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3");
  EXPECT_EQ(h.at("sequenceNumber"), 1);
  EXPECT_EQ(h.at("commitNumber").as_int64(), 1736877279422521345);
  EXPECT_EQ(h.at("commitTimestamp").as_int64(), 1736877277000);
  EXPECT_EQ(h.at("commitUser").as_string(), SalesforceId::make("005", 1).str());
  EXPECT_EQ(json::serialize(h.at("recordIds")), "[\"" + std::string(opportunity(1).str()) + "\"]");
  EXPECT_EQ(json::serialize(h.at("changedFields")), R"(["LastModifiedDate","StageName"])");
  EXPECT_EQ(json::serialize(h.at("nulledFields")), "[]");
  EXPECT_EQ(json::serialize(h.at("diffFields")), "[]");
}

TEST(ChangeEvents, TheSameChangeOnSeveralRecordsIsOneEvent) {
  std::vector<Change> changes;
  for (int i = 1; i <= 50; ++i) changes.push_back(update(opportunity(i), {"StageName"}));
  auto events = build(changes);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(header(events[0]).at("recordIds").as_array().size(), 50u);
  EXPECT_EQ(header(events[0]).at("recordIds").as_array()[49].as_string(), opportunity(50).str());
}

TEST(ChangeEvents, DifferentChangesGetTheirOwnEventsInOrderWithOneTransactionKey) {
  auto events = build({
      update(opportunity(1), {"StageName"}),
      {.kind = Change::Kind::create, .object = "Opportunity", .id = opportunity(2)},
      update(opportunity(3), {"Amount", "StageName"}),
      update(opportunity(4), {"StageName"}),  // joins the first event
      update(opportunity(1), {"StageName"}),  // the same record again: listed once
      {.kind = Change::Kind::remove, .object = "Opportunity", .id = opportunity(5)},
  });
  ASSERT_EQ(events.size(), 4u);
  std::vector<std::string> types;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& h = header(events[i]);
    EXPECT_EQ(h.at("sequenceNumber").as_int64(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(h.at("transactionKey"), "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3");
    types.push_back(std::string(h.at("changeType").as_string()));
  }
  EXPECT_EQ(types, (std::vector<std::string>{"UPDATE", "CREATE", "UPDATE", "DELETE"}));
  EXPECT_EQ(header(events[0]).at("recordIds").as_array().size(), 2u);
  EXPECT_EQ(json::serialize(header(events[1]).at("changedFields")), "[]");
  EXPECT_EQ(json::serialize(header(events[2]).at("changedFields")),
            R"(["Amount","LastModifiedDate","StageName"])");
}

TEST(ChangeEvents, ObjectsWithoutChangeDataCaptureProduceNothing) {
  auto events =
      build({{.kind = Change::Kind::create, .object = "Quote", .id = SalesforceId::make("0Q0", 1)},
             {.kind = Change::Kind::update,
              .object = "Account",
              .id = SalesforceId::make("001", 1),
              .changed_fields = {"Name"}}});
  EXPECT_TRUE(events.empty());
}

TEST(ChangeEvents, RandomUuidsAreVersion4AndDistinct) {
  std::regex form("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::string a = random_uuid();
  std::string b = random_uuid();
  EXPECT_TRUE(std::regex_match(a, form)) << a;
  EXPECT_TRUE(std::regex_match(b, form)) << b;
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace pe::devorg
