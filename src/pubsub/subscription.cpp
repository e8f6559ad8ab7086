#include "pubsub/subscription.hpp"

#include "common/log.hpp"
#include "net/retry_policy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <random>

namespace pe::pubsub {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::string_view start_name(Preset preset) {
  switch (preset) {
    case Preset::earliest:
      return "earliest";
    case Preset::custom:
      return "custom";
    case Preset::latest:
      return "latest";
  }
  return "latest";
}

// The replay id in logs: hex, since it is bytes (not a secret).
std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes.substr(0, 16)) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

double random01() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

std::string replay_key(const std::string& prefix, const std::string& connection,
                       const std::string& topic) {
  return prefix + "pubsub:replay:" + connection + ":" + topic;
}

Subscription::Subscription(asio::io_context& io, std::shared_ptr<net::RedisConnection> redis,
                           PubSubClient& client, ChangeEventDecoder& decoder,
                           CredentialsSource credentials, SubscriptionConfig config)
    : io_(io),
      redis_(redis),
      client_(client),
      decoder_(decoder),
      credentials_source_(std::move(credentials)),
      config_(std::move(config)),
      buffer_(redis, {.prefix = config_.prefix}),
      lease_(redis,
             {.key = config_.prefix + "pubsub:lease:" + config_.connection + ":" + config_.topic,
              .owner = config_.owner,
              .ttl = config_.lease_ttl,
              .renew_every = config_.lease_ttl / 3,
              .retry_every = std::max<std::chrono::milliseconds>(config_.lease_ttl / 10, 100ms)}),
      replay_key_(replay_key(config_.prefix, config_.connection, config_.topic)),
      log_(log::Logger().with("connection", config_.connection)) {}

template <class T>
T Subscription::on_io(asio::awaitable<T> work) {
  return asio::co_spawn(io_, std::move(work), asio::use_future).get();
}

bool Subscription::sleep_unless_stopped(std::chrono::milliseconds delay) {
  std::unique_lock lock(sleep_mutex_);
  return !sleep_cv_.wait_for(lock, delay, [&] { return stopping_.load(); });
}

void Subscription::stop() {
  {
    std::lock_guard lock(sleep_mutex_);
    stopping_ = true;
  }
  sleep_cv_.notify_all();
  client_.cancel();
}

// Renews the lease while this process holds it; a renewal refused or failed ends the stream at
// once (another process may be taking over).
asio::awaitable<void> Subscription::keep_lease() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (leader_ && !stopping_) {
    timer.expires_after(lease_.options().renew_every);
    co_await timer.async_wait(asio::use_awaitable);
    if (!leader_ || stopping_) break;
    auto renewed = co_await lease_.renew();
    if (!renewed || !*renewed) {
      log_.warn("pubsub_lease_lost",
                {{"reason", renewed ? "taken or expired" : renewed.error().message}});
      leader_ = false;
      client_.cancel();
    }
  }
  renewing_ = false;
}

bool Subscription::hold_lease() {
  while (!stopping_) {
    auto got = on_io(lease_.acquire());
    if (got && *got) {
      leader_ = true;
      stats_.count(SubscriptionStats::leases_taken);
      log_.info("pubsub_lease_taken", {{"topic", config_.topic}, {"owner", config_.owner}});
      if (!renewing_.exchange(true)) asio::co_spawn(io_, keep_lease(), asio::detached);
      return true;
    }
    if (!got) log_.warn("pubsub_lease_unavailable", {{"error", got.error().message}});
    sleep_unless_stopped(lease_.options().retry_every);
  }
  return false;
}

bool Subscription::store_checkpoint(const std::string& replay_id) {
  auto done = on_io(redis_->exec(net::RedisCommand("SET", replay_key_, replay_id)));
  if (!done) handler_error_ = "storing the replay id: " + done.error().message;
  return bool(done);
}

Next Subscription::handle(FetchBatch& batch) {
  if (stopping_ || !leader_) return Next::stop;
  delivered_ = true;
  if (batch.events.empty()) {
    stats_.count(SubscriptionStats::keepalives);
    // Nothing is in flight: the tip is a safe place to resume from.
    if (!batch.latest_replay_id.empty() && !store_checkpoint(batch.latest_replay_id)) {
      return Next::stop;
    }
    return Next::more;
  }
  std::vector<events::ChangeEvent> changes;
  changes.reserve(batch.events.size());
  for (const auto& event : batch.events) {
    stats_.count(SubscriptionStats::events);
    if (!decoder_.has_schema(event.schema_id)) {
      auto schema = client_.get_schema(creds_, event.schema_id);
      if (!schema) {
        handler_error_ = "GetSchema " + event.schema_id + ": " + schema.error.message;
        return Next::stop;  // read again from the stored id, after a backoff
      }
      stats_.count(SubscriptionStats::schemas_fetched);
      if (auto added = decoder_.add_schema(event.schema_id, *schema.value); !added) {
        log_.error("pubsub_schema_unreadable",
                   {{"schema_id", event.schema_id}, {"error", added.error().message}});
      }
    }
    auto change = decoder_.decode(event.schema_id, event.payload);
    if (!change) {
      stats_.count(SubscriptionStats::events_undecodable);
      log_.error("pubsub_event_undecodable", {{"schema_id", event.schema_id},
                                              {"replay_id", hex(event.replay_id)},
                                              {"error", change.error().message}});
      continue;
    }
    change->id = event.id;
    changes.push_back(std::move(*change));
  }

  std::vector<events::BufferedEvent> to_buffer;
  for (const auto& change : changes) {
    const events::Verdict verdict = events::judge(config_.filter, change);
    if (verdict.gap) {
      stats_.count(SubscriptionStats::gaps);
      log_.error("change_event_gap", {{"change_type", change.change_type},
                                      {"transaction", change.transaction_key},
                                      {"record_ids", change.record_ids.size()}});
    }
    if (verdict.wildcard) {
      log_.error("change_event_wildcard_ids",
                 {{"change_type", change.change_type},
                  {"transaction", change.transaction_key},
                  {"wildcard", change.wildcard_ids.front()},
                  {"action", "reprice the affected opportunities with a batch job"}});
    }
    if (verdict.skip != events::Skip::none) {
      stats_.count(SubscriptionStats::events_ignored);
      continue;
    }
    if (auto ok = events::check_transaction_key(change.transaction_key); !ok) {
      stats_.count(SubscriptionStats::events_undecodable);
      log_.error("pubsub_event_unusable", {{"error", ok.error().message}});
      continue;
    }
    to_buffer.push_back({change.transaction_key, config_.connection, change.record_ids});
  }
  const std::string& last = batch.events.back().replay_id;
  if (to_buffer.empty()) return store_checkpoint(last) ? Next::more : Next::stop;
  to_buffer.back().checkpoint = {replay_key_, last};
  auto added = on_io(buffer_.add_all(to_buffer));
  if (!added) {
    handler_error_ = "buffering: " + added.error().message;
    return Next::stop;
  }
  for (const auto& result : *added) {
    stats_.count(SubscriptionStats::ids_buffered, static_cast<int64_t>(result.added));
  }
  return Next::more;
}

int Subscription::run() {
  int attempt = 0;
  bool fresh_credentials = false;
  bool start_over = false;  // after a lost replay id: start at `start_over_at`
  Preset start_over_at = Preset::earliest;
  bool topic_checked = false;
  const net::BackoffOptions backoff{.initial_delay = config_.backoff_initial,
                                    .max_delay = config_.backoff_max};
  auto wait_backoff = [&] {
    ++attempt;
    sleep_unless_stopped(net::backoff_delay(attempt, backoff, random01()));
  };

  while (!stopping_) {
    if (!leader_ && !hold_lease()) break;

    auto creds = on_io(credentials_source_(fresh_credentials));
    fresh_credentials = false;
    if (!creds) {
      log_.warn("pubsub_credentials_failed", {{"error", creds.error().message}});
      wait_backoff();
      continue;
    }
    creds_ = std::move(*creds);

    if (!topic_checked) {
      auto topic = client_.get_topic(creds_, config_.topic);
      if (!topic) {
        const Recovery recovery = recovery_for(topic.error);
        log_.warn("pubsub_get_topic_failed",
                  {{"topic", config_.topic},
                   {"code", topic.error.code},
                   {"error_code", short_error_code(topic.error.error_code)},
                   {"message", topic.error.message}});
        if (recovery == Recovery::stop) {
          log_.error("pubsub_stopped",
                     {{"topic", config_.topic},
                      {"why", "the org refuses this topic: " + topic.error.message}});
          stop();
          return 1;
        }
        fresh_credentials = recovery == Recovery::refresh_auth;
        wait_backoff();
        continue;
      }
      if (!topic.value->can_subscribe) {
        log_.error("pubsub_stopped",
                   {{"topic", config_.topic},
                    {"why",
                     "the integration user may not subscribe to this topic: give it "
                     "the permission (View All Data, or the object's read access with "
                     "Change Data Capture enabled for it)"}});
        stop();
        return 1;
      }
      topic_checked = true;
    }

    SubscribeStart start{.topic = config_.topic};
    auto stored = on_io(redis_->exec(net::RedisCommand("GET", replay_key_)));
    if (!stored) {
      log_.warn("pubsub_replay_unavailable", {{"error", stored.error().message}});
      wait_backoff();
      continue;
    }
    if (start_over) {
      start.preset = start_over_at;
    } else if (!stored->is_nil() && !stored->text.empty()) {
      start.preset = Preset::custom;
      start.replay_id = stored->text;
    } else {
      start.preset = config_.first_start == StartAt::earliest ? Preset::earliest : Preset::latest;
    }
    log_.info("pubsub_subscribing", {{"topic", config_.topic},
                                     {"start", start_name(start.preset)},
                                     {"replay_id", hex(start.replay_id)}});
    delivered_ = false;
    handler_error_.clear();
    StreamError end = client_.subscribe(creds_, start, config_.stream,
                                        [this](FetchBatch& batch) { return handle(batch); });
    if (delivered_) {
      attempt = 0;
      start_over = false;
    }
    if (stopping_) break;
    if (!handler_error_.empty()) {
      stats_.count(SubscriptionStats::reconnects_backoff);
      log_.warn("pubsub_batch_not_stored", {{"error", handler_error_}});
      wait_backoff();
      continue;
    }
    // An end we asked for (the lease was lost): wait for the lease again, nothing to recover.
    if (client_.cancelled_by_us() || !leader_) continue;
    const Recovery recovery = recovery_for(end);
    // The only other `cancelled` end is the watchdog's.
    const bool silence = end.code == static_cast<int>(GrpcCode::cancelled);
    log_.warn("pubsub_stream_ended", {{"code", end.code},
                                      {"error_code", short_error_code(end.error_code)},
                                      {"message", end.message},
                                      {"recovery", recovery_name(recovery)}});
    switch (recovery) {
      case Recovery::refresh_auth:
        stats_.count(SubscriptionStats::reconnects_auth);
        fresh_credentials = true;
        if (attempt > 0) wait_backoff();  // an auth error again at once: do not spin
        ++attempt;
        break;
      case Recovery::lost_replay:
        stats_.count(SubscriptionStats::replay_lost);
        log_.error("pubsub_replay_lost",
                   {{"topic", config_.topic},
                    {"replay_id", hex(start.replay_id)},
                    {"why",
                     "the org no longer has the events after the stored replay id (older "
                     "than its retention, or unknown): changes were missed; reprice the "
                     "affected opportunities with a batch job"}});
        if (config_.on_lost_replay == OnLostReplay::stop) {
          stop();
          return 1;
        }
        start_over = true;
        start_over_at =
            config_.on_lost_replay == OnLostReplay::earliest ? Preset::earliest : Preset::latest;
        break;
      case Recovery::backoff:
        stats_.count(silence ? SubscriptionStats::reconnects_silence
                             : SubscriptionStats::reconnects_backoff);
        wait_backoff();
        break;
      case Recovery::stop:
        log_.error("pubsub_stopped", {{"topic", config_.topic},
                                      {"why", end.message},
                                      {"error_code", short_error_code(end.error_code)}});
        stop();
        return 1;
    }
  }
  if (leader_.exchange(false)) on_io(lease_.release());
  return 0;
}

}  // namespace pe::pubsub
