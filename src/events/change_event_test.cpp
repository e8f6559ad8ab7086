#include "events/change_event.hpp"

#include <gtest/gtest.h>

#include <map>

namespace pe::events {
namespace {

// The Eventing sample's opportunity-cdc-event.json.
const std::string kSample = R"({
    "specversion":"1.0",
    "id":"20741903-d0b2-4d86-90cf-4192b0e17462",
    "source":"",
    "type":"",
    "subject":"/data/OpportunityChangeEvent",
    "datacontenttype":"application/json",
    "data":{
      "ChangeEventHeader":{
        "changeOrigin":"com/salesforce/api/soap/62.0;client=SfdcInternalAPI/",
        "changeType":"UPDATE",
        "changedFields":[ "0x01000080" ],
        "commitNumber":1736877279422521345,
        "commitTimestamp":1736877277000,
        "commitUser":"005am000004KT8PAAW",
        "diffFields":[ ],
        "entityName":"Opportunity",
        "nulledFields":[ ],
        "recordIds":[ "006am000006pSAYAA2" ],
        "sequenceNumber":1,
        "transactionKey":"00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3"
      }
    }
})";

auto no_headers = [](std::string_view) { return std::string_view(); };

TEST(CloudEventCodec, ParsesTheEventingSample) {
  auto events = parse_change_events("application/cloudevents+json", kSample, no_headers);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  const auto& e = (*events)[0];
  EXPECT_EQ(e.id, "20741903-d0b2-4d86-90cf-4192b0e17462");
  EXPECT_EQ(e.entity, "Opportunity");
  EXPECT_EQ(e.change_type, "UPDATE");
  ASSERT_EQ(e.record_ids.size(), 1u);
  EXPECT_EQ(e.record_ids[0].str(), "006am000006pSAYAA2");
  EXPECT_EQ(e.transaction_key, "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3");
  EXPECT_EQ(e.sequence_number, 1);
  EXPECT_EQ(e.commit_timestamp, 1736877277000);
  EXPECT_EQ(e.changed_fields, std::vector<std::string>{"0x01000080"});
}

TEST(CloudEventCodec, ReadsBatchAndBinaryModes) {
  auto batch = parse_change_events("application/cloudevents-batch+json; charset=utf-8",
                                   "[" + kSample + "," + kSample + "]", no_headers);
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->size(), 2u);
  auto empty = parse_change_events("application/cloudevents-batch+json", "[]", no_headers);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());

  std::map<std::string, std::string> headers{
      {"ce-specversion", "1.0"}, {"ce-id", "b-1"}, {"ce-source", ""}, {"ce-type", ""}};
  auto binary = parse_change_events(
      "application/json",
      R"({"ChangeEventHeader":{"entityName":"Opportunity","changeType":"CREATE","recordIds":["006am000006pSAYAA2"],"transactionKey":"t1","sequenceNumber":2}})",
      [&](std::string_view name) {
        auto it = headers.find(std::string(name));
        return it == headers.end() ? std::string_view() : std::string_view(it->second);
      });
  ASSERT_TRUE(binary) << binary.error().message;
  EXPECT_EQ((*binary)[0].id, "b-1");
  EXPECT_EQ((*binary)[0].change_type, "CREATE");
  // Found by the fuzzer: a binary-mode body that is valid JSON but not an object.
  for (std::string_view body : {"0", "null", "\"x\"", "[]"}) {
    auto scalar = parse_change_events("application/json", body, [&](std::string_view name) {
      auto it = headers.find(std::string(name));
      return it == headers.end() ? std::string_view() : std::string_view(it->second);
    });
    ASSERT_FALSE(scalar) << body;
    EXPECT_EQ(scalar.error().message, "event: data must be an object");
  }
}

TEST(CloudEventCodec, RefusesHostileInputNamingTheField) {
  auto message = [](std::string_view type, std::string_view body) {
    auto r = parse_change_events(type, body, no_headers);
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  const std::string ce = "application/cloudevents+json";
  EXPECT_NE(message(ce, "{\"specversion\":").find("body: invalid JSON"), std::string::npos);
  EXPECT_EQ(message(ce, "[]"), "event: an event must be a JSON object");
  EXPECT_EQ(message(ce, R"({"specversion":"0.3","id":"x","data":{}})"),
            "event: specversion must be \"1.0\"");
  EXPECT_EQ(message(ce, R"({"specversion":"1.0","data":{}})"), "event: id is missing");
  EXPECT_EQ(message(ce, R"({"specversion":"1.0","id":"x","data":{}})"),
            "event: data.ChangeEventHeader is missing");
  std::string bad_id = kSample;
  bad_id.replace(bad_id.find("006am000006pSAYAA2"), 18, "006am000006pSAYAAX");
  EXPECT_NE(message(ce, bad_id).find("event: ChangeEventHeader.recordIds[0]: "), std::string::npos);
  std::string no_key = kSample;
  no_key.replace(no_key.find("\"transactionKey\""), 16, "\"somethingElse\"");
  EXPECT_EQ(message(ce, no_key), "event: ChangeEventHeader: transactionKey is missing");
  std::string many = "[";
  for (int i = 0; i < 1001; ++i) many += std::string(i ? "," : "") + "{}";
  EXPECT_EQ(message("application/cloudevents-batch+json", many + "]"),
            "body: more than 1000 events in a batch");
  auto wrong_type = parse_change_events("text/plain", "{}", no_headers);
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(wrong_type.error().code, Errc::unsupported_media_type);
  std::string deep(200, '[');
  EXPECT_NE(message(ce, deep).find("body:"), std::string::npos);
}

// A field-type conversion changes every record of an object, and its event's recordIds holds
// the key prefix and a wildcard ("006*") instead of Ids: kept apart, not refused. Anything else
// that is not an Id still is.
TEST(CloudEventCodec, KeepsKeyPrefixWildcardsApartFromIds) {
  auto with_ids = [](std::string_view ids) {
    std::string body = kSample;
    body.replace(body.find("\"006am000006pSAYAA2\""), 20, ids);
    return parse_change_events("application/cloudevents+json", body, no_headers);
  };
  auto only = with_ids(R"("006*")");
  ASSERT_TRUE(only) << only.error().message;
  EXPECT_TRUE(only->front().record_ids.empty());
  EXPECT_EQ(only->front().wildcard_ids, std::vector<std::string>{"006*"});
  auto mixed = with_ids(R"("a0B*", "006am000006pSAYAA2")");
  ASSERT_TRUE(mixed) << mixed.error().message;
  EXPECT_EQ(mixed->front().wildcard_ids, std::vector<std::string>{"a0B*"});
  ASSERT_EQ(mixed->front().record_ids.size(), 1u);
  EXPECT_EQ(mixed->front().record_ids[0].str(), "006am000006pSAYAA2");
  for (std::string_view bad : {R"("06*")", R"("006**")", R"("0 6*")", R"("*006")", R"("006am*")"}) {
    auto refused = with_ids(bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_NE(refused.error().message.find("ChangeEventHeader.recordIds[0]: "), std::string::npos)
        << refused.error().message;
  }
}

// The reader reads straight from the text (no document): every field in every shape it can
// come in, escapes and all, and whatever else the event carries is skipped.
TEST(CloudEventCodec, ReadsEveryFieldWhateverSurroundsIt) {
  const std::string body = R"({
    "extension": {"nested": [1, {"data": {"ChangeEventHeader": {"entityName": "Account"}}}]},
    "specversion": "1.0", "id": "e\u002d1", "source": null, "subject": "/data/x",
    "data": {
      "other": [{"recordIds": ["bad"]}],
      "ChangeEventHeader": {
        "entity\u004Eame": "Opportunity", "changeType": "CREATE",
        "transactionKey": "tx\"1", "changeOrigin": null,
        "sequenceNumber": 7, "commitTimestamp": -5, "nulledFields": [null, {}],
        "recordIds": ["006am000006pSAYAA2", "006am000006pSAY"],
        "changedFields": ["Name", "Stage\u004eame"]
      }
    }
  })";
  auto events = parse_change_events("Application/CloudEvents+JSON", body, no_headers);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  const auto& e = (*events)[0];
  EXPECT_EQ(e.id, "e-1");
  EXPECT_EQ(e.entity, "Opportunity");
  EXPECT_EQ(e.change_type, "CREATE");
  EXPECT_EQ(e.transaction_key, "tx\"1");
  EXPECT_EQ(e.sequence_number, 7);
  EXPECT_EQ(e.commit_timestamp, -5);
  ASSERT_EQ(e.record_ids.size(), 2u);
  EXPECT_EQ(e.record_ids[1].str(), "006am000006pSAYAA2");  // the 15-character form, as 18
  EXPECT_EQ(e.changed_fields, (std::vector<std::string>{"Name", "StageName"}));
}

TEST(CloudEventCodec, NamesTheFieldOfEveryWrongShape) {
  auto message = [](std::string_view type, std::string_view body) {
    auto r = parse_change_events(type, body, no_headers);
    EXPECT_FALSE(r) << body;
    return r ? std::string() : r.error().message;
  };
  const std::string ce = "application/cloudevents+json";
  auto with_header = [](std::string_view fields) {
    return R"({"specversion":"1.0","id":"x","data":{"ChangeEventHeader":{)" + std::string(fields) +
           "}}}";
  };
  const std::string good = R"("entityName":"Opportunity","changeType":"UPDATE",)"
                           R"("transactionKey":"t","recordIds":["006am000006pSAYAA2"])";
  ASSERT_TRUE(parse_change_events(ce, with_header(good), no_headers));
  EXPECT_EQ(message(ce, R"({"specversion":1.0,"id":"x","data":{}})"),
            "event: specversion must be a string, not 1.0");
  EXPECT_EQ(message(ce, R"({"specversion":"1.0","id":["x"],"data":{}})"),
            "event: id must be a string, not an array");
  EXPECT_EQ(message(ce, R"({"specversion":"1.0","id":"x","type":{},"data":{}})"),
            "event: type must be a string, not an object");
  EXPECT_EQ(message(ce, R"({"specversion":"1.0","id":"x"})"),
            "event: data is missing (data_base64 is not supported)");
  EXPECT_EQ(message(ce, R"({"specversion":"1.0","id":"x","data":null})"),
            "event: data must be an object");
  EXPECT_EQ(message(ce, R"({"specversion":"1.0","id":"x","data":{"ChangeEventHeader":[]}})"),
            "event: data.ChangeEventHeader is missing");
  EXPECT_EQ(message(ce, with_header(R"("entityName":true)")),
            "event: ChangeEventHeader: entityName must be a string, not true");
  EXPECT_EQ(message(ce, with_header(R"("entityName":"Opportunity","changeType":null)")),
            "event: ChangeEventHeader: changeType is missing");
  EXPECT_EQ(message(ce, with_header(good + R"(,"transactionKey":"")")),
            "event: ChangeEventHeader: transactionKey must be 1 to 64 characters");
  EXPECT_EQ(message(ce, with_header(good + R"(,"sequenceNumber":-1)")),
            "event: ChangeEventHeader: sequenceNumber must be a whole number");
  EXPECT_EQ(message(ce, with_header(good + R"(,"sequenceNumber":1.5)")),
            "event: ChangeEventHeader: sequenceNumber must be a whole number");
  EXPECT_EQ(message(ce, with_header(good + R"(,"commitTimestamp":"2026")")),
            "event: ChangeEventHeader: commitTimestamp must be epoch milliseconds");
  EXPECT_EQ(message(ce, with_header(good + R"(,"recordIds":"006am000006pSAYAA2")")),
            "event: ChangeEventHeader: recordIds must be an array");
  EXPECT_EQ(message(ce, with_header(good + R"(,"recordIds":["006am000006pSAYAA2",7])")),
            "event: ChangeEventHeader.recordIds[1]: must be a string");
  EXPECT_EQ(message(ce, with_header(good + R"(,"changedFields":["Name",null])")),
            "event: ChangeEventHeader: changedFields must hold strings");
  std::string ids = R"("recordIds":[)";
  for (int i = 0; i < 3; ++i) ids += std::string(i ? "," : "") + "\"006am000006pSAYAA2\"";
  auto few = parse_change_events(ce, with_header(good + "," + ids + "]"), no_headers,
                                 {.max_record_ids = 2});
  ASSERT_FALSE(few);
  EXPECT_EQ(few.error().message, "event: ChangeEventHeader: more than 2 recordIds");

  const std::string batch = "application/cloudevents-batch+json";
  EXPECT_EQ(message(batch, "{}"), "body: a batch must be a JSON array");
  EXPECT_EQ(message(batch, "[" + with_header(good) + ",3]"),
            "event 1: an event must be a JSON object");
  EXPECT_EQ(message(batch, "[" + with_header(good) + "," + with_header("") + "]"),
            "event 1: ChangeEventHeader: entityName is missing");
  // A syntax error anywhere wins over a problem found before it.
  EXPECT_NE(message(batch, "[3, {]").find("body: invalid JSON at line 1, column 6"),
            std::string::npos);
  EXPECT_EQ(message(ce, with_header(good) + " {}"), "body: invalid JSON: text after the document");
}

}  // namespace
}  // namespace pe::events
