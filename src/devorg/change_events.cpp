#include "devorg/change_events.hpp"

#include "common/random.hpp"

#include "common/log.hpp"
#include "net/http_client.hpp"
#include "net/retry_policy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <random>

namespace pe::devorg {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

// Objects whose changes are published (src-org's channel members).
bool has_change_data_capture(std::string_view object) { return object == "Opportunity"; }

std::string_view change_type(Change::Kind kind) {
  switch (kind) {
    case Change::Kind::create:
      return "CREATE";
    case Change::Kind::update:
      return "UPDATE";
    case Change::Kind::remove:
      return "DELETE";
    case Change::Kind::undelete:
      return "UNDELETE";
  }
  return "UPDATE";
}

// Salesforce lists LastModifiedDate among the changed fields of every update.
std::vector<std::string> changed_fields(const Change& change) {
  if (change.kind != Change::Kind::update) return {};
  std::vector<std::string> fields = change.changed_fields;
  fields.push_back("LastModifiedDate");
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  return fields;
}

json::array to_array(const std::vector<std::string>& values) {
  json::array out;
  out.reserve(values.size());
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

std::mt19937_64& rng() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

}  // namespace

std::string random_uuid() { return pe::random_uuid(); }

std::vector<json::object> build_change_events(std::span<const Change> changes,
                                              const ChangeOrigin& origin, const CommitInfo& commit,
                                              const std::function<std::string()>& event_id) {
  // One event per distinct (object, change type, changed fields), in order of first appearance;
  // the records it applies to in order, each once.
  struct Group {
    const Change* first;
    std::vector<std::string> fields;
    std::vector<std::string> record_ids;
  };
  std::vector<Group> groups;
  for (const Change& change : changes) {
    if (!has_change_data_capture(change.object)) continue;
    auto fields = changed_fields(change);
    auto same = [&](const Group& g) {
      return g.first->object == change.object && g.first->kind == change.kind && g.fields == fields;
    };
    auto it = std::find_if(groups.begin(), groups.end(), same);
    if (it == groups.end()) {
      groups.push_back({&change, std::move(fields), {}});
      it = groups.end() - 1;
    }
    std::string id(change.id.str());
    if (std::find(it->record_ids.begin(), it->record_ids.end(), id) == it->record_ids.end()) {
      it->record_ids.push_back(std::move(id));
    }
  }

  std::string change_origin = "com/salesforce/api/" + origin.api + "/" + origin.api_version;
  change_origin += ";client=" + origin.client;

  std::vector<json::object> events;
  events.reserve(groups.size());
  int64_t sequence = 0;
  for (const Group& group : groups) {
    json::object header;
    header["entityName"] = group.first->object;
    header["recordIds"] = to_array(group.record_ids);
    header["changeType"] = change_type(group.first->kind);
    header["changeOrigin"] = change_origin;
    header["transactionKey"] = commit.transaction_key;
    header["sequenceNumber"] = ++sequence;
    header["commitTimestamp"] = commit.commit_timestamp_ms;
    header["commitNumber"] = commit.commit_number;
    header["commitUser"] = origin.user.is_null() ? std::string() : std::string(origin.user.str());
    header["changedFields"] = to_array(group.fields);
    header["nulledFields"] = json::array();
    header["diffFields"] = json::array();

    json::object data;
    data["ChangeEventHeader"] = std::move(header);
    json::object event;
    event["specversion"] = "1.0";
    event["id"] = event_id();
    event["source"] = "";
    event["type"] = "";
    event["subject"] = "/data/" + group.first->object + "ChangeEvent";
    event["datacontenttype"] = "application/json";
    event["data"] = std::move(data);
    events.push_back(std::move(event));
  }
  return events;
}

struct ChangeEventFeed::State {
  State(asio::any_io_executor ex, net::HttpClient& http, FeedOptions opts)
      : executor(std::move(ex)),
        client(http),
        options(std::move(opts)),
        wake(executor),
        retry(executor) {}

  asio::any_io_executor executor;
  net::HttpClient& client;
  FeedOptions options;
  asio::steady_timer wake;        // waits for work while the queue is empty
  asio::steady_timer retry;       // the backoff before the next attempt (publish() does not cut it)
  std::deque<std::string> queue;  // serialized events, oldest first
  std::deque<json::object> recent;
  FeedStats stats;
  int64_t commit_number = 1736877279422521345;  // continues from the Eventing sample's SCN
  bool running = false;
  bool stopped = false;
  log::Logger log = log::Logger().with("component", "devorg_changes");
};

namespace {

constexpr size_t kRecentEvents = 1000;

asio::awaitable<void> deliver(std::shared_ptr<ChangeEventFeed::State> state) {
  net::BackoffOptions backoff{.max_attempts = 1 << 30,
                              .initial_delay = state->options.first_retry,
                              .max_delay = state->options.max_retry};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int attempt = 0;
  while (!state->stopped) {
    if (state->queue.empty()) {
      state->wake.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ignored;
      co_await state->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    net::HttpRequest req{.method = boost::beast::http::verb::post,
                         .url = state->options.webhook_url,
                         .headers = {{"Content-Type", "application/cloudevents+json"}},
                         .body = state->queue.front(),
                         .timeout = state->options.timeout};
    if (!state->options.token.empty()) {
      req.headers.push_back({"Authorization", "Bearer " + state->options.token});
    }
    auto res = co_await state->client.request(std::move(req));
    if (state->stopped) co_return;
    if (res && res->status >= 200 && res->status < 300) {
      state->queue.pop_front();
      ++state->stats.delivered;
      attempt = 0;
      continue;
    }
    ++state->stats.failed_attempts;
    ++attempt;
    auto delay = net::backoff_delay(attempt, backoff, unit(rng()));
    state->log.warn("change_event_delivery_failed",
                    {{"status", res ? res->status : 0},
                     {"error", res ? std::string() : res.error().message},
                     {"attempt", attempt},
                     {"retry_in_ms", static_cast<int64_t>(delay.count())},
                     {"pending", static_cast<int64_t>(state->queue.size())}});
    state->retry.expires_after(delay);
    boost::system::error_code ignored;
    co_await state->retry.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

}  // namespace

ChangeEventFeed::ChangeEventFeed(asio::any_io_executor executor, net::HttpClient& client,
                                 FeedOptions options)
    : state_(std::make_shared<State>(std::move(executor), client, std::move(options))) {}

ChangeEventFeed::~ChangeEventFeed() { stop(); }

void ChangeEventFeed::start() {
  if (state_->running || state_->options.webhook_url.empty()) return;
  state_->running = true;
  asio::co_spawn(state_->executor, deliver(state_), asio::detached);
}

void ChangeEventFeed::stop() {
  state_->stopped = true;
  state_->wake.cancel();
  state_->retry.cancel();
}

void ChangeEventFeed::publish(std::span<const Change> changes, const ChangeOrigin& origin) {
  auto now = std::chrono::system_clock::now();
  CommitInfo commit{
      .transaction_key = random_uuid(),
      .commit_number = ++state_->commit_number,
      .commit_timestamp_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()};
  publish_built(build_change_events(changes, origin, commit, random_uuid));
}

void ChangeEventFeed::publish_built(std::vector<json::object> events) {
  if (events.empty()) return;
  ++state_->stats.transactions;
  for (auto& event : events) {
    ++state_->stats.events;
    if (!state_->options.webhook_url.empty()) {
      if (state_->queue.size() >= state_->options.max_pending) {
        state_->queue.pop_front();
        ++state_->stats.dropped;
        state_->log.error("change_event_dropped",
                          {{"reason", "more than max_pending events wait for the webhook"},
                           {"max_pending", static_cast<int64_t>(state_->options.max_pending)}});
      }
      state_->queue.push_back(json::serialize(event));
    }
    state_->recent.push_back(std::move(event));
    if (state_->recent.size() > kRecentEvents) state_->recent.pop_front();
  }
  state_->wake.cancel();  // wakes the delivery coroutine if it waits for work
}

FeedStats ChangeEventFeed::stats() const {
  FeedStats out = state_->stats;
  out.pending = state_->queue.size();
  return out;
}

std::vector<json::object> ChangeEventFeed::recent(size_t n) const {
  n = std::min(n, state_->recent.size());
  return {state_->recent.end() - static_cast<std::ptrdiff_t>(n), state_->recent.end()};
}

}  // namespace pe::devorg
