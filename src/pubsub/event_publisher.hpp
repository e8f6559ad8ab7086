// event_publisher.hpp: platform events published through the Pub/Sub API's Publish
// (PRICING_PUBLISH_VIA=pubsub): the worker's QuoteGenerationComplete__e, Avro-encoded with the
// topic's own schema (GetTopic for its schema id, then GetSchema; both cached per topic), every
// field not given written as null. A refused schema id (the event's fields changed in the org) is
// fetched again once.
//
// gRPC's calls block, so they run on a thread of the publisher's own; the coroutine that awaits
// publish() resumes on its own executor, never blocked.
//
//   PubSubPublisher publisher({.endpoint = "api.pubsub.salesforce.com:7443"});
//   auto done = co_await publisher.publish(creds, "/event/QuoteGenerationComplete__e",
//                                          {{"Status__c", avro::Value::of("Quotes Generated:
//                                          3")}});
#pragma once

#include "pubsub/avro_schema.hpp"
#include "pubsub/avro_value.hpp"
#include "pubsub/pubsub_client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace pe::pubsub {

using EventField = std::pair<std::string, avro::Value>;

// A record of `writer` (a record schema) with the given fields by name and null elsewhere;
// invalid_argument for a field the schema lacks or a value that does not fit.
Result<std::string> encode_record(const avro::Schema& writer,
                                  const std::vector<EventField>& fields);

class PubSubPublisher {
 public:
  explicit PubSubPublisher(ChannelOptions options);
  ~PubSubPublisher();

  // The replay id of the event published.
  boost::asio::awaitable<Result<std::string>> publish(Credentials creds, std::string topic,
                                                      std::vector<EventField> fields);

 private:
  struct TopicSchema {
    std::string id;
    std::shared_ptr<const avro::Schema> schema;
  };
  Result<std::string> publish_now(const Credentials& creds, const std::string& topic,
                                  const std::vector<EventField>& fields);
  Result<TopicSchema> schema_of(const Credentials& creds, const std::string& topic, bool fresh);

  PubSubClient client_;
  boost::asio::thread_pool pool_{1};
  std::mutex mutex_;
  std::map<std::string, TopicSchema> schemas_;
};

}  // namespace pe::pubsub
