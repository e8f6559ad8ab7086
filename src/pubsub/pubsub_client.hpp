// pubsub_client.hpp: the Salesforce Pub/Sub API (eventbus.v1.PubSub over gRPC) as the subscriber
// uses it: GetTopic, GetSchema, Publish, and one Subscribe call run to its end with our flow
// control and a watchdog. The generated stubs stay inside pubsub_client.cpp: this header includes
// no gRPC, so the code around it compiles in the usual time.
//
// Channel: TLS with the system's roots (or PRICING_PUBSUB_CA_FILE's), plaintext only when the
// endpoint is a loopback address (the local org). Every call carries the metadata Salesforce
// reads: accesstoken, instanceurl and tenantid (the org's Id), in lower case as gRPC requires.
//
// subscribe() blocks its thread until the call ends, calling `on_batch` for every FetchResponse
// (events, or an empty keepalive) on that thread; the events are asked for as flow_control.hpp
// says (the first request, top-ups after responses, one request at least every max_silence from
// a watchdog thread). The watchdog also ends the call, as `cancelled` with a message saying so,
// when nothing (no events, no keepalive) arrived for `silence_limit`, and cancel() ends it from
// any thread. What ended it comes back as a StreamError with Salesforce's `error-code` trailer,
// for recovery_for() (stream_errors.hpp).
//
//   PubSubClient client({.endpoint = "api.pubsub.salesforce.com:7443"});
//   auto topic = client.get_topic(creds, "/data/OpportunityChangeEvent");
//   StreamError end = client.subscribe(creds, {.topic = ..., .preset = Preset::custom,
//                                      .replay_id = stored}, options, on_batch);
#pragma once

#include "pubsub/flow_control.hpp"
#include "pubsub/stream_errors.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pe::pubsub {

struct ChannelOptions {
  std::string endpoint = "api.pubsub.salesforce.com:7443";  // host:port
  std::string ca_file;                                      // PEM roots; empty: the system's
};

// True for 127.0.0.1, ::1 and localhost endpoints: the only ones reached without TLS.
bool is_loopback_endpoint(std::string_view endpoint);

struct Credentials {
  std::string access_token;  // a secret: never logged
  std::string instance_url;
  std::string tenant_id;  // the org's 18-character Id
};

struct TopicInfo {
  std::string topic_name;
  std::string tenant_guid;
  bool can_publish = false;
  bool can_subscribe = false;
  std::string schema_id;
};

// A call's value, or what ended it.
template <class T>
struct CallResult {
  std::optional<T> value;
  StreamError error;
  explicit operator bool() const { return value.has_value(); }
};

struct ReceivedEvent {
  std::string id;  // the publisher's event id (a UUID)
  std::string schema_id;
  std::string payload;    // Avro binary
  std::string replay_id;  // opaque bytes
};

struct FetchBatch {
  std::vector<ReceivedEvent> events;  // empty: a keepalive
  std::string latest_replay_id;
  int32_t pending_num_requested = 0;
  std::string rpc_id;
};

enum class Preset { latest, earliest, custom };

struct SubscribeStart {
  std::string topic;
  Preset preset = Preset::latest;
  std::string replay_id;  // with custom: resume after it
};

struct SubscribeOptions {
  FlowOptions flow;
  // Nothing for this long (keepalives come every 270 s at most, plus a margin): resubscribe.
  std::chrono::milliseconds silence_limit{300'000};
  std::chrono::milliseconds tick{500};  // the watchdog's period
};

// What a batch's handler says: go on, or end the call (the subscription is being stopped).
enum class Next { more, stop };
using BatchHandler = std::function<Next(FetchBatch&)>;

class PubSubClient {
 public:
  explicit PubSubClient(ChannelOptions options);
  ~PubSubClient();
  PubSubClient(const PubSubClient&) = delete;
  PubSubClient& operator=(const PubSubClient&) = delete;

  CallResult<TopicInfo> get_topic(const Credentials& creds, const std::string& topic);
  CallResult<std::string> get_schema(const Credentials& creds, const std::string& schema_id);
  // One event: its replay id.
  CallResult<std::string> publish(const Credentials& creds, const std::string& topic,
                                  const std::string& schema_id, const std::string& payload);

  // Runs one Subscribe call to its end (see the top of this file). An end we asked for (the
  // handler's stop, cancel()) is code `cancelled` with cancelled_by_us() true.
  StreamError subscribe(const Credentials& creds, const SubscribeStart& start,
                        const SubscribeOptions& options, const BatchHandler& on_batch);
  // Ends the running subscribe() (any thread); the next subscribe() starts afresh.
  void cancel();
  bool cancelled_by_us() const { return cancelled_by_us_; }

  const ChannelOptions& options() const { return options_; }

 private:
  struct Impl;
  ChannelOptions options_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> cancelled_by_us_{false};
};

}  // namespace pe::pubsub
