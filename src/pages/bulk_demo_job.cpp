#include "pages/bulk_demo_job.hpp"

#include "common/csv.hpp"
#include "common/json_exact.hpp"
#include "salesforce/soql.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>

namespace pe::pages {
namespace {

namespace asio = boost::asio;
namespace http = net::http;
namespace json = boost::json;

struct Address {
  std::string_view city, state, postal_code, country;
};
// Ten countries in six pricing regions (config/pricing-rules.example.json), so the Accounts
// page's region column shows something.
constexpr std::array<Address, 10> kAddresses = {{
    {"San Francisco", "CA", "94105", "United States"},
    {"Toronto", "ON", "M5H 2N2", "Canada"},
    {"Mexico City", "CDMX", "06600", "Mexico"},
    {"London", "", "EC1A 1BB", "United Kingdom"},
    {"Berlin", "BE", "10115", "Germany"},
    {"Stockholm", "", "111 20", "Sweden"},
    {"Warsaw", "", "00-001", "Poland"},
    {"Dubai", "", "", "United Arab Emirates"},
    {"Tokyo", "13", "100-0001", "Japan"},
    {"Sydney", "NSW", "2000", "Australia"},
}};

constexpr std::string_view kJsonType = "application/json";
// Named, never literals inside a co_await expression (GCC 12).
constexpr std::string_view kAborted = "Aborted";
constexpr std::string_view kUploadComplete = "UploadComplete";
constexpr std::string_view kFailedResults = "failedResults";
constexpr std::string_view kSuccessfulResults = "successfulResults";
constexpr std::string_view kCsvType = "text/csv";
// How long a follower keeps refreshing one load (a real org may take long for 100,000 rows).
constexpr std::chrono::hours kFollowFor{6};

const std::vector<std::string> kFromUploading{std::string(bulk_state::uploading)};
const std::vector<std::string> kFromRunning{std::string(bulk_state::running)};
const std::vector<std::string> kFromCleaning{std::string(bulk_state::cleaning)};

bool job_ended(std::string_view sf_state) {
  return sf_state == "JobComplete" || sf_state == "Failed" || sf_state == "Aborted";
}

struct JobInfo {
  std::string state;
  int64_t processed = 0;
  int64_t failed = 0;
  std::string error_message;
};

std::string jobs_path(const salesforce::DataApi& api) { return api.base_path() + "/jobs/ingest"; }
std::string job_path(const salesforce::DataApi& api, const std::string& job_id) {
  return jobs_path(api) + "/" + salesforce::url_encode(job_id);
}

std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
int64_t number_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

salesforce::SfResult<json::object> object_of(const net::HttpResponse& res) {
  auto parsed = parse_json_exact(res.body);
  if (!parsed || !parsed->is_object()) return salesforce::parse_error(res.status, res.body);
  return std::move(parsed->as_object());
}

asio::awaitable<salesforce::SfResult<JobInfo>> job_info(salesforce::DataApi& api,
                                                        std::string job_id) {
  std::string path = job_path(api, job_id);
  std::string no_body;
  std::string type(kJsonType);
  auto res = co_await api.send(http::verb::get, std::move(path), std::move(no_body), true,
                               std::move(type));
  if (!res) co_return res.error();
  auto info = object_of(*res);
  if (!info) co_return info.error();
  co_return JobInfo{.state = text_of(*info, "state"),
                    .processed = number_of(*info, "numberRecordsProcessed"),
                    .failed = number_of(*info, "numberRecordsFailed"),
                    .error_message = text_of(*info, "errorMessage")};
}

asio::awaitable<salesforce::SfResult<void>> set_job_state(salesforce::DataApi& api,
                                                          std::string job_id,
                                                          std::string_view state) {
  std::string path = job_path(api, job_id);
  std::string body = "{\"state\":\"" + std::string(state) + "\"}";
  std::string type(kJsonType);
  auto res = co_await api.send(http::verb::patch, std::move(path), std::move(body), false,
                               std::move(type));
  if (!res) co_return res.error();
  co_return salesforce::SfResult<void>();
}

// Creates an Account job for `operation`, uploads the CSV and closes it; the job id. On a
// failure after the job exists, the job is aborted (best effort) and `job_id` still tells it.
asio::awaitable<salesforce::SfResult<std::string>> create_job(salesforce::DataApi& api,
                                                              std::string operation) {
  std::string path = jobs_path(api);
  std::string spec = json::serialize(json::object{{"object", "Account"},
                                                  {"operation", operation},
                                                  {"contentType", "CSV"},
                                                  {"lineEnding", "LF"},
                                                  {"columnDelimiter", "COMMA"}});
  std::string type(kJsonType);
  auto created =
      co_await api.send(http::verb::post, std::move(path), std::move(spec), false, std::move(type));
  if (!created) co_return created.error();
  auto info = object_of(*created);
  if (!info) co_return info.error();
  std::string id = text_of(*info, "id");
  if (id.empty()) co_return salesforce::parse_error(created->status, created->body);
  co_return id;
}

asio::awaitable<salesforce::SfResult<void>> upload_and_close(salesforce::DataApi& api,
                                                             std::string job_id, std::string csv) {
  std::string path = job_path(api, job_id) + "/batches";
  std::string type(kCsvType);
  // Not repeated on failure: a second upload would append the rows again.
  auto uploaded =
      co_await api.send(http::verb::put, std::move(path), std::move(csv), false, std::move(type));
  if (!uploaded) co_return uploaded.error();
  co_return co_await set_job_state(api, job_id, kUploadComplete);
}

asio::awaitable<salesforce::SfResult<std::string>> result_file(salesforce::DataApi& api,
                                                               std::string job_id,
                                                               std::string_view which) {
  std::string path = job_path(api, job_id) + "/" + std::string(which);
  std::string no_body;
  std::string type(kJsonType);
  auto res = co_await api.send(http::verb::get, std::move(path), std::move(no_body), true,
                               std::move(type));
  if (!res) co_return res.error();
  co_return std::move(res->body);
}

// Where the first `max_rows` records after the header end: a cut at a line end outside quotes.
size_t cut_after_rows(std::string_view csv, size_t max_rows) {
  bool quoted = false;
  size_t lines = 0;
  for (size_t i = 0; i < csv.size(); ++i) {
    if (csv[i] == '"') quoted = !quoted;
    if (csv[i] == '\n' && !quoted && ++lines == max_rows + 1) return i + 1;
  }
  return csv.size();
}

std::string short_reason(const salesforce::SalesforceError& e) {
  std::string text = e.describe();
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text;
}

asio::awaitable<Result<salesforce::DataApi>> org_api(PageServices& services, std::string org) {
  salesforce::DataApiOptions options;
  options.backoff.max_attempts = 3;
  co_return co_await services.shared.orgs->api(services.client, org, std::move(options));
}

}  // namespace

std::string bulk_csv_header() {
  return "Name,AccountNumber,BillingStreet,BillingCity,BillingState,BillingPostalCode,"
         "BillingCountry\n";
}

std::string bulk_marker(std::string_view load_id) { return "pe-bulk:" + std::string(load_id); }

bool bulk_row_refused(int64_t n, int64_t rows, int64_t refused) {
  if (refused <= 0 || rows <= 0) return false;
  // Refused rows are floor(i * rows / refused) for i in [0, refused): distinct while
  // refused <= rows. n is one when some i lands on it: i = ceil(n * refused / rows).
  int64_t i = (n * refused + rows - 1) / rows;
  return i < refused && i * rows / refused == n;
}

void append_bulk_rows(std::string& out, std::string_view load_id, int64_t rows, int64_t refused,
                      int64_t first, int64_t count) {
  const std::string marker = bulk_marker(load_id);
  char number[24];
  for (int64_t n = first; n < first + count && n < rows; ++n) {
    std::snprintf(number, sizeof number, "%06lld", static_cast<long long>(n + 1));
    const Address& a = kAddresses[static_cast<size_t>(n) % kAddresses.size()];
    if (!bulk_row_refused(n, rows, refused)) out.append("Bulk Account ").append(number);
    out.append(",").append(marker).append(",");
    out.append(std::to_string(n + 1)).append(" Market Street,");
    out.append(a.city).append(",").append(a.state).append(",");
    out.append(a.postal_code).append(",").append(a.country).append("\n");
  }
}

std::string delete_csv_from_results(std::string_view results, int64_t& count) {
  std::string out = "Id\n";
  count = 0;
  size_t pos = results.find('\n');  // the header row
  if (pos == std::string_view::npos) return out;
  ++pos;
  while (pos < results.size()) {
    // The first field, quoted or not, then the rest of the record (quotes respected).
    size_t start = pos;
    bool quoted_field = results[pos] == '"';
    if (quoted_field) ++start;
    size_t end = start;
    while (end < results.size() && results[end] != (quoted_field ? '"' : ',') &&
           results[end] != '\n')
      ++end;
    std::string_view id = results.substr(start, end - start);
    bool quoted = false;
    size_t i = end + (quoted_field ? 1 : 0);
    for (; i < results.size(); ++i) {
      if (results[i] == '"') quoted = !quoted;
      if (results[i] == '\n' && !quoted) break;
    }
    pos = i + 1;
    const bool looks_like_id =
        (id.size() == 15 || id.size() == 18) &&
        std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum((unsigned char)c); });
    if (!looks_like_id) continue;
    out.append(id).append("\n");
    ++count;
  }
  return out;
}

std::string failed_rows_json(std::string_view results, size_t max_rows) {
  json::array rows;
  auto table = parse_csv(results.substr(0, cut_after_rows(results, max_rows)));
  if (!table) return "[]";
  auto column = [&](std::string_view name) -> std::ptrdiff_t {
    auto it = std::find(table->header.begin(), table->header.end(), name);
    return it == table->header.end() ? -1 : it - table->header.begin();
  };
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kColumns = {{
      {"error", "sf__Error"},
      {"name", "Name"},
      {"street", "BillingStreet"},
      {"city", "BillingCity"},
      {"country", "BillingCountry"},
  }};
  for (const auto& r : table->rows) {
    if (rows.size() >= max_rows) break;
    json::object row;
    for (const auto& [key, header] : kColumns) {
      auto i = column(header);
      row[key] = i >= 0 && static_cast<size_t>(i) < r.size() ? r[static_cast<size_t>(i)] : "";
    }
    rows.push_back(std::move(row));
  }
  return json::serialize(rows);
}

asio::awaitable<bool> BulkDemo::fail(const BulkLoad& load, std::string_view from,
                                     std::string error) {
  const bool cleaning = from == bulk_state::cleaning;
  BulkFields fields{
      {"state", std::string(cleaning ? bulk_state::cleanup_failed : bulk_state::failed)},
      {"error", error}};
  std::vector<std::string> allowed{std::string(from)};
  auto wrote = co_await store_.update(load.id, std::move(fields), std::move(allowed));
  co_await store_.release_slot(load.id);
  log::Logger()
      .with("load", load.id)
      .with("org", load.org)
      .warn(cleaning ? "bulk_cleanup_failed" : "bulk_load_failed", {{"error", error}});
  co_return wrote&&* wrote;
}

asio::awaitable<void> BulkDemo::run_load(BulkLoad load) {
  auto log = log::Logger().with("load", load.id).with("org", load.org);
  auto executor = co_await asio::this_coro::executor;
  auto api = co_await org_api(services_, load.org);
  if (!api) {
    std::string why = "no credentials for the org: " + api.error().message;
    co_await fail(load, bulk_state::uploading, std::move(why));
    co_return;
  }
  std::string insert = "insert";
  auto job = co_await create_job(*api, insert);
  if (!job) {
    std::string why = "Salesforce refused the ingest job: " + short_reason(job.error());
    co_await fail(load, bulk_state::uploading, std::move(why));
    co_return;
  }
  load.job_id = *job;
  BulkFields created{{"job_id", load.job_id}, {"sf_state", "Open"}};
  auto stored = co_await store_.update(load.id, std::move(created), kFromUploading);
  if (!stored || !*stored) {
    // Aborted (or given up) before the job existed: it must not go on.
    co_await set_job_state(*api, load.job_id, kAborted);
    co_await store_.release_slot(load.id);
    co_return;
  }
  log.info("bulk_load_job_created", {{"job", load.job_id}, {"rows", load.rows}});

  std::string csv = bulk_csv_header();
  csv.reserve(csv.size() + static_cast<size_t>(load.rows) * 96);
  for (int64_t first = 0; first < load.rows; first += kBulkSliceRows) {
    append_bulk_rows(csv, load.id, load.rows, load.refused, first, kBulkSliceRows);
    auto now = co_await store_.get(load.id);
    if (now && *now && (*now)->abort_requested) {
      co_await set_job_state(*api, load.job_id, kAborted);
      BulkFields aborted{{"state", std::string(bulk_state::aborted)}, {"sf_state", "Aborted"}};
      co_await store_.update(load.id, std::move(aborted), kFromUploading);
      co_await store_.release_slot(load.id);
      log.info("bulk_load_aborted", {{"job", load.job_id}, {"while", "building"}});
      co_return;
    }
    BulkFields heartbeat;  // updated_ms only: this `web` is still at it
    co_await store_.update(load.id, std::move(heartbeat), kFromUploading);
    co_await asio::post(executor, asio::use_awaitable);
  }

  auto sent = co_await upload_and_close(*api, load.job_id, std::move(csv));
  if (!sent) {
    auto now = co_await store_.get(load.id);
    if (now && *now && (*now)->state == bulk_state::aborted) co_return;  // the abort won
    co_await set_job_state(*api, load.job_id, kAborted);
    std::string why = "Salesforce refused the rows: " + short_reason(sent.error());
    co_await fail(load, bulk_state::uploading, std::move(why));
    co_return;
  }
  BulkFields closed{{"state", std::string(bulk_state::running)},
                    {"sf_state", "UploadComplete"},
                    {"refreshed_ms", std::to_string(now_ms())}};
  auto moved = co_await store_.update(load.id, std::move(closed), kFromUploading);
  if (!moved || !*moved) {
    // The abort came while the rows were on their way: the job is ours to stop.
    co_await set_job_state(*api, load.job_id, kAborted);
    co_return;
  }
  log.info("bulk_load_uploaded", {{"job", load.job_id}});
  co_await follow(load.id);
}

asio::awaitable<void> BulkDemo::follow(std::string id) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  const auto until = std::chrono::steady_clock::now() + kFollowFor;
  while (std::chrono::steady_clock::now() < until) {
    timer.expires_after(kRefreshAfter);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    auto load = co_await store_.get(id);
    if (!load) continue;  // Redis did not answer: try again
    if (!*load || !bulk_state_moving((*load)->state)) co_return;
    auto now = co_await refresh(std::move(**load));
    if (now && !bulk_state_moving(now->state)) co_return;
  }
}

asio::awaitable<Result<BulkLoad>> BulkDemo::refresh(BulkLoad load, bool force) {
  if (!bulk_state_moving(load.state)) co_return load;
  const int64_t now = now_ms();
  const bool cleaning = load.state == bulk_state::cleaning;
  const std::string job_id = cleaning ? load.cleanup_job_id : load.job_id;
  const bool stale = now - load.updated_ms > kUploadStale.count() * 1000;
  if (load.state == bulk_state::uploading || job_id.empty()) {
    if (!stale) co_return load;
    // The `web` that was sending the rows (or reading the Ids to delete) stopped.
    if (!job_id.empty()) {
      auto api = co_await org_api(services_, load.org);
      if (api) co_await set_job_state(*api, job_id, kAborted);
    }
    std::string state = load.state;
    std::string why = "web stopped before the job was closed; try again";
    co_await fail(load, state, std::move(why));
  } else {
    if (!force && now - load.refreshed_ms < kRefreshAfter.count()) co_return load;
    auto api = co_await org_api(services_, load.org);
    if (!api) co_return api.error();
    auto info = co_await job_info(*api, job_id);
    if (!info) {
      log::Logger()
          .with("load", load.id)
          .warn("bulk_progress_unread", {{"error", info.error().describe()}});
      co_return info.error().to_error();
    }
    const bool ended = job_ended(info->state);
    BulkFields fields{{"refreshed_ms", std::to_string(now)}};
    if (!cleaning) {
      fields.emplace_back("sf_state", info->state);
      fields.emplace_back("processed", std::to_string(info->processed));
      fields.emplace_back("failed", std::to_string(info->failed));
      if (ended) {
        if (info->failed > 0) {
          auto failures = co_await result_file(*api, job_id, kFailedResults);
          if (failures) fields.emplace_back("failed_rows", failed_rows_json(*failures, 100));
        }
        std::string_view state = info->state == "JobComplete" ? bulk_state::complete
                                 : info->state == "Aborted"   ? bulk_state::aborted
                                                              : bulk_state::failed;
        fields.emplace_back("state", std::string(state));
        if (info->state == "Failed") {
          fields.emplace_back("error", "Salesforce failed the job: " + info->error_message);
        }
      }
    } else {
      fields.emplace_back("cleanup_sf_state", info->state);
      fields.emplace_back("cleanup_processed", std::to_string(info->processed));
      fields.emplace_back("cleanup_failed", std::to_string(info->failed));
      if (ended) {
        const bool good = info->state == "JobComplete";
        fields.emplace_back("state",
                            std::string(good ? bulk_state::cleaned : bulk_state::cleanup_failed));
        fields.emplace_back("deleted",
                            std::to_string(load.deleted + info->processed - info->failed));
        if (!good) fields.emplace_back("error", "the delete job ended " + info->state);
      }
    }
    std::vector<std::string> from{load.state};
    auto wrote = co_await store_.update(load.id, std::move(fields), std::move(from));
    if (ended && wrote && *wrote) {
      co_await store_.release_slot(load.id);
      log::Logger()
          .with("load", load.id)
          .with("org", load.org)
          .info(cleaning ? "bulk_cleanup_ended" : "bulk_load_ended",
                {{"job", job_id},
                 {"state", info->state},
                 {"processed", info->processed},
                 {"failed", info->failed}});
    }
  }
  auto fresh = co_await store_.get(load.id);
  if (!fresh) co_return fresh.error();
  if (!*fresh) co_return Error{Errc::not_found, "the load expired"};
  co_return std::move(**fresh);
}

asio::awaitable<Result<void>> BulkDemo::abort(BulkLoad load) {
  auto log = log::Logger().with("load", load.id).with("org", load.org);
  if (load.state == bulk_state::uploading) {
    BulkFields asked{{"abort_requested", "1"}};
    co_await store_.update(load.id, std::move(asked), kFromUploading);
    if (load.job_id.empty()) co_return Result<void>();  // run_load aborts it before closing
    auto api = co_await org_api(services_, load.org);
    if (!api) co_return api.error();
    auto stopped = co_await set_job_state(*api, load.job_id, kAborted);
    if (!stopped) co_return stopped.error().to_error();
    BulkFields aborted{{"state", std::string(bulk_state::aborted)}, {"sf_state", "Aborted"}};
    co_await store_.update(load.id, std::move(aborted), kFromUploading);
    co_await store_.release_slot(load.id);
    log.info("bulk_load_aborted", {{"job", load.job_id}, {"while", "uploading"}});
    co_return Result<void>();
  }
  if (load.state != bulk_state::running) {
    co_return Error{Errc::failed_precondition,
                    "the load is not running (it is " + load.state + ")"};
  }
  auto api = co_await org_api(services_, load.org);
  if (!api) co_return api.error();
  auto stopped = co_await set_job_state(*api, load.job_id, kAborted);
  auto now = co_await refresh(load, true);  // the counts as they stopped, or the end it reached
  if (!stopped) {
    if (stopped.error().error_code == "INVALIDJOBSTATE") {
      co_return Error{Errc::failed_precondition, "the job had already ended"};
    }
    co_return stopped.error().to_error();
  }
  log.info("bulk_load_aborted", {{"job", load.job_id}, {"while", "running"}});
  (void)now;
  co_return Result<void>();
}

asio::awaitable<void> BulkDemo::run_cleanup(BulkLoad load) {
  auto log = log::Logger().with("load", load.id).with("org", load.org);
  auto api = co_await org_api(services_, load.org);
  if (!api) {
    std::string why = "no credentials for the org: " + api.error().message;
    co_await fail(load, bulk_state::cleaning, std::move(why));
    co_return;
  }
  int64_t count = 0;
  std::string csv = "Id\n";
  if (!load.job_id.empty()) {
    auto created = co_await result_file(*api, load.job_id, kSuccessfulResults);
    if (!created) {
      std::string why = "could not read the created rows: " + short_reason(created.error());
      co_await fail(load, bulk_state::cleaning, std::move(why));
      co_return;
    }
    csv = delete_csv_from_results(*created, count);
  }
  if (count == 0) {
    BulkFields done{{"state", std::string(bulk_state::cleaned)},
                    {"deleted", std::to_string(load.deleted)}};
    co_await store_.update(load.id, std::move(done), kFromCleaning);
    co_await store_.release_slot(load.id);
    log.info("bulk_cleanup_ended", {{"deleted", 0}});
    co_return;
  }
  std::string remove = "delete";
  auto job = co_await create_job(*api, remove);
  if (!job) {
    std::string why = "Salesforce refused the delete job: " + short_reason(job.error());
    co_await fail(load, bulk_state::cleaning, std::move(why));
    co_return;
  }
  auto sent = co_await upload_and_close(*api, *job, std::move(csv));
  if (!sent) {
    co_await set_job_state(*api, *job, kAborted);
    std::string why = "Salesforce refused the Ids to delete: " + short_reason(sent.error());
    co_await fail(load, bulk_state::cleaning, std::move(why));
    co_return;
  }
  BulkFields started{{"cleanup_job_id", *job},
                     {"cleanup_sf_state", "UploadComplete"},
                     {"cleanup_total", std::to_string(count)},
                     {"refreshed_ms", std::to_string(now_ms())}};
  co_await store_.update(load.id, std::move(started), kFromCleaning);
  log.info("bulk_cleanup_started", {{"job", *job}, {"rows", count}});
  co_await follow(load.id);
}

}  // namespace pe::pages
