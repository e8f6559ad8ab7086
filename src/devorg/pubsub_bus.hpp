// pubsub_bus.hpp (internal to devorg): what the local org's Pub/Sub API serves, without gRPC —
// its topics, each topic's retained events with their replay ids, and the flow-control rules of
// one Subscribe call. pubsub_server.cpp is the thin gRPC layer over it.
//
// Topics: /data/OpportunityChangeEvent (the org's change events, the same transactions the
// webhook gets: OrgState::publish_changes feeds both) and /event/QuoteGenerationComplete__e
// (every platform event of that type, however published). Replay ids count up from 1 per topic
// and travel as 8 bytes, big-endian. Events older than the retention window (72 h by default,
// --pubsub-retention-ms) or beyond max_events are dropped; a CUSTOM replay id is accepted when
// no event after it has been dropped and it is not past the tip, otherwise
// `subscription.fetch.replayid.corrupted`.
//
// Subscription: the first FetchRequest opens it (topic, preset, replay id), each one adds its
// num_requested to what is owed (capped at 100); take() hands out what can be delivered now.
// Everything here runs on the org's server thread.
//
//   PubSubBus bus({.retention = 72h});
//   bus.topic("/data/OpportunityChangeEvent")->append(uuid, schema_id, payload, now);
//   Subscription sub;
//   if (auto failure = sub.open(bus, "/data/...", ReplayStart::earliest, "", 2)) fail(*failure);
//   auto batch = sub.take(bus, now);   // up to 2 events; sub.pending() == 2 - batch.size()
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::devorg {

// 8 bytes, big-endian; nullopt unless exactly 8 bytes.
std::string encode_replay_id(int64_t id);
std::optional<int64_t> decode_replay_id(std::string_view bytes);

// The gRPC status codes this layer answers with (the same numbers as grpc::StatusCode).
enum class RpcCode {
  ok = 0,
  invalid_argument = 3,
  not_found = 5,
  permission_denied = 7,
  unavailable = 14,
  unauthenticated = 16
};

// A failed call: its status, the error-code trailer ("sfdc.platform.eventbus.grpc." + code) and
// the message (the server appends "rpcId: ...").
struct RpcFailure {
  RpcCode code = RpcCode::invalid_argument;
  std::string error_code;  // "subscription.fetch.replayid.corrupted"
  std::string message;
};
std::string full_error_code(std::string_view code);  // "sfdc.platform.eventbus.grpc." + code

struct BusEvent {
  using Clock = std::chrono::steady_clock;
  int64_t replay_id = 0;
  std::string uuid;
  std::string schema_id;
  std::string payload;  // Avro binary
  Clock::time_point at;
};

class TopicLog {
 public:
  using Clock = BusEvent::Clock;
  TopicLog(std::string name, std::string schema_id, std::string schema_json, bool can_publish);

  const std::string& name() const { return name_; }
  const std::string& schema_id() const { return schema_id_; }
  const std::string& schema_json() const { return schema_json_; }
  bool can_publish() const { return can_publish_; }

  int64_t append(std::string uuid, std::string payload, Clock::time_point now);
  // Drops events older than `retention` and beyond `max_events`.
  void expire(Clock::time_point now, std::chrono::milliseconds retention, size_t max_events);
  int64_t tip() const { return tip_; }      // the newest replay id given (0: none yet)
  int64_t floor() const { return floor_; }  // the newest one dropped (0: none)
  // Events with a replay id above `after`, oldest first, at most `limit`.
  std::vector<const BusEvent*> after(int64_t after, size_t limit) const;

 private:
  std::string name_, schema_id_, schema_json_;
  bool can_publish_ = false;
  std::deque<BusEvent> events_;
  int64_t tip_ = 0;
  int64_t floor_ = 0;
};

struct BusOptions {
  std::chrono::milliseconds retention{std::chrono::hours(72)};
  size_t max_events = 100'000;  // per topic
};

// One org's topics and the streams waiting on them.
class PubSubBus {
 public:
  using Clock = BusEvent::Clock;
  explicit PubSubBus(BusOptions options) : options_(options) {}

  TopicLog& add_topic(TopicLog topic);
  TopicLog* topic(std::string_view name);  // expired events dropped first; nullptr: unknown
  const TopicLog* schema(std::string_view schema_id) const;  // the topic using it, or nullptr
  // Appends and wakes every stream waiting on the topic; returns the replay id.
  int64_t publish(std::string_view topic, std::string uuid, std::string payload);

  // A stream's waker, called after events are appended to its topic. Returns its handle.
  uint64_t watch(std::string topic, std::function<void()> wake);
  void unwatch(uint64_t handle);
  size_t watchers() const { return watchers_.size(); }

 private:
  BusOptions options_;
  std::map<std::string, TopicLog, std::less<>> topics_;
  struct Watcher {
    std::string topic;
    std::function<void()> wake;
  };
  std::map<uint64_t, Watcher> watchers_;
  uint64_t next_watcher_ = 1;
};

enum class ReplayStart { latest = 0, earliest = 1, custom = 2 };

// The flow control and position of one Subscribe call.
class Subscription {
 public:
  static constexpr int kMaxPending = 100;

  // The first FetchRequest. Failures: topic.not.found, subscription.fetch.replayid.* and
  // subscription.fetch.requested.events.invalid (num_requested below 1).
  std::optional<RpcFailure> open(PubSubBus& bus, std::string_view topic, ReplayStart start,
                                 std::string_view replay_id, int num_requested);
  // A later FetchRequest: its topic must be empty or the same (INVALID_ARGUMENT otherwise);
  // replay options are ignored.
  std::optional<RpcFailure> request(std::string_view topic, int num_requested);
  // What can be delivered now, at most pending(); moves the position past it.
  std::vector<const BusEvent*> take(PubSubBus& bus);

  bool opened() const { return opened_; }
  const std::string& topic() const { return topic_; }
  int pending() const { return pending_; }
  // The replay id of the last event delivered (or where the subscription started): what a
  // response's latest_replay_id carries, safe to resume after.
  int64_t position() const { return position_; }

 private:
  bool opened_ = false;
  std::string topic_;
  int pending_ = 0;
  int64_t position_ = 0;
};

}  // namespace pe::devorg
