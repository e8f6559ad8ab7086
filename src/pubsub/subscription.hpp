// subscription.hpp: the change-event subscription of one connection and topic, kept alive for as
// long as the process runs: the lease, the replay id, the stream, and each error's recovery.
//
// The loop (one thread of its own; Redis and AppLink calls run on the io_context's thread):
//   1. Hold the lease (leader_lease.hpp) or wait for it: one subscriber per connection and topic
//      whatever the number of dynos; the others take over within seconds when it dies.
//   2. Get the connection's credentials (a callback: AppLink, cached, refreshed on auth errors).
//   3. GetTopic once: can_subscribe must be true, else stop with a clear message.
//   4. Start after the stored replay id (CUSTOM), or, the first time, PRICING_PUBSUB_START.
//   5. Subscribe. Every batch: each event decoded with its writer schema (GetSchema, cached by id;
//      a new id mid-stream is fetched), judged by the webhook's filter (events/change_filter.hpp)
//      and its record Ids buffered by transaction (events/transaction_buffer.hpp) with the last
//      event's replay id in the same atomic step. A keepalive's latest_replay_id is stored as
//      well: nothing is in flight then (batches are handled one after another, each stored before
//      the next is read), so the resume point never goes stale.
//   6. When the call ends, recover as stream_errors.hpp says: auth → fresh credentials, then
//      CUSTOM; lost replay → counted, logged loudly, then PRICING_PUBSUB_ON_LOST_REPLAY; backoff
//      → exponential with jitter, then CUSTOM; stop → the loop ends and says why.
//
// Why nothing is lost or quoted twice: the replay id stored is always that of an event whose Ids
// are stored (same script call), so a kill -9 at any moment resumes at or before the first event
// not stored; events delivered again fold into their transaction or its done set (dedupe) and
// make no second job. An event that cannot be decoded is logged and counted, and skipped (a
// poison event must not stop the stream). A batch that cannot be stored (Redis down) ends the call
// and is read again from the stored id.
//
//   Subscription sub(io, redis, client, decoder, credentials, config);
//   std::thread t([&] { sub.run(); });   ...   sub.stop(); t.join();
#pragma once

#include "common/log.hpp"
#include "events/change_filter.hpp"
#include "events/transaction_buffer.hpp"
#include "pubsub/change_event_decoder.hpp"
#include "pubsub/leader_lease.hpp"
#include "pubsub/pubsub_client.hpp"
#include "pubsub/subscription_stats.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace pe::pubsub {

enum class StartAt { latest, earliest };
enum class OnLostReplay { earliest, latest, stop };

struct SubscriptionConfig {
  std::string connection;  // the AppLink connection whose events these are
  std::string topic = "/data/OpportunityChangeEvent";
  std::string prefix = "pe:";  // Redis keys: <prefix>pubsub:replay:<connection>:<topic>, lease
  StartAt first_start = StartAt::latest;
  OnLostReplay on_lost_replay = OnLostReplay::earliest;
  SubscribeOptions stream;
  events::ChangeFilter filter;
  std::chrono::milliseconds lease_ttl{10'000};
  std::string owner;  // this process, for the lease
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{30'000};
};

// The Redis key of a connection and topic's replay id.
std::string replay_key(const std::string& prefix, const std::string& connection,
                       const std::string& topic);

// The connection's credentials: fresh=false may answer from a cache; true must not.
using CredentialsSource = std::function<boost::asio::awaitable<Result<Credentials>>(bool fresh)>;

class Subscription {
 public:
  Subscription(boost::asio::io_context& io, std::shared_ptr<net::RedisConnection> redis,
               PubSubClient& client, ChangeEventDecoder& decoder, CredentialsSource credentials,
               SubscriptionConfig config);

  // Runs until stop() or a recovery of `stop`; on its own thread (it blocks). 0: stopped; 1: it
  // stopped on an error a person must fix (logged).
  int run();
  // Any thread: ends the stream, lets the lease go, and makes run() return.
  void stop();

  const SubscriptionStats& stats() const { return stats_; }

 private:
  template <class T>
  T on_io(boost::asio::awaitable<T> work);
  bool sleep_unless_stopped(std::chrono::milliseconds delay);
  bool hold_lease();
  Next handle(FetchBatch& batch);
  bool store_checkpoint(const std::string& replay_id);
  boost::asio::awaitable<void> keep_lease();

  boost::asio::io_context& io_;
  std::shared_ptr<net::RedisConnection> redis_;
  PubSubClient& client_;
  ChangeEventDecoder& decoder_;
  CredentialsSource credentials_source_;
  SubscriptionConfig config_;
  events::TransactionBuffer buffer_;
  LeaderLease lease_;
  std::string replay_key_;
  SubscriptionStats stats_;
  log::Logger log_;

  Credentials creds_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> leader_{false};
  std::atomic<bool> renewing_{false};
  std::string handler_error_;  // why the last batch could not be handled
  bool delivered_ = false;     // the current call delivered a batch
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
};

}  // namespace pe::pubsub
