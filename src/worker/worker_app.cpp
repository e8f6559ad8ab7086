#include "worker/worker_app.hpp"

#include "applink/applink.hpp"
#include "applink/invocation.hpp"
#include "common/json_text.hpp"
#include "common/log.hpp"
#include "common/seal.hpp"
#include "events/transaction_buffer.hpp"
#include "jobs/activity_log.hpp"
#include "jobs/batch_job.hpp"
#include "jobs/job_queue.hpp"
#include "net/http_client.hpp"
#include "net/redis_connection.hpp"
#include "pricing/engine_registry.hpp"
#include "pubsub/event_publisher.hpp"
#include "quotes/org_action.hpp"
#include "quotes/quote_writer.hpp"
#include "worker/batch_runner.hpp"
#include "worker/quote_batch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <unistd.h>

#include <iostream>
#include <map>
#include <random>

namespace pe::worker {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

constexpr const char* kCompletionTopic = "/event/QuoteGenerationComplete__e";

// How completion events go out (PRICING_PUBLISH_VIA).
enum class PublishVia { rest, eventing, pubsub };

struct WorkerConfig {
  net::RedisConfig redis;
  jobs::QueueOptions queue;
  jobs::QueueOptions batch_queue;  // the batch jobs' tasks: <prefix>batch:jobs
  jobs::BatchOptions batch;
  events::BufferOptions buffer;
  unsigned concurrency = 2;
  size_t batch_jobs = 50;
  size_t batch_records = 2'500;
  milliseconds linger{250};
  log::Level log_level = log::Level::info;
  bool discount_overrides = false;  // PRICING_DISCOUNT_OVERRIDES (org actions)
  std::optional<Sealer> sealer;     // PRICING_SEAL_KEY: opens the async org actions' tokens
  milliseconds callback_timeout{30'000};
  PublishVia publish_via = PublishVia::rest;
  pubsub::ChannelOptions pubsub_channel;  // with PublishVia::pubsub
};

Result<WorkerConfig> load_config(const Env& env, const WorkerOverrides& overrides) {
  EnvReader read(env);
  WorkerConfig config;
  config.redis = net::redis_config_from(read);
  config.queue = jobs::queue_options_from(read);
  config.batch_queue = config.queue;
  config.batch_queue.prefix = config.queue.prefix + "batch:";
  config.batch = jobs::batch_options_from(read);
  config.buffer = events::buffer_options_from(read);
  config.concurrency = static_cast<unsigned>(read.integer("WORKER_CONCURRENCY", 2, 1, 64));
  config.batch_jobs = static_cast<size_t>(read.integer("PRICING_BATCH_JOBS", 50, 1, 1000));
  config.batch_records =
      static_cast<size_t>(read.integer("PRICING_BATCH_RECORDS", 2'500, 1, 100'000));
  config.linger = milliseconds(read.integer("PRICING_BATCH_LINGER_MS", 250, 0, 60'000));
  config.log_level = log::level_from(read);
  config.discount_overrides = read.boolean("PRICING_DISCOUNT_OVERRIDES", false);
  config.sealer = sealer_from(read);
  const bool eventing = !read.string("HEROKUEVENTS_PUBLISH_URL", "").empty();
  const std::string via = read.string("PRICING_PUBLISH_VIA", eventing ? "eventing" : "rest");
  if (via == "eventing") {
    config.publish_via = PublishVia::eventing;
    if (!eventing) read.add_error("PRICING_PUBLISH_VIA", "eventing needs HEROKUEVENTS_PUBLISH_URL");
  } else if (via == "pubsub") {
    config.publish_via = PublishVia::pubsub;
    config.pubsub_channel = pubsub::channel_options_from(read);
  } else if (via != "rest") {
    read.add_error("PRICING_PUBLISH_VIA", "must be rest, eventing or pubsub");
  }
  if (auto ok = read.finish(); !ok) return ok.error();
  if (overrides.concurrency) config.concurrency = *overrides.concurrency;
  return config;
}

std::string consumer_name() {
  char host[64] = {};
  gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + "-" + std::to_string(getpid()) + "-" +
         std::to_string(random() % 100'000);
}

// An async org action's entry for the dashboard. Once quoted, the callback body it keeps says how
// it went (status, quotes, failures): the dashboard tells what the invoking org is told. Only a
// final entry carries quotes, so that a retried delivery does not count them again.
jobs::ActivityEntry action_activity(const jobs::Job& job, jobs::ActivityStatus status,
                                    std::string_view detail = {}) {
  auto entry = jobs::job_activity(job, status, 0, 0, detail);
  if (!jobs::is_final(status)) return entry;
  boost::system::error_code ec;
  auto body = boost::json::parse(job.action->result, ec);
  const boost::json::object* o = !ec ? body.if_object() : nullptr;
  const boost::json::value* summary = o ? o->if_contains("summary") : nullptr;
  if (!summary || !summary->is_object()) {
    entry.failed = static_cast<int64_t>(job.record_ids.size());  // nothing was written
    return entry;
  }
  auto count = [&](std::string_view name) {
    const auto* v = summary->as_object().if_contains(name);
    return v && v->is_int64() ? v->as_int64() : int64_t{0};
  };
  entry.quotes = count("succeeded");
  entry.failed = count("failed");
  const boost::json::value* said = o->if_contains("status");
  if (status == jobs::ActivityStatus::succeeded && said && said->is_string()) {
    entry.status = jobs::parse_status(said->as_string()).value_or(status);
  }
  return entry;
}

// A job of the main queue that became a dead letter, whichever way (failed too often, given up,
// reclaimed too often): its final entry, with its last error.
jobs::ActivityEntry dead_activity(const jobs::Job& job) {
  if (job.action) return action_activity(job, jobs::ActivityStatus::failed, job.error);
  return jobs::job_activity(job, jobs::ActivityStatus::failed, 0,
                            static_cast<int64_t>(job.record_ids.size()), job.error);
}

size_t records_in(const std::vector<jobs::Job>& jobs) {
  size_t n = 0;
  for (const auto& job : jobs) n += job.record_ids.size();
  return n;
}

class Worker {
 public:
  Worker(asio::io_context& io, WorkerConfig config, applink::AppLink applink,
         std::optional<applink::EventPublisher> publisher,
         std::unique_ptr<pricing::PricingEngine> engine)
      : io_(io),
        config_(std::move(config)),
        applink_(std::move(applink)),
        publisher_(std::move(publisher)),
        pubsub_publisher_(config_.publish_via == PublishVia::pubsub
                              ? std::make_unique<pubsub::PubSubPublisher>(config_.pubsub_channel)
                              : nullptr),
        engine_(std::move(engine)),
        client_(net::HttpClient::create(io).value()),
        redis_(net::RedisConnection::create(io, config_.redis).value()),
        queue_(redis_, config_.queue),
        batch_queue_(redis_, config_.batch_queue),
        batch_jobs_(redis_, batch_queue_.keys().stream, config_.batch),
        activity_(redis_, {.prefix = config_.queue.prefix}),
        buffer_(redis_, config_.buffer),
        consumer_(consumer_name()),
        batch_runner_(client_, applink_, config_.sealer, batch_queue_, batch_jobs_, activity_,
                      *engine_,
                      [this](salesforce::DataApi& api, SalesforceId user) {
                        return completion_publisher(api, user);
                      },
                      {.discount_overrides = config_.discount_overrides,
                       .max_attempts = config_.batch_queue.max_attempts}) {
    batch_queue_.on_dead_letter(
        [this](const jobs::Job& job) { return batch_runner_.on_dead_letter(job); });
    queue_.on_dead_letter(
        [this](const jobs::Job& job) { return activity_.record(dead_activity(job)); });
  }

  void start() {
    redis_->start();
    log_.info("worker_started", {{"consumer", consumer_},
                                 {"concurrency", config_.concurrency},
                                 {"pricing", engine_->version()},
                                 {"redis", redis_->endpoint().describe()}});
    for (unsigned i = 0; i < config_.concurrency; ++i) {
      auto blocking = net::RedisConnection::create(io_, config_.redis).value();
      blocking->start();
      lanes_.push_back(blocking);
      ++running_;
      asio::co_spawn(io_, lane(blocking), asio::detached);
      // And as many lanes for batch job tasks, each one task at a time: a big job's chunks
      // spread over every worker instead of going to the first that asks.
      auto batch_blocking = net::RedisConnection::create(io_, config_.redis).value();
      batch_blocking->start();
      lanes_.push_back(batch_blocking);
      ++running_;
      asio::co_spawn(io_, batch_lane(batch_blocking), asio::detached);
    }
    asio::co_spawn(io_, maintenance(), asio::detached);
  }

  // Stops claiming; the lanes finish their batches.
  void stop() {
    if (stopping_) return;
    stopping_ = true;
    log_.info("worker_stopping", {{"batches_in_flight", busy_}});
  }

  bool stopping() const { return stopping_; }
  // Called once every lane has stopped.
  void on_stopped(std::function<void()> callback) { on_stopped_ = std::move(callback); }

 private:
  asio::awaitable<void> lane(std::shared_ptr<net::RedisConnection> blocking) {
    bool failing = false;
    auto made = co_await queue_.ensure_group();
    if (!made) log_.warn("queue_unavailable", {{"error", made.error().message}});
    while (!stopping_) {
      auto claimed = co_await queue_.claim(*blocking, consumer_, config_.batch_jobs, 1s);
      if (!claimed) {
        if (!failing) log_.warn("claim_failed", {{"error", claimed.error().message}});
        failing = true;
        co_await sleep(1s);
        continue;
      }
      failing = false;
      if (claimed->empty()) continue;
      auto batch = std::move(*claimed);
      auto deadline = std::chrono::steady_clock::now() + config_.linger;
      while (!stopping_ && records_in(batch) < config_.batch_records &&
             batch.size() < config_.batch_jobs) {
        auto left =
            std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) break;
        auto more =
            co_await queue_.claim(*blocking, consumer_, config_.batch_jobs - batch.size(), left);
        if (!more || more->empty()) break;
        for (auto& job : *more) batch.push_back(std::move(job));
      }
      co_await run_batch(std::move(batch));
    }
    blocking->stop();
    if (--running_ == 0) finish();
  }

  asio::awaitable<void> batch_lane(std::shared_ptr<net::RedisConnection> blocking) {
    bool failing = false;
    auto made = co_await batch_queue_.ensure_group();
    if (!made) log_.warn("queue_unavailable", {{"error", made.error().message}});
    while (!stopping_) {
      auto claimed = co_await batch_queue_.claim(*blocking, consumer_, 1, 1s);
      if (!claimed) {
        if (!failing) log_.warn("claim_failed", {{"error", claimed.error().message}});
        failing = true;
        co_await sleep(1s);
        continue;
      }
      failing = false;
      for (auto& job : *claimed) co_await run_batch_task(std::move(job));
    }
    blocking->stop();
    if (--running_ == 0) finish();
  }

  asio::awaitable<void> run_batch_task(jobs::Job job) {
    ++busy_;
    std::vector<std::string> ids{job.id};
    auto alive = std::make_shared<BatchAlive>(io_);
    asio::co_spawn(io_, keep_alive(batch_queue_, ids, alive), asio::detached);
    co_await batch_runner_.run(std::move(job));
    alive->done = true;
    alive->timer.cancel();
    --busy_;
  }

  asio::awaitable<void> maintenance() {
    auto last_reclaim = std::chrono::steady_clock::now();
    while (!stopping_) {
      co_await sleep(1s);
      if (stopping_) break;
      auto released = co_await queue_.release_due();
      if (released && *released > 0) log_.info("retries_released", {{"jobs", *released}});
      auto released_tasks = co_await batch_queue_.release_due();
      if (released_tasks && *released_tasks > 0) {
        log_.info("retries_released", {{"batch_tasks", *released_tasks}});
      }
      auto flushed = co_await buffer_.flush_idle();
      if (flushed && !flushed->latencies_ms.empty()) {
        log_.info("transactions_flushed", {{"jobs", flushed->latencies_ms.size()}});
      }
      if (std::chrono::steady_clock::now() - last_reclaim >= config_.queue.visibility / 2) {
        last_reclaim = std::chrono::steady_clock::now();
        auto reclaimed = co_await queue_.reclaim(consumer_, config_.batch_jobs);
        if (reclaimed && !reclaimed->empty()) {
          log_.warn("jobs_reclaimed", {{"jobs", reclaimed->size()}});
          co_await run_batch(std::move(*reclaimed));
        }
        auto tasks = co_await batch_queue_.reclaim(consumer_, 1);
        if (tasks && !tasks->empty()) {
          log_.warn("batch_tasks_reclaimed", {{"tasks", tasks->size()}});
          // Run beside the lanes: the maintenance loop must go on releasing retries meanwhile.
          for (auto& task : *tasks) {
            asio::co_spawn(io_, run_batch_task(std::move(task)), asio::detached);
          }
        }
      }
    }
  }

  asio::awaitable<void> sleep(milliseconds duration) {
    asio::steady_timer timer(io_, duration);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

  // Renews the visibility of the batch's jobs until the batch ends, which cancels the wait: a
  // worker told to stop exits as soon as its batches are done, not a third of the visibility
  // timeout later.
  struct BatchAlive {
    explicit BatchAlive(asio::io_context& io) : timer(io) {}
    bool done = false;
    asio::steady_timer timer;
  };

  asio::awaitable<void> keep_alive(jobs::JobQueue& queue, std::vector<std::string> ids,
                                   std::shared_ptr<BatchAlive> alive) {
    auto period = std::max<milliseconds>(config_.queue.visibility / 3, 50ms);
    while (!alive->done) {
      alive->timer.expires_after(period);
      boost::system::error_code ignored;
      co_await alive->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (alive->done) break;
      auto kept = co_await queue.keep_alive(consumer_, ids);
      if (kept && *kept < ids.size()) {
        log_.warn("jobs_lost_to_reclaim", {{"jobs", ids.size() - *kept}});
      }
    }
  }

  asio::awaitable<void> run_batch(std::vector<jobs::Job> batch) {
    ++busy_;
    std::vector<std::string> ids;
    for (const auto& job : batch) ids.push_back(job.id);
    auto alive = std::make_shared<BatchAlive>(io_);
    asio::co_spawn(io_, keep_alive(queue_, ids, alive), asio::detached);

    std::map<std::string, std::vector<jobs::Job>> by_connection;
    std::vector<jobs::Job> actions;
    for (auto& job : batch) {
      if (job.action) {
        actions.push_back(std::move(job));
      } else {
        by_connection[job.connection].push_back(std::move(job));
      }
    }
    for (auto& job : actions) co_await run_action(std::move(job));
    for (auto& [connection, jobs] : by_connection) {
      co_await run_connection_batch(connection, jobs);
    }
    alive->done = true;
    alive->timer.cancel();
    --busy_;
  }

  asio::awaitable<void> run_connection_batch(const std::string& connection,
                                             std::vector<jobs::Job>& jobs) {
    auto started = std::chrono::steady_clock::now();
    std::vector<JobOutcome> outcomes;
    auto credentials = co_await applink_.credentials(client_, connection);
    if (!credentials) {
      outcomes.assign(jobs.size(), JobOutcome{.error = "credentials for connection '" + connection +
                                                       "': " + credentials.error().message});
    } else {
      salesforce::DataApi api(client_, *credentials, {.refresh = [this, connection] {
                                return applink_.refresh(client_, connection);
                              }});
      CompletionPublisher publish = completion_publisher(api, credentials->user_id);
      BatchStats stats;
      outcomes = co_await quote_jobs(api, *engine_, jobs, publish, &stats);
      log_.info("batch_done", {{"connection", connection},
                               {"jobs", jobs.size()},
                               {"opportunities", stats.opportunities},
                               {"queries", stats.queries},
                               {"graph_requests", stats.graph_requests},
                               {"api_requests", api.requests()},
                               {"ms", std::chrono::duration_cast<milliseconds>(
                                          std::chrono::steady_clock::now() - started)
                                          .count()}});
    }
    std::vector<std::string> completed;
    std::vector<jobs::ActivityEntry> activity;  // for the dashboard, recorded together
    for (size_t i = 0; i < jobs.size(); ++i) {
      const auto& job = jobs[i];
      const auto& outcome = outcomes[i];
      if (outcome.success) {
        completed.push_back(job.id);
        log_.info("job_done", {{"job", job.id},
                               {"transaction", job.transaction_key},
                               {"quotes", outcome.quotes},
                               {"lines", outcome.lines},
                               {"skipped", outcome.skipped.size()},
                               {"status", outcome.status}});
        activity.push_back(jobs::job_activity(job, jobs::ActivityStatus::succeeded,
                                              static_cast<int64_t>(outcome.quotes)));
        for (const auto& why : outcome.skipped) {
          log_.info("opportunity_skipped", {{"job", job.id}, {"reason", why}});
        }
        continue;
      }
      auto failed = co_await queue_.fail(job, outcome.error);
      // (A dead letter's entry is the queue's dead-letter hook's.)
      if (failed && !failed->dead) {
        activity.push_back(
            jobs::job_activity(job, jobs::ActivityStatus::retrying, 0, 0, outcome.error));
      }
      log_.warn(
          "job_failed",
          {{"job", job.id},
           {"transaction", job.transaction_key},
           {"attempt", job.attempt},
           {"error", outcome.error},
           {"next", !failed        ? "unknown (redis: " + failed.error().message + ")"
                    : failed->dead ? std::string("dead letter")
                                   : "retry in " + std::to_string(failed->delay.count()) + " ms"}});
    }
    if (!completed.empty()) {
      auto acked = co_await queue_.complete(completed);
      if (!acked) {
        // The jobs will be reclaimed and run again: harmless (idempotent), logged.
        log_.warn("complete_failed",
                  {{"jobs", completed.size()}, {"error", acked.error().message}});
      }
    }
    co_await activity_.record(std::move(activity));
  }

  // An async org action: quote as the invoking user (the sealed token), then deliver the result
  // to the callback URL. The result is kept on the job, so a retry only delivers it again.
  asio::awaitable<void> run_action(jobs::Job job) {
    // GCC 12 mishandles string literals passed straight to a coroutine: reasons are named first.
    auto token = open_action_token(job);
    std::string why;
    if (!token) {
      why = token.error().message;
      co_await give_up(job, why);
      co_return;
    }
    auto& action = *job.action;
    log::Logger log = log_.with("job", action.job_id);
    salesforce::OrgCredentials credentials{.instance_url = action.instance_url,
                                           .api_version = action.api_version,
                                           .access_token = *token,
                                           .user_id = action.user_id};
    if (action.result.empty()) {
      salesforce::DataApi api(client_, credentials);
      std::vector<quotes::QuoteTask> tasks;
      for (const auto& id : job.record_ids) {
        tasks.push_back({.opportunity = id, .key = job.transaction_key});
      }
      auto outcomes = co_await quotes::quote_opportunities(
          api, *engine_, tasks, {.discount_overrides = config_.discount_overrides});
      if (!outcomes) {
        Error e = quotes::invocation_error(outcomes.error());
        if (is_transient(e.code)) {
          why = "quoting: " + e.message;
          co_await retry(job, why);
          co_return;
        }
        action.result = json_text(quotes::callback_body(action.job_id, {}, job.record_ids, &e));
      } else {
        action.result = json_text(quotes::callback_body(action.job_id, *outcomes, job.record_ids));
      }
      log.info("org_action_quoted",
               {{"opportunities", job.record_ids.size()}, {"api_requests", api.requests()}});
    }
    net::HttpRequest req{
        .method = boost::beast::http::verb::post,
        .url = action.callback_url,
        .headers = {{"Authorization", "Bearer " + *token}, {"Content-Type", "application/json"}},
        .body = action.result,
        .timeout = config_.callback_timeout};
    auto res = co_await client_.request(std::move(req));
    if (res && res->status >= 200 && res->status < 300) {
      std::vector<std::string> done{job.id};
      auto acked = co_await queue_.complete(done);
      if (!acked) log.warn("complete_failed", {{"error", acked.error().message}});
      log.info("callback_delivered", {{"status", res->status}, {"attempt", job.attempt}});
      co_await activity_.record(action_activity(job, jobs::ActivityStatus::succeeded));
      co_return;
    }
    if (res && res->status == 401) {
      // The invoking user's session ended; Salesforce will not take the result any more.
      why =
          "the callback was refused (HTTP 401): the invoking user's session ended before the "
          "result could be delivered";
      co_await give_up(job, why);
      co_return;
    }
    why = res ? "callback answered HTTP " + std::to_string(res->status)
              : "callback: " + res.error().message;
    co_await retry(job, why);
  }

  // The invoking user's token of an org action, or why the job can never run here.
  Result<std::string> open_action_token(const jobs::Job& job) const {
    const auto& action = *job.action;
    if (!config_.sealer) {
      return Error{Errc::failed_precondition,
                   "PRICING_SEAL_KEY is not set on the worker: the token cannot be opened"};
    }
    if (!applink::same_origin(action.callback_url, action.instance_url)) {
      return Error{Errc::failed_precondition,
                   "the callback URL is not on the invoking org's domain"};
    }
    auto token = config_.sealer->open(action.sealed_token, action.job_id);
    if (!token) {
      return Error{Errc::failed_precondition,
                   "the job's sealed token does not open (is PRICING_SEAL_KEY the same on web "
                   "and worker?)"};
    }
    return token;
  }

  asio::awaitable<void> retry(const jobs::Job& job, std::string error) {
    auto failed = co_await queue_.fail(job, error);
    if (failed && !failed->dead) {
      co_await activity_.record(action_activity(job, jobs::ActivityStatus::retrying, error));
    }
    log_.warn(
        "job_failed",
        {{"job", job.action ? job.action->job_id : job.id},
         {"attempt", job.attempt},
         {"error", error},
         {"next", !failed        ? "unknown (redis: " + failed.error().message + ")"
                  : failed->dead ? std::string("dead letter")
                                 : "retry in " + std::to_string(failed->delay.count()) + " ms"}});
  }

  asio::awaitable<void> give_up(const jobs::Job& job, std::string error) {
    auto buried = co_await queue_.give_up(job, error);
    if (!buried)
      log_.warn("dead_letter_failed", {{"job", job.id}, {"error", buried.error().message}});
  }

  // Completion events as PRICING_PUBLISH_VIA says: REST with the job's credentials (the
  // default), Eventing's publish URL, or the Pub/Sub API's Publish.
  CompletionPublisher completion_publisher(salesforce::DataApi& api, SalesforceId user) {
    if (pubsub_publisher_) return publish_with_pubsub(api.credentials(), user);
    if (publisher_) return publish_with_eventing(user);
    return publish_with_rest(api);
  }

  CompletionPublisher publish_with_pubsub(const salesforce::OrgCredentials& org,
                                          SalesforceId user) {
    pubsub::Credentials creds{.access_token = org.access_token,
                              .instance_url = org.instance_url,
                              .tenant_id = std::string(org.org_id.str())};
    return [this, creds, user](const std::vector<std::string>& statuses)
               -> asio::awaitable<std::vector<Result<void>>> {
      std::vector<Result<void>> results;
      for (const auto& status : statuses) {
        const int64_t now_ms = std::chrono::duration_cast<milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
        std::vector<pubsub::EventField> fields;
        fields.emplace_back("CreatedDate", pubsub::avro::Value::of(now_ms));
        fields.emplace_back("CreatedById", pubsub::avro::Value::of(std::string(user.str())));
        fields.emplace_back("Status__c", pubsub::avro::Value::of(status));
        auto published = co_await pubsub_publisher_->publish(creds, kCompletionTopic, fields);
        if (published) {
          results.emplace_back();
        } else {
          results.push_back(published.error());
        }
      }
      co_return results;
    };
  }

  CompletionPublisher publish_with_eventing(SalesforceId user) {
    return [this, user](const std::vector<std::string>& statuses)
               -> asio::awaitable<std::vector<Result<void>>> {
      std::vector<Result<void>> results;
      for (const auto& status : statuses) {
        boost::json::object fields{{"Status__c", status}};
        results.push_back(
            co_await publisher_->publish(client_, "QuoteGenerationComplete", user, fields));
      }
      co_return results;
    };
  }

  void finish() {
    redis_->stop();
    log_.info("worker_stopped");
    if (on_stopped_) on_stopped_();
  }

  asio::io_context& io_;
  WorkerConfig config_;
  applink::AppLink applink_;
  std::optional<applink::EventPublisher> publisher_;
  std::unique_ptr<pubsub::PubSubPublisher> pubsub_publisher_;
  std::unique_ptr<pricing::PricingEngine> engine_;
  net::HttpClient client_;
  std::shared_ptr<net::RedisConnection> redis_;
  jobs::JobQueue queue_;
  jobs::JobQueue batch_queue_;
  jobs::BatchJobs batch_jobs_;
  jobs::ActivityLog activity_;  // what the operations dashboard reads (jobs/activity_log.hpp)
  events::TransactionBuffer buffer_;
  std::string consumer_;
  BatchRunner batch_runner_;
  std::vector<std::shared_ptr<net::RedisConnection>> lanes_;
  log::Logger log_;
  std::function<void()> on_stopped_;
  bool stopping_ = false;
  unsigned running_ = 0;
  unsigned busy_ = 0;
};

}  // namespace

int run_worker(const Env& env, const WorkerOverrides& overrides) {
  auto config = load_config(env, overrides);
  if (!config) {
    std::cerr << "pricing-engine worker: " << config.error().message << "\n";
    return 2;
  }
  log::set_level(config->log_level);
  auto applink = applink::AppLink::from_env(env);
  if (!applink) {
    std::cerr << "pricing-engine worker: " << applink.error().message << "\n";
    return 2;
  }
  std::optional<applink::EventPublisher> publisher;
  if (config->publish_via == PublishVia::eventing) {
    auto made = applink::EventPublisher::from_env(env);
    if (!made) {
      std::cerr << "pricing-engine worker: " << made.error().message << "\n";
      return 2;
    }
    publisher = std::move(*made);
  }
  auto engine_config = pricing::read_engine_config(env);
  if (!engine_config) {
    std::cerr << "pricing-engine worker: " << engine_config.error().message << "\n";
    return 2;
  }
  auto engine = pricing::make_engine(*engine_config);
  if (!engine) {
    std::cerr << "pricing-engine worker: " << engine.error().message << "\n";
    return 2;
  }

  asio::io_context io(1);
  Worker worker(io, std::move(*config), std::move(*applink), std::move(publisher),
                std::move(*engine));
  asio::signal_set signals(io, SIGTERM, SIGINT);
  asio::steady_timer deadline(io);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int) {
        if (ec) return;
        if (worker.stopping()) {
          io.stop();  // a second signal: now
          return;
        }
        worker.stop();
        signals.async_wait(on_signal);
        // Heroku sends SIGKILL 30 s after SIGTERM; unfinished jobs are reclaimed later.
        deadline.expires_after(25s);
        deadline.async_wait([&](const boost::system::error_code& e) {
          if (!e) io.stop();
        });
      };
  signals.async_wait(on_signal);
  // io.run() returns once the lanes are done and these waits are cancelled.
  worker.on_stopped([&] {
    signals.cancel();
    deadline.cancel();
  });
  worker.start();
  io.run();
  return 0;
}

}  // namespace pe::worker
