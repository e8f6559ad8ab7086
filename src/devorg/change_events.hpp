// change_events.hpp: the local org's Change Data Capture — Opportunity change events, grouped per
// transaction as Salesforce does, delivered to a webhook as CloudEvents the way Heroku Eventing
// delivers them.
//
// The REST layer collects the Store's changes of one request (one transaction) and hands them to
// ChangeEventFeed::publish(). build_change_events() turns them into events: only objects with
// CDC enabled (Opportunity, as src-org's channel member), one transactionKey for the transaction,
// sequenceNumber 1, 2, ... in order, and the same change on several records (same changeType,
// same changed fields) merged into one event with several recordIds (salesforce-facts.md,
// section 5). Each event is a structured-mode CloudEvent shaped like the Eventing sample's
// `opportunity-cdc-event.json`: empty source and type, subject /data/OpportunityChangeEvent, data
// = {"ChangeEventHeader": {...}} with all twelve header fields.
//
// changedFields holds field names (as CometD and Apex see them). Real Eventing deliveries come
// from the Pub/Sub API, where changedFields is a bitmap over the event's Avro schema; the local
// org cannot reproduce that schema's field order, so it sends names and the webhook must accept
// both (src/events/).
//
// Delivery: one coroutine per feed posts the events in order, each until the webhook answers
// 2xx, retrying failures (non-2xx, no answer, timeouts) with exponential backoff and jitter, like
// Eventing. `Authorization: Bearer <token>` when a token is set (never logged). The queue is in
// memory and bounded (max_pending); beyond it the oldest events are dropped with an error line,
// as a real org's 72-hour retention would eventually drop them.
//
//   ChangeEventFeed feed(io, client, {.webhook_url = "http://127.0.0.1:8080/api/generatequotes"});
//   feed.start();
//   store->on_change([&](const Change& c) { pending.push_back(c); });
//   ... after the request's writes commit:
//   feed.publish(pending, {.api = "rest", .api_version = "62.0", .user = store->user_id()});
#pragma once

#include "common/sfid.hpp"
#include "devorg/store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace pe::net {
class HttpClient;
}

namespace pe::devorg {

// Where a transaction came from, for changeOrigin and commitUser.
struct ChangeOrigin {
  std::string api = "rest";  // rest, soap, bulkapi
  std::string api_version = "62.0";
  std::string client;  // Sforce-Call-Options client=..., may be empty
  SalesforceId user;
};

// The numbers a transaction's events share.
struct CommitInfo {
  std::string transaction_key;  // "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3"
  int64_t commit_number = 0;    // SCN, above 2^53 like Salesforce's
  int64_t commit_timestamp_ms = 0;
};

// The CloudEvents for one committed transaction (empty when nothing in it has CDC enabled).
// `event_ids` supplies the CloudEvent ids (UUIDs), one per event.
std::vector<boost::json::object> build_change_events(std::span<const Change> changes,
                                                     const ChangeOrigin& origin,
                                                     const CommitInfo& commit,
                                                     const std::function<std::string()>& event_id);

// A random version-4 UUID in its canonical text form.
std::string random_uuid();

struct FeedOptions {
  std::string webhook_url;  // http(s)://...; empty: events are only counted
  std::string token;        // sent as Authorization: Bearer <token> when not empty
  size_t max_pending = 100'000;
  std::chrono::milliseconds first_retry{200};
  std::chrono::milliseconds max_retry{10'000};
  std::chrono::milliseconds timeout{10'000};  // per delivery attempt
};

struct FeedStats {
  uint64_t transactions = 0;  // transactions that produced at least one event
  uint64_t events = 0;        // events built
  uint64_t delivered = 0;     // events the webhook accepted (2xx)
  uint64_t failed_attempts = 0;
  uint64_t dropped = 0;  // over max_pending
  size_t pending = 0;
};

class ChangeEventFeed {
 public:
  // The client must belong to the io_context the executor runs on.
  ChangeEventFeed(boost::asio::any_io_executor executor, net::HttpClient& client,
                  FeedOptions options);
  ~ChangeEventFeed();
  ChangeEventFeed(const ChangeEventFeed&) = delete;
  ChangeEventFeed& operator=(const ChangeEventFeed&) = delete;

  // Starts the delivery coroutine (no-op without a webhook URL). stop() ends it; events still
  // pending are dropped.
  void start();
  void stop();

  // Builds the transaction's events and queues them for delivery. Call on the executor's thread.
  void publish(std::span<const Change> changes, const ChangeOrigin& origin);
  // Queues one transaction's events already built by build_change_events() (the local org builds
  // them once for the webhook and the Pub/Sub API).
  void publish_built(std::vector<boost::json::object> events);

  FeedStats stats() const;
  // The last `n` events built (newest last), for GET /devorg/changes.
  std::vector<boost::json::object> recent(size_t n) const;

  struct State;  // shared with the delivery coroutine, which may outlive a call

 private:
  std::shared_ptr<State> state_;
};

}  // namespace pe::devorg
