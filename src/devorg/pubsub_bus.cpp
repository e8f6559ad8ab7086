// pubsub_bus.cpp: topics, retention and flow control of the local org's Pub/Sub API.
#include "devorg/pubsub_bus.hpp"

#include <algorithm>

namespace pe::devorg {

std::string encode_replay_id(int64_t id) {
  std::string out(8, '\0');
  auto u = static_cast<uint64_t>(id);
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  return out;
}

std::optional<int64_t> decode_replay_id(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t u = 0;
  for (char c : bytes) u = (u << 8) | static_cast<uint8_t>(c);
  return static_cast<int64_t>(u);
}

std::string full_error_code(std::string_view code) {
  return "sfdc.platform.eventbus.grpc." + std::string(code);
}

TopicLog::TopicLog(std::string name, std::string schema_id, std::string schema_json,
                   bool can_publish)
    : name_(std::move(name)),
      schema_id_(std::move(schema_id)),
      schema_json_(std::move(schema_json)),
      can_publish_(can_publish) {}

int64_t TopicLog::append(std::string uuid, std::string payload, Clock::time_point now) {
  events_.push_back({++tip_, std::move(uuid), schema_id_, std::move(payload), now});
  return tip_;
}

void TopicLog::expire(Clock::time_point now, std::chrono::milliseconds retention,
                      size_t max_events) {
  while (!events_.empty() &&
         (events_.size() > max_events || now - events_.front().at >= retention)) {
    floor_ = events_.front().replay_id;
    events_.pop_front();
  }
}

std::vector<const BusEvent*> TopicLog::after(int64_t after, size_t limit) const {
  std::vector<const BusEvent*> out;
  // Replay ids are consecutive in events_: index of the first one above `after`.
  if (events_.empty() || limit == 0) return out;
  int64_t first = events_.front().replay_id;
  size_t start = after < first ? 0 : static_cast<size_t>(after - first + 1);
  for (size_t i = start; i < events_.size() && out.size() < limit; ++i) {
    out.push_back(&events_[i]);
  }
  return out;
}

TopicLog& PubSubBus::add_topic(TopicLog topic) {
  std::string name = topic.name();
  return topics_.insert_or_assign(std::move(name), std::move(topic)).first->second;
}

TopicLog* PubSubBus::topic(std::string_view name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return nullptr;
  it->second.expire(Clock::now(), options_.retention, options_.max_events);
  return &it->second;
}

const TopicLog* PubSubBus::schema(std::string_view schema_id) const {
  for (const auto& [name, topic] : topics_) {
    if (topic.schema_id() == schema_id) return &topic;
  }
  return nullptr;
}

int64_t PubSubBus::publish(std::string_view topic_name, std::string uuid, std::string payload) {
  TopicLog* log = topic(topic_name);
  if (log == nullptr) return 0;
  int64_t id = log->append(std::move(uuid), std::move(payload), Clock::now());
  log->expire(Clock::now(), options_.retention, options_.max_events);
  // A waker may finish its stream and unwatch: iterate over a copy of the handles.
  std::vector<uint64_t> handles;
  for (const auto& [handle, w] : watchers_) {
    if (w.topic == topic_name) handles.push_back(handle);
  }
  for (uint64_t h : handles) {
    if (auto it = watchers_.find(h); it != watchers_.end()) {
      auto wake = it->second.wake;
      wake();
    }
  }
  return id;
}

uint64_t PubSubBus::watch(std::string topic, std::function<void()> wake) {
  uint64_t handle = next_watcher_++;
  watchers_.emplace(handle, Watcher{std::move(topic), std::move(wake)});
  return handle;
}

void PubSubBus::unwatch(uint64_t handle) { watchers_.erase(handle); }

namespace {

RpcFailure invalid(std::string code, std::string message) {
  return {RpcCode::invalid_argument, std::move(code), std::move(message)};
}

}  // namespace

std::optional<RpcFailure> Subscription::open(PubSubBus& bus, std::string_view topic,
                                             ReplayStart start, std::string_view replay_id,
                                             int num_requested) {
  TopicLog* log = bus.topic(topic);
  if (log == nullptr) {
    return RpcFailure{RpcCode::not_found, "topic.not.found",
                      "Topic not found or no access: " + std::string(topic).substr(0, 100)};
  }
  if (num_requested < 1) {
    return invalid("subscription.fetch.requested.events.invalid",
                   "num_requested must be greater than 0");
  }
  switch (start) {
    case ReplayStart::latest:
      position_ = log->tip();
      break;
    case ReplayStart::earliest:
      position_ = log->floor();
      break;
    case ReplayStart::custom: {
      if (replay_id.empty()) {
        return invalid("subscription.fetch.replayid.validation.failed",
                       "A replay_id is required with the CUSTOM replay preset");
      }
      auto id = decode_replay_id(replay_id);
      if (!id || *id < log->floor() || *id > log->tip()) {
        return invalid("subscription.fetch.replayid.corrupted",
                       "The replay ID is invalid or outside the retention window");
      }
      position_ = *id;
      break;
    }
  }
  opened_ = true;
  topic_ = std::string(topic);
  pending_ = std::min(num_requested, kMaxPending);
  return std::nullopt;
}

std::optional<RpcFailure> Subscription::request(std::string_view topic, int num_requested) {
  if (!topic.empty() && topic != topic_) {
    return invalid("subscription.fetch.topic.mismatch",
                   "The topic cannot change within a Subscribe call");
  }
  if (num_requested < 0) {
    return invalid("subscription.fetch.requested.events.invalid",
                   "num_requested must not be negative");
  }
  pending_ = std::min(pending_ + std::min(num_requested, kMaxPending), kMaxPending);
  return std::nullopt;
}

std::vector<const BusEvent*> Subscription::take(PubSubBus& bus) {
  std::vector<const BusEvent*> out;
  TopicLog* log = bus.topic(topic_);
  if (log == nullptr || pending_ <= 0) return out;
  // Events dropped before delivery are gone: the position moves to the oldest kept.
  position_ = std::max(position_, log->floor());
  out = log->after(position_, static_cast<size_t>(pending_));
  if (!out.empty()) {
    position_ = out.back()->replay_id;
    pending_ -= static_cast<int>(out.size());
  }
  return out;
}

}  // namespace pe::devorg
