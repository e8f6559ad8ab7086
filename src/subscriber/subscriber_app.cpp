#include "subscriber/subscriber_app.hpp"

#include "applink/applink.hpp"
#include "common/log.hpp"
#include "common/random.hpp"
#include "jobs/job_queue.hpp"
#include "net/http_client.hpp"
#include "net/redis_connection.hpp"
#include "pubsub/subscription.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>

#include <array>
#include <iostream>
#include <thread>

namespace pe::subscriber {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

struct SubscriberConfig {
  net::RedisConfig redis;
  pubsub::ChannelOptions channel;
  pubsub::SubscriptionConfig subscription;
  log::Level log_level = log::Level::info;
};

// "web.1"-like names on Heroku (DYNO), else the host; a random part so two processes on one host
// never share a lease owner.
std::string owner_name(const Env& env) {
  std::string name(env.get("DYNO").value_or(""));
  if (name.empty()) {
    char host[64] = {};
    gethostname(host, sizeof host - 1);
    name = host;
  }
  return name + "-" + std::to_string(getpid()) + "-" + random_uuid().substr(0, 8);
}

Result<SubscriberConfig> load_config(const Env& env) {
  EnvReader read(env);
  SubscriberConfig config;
  config.redis = net::redis_config_from(read);
  config.log_level = log::level_from(read);
  config.channel = pubsub::channel_options_from(read);

  auto& sub = config.subscription;
  sub.connection = applink::eventing_connection_from(read);
  sub.topic = read.string("PRICING_PUBSUB_TOPIC", sub.topic);
  if (!sub.topic.starts_with("/data/") || sub.topic.size() > 200) {
    read.add_error("PRICING_PUBSUB_TOPIC", "must be a change event channel: /data/...ChangeEvent");
  }
  sub.prefix = jobs::redis_prefix_from(read);
  const std::string start = read.string("PRICING_PUBSUB_START", "latest");
  if (start == "earliest") {
    sub.first_start = pubsub::StartAt::earliest;
  } else if (start != "latest") {
    read.add_error("PRICING_PUBSUB_START", "must be latest or earliest");
  }
  const std::string lost = read.string("PRICING_PUBSUB_ON_LOST_REPLAY", "earliest");
  if (lost == "latest") {
    sub.on_lost_replay = pubsub::OnLostReplay::latest;
  } else if (lost == "stop") {
    sub.on_lost_replay = pubsub::OnLostReplay::stop;
  } else if (lost != "earliest") {
    read.add_error("PRICING_PUBSUB_ON_LOST_REPLAY", "must be earliest, latest or stop");
  }
  sub.stream.silence_limit = read.seconds("PRICING_PUBSUB_SILENCE_SECONDS", seconds(300),
                                          milliseconds(200), seconds(3600));
  sub.stream.tick = std::min<milliseconds>(milliseconds(500), sub.stream.silence_limit / 4);
  sub.lease_ttl =
      read.seconds("PRICING_PUBSUB_LEASE_SECONDS", seconds(10), milliseconds(300), seconds(300));
  sub.filter = events::change_filter_from(read);
  sub.owner = owner_name(env);
  if (auto ok = read.finish(); !ok) return ok.error();
  return config;
}

// The connection's credentials through AppLink, as the Pub/Sub API wants them.
asio::awaitable<Result<pubsub::Credentials>> credentials_of(applink::AppLink& applink,
                                                            net::HttpClient& client,
                                                            const std::string& name, bool fresh) {
  Result<salesforce::OrgCredentials> creds = Error{Errc::internal, "not asked"};
  if (fresh) {
    creds = co_await applink.refresh(client, name);
  } else {
    creds = co_await applink.credentials(client, name);
  }
  if (!creds) co_return creds.error();
  if (creds->org_id.is_null()) {
    co_return Error{Errc::failed_precondition,
                    "the authorization of " + name + " does not say its org's Id (tenantid)"};
  }
  co_return pubsub::Credentials{.access_token = creds->access_token,
                                .instance_url = creds->instance_url,
                                .tenant_id = std::string(creds->org_id.str())};
}

void log_stats(const pubsub::SubscriptionStats& stats) {
  using S = pubsub::SubscriptionStats;
  log::Logger().info("pubsub_stats", {{"events", stats.get(S::events)},
                                      {"ids_buffered", stats.get(S::ids_buffered)},
                                      {"ignored", stats.get(S::events_ignored)},
                                      {"undecodable", stats.get(S::events_undecodable)},
                                      {"keepalives", stats.get(S::keepalives)},
                                      {"gaps", stats.get(S::gaps)},
                                      {"reconnects_auth", stats.get(S::reconnects_auth)},
                                      {"reconnects_backoff", stats.get(S::reconnects_backoff)},
                                      {"reconnects_silence", stats.get(S::reconnects_silence)},
                                      {"replay_lost", stats.get(S::replay_lost)}});
}

}  // namespace

int run_subscriber(const Env& env) {
  auto config = load_config(env);
  if (!config) {
    std::cerr << "pricing-engine subscriber: " << config.error().message << "\n";
    return 2;
  }
  log::set_level(config->log_level);
  auto applink = applink::AppLink::from_env(env);
  if (!applink) {
    std::cerr << "pricing-engine subscriber: " << applink.error().message << "\n";
    return 2;
  }

  asio::io_context io(1);
  auto work = asio::make_work_guard(io);
  auto http = net::HttpClient::create(io).value();
  auto redis = net::RedisConnection::create(io, config->redis).value();
  redis->start();
  pubsub::PubSubClient client(config->channel);
  pubsub::ChangeEventDecoder decoder;
  const std::string connection = config->subscription.connection;
  pubsub::Subscription subscription(
      io, redis, client, decoder,
      [&applink, &http, connection](bool fresh) {
        return credentials_of(*applink, http, connection, fresh);
      },
      config->subscription);

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) subscription.stop();
  });
  // Every 5 s the counters go to Redis (web's /metrics shows them); every minute, a log line.
  asio::steady_timer stats_timer(io);
  std::array<int64_t, pubsub::SubscriptionStats::kCount> flushed{};
  const std::string key = pubsub::stats_key(config->subscription.prefix);
  int ticks = 0;
  std::function<void(const boost::system::error_code&)> every_5s =
      [&](const boost::system::error_code& ec) {
        if (ec) return;
        if (++ticks % 12 == 0) log_stats(subscription.stats());
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
              co_await pubsub::flush_stats(*redis, key, subscription.stats(), flushed);
            },
            asio::detached);
        stats_timer.expires_after(seconds(5));
        stats_timer.async_wait(every_5s);
      };
  stats_timer.expires_after(seconds(5));
  stats_timer.async_wait(every_5s);

  int exit_code = 0;
  std::thread loop([&] {
    exit_code = subscription.run();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          signals.cancel();
          stats_timer.cancel();
          co_await pubsub::flush_stats(*redis, key, subscription.stats(), flushed);  // the last
          redis->stop();
          work.reset();
          io.stop();  // idle keep-alive connections of the HTTP client would hold it otherwise
        },
        asio::detached);
  });
  io.run();
  loop.join();
  log_stats(subscription.stats());
  return exit_code;
}

}  // namespace pe::subscriber
