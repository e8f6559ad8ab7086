// event_bus.hpp: the local org's platform events and the Flow it plays.
//
// Platform events reach the org two ways, and both land here: the REST API
// (`POST /services/data/vNN.N/sobjects/QuoteGenerationComplete__e`, an insert that answers 201 with
// an event Id) and Heroku Eventing's publish URL (`POST {HEROKUEVENTS_PUBLISH_URL}/<publication>`,
// Basic auth, the Avro-JSON body the Eventing sample sends: `{"CreatedById", "CreatedDate",
// "Status__c": {"string": "..."}}`, salesforce-facts.md section 4). Each published event gets a
// replay id and is kept (the last max_events) for `GET /devorg/events`.
//
// The Flow of src-org (QuoteGenerationComplete) is played for every QuoteGenerationComplete__e:
// a custom notification of type QuoteGenerationComplete to the event's publisher, titled "Quotes
// generated", with the event's Status__c as its body — `GET /devorg/notifications` lists them.
//
//   EventBus bus;
//   auto published = bus.publish_rest("QuoteGenerationComplete__e",
//                                     {{"Status__c", "Quotes Generated: 50"}}, user, "62.0");
//   bus.notifications().back().body == "Quotes Generated: 50"
#pragma once

#include "common/sfid.hpp"
#include "devorg/api_error.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::devorg {

struct PlatformEvent {
  int64_t replay_id = 0;
  SalesforceId id;   // the Id the REST insert answered with (null for Eventing publishes)
  std::string type;  // "QuoteGenerationComplete__e"
  std::string via;   // "rest" or "eventing"
  SalesforceId created_by;
  std::string created_date;    // "2026-11-23T10:00:00.000+0000"
  int64_t created_ms = 0;      // the same, epoch milliseconds
  boost::json::object fields;  // custom fields, plain values: {"Status__c": "..."}
};

struct Notification {
  int64_t replay_id = 0;  // of the event that caused it
  std::string type = "QuoteGenerationComplete";
  std::string title;
  std::string body;
  SalesforceId recipient;
  std::string created_date;
};

// What the REST insert answers: the event's Id, and the event's UUID (newer API versions report
// it as an OPERATION_ENQUEUED entry in `errors` while success is true).
struct PublishResult {
  SalesforceId id;
  std::string event_uuid;
};

class EventBus {
 public:
  explicit EventBus(size_t max_events = 10'000) : max_events_(max_events) {}

  // REST insert of a platform event. INVALID_TYPE for an unknown event type, INVALID_FIELD for a
  // field the event does not have, STRING_TOO_LONG over 255 characters, JSON_PARSER_ERROR for a
  // value that is not a string or null.
  ApiResult<PublishResult> publish_rest(std::string_view type, const boost::json::object& fields,
                                        SalesforceId user);
  // The REST answer's JSON for an API version ("62.0").
  static boost::json::object rest_answer(const PublishResult& result, std::string_view api_version);

  // A publish through the Eventing URL: `publication` is the publication's name
  // ("QuoteGenerationComplete", the event type without __e), `body` the JSON object sent. Field
  // values may be plain or Avro-JSON unions ({"string": "..."}); CreatedById and CreatedDate
  // (epoch ms) are taken when valid. Errors: NOT_FOUND for an unknown publication, the REST
  // errors above for the fields.
  ApiResult<int64_t> publish_eventing(std::string_view publication, const boost::json::object& body,
                                      SalesforceId default_user, std::string_view via = "eventing");

  // Called with every event recorded (REST, Eventing, Pub/Sub), after the Flow has run: the
  // Pub/Sub API's /event/<type> topics are fed from here.
  void on_publish(std::function<void(const PlatformEvent&)> listener) {
    listener_ = std::move(listener);
  }

  // Events with replay id > after, oldest first, at most limit.
  std::vector<PlatformEvent> events(int64_t after = 0, size_t limit = 1000) const;
  const std::deque<Notification>& notifications() const { return notifications_; }
  uint64_t published() const { return static_cast<uint64_t>(next_replay_id_ - 1); }

 private:
  ApiResult<boost::json::object> check_fields(std::string_view type,
                                              const boost::json::object& fields) const;
  int64_t record(PlatformEvent event);

  size_t max_events_;
  int64_t next_replay_id_ = 1;
  uint64_t next_serial_ = 1;
  std::deque<PlatformEvent> events_;
  std::deque<Notification> notifications_;
  std::function<void(const PlatformEvent&)> listener_;
};

// Salesforce's datetime wire form of a point in time: "2026-11-23T10:00:00.000+0000".
std::string salesforce_datetime(std::chrono::system_clock::time_point t);

}  // namespace pe::devorg
