// demo.cpp: run_demo() — options, the temporary directory, signals, and the flow: start the
// stack, edit the opportunities in one transaction, watch, summarise.
#include "demo/demo.hpp"

#include "applink/applink.hpp"
#include "common/log.hpp"
#include "common/redact.hpp"
#include "demo/demo_org_actions.hpp"
#include "demo/demo_stack.hpp"
#include "demo/demo_text.hpp"
#include "demo/demo_watch.hpp"
#include "salesforce/data_api.hpp"

#include <signal.h>
#include <stdlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdio>
#include <ctime>
#include <map>
#include <ostream>

namespace pe::demo {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr int kMaxEdited = 200;  // one sObject Collections request
constexpr const char* kConnection = "devorg";

struct EditResult {
  std::string transaction_key;
  size_t edited = 0;
};

void on_stop_signal(int) { request_stop(); }

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGHUP, &action, nullptr);
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

Result<std::filesystem::path> make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "pricing-engine-demo-XXXXXX");
  if (!::mkdtemp(pattern.data())) {
    return Error{Errc::unavailable, "cannot create a directory for the logs in " +
                                        std::filesystem::temp_directory_path().string()};
  }
  return std::filesystem::path(pattern);
}

// The bulk edit: N opportunities that have lines, their Description changed in ONE collection
// request (one transaction, hence one transactionKey on every change event it causes).
asio::awaitable<Result<EditResult>> edit_opportunities(salesforce::DataApi& api,
                                                       net::HttpClient& client,
                                                       const DemoStack& stack, int count) {
  // Named locals, never temporaries, in co_await expressions: GCC 12 mishandles them.
  std::string soql =
      "SELECT Id FROM Opportunity WHERE HasOpportunityLineItem = true AND Pricebook2Id != null "
      "ORDER BY Id LIMIT " +
      std::to_string(count);
  auto found = co_await api.query(soql);
  if (!found)
    co_return Error{Errc::unavailable, "query Opportunities: " + found.error().describe()};
  if (found->records.size() < static_cast<size_t>(count)) {
    co_return Error{Errc::failed_precondition,
                    "the org has only " + std::to_string(found->records.size()) +
                        " opportunities with line items; use a larger --seed"};
  }
  std::string description = "Edited by pricing-engine demo at " + utc_now();
  std::vector<json::object> records;
  for (const auto& record : found->records) {
    records.push_back({{"Id", record.as_object().at("Id")}, {"Description", description}});
  }
  std::string_view type = "Opportunity";
  auto saved = co_await api.update_many(type, std::move(records), /*all_or_none=*/true);
  if (!saved)
    co_return Error{Errc::unavailable, "update Opportunities: " + saved.error().describe()};
  for (const auto& result : *saved) {
    if (!result.success) {
      std::string why = result.errors.empty() ? "unknown" : result.errors.front().describe();
      co_return Error{Errc::unavailable, "update Opportunities: " + why};
    }
  }
  // The org's last change event is this transaction's: nothing else edits opportunities.
  net::HttpRequest changes_request{.url = stack.org_url() + "/devorg/changes?limit=1"};
  auto res = co_await client.request(std::move(changes_request));
  if (!res || res->status != 200) {
    co_return Error{Errc::unavailable, "GET /devorg/changes failed"};
  }
  boost::system::error_code ec;
  auto doc = json::parse(res->body, ec);
  const json::value* key = nullptr;
  if (!ec) {
    if (auto* changes = doc.as_object().if_contains("changes");
        changes && changes->is_array() && !changes->as_array().empty()) {
      key = changes->as_array().back().find_pointer("/data/ChangeEventHeader/transactionKey", ec);
    }
  }
  if (!key || !key->is_string()) {
    co_return Error{Errc::internal, "the org built no change event for the edit"};
  }
  co_return EditResult{std::string(key->as_string()), saved->size()};
}

// "Draft 48, Needs Review 2": the labels are the rules' (quote.draft_status, review_status).
std::string status_counts(const std::map<std::string, int64_t>& statuses) {
  std::string out;
  for (const auto& [status, count] : statuses) {
    if (!out.empty()) out += ", ";
    out += (status.empty() ? std::string("(none)") : status) + " " + std::to_string(count);
  }
  return out;
}

void print_summary(std::ostream& out, const EditResult& edit, const WatchResult& seen,
                   double seconds, int64_t org_requests, int64_t demo_requests) {
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1f s", seconds);
  out << "\nSummary\n"
      << "  opportunities edited  " << edit.edited << " in one transaction ("
      << edit.transaction_key << ")\n"
      << "  quotes                " << seen.quotes << " with " << seen.lines << " lines"
      << (seen.skipped > 0 ? ", " + std::to_string(seen.skipped) + " opportunities skipped" : "")
      << " (job " << seen.job_id << ")\n"
      << "  priced                " << money_text(seen.list_value) << " at list price, "
      << money_text(seen.total) << " quoted (" << percent_off(seen.list_value, seen.total)
      << " off)\n"
      << "  status                " << status_counts(seen.statuses) << "\n"
      << "  notification          " << seen.notification << "\n"
      << "  elapsed               " << elapsed << " from the edit to the notification\n"
      << "  API requests          " << org_requests - demo_requests << " by the worker (the org "
      << "counted " << org_requests << "; " << demo_requests
      << " were the demo's own edit and quote queries)\n";
}

struct Flow {
  const DemoOptions& options;
  DemoStack& stack;
  net::HttpClient& client;
  std::ostream& out;

  asio::awaitable<Result<void>> run() {
    out << "Starting:\n";
    auto started_stack = co_await stack.start(client);
    if (!started_stack) co_return started_stack;
    auto applink = applink::AppLink::from_env(stack.org_env());
    if (!applink) co_return applink.error();
    std::string connection = kConnection;
    auto credentials = co_await applink->credentials(client, connection);
    if (!credentials) {
      co_return Error{credentials.error().code, "AppLink authorization for '" +
                                                    std::string(kConnection) +
                                                    "': " + credentials.error().message};
    }
    salesforce::DataApi api(client, *credentials, {.client_name = "pricing-engine-demo"});
    auto before = co_await take_snapshot(client, stack);
    if (!before) co_return before.error();

    out << "\nEditing " << options.opportunities << " opportunities in one request (sObject "
        << "Collections, allOrNone), as a list-view bulk edit does:\n";
    auto started = std::chrono::steady_clock::now();
    auto edit = co_await edit_opportunities(api, client, stack, options.opportunities);
    if (!edit) co_return edit.error();
    out << "[  0.0 s] edited " << edit->edited << " opportunities: one transaction, key "
        << edit->transaction_key << "\n";

    DemoWatch watch(stack, client, api, out,
                    {.transaction_key = edit->transaction_key,
                     .before = *before,
                     .started = started,
                     .timeout = std::chrono::seconds(options.timeout_seconds)});
    auto seen = co_await watch.run();
    if (!seen) co_return seen.error();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    auto after = co_await take_snapshot(client, stack);
    if (!after) co_return after.error();
    print_summary(out, *edit, *seen, seconds,
                  static_cast<int64_t>(after->api_requests - before->api_requests),
                  static_cast<int64_t>(api.requests()));
    auto actions = co_await show_org_actions(client, stack, out,
                                             std::chrono::seconds(options.timeout_seconds));
    if (!actions) co_return actions.error();
    if (options.keep) co_await keep_running();
    co_return Result<void>{};
  }

  asio::awaitable<void> keep_running() {
    out << "\nStill running (Ctrl-C stops everything):\n"
        << "  the local org   " << stack.org_url()
        << " (GET /devorg/notifications, /devorg/stats)\n"
        << "  web             " << stack.web_url() << " (GET /metrics)\n"
        << "  the pages       " << stack.web_url() << "/ (Accounts, /bulk, /ops), password "
        << stack.ui_password() << "\n"
        << "  redis           " << redact(stack.redis_url()) << "\n"
        << "  environment     " << stack.org_url() << "/devorg/env\n";
    out.flush();
    while (!stop_requested()) {
      if (auto alive = stack.check_alive(); !alive) {
        out << "pricing-engine demo: " << alive.error().message;
        break;
      }
      co_await sleep_for(200ms);
    }
  }
};

Result<void> check_options(const DemoOptions& options) {
  if (options.opportunities < 1 || options.opportunities > kMaxEdited) {
    return Error{Errc::invalid_argument,
                 "--opportunities must be between 1 and " + std::to_string(kMaxEdited)};
  }
  if (options.seed < options.opportunities) {
    return Error{Errc::invalid_argument, "--seed must be at least --opportunities"};
  }
  std::error_code ec;
  if (!options.rules.empty() && !std::filesystem::is_regular_file(options.rules, ec)) {
    return Error{Errc::invalid_argument, "--rules: no such file: " + options.rules};
  }
  return {};
}

}  // namespace

int run_demo(const DemoOptions& options, const Env& env, std::ostream& out, std::ostream& err) {
  if (auto ok = check_options(options); !ok) {
    err << "pricing-engine demo: " << ok.error().message << "\n";
    return 2;
  }
  std::optional<net::RedisConfig> redis;
  if (env.get("REDIS_URL")) {
    EnvReader read(env);
    redis = net::redis_config_from(read);
    if (auto ok = read.finish(); !ok) {
      err << "pricing-engine demo: " << ok.error().message << "\n";
      return 2;
    }
  }
  auto dir = make_temp_dir();
  if (!dir) {
    err << "pricing-engine demo: " << dir.error().message << "\n";
    return 1;
  }
  // The demo's output is what it prints; its own HTTP and Redis clients log only errors (a
  // refused connection while redis-server starts is expected).
  if (!env.get("LOG_LEVEL")) log::set_level(log::Level::error);
  install_stop_handlers();
  out << "pricing-engine demo: logs in " << dir->string() << "\n";

  asio::io_context io;
  auto client = net::HttpClient::create(io, {.connect_timeout = 2s, .response_timeout = 10s});
  if (!client) {
    err << "pricing-engine demo: " << client.error().message << "\n";
    return 1;
  }
  DemoStack stack({.seed_opportunities = options.seed,
                   .redis = redis,
                   .dir = *dir,
                   .binary = std::filesystem::read_symlink("/proc/self/exe"),
                   .rules = options.rules.empty() ? std::filesystem::path()
                                                  : std::filesystem::absolute(options.rules)},
                  out);
  Flow flow{options, stack, *client, out};
  Result<void> outcome = Error{Errc::internal, "the demo did not finish"};
  asio::co_spawn(io, flow.run(), [&](std::exception_ptr e, Result<void> result) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& what) {
        result = Error{Errc::internal, what.what()};
      }
    }
    outcome = std::move(result);
  });
  io.run();
  out.flush();
  out << (stop_requested() ? "\nStopping everything...\n" : "");
  stack.stop();
  // A Redis of the user's (REDIS_URL) keeps nothing of the demo's.
  if (auto removed = stack.remove_redis_keys(); !removed) {
    err << "pricing-engine demo: could not remove its keys " << stack.redis_prefix()
        << "* from Redis: " << removed.error().message << "\n";
  } else if (*removed > 0) {
    out << "Removed the demo's " << *removed << " keys (" << stack.redis_prefix()
        << "*) from Redis\n";
  }
  if (!outcome && stop_requested()) return 130;
  if (!outcome) {
    err << "\npricing-engine demo failed: " << outcome.error().message << "\n"
        << "Logs: " << dir->string() << "\n";
    return 1;
  }
  out << "Done; logs in " << dir->string() << "\n";
  return 0;
}

}  // namespace pe::demo
