// demo_watch.hpp: follows one edited transaction through the system and prints each step as it
// happens: the change event web received, the job the transaction became, the job the worker
// finished, the quotes it wrote (name, lines, value at list price, discount, total, status),
// and the notification the org's Flow sent.
//
// It polls every 200 ms until everything was seen or the deadline passes: web's /metrics
// (events received, transactions flushed), the worker's log (msg=job_done / job_failed /
// opportunity_skipped for this transaction), the org's Quotes whose
// GenerationKey__c starts with "<transactionKey>:" (through the REST API, like any client), and
// the org's /devorg/notifications. A child that dies, a Ctrl-C or the deadline end it with an
// error saying what was still missing.
//
//   OrgSnapshot before = (co_await snapshot(client, stack)).value();
//   ... edit ...
//   DemoWatch watch(stack, client, api, out, {.transaction_key = key, .before = before});
//   auto seen = co_await watch.run();   // Result<WatchResult>
#pragma once

#include "common/error.hpp"
#include "common/money.hpp"
#include "common/sfid.hpp"
#include "demo/demo_stack.hpp"
#include "net/http_client.hpp"
#include "salesforce/data_api.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <set>
#include <span>
#include <string>

namespace pe::demo {

// Counters read before the edit, so that only what the edit caused is reported.
struct OrgSnapshot {
  uint64_t api_requests = 0;  // the org's count of REST API requests (/devorg/stats total)
  size_t notifications = 0;
  double events_received = 0;  // web's pricing_webhook_events_received_total
  double ids_buffered = 0;     // web's pricing_webhook_record_ids_buffered_total
};

boost::asio::awaitable<Result<OrgSnapshot>> take_snapshot(net::HttpClient& client,
                                                          const DemoStack& stack);

struct WatchOptions {
  std::string transaction_key;
  OrgSnapshot before;
  std::chrono::steady_clock::time_point started;  // times are printed from here
  std::chrono::milliseconds timeout{60'000};
  std::chrono::milliseconds interval{200};
  size_t quotes_listed = 10;  // quotes printed one by one; the rest are counted
};

struct WatchResult {
  std::string job_id;
  int64_t quotes = 0;  // as the worker reported, and found in the org
  int64_t lines = 0;   // quote lines in the org
  Decimal list_value;  // the quotes' lines at list price: sum of ListPrice × Quantity
  Decimal total;       // the quotes' TotalPrice
  std::map<std::string, int64_t> statuses;  // quotes per Status ("Draft", "Needs Review", ...)
  int64_t skipped = 0;
  std::string notification;  // "<title>: <body>"
};

class DemoWatch {
 public:
  DemoWatch(DemoStack& stack, net::HttpClient& client, salesforce::DataApi& api, std::ostream& out,
            WatchOptions options);

  boost::asio::awaitable<Result<WatchResult>> run();

 private:
  boost::asio::awaitable<Result<void>> poll_web();
  void read_worker_log();
  void on_worker_line(const std::map<std::string, std::string>& line);
  boost::asio::awaitable<Result<void>> poll_quotes();
  // Per quote Id: its lines' sum of ListPrice × Quantity, each product rounded to 2 places.
  boost::asio::awaitable<Result<std::map<std::string, Decimal>>> list_values_of(
      std::span<const SalesforceId> quote_ids);
  boost::asio::awaitable<Result<void>> poll_notifications();
  bool done() const;
  std::string missing() const;
  std::ostream& step();  // "[  1.2 s] "

  DemoStack& stack_;
  net::HttpClient& client_;
  salesforce::DataApi& api_;
  std::ostream& out_;
  WatchOptions options_;
  WatchResult result_;

  bool event_seen_ = false;
  bool flush_seen_ = false;
  bool job_seen_ = false;
  bool notification_seen_ = false;
  size_t worker_log_offset_ = 0;
  std::set<std::string> quote_keys_;  // quotes printed or counted
};

}  // namespace pe::demo
