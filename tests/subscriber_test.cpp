// Pattern 4 over the Pub/Sub API, end to end, every part a real process: redis-server, the local
// org serving eventbus.v1.PubSub over gRPC (no webhook), `subscriber` and `worker`. Changes in,
// quotes and a notification out; then kill -9 of the subscriber during a stream of thousands of
// changes, a leader change between two subscribers, a Redis restart and tokens expiring
// mid-stream: every change ends in exactly one quote. And a replay id the org no longer knows.
#include "support/local_org.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>

namespace pe {
namespace {

using test::wait_until;

namespace json = boost::json;
using namespace std::chrono_literals;

std::string opportunity(int n) { return test::seeded_opportunity(n); }

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class Subscriber : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = test::temp_dir("subscriber").string();
    org_port = test::free_port();
    std::vector<std::string> argv{PE_BINARY,
                                  "devorg",
                                  "--port",
                                  std::to_string(org_port),
                                  "--seed",
                                  std::to_string(seed),
                                  "--env-file",
                                  dir + "/org.env",
                                  "--pubsub-port",
                                  "0",
                                  "--pubsub-keepalive-ms",
                                  "500"};
    argv.insert(argv.end(), devorg_extra.begin(), devorg_extra.end());
    devorg.emplace(test::Process::start(argv, {{"LOG_LEVEL", "warn"}}));
    ASSERT_TRUE(wait_until(
        [&] { return test::read_env_file(dir + "/org.env").count("PRICING_PUBSUB_ENDPOINT"); },
        60s))
        << devorg->output();
    env = test::read_env_file(dir + "/org.env");
    env["REDIS_URL"] = redis.url();
    env["PRICING_PUBSUB_START"] = "earliest";
    env["PRICING_PUBSUB_SILENCE_SECONDS"] = "3";
    env["PRICING_PUBSUB_LEASE_SECONDS"] = "2";
    env["PRICING_FLUSH_SECONDS"] = "1";
    env["PRICING_BATCH_LINGER_MS"] = "100";
    env["LOG_LEVEL"] = "info";
    subscribers.push_back(start_subscriber());
    workers.push_back(test::Process::start({PE_BINARY, "worker"}, env));
    ASSERT_TRUE(wait_until([&] { return subscribed(subscribers[0]); }, 30s)) << all_output();
  }

  test::Process start_subscriber() { return test::Process::start({PE_BINARY, "subscriber"}, env); }
  static bool subscribed(const test::Process& p) {
    return p.output().find("msg=pubsub_subscribing") != std::string::npos;
  }

  std::string access_token() {
    if (!token_.empty()) return token_;
    const auto& url = env["HEROKU_APPLINK_API_URL"];
    auto path = url.substr(url.find('/', std::string("http://").size())) + "/authorizations/devorg";
    auto r = test::http_request(org_port, "GET", path,
                                {"Authorization: Bearer " + env["HEROKU_APPLINK_TOKEN"],
                                 "X-App-UUID: " + env["HEROKU_APP_ID"]},
                                "");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    token_ = json::parse(r->body).at("org").at("user_auth").at("access_token").as_string().c_str();
    return token_;
  }

  // A request to the org that retries what its faults refuse (an expired token), as a client
  // of a real org would.
  std::optional<test::RawResponse> org_call(const std::string& method, const std::string& path,
                                            const std::string& body) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      std::vector<std::string> headers{"Authorization: Bearer " + access_token(),
                                       "Content-Type: application/json"};
      auto r = test::http_request(org_port, method, path, headers, body);
      if (r && r->status < 300) return r;
      if (r && r->status == 401) token_.clear();
      if (r && r->status < 500 && r->status != 429 && r->status != 401) return r;
      std::this_thread::sleep_for(50ms);
    }
    return std::nullopt;
  }

  // One transaction: StageName of opportunities first .. first + n - 1.
  void edit(int first, int n, const std::string& stage = "Negotiation/Review") {
    json::array records;
    for (int i = first; i < first + n; ++i) {
      records.push_back(json::object{{"attributes", json::object{{"type", "Opportunity"}}},
                                     {"Id", opportunity(i)},
                                     {"StageName", stage}});
    }
    auto r = org_call("PATCH", "/services/data/v62.0/composite/sobjects",
                      json::serialize(json::object{{"allOrNone", true}, {"records", records}}));
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  }

  int64_t count(const std::string& soql) {
    std::string q;
    for (char c : soql) q += c == ' ' ? std::string("+") : std::string(1, c);
    auto r = org_call("GET", "/services/data/v62.0/query?q=" + q, "");
    return r && r->status == 200 ? json::parse(r->body).at("totalSize").as_int64() : -1;
  }

  std::vector<std::string> notifications() {
    auto r = test::http_request(org_port, "GET", "/devorg/notifications");
    std::vector<std::string> bodies;
    if (!r || r->status != 200) return bodies;
    auto answer = json::parse(r->body);  // kept: the loop reads into it
    for (const auto& n : answer.at("notifications").as_array()) {
      bodies.emplace_back(n.at("body").as_string().c_str());
    }
    return bodies;
  }

  std::string jobs_stats() {
    auto p = test::Process::start({PE_BINARY, "jobs", "stats"}, {{"REDIS_URL", redis.url()}});
    p.wait(10s);
    return p.output();
  }

  std::string redis_cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"redis-cli", "-p", std::to_string(redis.port()), "--raw"});
    auto p = test::Process::start(args);
    p.wait(5s);
    return p.output();
  }

  std::string all_output() {
    std::string out = "devorg:\n" + devorg->output();
    for (auto& s : subscribers) out += "\nsubscriber:\n" + s.output();
    for (auto& w : workers) out += "\nworker:\n" + w.output();
    return out;
  }

  int seed = 60;
  std::vector<std::string> devorg_extra;
  test::RedisServer redis{{.aof = true}};
  std::string dir;
  int org_port = 0;
  std::optional<test::Process> devorg;
  std::vector<test::Process> subscribers;
  std::vector<test::Process> workers;
  std::map<std::string, std::string> env;
  std::string token_;
};

TEST_F(Subscriber, ABulkEditOfFiftyIsOneJobAndOneNotification) {
  edit(1, 50);
  ASSERT_TRUE(wait_until([&] { return notifications().size() == 1; }, 30s)) << all_output();
  EXPECT_EQ(notifications()[0], "Quotes Generated: 50");
  EXPECT_EQ(count("SELECT Id FROM Quote"), 50);
  std::this_thread::sleep_for(1500ms);  // nothing more comes
  EXPECT_EQ(notifications().size(), 1u);
  EXPECT_EQ(occurrences(workers[0].output(), "msg=job_done"), 1u) << workers[0].output();
  // The replay id stored is the event's: 8 bytes.
  auto stored = redis_cli({"STRLEN", "pe:pubsub:replay:devorg:/data/OpportunityChangeEvent"});
  EXPECT_EQ(stored, "8\n");
  // Its counters reach Redis within 5 s, and web's /metrics shows them.
  ASSERT_TRUE(wait_until(
      [&] {
        return redis_cli({"HGET", "pe:pubsub:stats", "ids_buffered"}) == "50\n";
      },
      15s))
      << redis_cli({"HGETALL", "pe:pubsub:stats"});
  const int web_port = test::free_port();
  auto web_env = env;
  web_env["PORT"] = std::to_string(web_port);
  auto web = test::Process::start({PE_BINARY, "web"}, web_env);
  ASSERT_TRUE(test::wait_for_port(web_port, 30s)) << web.output();
  auto scraped = test::http_request(web_port, "GET", "/metrics");
  ASSERT_TRUE(scraped && scraped->status == 200);
  EXPECT_NE(scraped->body.find("pricing_pubsub_ids_buffered_total 50\n"), std::string::npos)
      << scraped->body;
  EXPECT_NE(scraped->body.find("pricing_pubsub_leases_taken_total 1\n"), std::string::npos);
  // A SIGTERM lets the lease go at once and exits 0.
  subscribers[0].signal(SIGTERM);
  EXPECT_EQ(subscribers[0].wait(10s), 0) << subscribers[0].output();
  EXPECT_EQ(redis_cli({"EXISTS", "pe:pubsub:lease:devorg:/data/OpportunityChangeEvent"}), "0\n");
  // No token in any log.
  EXPECT_EQ(all_output().find(access_token()), std::string::npos);
}

TEST_F(Subscriber, ADecodedChangedFieldsFilterAppliesAsOnTheWebhook) {
  subscribers[0].signal(SIGTERM);
  subscribers[0].wait(10s);
  env["PRICING_CHANGED_FIELDS"] = "Amount";
  subscribers[0] = start_subscriber();
  ASSERT_TRUE(wait_until([&] { return subscribed(subscribers[0]); }, 30s)) << all_output();
  edit(1, 5);  // StageName only: not a change the filter prices
  auto amount = org_call("PATCH", "/services/data/v62.0/sobjects/Opportunity/" + opportunity(6),
                         R"({"Amount": 12345})");
  ASSERT_TRUE(amount && amount->status == 204) << (amount ? amount->body : "");
  ASSERT_TRUE(wait_until([&] { return notifications().size() == 1; }, 30s)) << all_output();
  EXPECT_EQ(notifications()[0], "Quotes Generated: 1");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(count("SELECT Id FROM Quote"), 1);
  EXPECT_EQ(count("SELECT Id FROM Quote WHERE OpportunityId = '" + opportunity(6) + "'"), 1);
}

// PRICING_PUBLISH_VIA=pubsub: the completion event goes out through the Pub/Sub API's Publish,
// Avro-encoded with the topic's schema, and the org's Flow notifies as for a REST publish.
TEST_F(Subscriber, TheCompletionEventCanGoOutThroughPubSubPublish) {
  workers[0].signal(SIGTERM);
  workers[0].wait(30s);
  auto worker_env = env;
  worker_env["PRICING_PUBLISH_VIA"] = "pubsub";
  workers[0] = test::Process::start({PE_BINARY, "worker"}, worker_env);
  edit(1, 3);
  ASSERT_TRUE(wait_until([&] { return notifications().size() == 1; }, 30s)) << all_output();
  EXPECT_EQ(notifications()[0], "Quotes Generated: 3");
  auto r = test::http_request(org_port, "GET", "/devorg/events");
  ASSERT_TRUE(r && r->status == 200);
  auto answer = json::parse(r->body);
  const auto& events = answer.at("events").as_array();
  ASSERT_EQ(events.size(), 1u) << answer;
  EXPECT_EQ(events[0].at("via"), "pubsub");
  EXPECT_EQ(events[0].at("type"), "QuoteGenerationComplete__e");
  // A bad setting is refused at start, saying which.
  worker_env["PRICING_PUBLISH_VIA"] = "carrier-pigeon";
  auto bad = test::Process::start({PE_BINARY, "worker"}, worker_env);
  EXPECT_EQ(bad.wait(10s), 2);
  EXPECT_NE(bad.output().find("PRICING_PUBLISH_VIA"), std::string::npos);
}

// A stream that goes silent (no events, no keepalives) is ended by the watchdog after
// PRICING_PUBSUB_SILENCE_SECONDS (3 here) and subscribed again from the stored id; an org that
// answers UNAVAILABLE is retried with backoff. Nothing published meanwhile is lost.
TEST_F(Subscriber, SilenceAndUnavailableResubscribeFromTheStoredId) {
  auto fault = [&](const std::string& body) {
    auto r = test::http_request(org_port, "POST", "/devorg/faults", body);
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  };
  fault(R"({"pubsub_silent":true})");
  edit(1, 5);
  ASSERT_TRUE(wait_until(
      [&] { return subscribers[0].output().find("the stream is stale") != std::string::npos; },
      20s))
      << all_output();
  fault(R"({"pubsub_silent":false,"pubsub_unavailable":true})");
  ASSERT_TRUE(wait_until(
      [&] {
        return subscribers[0].output().find("error_code=service.unavailable") != std::string::npos;
      },
      20s))
      << all_output();
  edit(10, 2);  // published while the org refuses the subscriber
  fault(R"({"pubsub_unavailable":false})");
  ASSERT_TRUE(wait_until([&] { return count("SELECT Id FROM Quote") == 7; }, 40s)) << all_output();
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(count("SELECT Id FROM Quote"), 7);
  EXPECT_NE(subscribers[0].output().find("recovery=backoff"), std::string::npos);
}

// A topic the org does not have is a person's problem: the subscriber stops (exit 1) and says so.
TEST_F(Subscriber, ATopicTheOrgRefusesStopsWithAClearMessage) {
  auto topic_env = env;
  topic_env["PRICING_PUBSUB_TOPIC"] = "/data/NoSuchObjectChangeEvent";
  topic_env["PRICING_CONNECTION"] = "devorg";
  topic_env["PRICING_REDIS_PREFIX"] = "other:";  // its own lease
  auto refused = test::Process::start({PE_BINARY, "subscriber"}, topic_env);
  EXPECT_EQ(refused.wait(30s), 1) << refused.output();
  EXPECT_NE(refused.output().find("msg=pubsub_stopped"), std::string::npos) << refused.output();
  EXPECT_NE(refused.output().find("topic.not.found"), std::string::npos) << refused.output();
  topic_env["PRICING_PUBSUB_TOPIC"] = "not-a-channel";
  auto bad = test::Process::start({PE_BINARY, "subscriber"}, topic_env);
  EXPECT_EQ(bad.wait(10s), 2);
  EXPECT_NE(bad.output().find("PRICING_PUBSUB_TOPIC"), std::string::npos);
}

TEST_F(Subscriber, AReplayIdTheOrgNoLongerKnowsIsLoudAndStartsAgainAtTheEarliest) {
  edit(1, 3);
  ASSERT_TRUE(wait_until([&] { return count("SELECT Id FROM Quote") == 3; }, 30s)) << all_output();
  subscribers[0].signal(SIGKILL);
  subscribers[0].wait(5s);
  // An id past the org's tip: corrupted, as one older than the retention would be.
  redis_cli({"SET", "pe:pubsub:replay:devorg:/data/OpportunityChangeEvent", "zzzzzzzz"});
  redis_cli({"DEL", "pe:pubsub:lease:devorg:/data/OpportunityChangeEvent"});
  subscribers[0] = start_subscriber();
  ASSERT_TRUE(wait_until(
      [&] { return subscribers[0].output().find("msg=pubsub_replay_lost") != std::string::npos; },
      30s))
      << all_output();
  EXPECT_NE(subscribers[0].output().find("level=error"), std::string::npos);
  // EARLIEST again: the three changes come back, fold into their transaction's done set, and
  // make no second quote; a new change is quoted.
  edit(10, 1);
  ASSERT_TRUE(wait_until([&] { return count("SELECT Id FROM Quote") == 4; }, 30s)) << all_output();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(count("SELECT Id FROM Quote"), 4);
}

class SubscriberTokens : public Subscriber {
 protected:
  SubscriberTokens() { devorg_extra = {"--token-ttl", "2"}; }
};

// Every token expires after 2 s: each stream ends UNAUTHENTICATED (service.auth.error) at its
// token's expiry, and the subscriber comes back with fresh credentials from AppLink, CUSTOM from
// the stored id: changes made meanwhile are quoted once.
TEST_F(SubscriberTokens, AnExpiredTokenIsRefreshedAndTheStreamResumes) {
  ASSERT_TRUE(wait_until(
      [&] { return subscribers[0].output().find("recovery=refresh_auth") != std::string::npos; },
      30s))
      << all_output();
  edit(1, 4);
  ASSERT_TRUE(wait_until([&] { return count("SELECT Id FROM Quote") == 4; }, 30s)) << all_output();
  ASSERT_TRUE(wait_until(
      [&] { return occurrences(subscribers[0].output(), "recovery=refresh_auth") >= 2; }, 30s));
  edit(5, 3);
  ASSERT_TRUE(wait_until([&] { return count("SELECT Id FROM Quote") == 7; }, 30s)) << all_output();
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(count("SELECT Id FROM Quote"), 7);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr int kChaosTransactions = 50;  // the sanitizers make every process several times slower
#else
constexpr int kChaosTransactions = 150;
#endif
constexpr int kChaosPerTransaction = 20;

class SubscriberChaos : public Subscriber {
 protected:
  SubscriberChaos() {
    seed = kChaosTransactions * kChaosPerTransaction;  // every opportunity is changed once
    devorg_extra = {"--token-ttl", "2"};  // every token, the first included, expires after 2 s
  }
};

// kill -9 of each of two subscribers in turn at random moments (the other takes over), a Redis
// restart, and tokens that expire every 2 s (the stream ends UNAUTHENTICATED; the subscriber
// refreshes), during a stream of 150 transactions of 20 changes (50 under the sanitizers):
// afterwards every opportunity changed has exactly one quote, and the queue is empty.
TEST_F(SubscriberChaos, NothingIsLostOrQuotedTwiceThroughKillsLeaderChangesRedisAndTokens) {
  subscribers.push_back(start_subscriber());  // the second waits for the lease
  constexpr int kTransactions = kChaosTransactions;
  constexpr int kPerTransaction = kChaosPerTransaction;
  std::atomic<bool> streaming{true};
  std::atomic<int> kills{0};
  std::mutex past_mutex;
  std::string past;  // the output of the subscribers killed
  std::thread chaos([&] {
    std::mt19937 random(11);
    bool redis_restarted = false;
    while (streaming) {
      std::this_thread::sleep_for(std::chrono::milliseconds(400 + random() % 800));
      if (!streaming) break;
      if (!redis_restarted && kills >= 3) {
        redis.shutdown();
        redis.start();
        redis_restarted = true;
        continue;
      }
      // Each in turn (the leader every other time, roughly); restart it.
      const size_t victim = static_cast<size_t>(kills.load()) % 2;
      subscribers[victim].signal(SIGKILL);
      subscribers[victim].wait(5s);
      {
        std::lock_guard lock(past_mutex);
        past += subscribers[victim].output();
      }
      subscribers[victim] = start_subscriber();
      ++kills;
    }
  });
  for (int t = 0; t < kTransactions; ++t) {
    edit(t * kPerTransaction + 1, kPerTransaction);
    std::this_thread::sleep_for(30ms);
  }
  streaming = false;
  chaos.join();
  EXPECT_GE(kills.load(), 4);
  test::http_request(org_port, "POST", "/devorg/faults", R"({"token_ttl_seconds":0})");

  constexpr int64_t kChanged = kTransactions * kPerTransaction;
  ASSERT_TRUE(wait_until([&] { return count("SELECT Id FROM Quote") >= kChanged; }, 120s))
      << count("SELECT Id FROM Quote") << "\n"
      << all_output().substr(0, 30000);
  ASSERT_TRUE(wait_until(
      [&] {
        return jobs_stats().find("waiting 0\nrunning 0\ndelayed 0\ndead 0") != std::string::npos;
      },
      60s))
      << jobs_stats();
  std::this_thread::sleep_for(3s);  // a straggler would show now
  EXPECT_EQ(count("SELECT Id FROM Quote"), kChanged);
  EXPECT_EQ(count("SELECT Id FROM QuoteLineItem"), count("SELECT Id FROM OpportunityLineItem"));
}

}  // namespace
}  // namespace pe
