#include "demo/demo_watch.hpp"

#include "common/json_exact.hpp"
#include "demo/demo_text.hpp"
#include "salesforce/soql.hpp"

#include <boost/json/value.hpp>

#include <cstdio>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace pe::demo {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// Named locals, never temporaries, in co_await expressions: GCC 12 mishandles them.
asio::awaitable<Result<std::string>> get_text(net::HttpClient& client, const std::string& url) {
  net::HttpRequest request{.url = url, .timeout = 5s};
  auto res = co_await client.request(std::move(request));
  if (!res) co_return Error{res.error().code, "GET " + url + ": " + res.error().message};
  if (res->status != 200) {
    co_return Error{Errc::unavailable, "GET " + url + ": HTTP " + std::to_string(res->status)};
  }
  co_return std::move(res->body);
}

asio::awaitable<Result<json::object>> get_json(net::HttpClient& client, const std::string& url) {
  auto text = co_await get_text(client, url);
  if (!text) co_return text.error();
  auto doc = parse_json_exact(*text);
  if (!doc || !doc->is_object()) {
    co_return Error{Errc::internal, "GET " + url + ": the answer is not a JSON object"};
  }
  co_return std::move(doc->as_object());
}

int64_t number_at(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end()) return 0;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
  if (it->value().is_double()) return static_cast<int64_t>(it->value().as_double());
  return 0;
}

std::string string_at(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

}  // namespace

asio::awaitable<Result<OrgSnapshot>> take_snapshot(net::HttpClient& client,
                                                   const DemoStack& stack) {
  OrgSnapshot snapshot;
  std::string stats_url = stack.org_url() + "/devorg/stats";
  auto stats = co_await get_json(client, stats_url);
  if (!stats) co_return stats.error();
  snapshot.api_requests = static_cast<uint64_t>(number_at(*stats, "total"));
  std::string notifications_url = stack.org_url() + "/devorg/notifications";
  auto notifications = co_await get_json(client, notifications_url);
  if (!notifications) co_return notifications.error();
  if (auto* list = notifications->if_contains("notifications"); list && list->is_array()) {
    snapshot.notifications = list->as_array().size();
  }
  std::string metrics_url = stack.web_url() + "/metrics";
  auto metrics = co_await get_text(client, metrics_url);
  if (!metrics) co_return metrics.error();
  snapshot.events_received =
      metric_value(*metrics, "pricing_webhook_events_received_total").value_or(0);
  snapshot.ids_buffered =
      metric_value(*metrics, "pricing_webhook_record_ids_buffered_total").value_or(0);
  co_return snapshot;
}

DemoWatch::DemoWatch(DemoStack& stack, net::HttpClient& client, salesforce::DataApi& api,
                     std::ostream& out, WatchOptions options)
    : stack_(stack), client_(client), api_(api), out_(out), options_(std::move(options)) {}

std::ostream& DemoWatch::step() {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - options_.started).count();
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%5.1f s] ", seconds);
  return out_ << stamp;
}

bool DemoWatch::done() const {
  return job_seen_ && notification_seen_ &&
         static_cast<int64_t>(quote_keys_.size()) >= result_.quotes;
}

std::string DemoWatch::missing() const {
  if (!event_seen_) return "the change event to reach web";
  if (!job_seen_) return "the worker to finish the job (msg=job_done)";
  if (static_cast<int64_t>(quote_keys_.size()) < result_.quotes) {
    return "the quotes (" + std::to_string(quote_keys_.size()) + " of " +
           std::to_string(result_.quotes) + " found)";
  }
  return "the notification";
}

asio::awaitable<Result<WatchResult>> DemoWatch::run() {
  auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  for (;;) {
    if (stop_requested()) co_return Error{Errc::cancelled, "interrupted"};
    if (auto alive = stack_.check_alive(); !alive) co_return alive.error();
    auto web = co_await poll_web();
    if (!web) co_return web.error();
    read_worker_log();
    if (event_seen_) {
      auto quotes = co_await poll_quotes();
      if (!quotes) co_return quotes.error();
      auto notifications = co_await poll_notifications();
      if (!notifications) co_return notifications.error();
    }
    if (done()) co_return result_;
    if (std::chrono::steady_clock::now() > deadline) {
      auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options_.timeout).count();
      co_return Error{Errc::deadline_exceeded, "nothing more happened for " +
                                                   std::to_string(seconds) +
                                                   " s: still waiting for " + missing()};
    }
    co_await sleep_for(options_.interval);
  }
}

asio::awaitable<Result<void>> DemoWatch::poll_web() {
  if (event_seen_ && flush_seen_) co_return Result<void>{};
  std::string metrics_url = stack_.web_url() + "/metrics";
  auto metrics = co_await get_text(client_, metrics_url);
  if (!metrics) co_return metrics.error();
  double events = metric_value(*metrics, "pricing_webhook_events_received_total").value_or(0);
  double ids = metric_value(*metrics, "pricing_webhook_record_ids_buffered_total").value_or(0) -
               options_.before.ids_buffered;
  // The edit's Ids are new, so the event counts once they are stored (the counter of events
  // moves first, while the delivery is still being buffered).
  if (!event_seen_ && events > options_.before.events_received && ids > 0) {
    event_seen_ = true;
    step() << "web received " << events - options_.before.events_received
           << " change event(s) from the org: " << ids << " opportunity Ids buffered in Redis\n";
  }
  if (!flush_seen_ &&
      metric_value(*metrics, "pricing_transactions_flushed_total").value_or(0) > 0) {
    flush_seen_ = true;
    step() << "web flushed the transaction into a job on the Redis stream\n";
  }
  co_return Result<void>{};
}

void DemoWatch::read_worker_log() {
  std::ifstream in(stack_.worker_log());
  in.seekg(static_cast<std::streamoff>(worker_log_offset_));
  std::string line;
  // Only whole lines: a line still being written is read on the next poll.
  while (std::getline(in, line) && !in.eof()) {
    worker_log_offset_ += line.size() + 1;
    if (line.find("msg=") == std::string::npos) continue;
    on_worker_line(parse_logfmt(line));
  }
}

void DemoWatch::on_worker_line(const std::map<std::string, std::string>& line) {
  auto get = [&](const char* key) {
    auto it = line.find(key);
    return it == line.end() ? std::string() : it->second;
  };
  std::string msg = get("msg");
  if (msg == "transactions_flushed" && !flush_seen_) {
    flush_seen_ = true;
    step() << "the worker flushed the transaction into a job on the Redis stream\n";
  } else if (msg == "job_failed" && get("transaction") == options_.transaction_key) {
    step() << "job " << get("job") << " failed (attempt " << get("attempt") << "): " << get("error")
           << "; next: " << get("next") << "\n";
  } else if (msg == "opportunity_skipped") {
    step() << "skipped " << get("reason") << "\n";
  } else if (msg == "job_done" && get("transaction") == options_.transaction_key && !job_seen_) {
    job_seen_ = true;
    result_.job_id = get("job");
    result_.quotes = std::atoll(get("quotes").c_str());
    result_.skipped = std::atoll(get("skipped").c_str());
    step() << "the worker finished job " << result_.job_id << ": " << result_.quotes << " quotes, "
           << get("lines") << " lines (" << get("status") << ")\n";
  }
}

asio::awaitable<Result<void>> DemoWatch::poll_quotes() {
  if (job_seen_ && static_cast<int64_t>(quote_keys_.size()) >= result_.quotes) {
    co_return Result<void>{};
  }
  // The generation key is "<transactionKey>:<opportunity Id>": this transaction's quotes.
  std::string pattern = salesforce::soql_quote_like(options_.transaction_key);
  pattern.insert(pattern.size() - 1, ":%");
  std::string soql =
      "SELECT Id, Name, QuoteNumber, GenerationKey__c, LineItemCount, TotalPrice, Status "
      "FROM Quote WHERE GenerationKey__c LIKE " +
      pattern + " ORDER BY QuoteNumber";
  auto found = co_await api_.query(soql);
  if (!found) co_return Error{Errc::unavailable, "query Quotes: " + found.error().describe()};
  std::vector<const json::object*> fresh;
  std::vector<SalesforceId> ids;
  for (const auto& value : found->records) {
    const auto& quote = value.as_object();
    if (quote_keys_.contains(string_at(quote, "GenerationKey__c"))) continue;
    auto id = SalesforceId::parse(string_at(quote, "Id"));
    if (!id) co_return Error{Errc::internal, "a Quote without a valid Id"};
    fresh.push_back(&quote);
    ids.push_back(*id);
  }
  if (fresh.empty()) co_return Result<void>{};
  // Our quotes' lines carry the discounted price as UnitPrice, so a Quote's Subtotal equals its
  // TotalPrice; what the rules took off shows against the lines' list prices.
  auto list_values = co_await list_values_of(ids);
  if (!list_values) co_return list_values.error();
  for (const json::object* quote : fresh) {
    quote_keys_.insert(string_at(*quote, "GenerationKey__c"));
    const int64_t lines = number_at(*quote, "LineItemCount");
    const Decimal list = (*list_values)[string_at(*quote, "Id")];
    const auto total_price = Decimal::from_json(quote->at("TotalPrice"));
    const Decimal total = total_price ? *total_price : Decimal();
    const std::string status = string_at(*quote, "Status");
    result_.lines += lines;
    result_.list_value = result_.list_value + list;
    result_.total = result_.total + total;
    ++result_.statuses[status];
    if (quote_keys_.size() > options_.quotes_listed) continue;
    step() << "quote " << string_at(*quote, "QuoteNumber") << "  " << std::left << std::setw(44)
           << string_at(*quote, "Name") << std::right << std::setw(3) << lines
           << (lines == 1 ? " line " : " lines") << "  list " << std::setw(12) << money_text(list)
           << "  off " << std::setw(7) << percent_off(list, total) << "  total " << std::setw(12)
           << money_text(total) << "  " << status << "\n";
  }
  if (quote_keys_.size() > options_.quotes_listed) {
    step() << quote_keys_.size() << " quotes in the org so far\n";
  }
  co_return Result<void>{};
}

asio::awaitable<Result<std::map<std::string, Decimal>>> DemoWatch::list_values_of(
    std::span<const SalesforceId> quote_ids) {
  std::map<std::string, Decimal> values;  // by the quote's Id as the API writes it
  auto queries = salesforce::split_in_list(
      "SELECT QuoteId, ListPrice, Quantity FROM QuoteLineItem WHERE QuoteId IN (", quote_ids, ")");
  for (const std::string& query : queries) {
    auto found = co_await api_.query(query);
    if (!found) {
      co_return Error{Errc::unavailable, "query QuoteLineItems: " + found.error().describe()};
    }
    for (const auto& value : found->records) {
      const auto& line = value.as_object();
      auto price = Decimal::from_json(line.at("ListPrice"));
      auto quantity = Decimal::from_json(line.at("Quantity"));
      auto product = price && quantity ? price->multiply(*quantity, 2) : price;
      if (!product) co_return Error{Errc::internal, "a QuoteLineItem without a list price"};
      Decimal& sum = values[string_at(line, "QuoteId")];
      sum = sum + *product;
    }
  }
  co_return values;
}

asio::awaitable<Result<void>> DemoWatch::poll_notifications() {
  if (notification_seen_) co_return Result<void>{};
  std::string notifications_url = stack_.org_url() + "/devorg/notifications";
  auto answer = co_await get_json(client_, notifications_url);
  if (!answer) co_return answer.error();
  auto* list = answer->if_contains("notifications");
  if (!list || !list->is_array() || list->as_array().size() <= options_.before.notifications) {
    co_return Result<void>{};
  }
  const auto& first = list->as_array()[options_.before.notifications].as_object();
  notification_seen_ = true;
  result_.notification = string_at(first, "title") + ": " + string_at(first, "body");
  step() << "notification (the QuoteGenerationComplete Flow): \"" << string_at(first, "title")
         << "\" — " << string_at(first, "body") << "\n";
  co_return Result<void>{};
}

}  // namespace pe::demo
