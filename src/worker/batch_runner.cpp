#include "worker/batch_runner.hpp"

#include "applink/invocation_headers.hpp"
#include "common/csv.hpp"
#include "common/json_text.hpp"
#include "quotes/batch_quotes.hpp"
#include "salesforce/bulk_api.hpp"
#include "salesforce/soql.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <chrono>

namespace pe::worker {

namespace asio = boost::asio;
namespace json = boost::json;
using jobs::BatchTask;
using salesforce::DataApi;

namespace {

constexpr std::string_view kSampleMark = "pe-sample:";
// Up to this many records a delete chunk goes through sObject Collections (200 a request);
// above it, one Bulk API job (about 5 requests whatever the size).
constexpr size_t kBulkDeleteFrom = 1'000;

// The sample-data CSV columns. (Named here: GCC 12 mishandles braced lists of literals passed
// inside a coroutine.)
const std::vector<std::string> kOpportunityColumns{"Name",      "AccountId",    "StageName",
                                                   "CloseDate", "Pricebook2Id", "SampleKey__c"};
const std::vector<std::string> kLineColumns{"Opportunity.SampleKey__c", "PricebookEntryId",
                                            "Quantity", "UnitPrice", "SampleKey__c"};
const std::vector<std::string> kIdColumn{"Id"};
constexpr salesforce::ResultFiles kFailedOnly{.successful = false, .unprocessed = false};

std::string text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string iso_date(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd(day);
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return out;
}

std::string session_ended_reason() {
  return "the invoking user's session ended (INVALID_SESSION_ID) before the job did; for jobs "
         "that outlive a session set PRICING_JOB_AUTHORIZATION to a named AppLink authorization";
}

}  // namespace

struct BatchRunner::Task {
  jobs::Job job;
  const BatchTask& batch() const { return *job.batch; }
  std::optional<DataApi> api;
  jobs::BatchStatus status;
};

BatchRunner::BatchRunner(net::HttpClient& client, applink::AppLink& applink,
                         const std::optional<Sealer>& sealer, jobs::JobQueue& queue,
                         jobs::BatchJobs& jobs, jobs::ActivityLog& activity,
                         const pricing::PricingEngine& engine, PublisherFor publisher,
                         BatchRunnerOptions options)
    : client_(client),
      applink_(applink),
      sealer_(sealer),
      queue_(queue),
      jobs_(jobs),
      activity_(activity),
      engine_(engine),
      publisher_(std::move(publisher)),
      options_(options) {}

asio::awaitable<void> BatchRunner::complete(const jobs::Job& job) {
  std::vector<std::string> ids{job.id};
  auto done = co_await queue_.complete(ids);
  // Not completed: it will be reclaimed and run again, which is harmless (every step is
  // idempotent).
  if (!done) log_.warn("complete_failed", {{"job", job.id}, {"error", done.error().message}});
}

asio::awaitable<void> BatchRunner::run(jobs::Job job) {
  Task task{.job = std::move(job)};
  const auto& b = task.batch();
  log::Logger log = log_.with("job", b.job_id);
  auto status = co_await jobs_.read(b.job_id);
  if (!status) {
    std::string why = "reading the job's status: " + status.error().message;
    auto retried = co_await queue_.fail(task.job, why);
    if (!retried) log.warn("fail_failed", {{"error", retried.error().message}});
    co_return;
  }
  if (!*status) {
    log.warn("batch_job_expired", {{"step", jobs::step_name(b.step)}});
    co_await complete(task.job);
    co_return;
  }
  task.status = std::move(**status);

  // As whom.
  if (!b.authorization.empty()) {
    auto credentials = co_await applink_.credentials(client_, b.authorization);
    if (!credentials) {
      salesforce::SalesforceError e;
      e.error_code = "AUTHORIZATION";
      e.transport = credentials.error().code;
      e.message = "credentials of the authorization '" + b.authorization +
                  "': " + credentials.error().message;
      std::string what = "credentials";
      co_await failed(task, e, what);
      co_return;
    }
    if (!b.instance_url.empty() &&
        !applink::same_origin(credentials->instance_url, b.instance_url)) {
      co_await end_as_failed(task.job, "the authorization '" + b.authorization +
                                           "' is for another org than the job's");
      co_await complete(task.job);
      co_return;
    }
    std::string name = b.authorization;
    task.api.emplace(client_, *credentials, salesforce::DataApiOptions{.refresh = [this, name] {
                       return applink_.refresh(client_, name);
                     }});
  } else {
    auto token = sealer_ ? sealer_->open(b.sealed_token, b.job_id)
                         : Result<std::string>(Error{Errc::failed_precondition, "no key"});
    if (!token) {
      std::string why = sealer_ ? "the job's sealed token does not open (is PRICING_SEAL_KEY the "
                                  "same on web and worker?)"
                                : "PRICING_SEAL_KEY is not set on the worker: the job's token "
                                  "cannot be opened";
      co_await end_as_failed(task.job, why);
      co_await complete(task.job);
      co_return;
    }
    task.api.emplace(client_, salesforce::OrgCredentials{.instance_url = b.instance_url,
                                                         .api_version = b.api_version,
                                                         .access_token = *token,
                                                         .user_id = b.user_id});
  }

  switch (b.step) {
    case BatchTask::Step::plan:
      co_await plan(task);
      break;
    case BatchTask::Step::chunk:
      co_await chunk(task);
      break;
    case BatchTask::Step::finish:
      co_await finish(task);
      break;
  }
}

asio::awaitable<void> BatchRunner::failed(Task& task, const salesforce::SalesforceError& error,
                                          std::string what) {
  std::string why = what + ": " + error.describe();
  if (error.error_code == "INVALID_SESSION_ID" && task.batch().authorization.empty()) {
    why = session_ended_reason();
  } else if (error.is_transient() && task.job.attempt < options_.max_attempts) {
    auto retried = co_await queue_.fail(task.job, why);
    log_.warn(
        "batch_task_failed",
        {{"job", task.batch().job_id},
         {"step", jobs::step_name(task.batch().step)},
         {"chunk", task.batch().chunk},
         {"attempt", task.job.attempt},
         {"error", why},
         {"next", !retried        ? "unknown (redis: " + retried.error().message + ")"
                  : retried->dead ? std::string("dead letter")
                                  : "retry in " + std::to_string(retried->delay.count()) + " ms"}});
    co_return;
  }
  co_await end_as_failed(task.job, why);
  co_await complete(task.job);
}

asio::awaitable<void> BatchRunner::end_as_failed(const jobs::Job& job, std::string why) {
  const auto& b = *job.batch;
  log_.warn(
      "batch_task_ended_failed",
      {{"job", b.job_id}, {"step", jobs::step_name(b.step)}, {"chunk", b.chunk}, {"error", why}});
  if (b.step == BatchTask::Step::finish) co_return;
  if (b.step == BatchTask::Step::plan) {
    auto ended = co_await jobs_.plan_done(job, 0, 0, "",
                                          jobs::BatchError{.subject = "plan", .message = why});
    if (!ended)
      log_.warn("plan_done_failed", {{"job", b.job_id}, {"error", ended.error().message}});
    co_return;
  }
  // A chunk: every record of it failed.
  int64_t size = static_cast<int64_t>(job.record_ids.size());
  if (b.kind == "data_create") {
    auto status = co_await jobs_.read(b.job_id);
    if (status && *status) {
      int64_t per = jobs_.options().data_chunk_size;
      size = std::clamp<int64_t>((*status)->requested - b.chunk * per, 0, per);
    }
  }
  jobs::BatchCounts counts{.done = size, .failed = size};
  std::vector<jobs::BatchError> errors{
      {.subject = "chunk " + std::to_string(b.chunk), .message = why}};
  auto ended = co_await jobs_.chunk_done(job, counts, errors);
  if (!ended) log_.warn("chunk_done_failed", {{"job", b.job_id}, {"error", ended.error().message}});
}

asio::awaitable<void> BatchRunner::on_dead_letter(const jobs::Job& job) {
  if (!job.batch) co_return;
  std::string why = job.error.empty() ? std::string("it kept failing") : job.error;
  co_await end_as_failed(job, "gave up after " + std::to_string(job.attempt) + " attempts: " + why);
}

// ---- plan

asio::awaitable<void> BatchRunner::plan(Task& task) {
  auto started = co_await jobs_.started(task.batch().job_id);
  if (!started) log_.warn("batch_start_failed", {{"error", started.error().message}});
  co_await activity_.record(jobs::job_activity(task.job, jobs::ActivityStatus::running));
  if (task.batch().kind == "quote") {
    co_await plan_quotes(task);
  } else if (task.batch().kind == "data_create") {
    co_await plan_data_create(task);
  } else {
    co_await plan_data_delete(task);
  }
}

asio::awaitable<salesforce::SfResult<int64_t>> BatchRunner::plan_ids(Task& task, std::string soql,
                                                                     int64_t size, std::string path,
                                                                     int64_t* total) {
  const auto& options = jobs_.options();
  auto page = co_await task.api->query_page(soql);
  if (!page) co_return page.error();
  *total = page->total_size;
  if (path == "auto") {
    path = page->total_size >= options.bulk_threshold ? "bulk" : "graph";
    size = path == "bulk" ? options.bulk_chunk_size : options.chunk_size;
  }
  task.status.path = path;
  int64_t chunks = 0;
  int64_t seen = 0;
  jobs::Job chunk = task.job;
  chunk.id.clear();
  chunk.attempt = 1;
  chunk.error.clear();
  chunk.batch->step = BatchTask::Step::chunk;
  chunk.batch->path = path == "graph" || path == "bulk" ? path : "";
  chunk.record_ids.clear();
  auto flush = [&]() -> asio::awaitable<Result<void>> {
    chunk.batch->chunk = chunks;
    auto added = co_await jobs_.add_chunk(chunk);
    if (!added) co_return added.error();
    ++chunks;
    chunk.record_ids.clear();
    co_return Result<void>{};
  };
  while (true) {
    for (const auto& record : page->records) {
      if (!record.is_object()) continue;
      auto id = SalesforceId::parse(text(record.as_object(), "Id"));
      if (!id) continue;
      chunk.record_ids.push_back(*id);
      ++seen;
      if (static_cast<int64_t>(chunk.record_ids.size()) >= size) {
        auto flushed = co_await flush();
        if (!flushed)
          co_return salesforce::SalesforceError{.error_code = "REDIS",
                                                .message = flushed.error().message,
                                                .transport = Errc::unavailable};
      }
    }
    if (page->done || page->next_records_url.empty()) break;
    auto next = page->next_records_url;
    page = co_await task.api->query_more(next);
    if (!page) co_return page.error();
  }
  if (!chunk.record_ids.empty()) {
    auto flushed = co_await flush();
    if (!flushed)
      co_return salesforce::SalesforceError{.error_code = "REDIS",
                                            .message = flushed.error().message,
                                            .transport = Errc::unavailable};
  }
  *total = seen;
  co_return salesforce::SfResult<int64_t>(boost::system::in_place_value, chunks);
}

asio::awaitable<void> BatchRunner::plan_quotes(Task& task) {
  std::string soql = "SELECT Id FROM Opportunity WHERE (" + task.status.where + ") ORDER BY Id";
  int64_t total = 0;
  std::string path = "auto";
  auto chunks = co_await plan_ids(task, soql, 0, path, &total);
  if (!chunks) {
    std::string what = "finding the opportunities";
    co_await failed(task, chunks.error(), what);
    co_return;
  }
  auto ended = co_await jobs_.plan_done(task.job, *chunks, total, task.status.path);
  if (!ended) {
    log_.warn("plan_done_failed", {{"job", task.batch().job_id}, {"error", ended.error().message}});
    co_return;  // reclaimed and planned again: every step is idempotent
  }
  log_.info("batch_planned", {{"job", task.batch().job_id},
                              {"opportunities", total},
                              {"chunks", *chunks},
                              {"path", task.status.path},
                              {"api_requests", task.api->requests()}});
  co_await complete(task.job);
}

asio::awaitable<void> BatchRunner::plan_data_create(Task& task) {
  auto& api = *task.api;
  std::string why;
  const std::string accounts_soql = "SELECT Id FROM Account ORDER BY Id LIMIT 200";
  auto accounts = co_await api.query(accounts_soql);
  if (!accounts) {
    std::string what = "reading the org's accounts";
    co_await failed(task, accounts.error(), what);
    co_return;
  }
  const std::string book_soql = "SELECT Id FROM Pricebook2 WHERE IsStandard = true LIMIT 1";
  auto book = co_await api.query(book_soql);
  if (!book) {
    std::string what = "reading the standard price book";
    co_await failed(task, book.error(), what);
    co_return;
  }
  json::array entries;
  std::string book_id;
  if (!book->records.empty() && book->records[0].is_object()) {
    book_id = text(book->records[0].as_object(), "Id");
  }
  if (auto id = SalesforceId::parse(book_id)) {
    std::string soql =
        "SELECT Id, Product2Id, UnitPrice FROM PricebookEntry WHERE Pricebook2Id = '" +
        std::string(id->str()) + "' AND IsActive = true ORDER BY Id LIMIT 200";
    auto found = co_await api.query(soql);
    if (!found) {
      std::string what = "reading the price book entries";
      co_await failed(task, found.error(), what);
      co_return;
    }
    for (const auto& e : found->records) {
      if (!e.is_object()) continue;
      const auto& o = e.as_object();
      const json::value* price = o.if_contains("UnitPrice");
      entries.push_back(json::object{{"id", text(o, "Id")},
                                     {"price", price ? json_text(*price) : std::string("100")}});
    }
  }
  json::array account_ids;
  for (const auto& a : accounts->records) {
    if (a.is_object()) account_ids.push_back(json::string(text(a.as_object(), "Id")));
  }
  if (account_ids.empty()) why = "the org has no Account to put sample Opportunities on";
  if (why.empty() && entries.empty()) {
    why = "the org has no active entry in its standard price book to make line items from";
  }
  if (!why.empty()) {
    jobs::BatchError failure{.subject = "plan", .message = why};
    const std::string path = "bulk";
    auto ended = co_await jobs_.plan_done(task.job, 0, task.status.requested, path, failure);
    if (!ended) log_.warn("plan_done_failed", {{"error", ended.error().message}});
    co_await complete(task.job);
    co_return;
  }
  json::object sample{{"accounts", std::move(account_ids)},
                      {"pricebook", book_id},
                      {"entries", std::move(entries)}};
  auto kept = co_await jobs_.set_sample(task.batch().job_id, json_text(sample));
  if (!kept) {
    auto retried = co_await queue_.fail(task.job, kept.error().message);
    if (!retried) log_.warn("fail_failed", {{"error", retried.error().message}});
    co_return;
  }
  const int64_t per = jobs_.options().data_chunk_size;
  const int64_t chunks = (task.status.requested + per - 1) / per;
  jobs::Job chunk = task.job;
  chunk.id.clear();
  chunk.batch->step = BatchTask::Step::chunk;
  chunk.batch->path = "bulk";
  for (int64_t n = 0; n < chunks; ++n) {
    chunk.batch->chunk = n;
    auto added = co_await jobs_.add_chunk(chunk);
    if (!added) {
      auto retried = co_await queue_.fail(task.job, added.error().message);
      if (!retried) log_.warn("fail_failed", {{"error", retried.error().message}});
      co_return;
    }
  }
  const std::string path = "bulk";
  auto ended = co_await jobs_.plan_done(task.job, chunks, task.status.requested, path);
  if (!ended) log_.warn("plan_done_failed", {{"error", ended.error().message}});
  log_.info("batch_planned", {{"job", task.batch().job_id}, {"chunks", chunks}});
  co_await complete(task.job);
}

asio::awaitable<void> BatchRunner::plan_data_delete(Task& task) {
  std::string mark = std::string(kSampleMark);
  if (!task.status.target.empty()) mark += task.status.target + ":";
  // soql_quote_like gives 'escaped' (its % and _ literal); the wildcard goes inside the quotes.
  std::string like = salesforce::soql_quote_like(mark);
  like.insert(like.size() - 1, "%");
  std::string soql = "SELECT Id FROM Opportunity WHERE SampleKey__c LIKE " + like + " ORDER BY Id";
  int64_t total = 0;
  std::string no_path;
  auto chunks = co_await plan_ids(task, soql, jobs_.options().data_chunk_size, no_path, &total);
  if (!chunks) {
    std::string what = "finding the sample records";
    co_await failed(task, chunks.error(), what);
    co_return;
  }
  auto ended = co_await jobs_.plan_done(task.job, *chunks, total, no_path);
  if (!ended) log_.warn("plan_done_failed", {{"error", ended.error().message}});
  log_.info("batch_planned",
            {{"job", task.batch().job_id}, {"records", total}, {"chunks", *chunks}});
  co_await complete(task.job);
}

// ---- chunks

asio::awaitable<void> BatchRunner::chunk(Task& task) {
  const auto& b = task.batch();
  auto& api = *task.api;
  jobs::BatchCounts counts;
  std::vector<jobs::BatchError> errors;
  auto started = std::chrono::steady_clock::now();
  if (b.kind == "quote") {
    auto path = b.path == "bulk" ? quotes::WritePath::bulk : quotes::WritePath::graph;
    quotes::QuoteOptions quote_options{.discount_overrides = options_.discount_overrides};
    auto result = co_await quotes::quote_chunk(api, engine_, task.job.record_ids,
                                               task.job.transaction_key, path, quote_options);
    if (!result) {
      std::string what = "chunk " + std::to_string(b.chunk);
      co_await failed(task, result.error(), what);
      co_return;
    }
    counts = {.done = result->done,
              .failed = result->failed,
              .skipped = result->skipped,
              .quotes = result->quotes};
    for (auto& e : result->errors) {
      errors.push_back({.subject = std::move(e.subject), .message = std::move(e.message)});
    }
  } else if (b.kind == "data_create") {
    boost::system::error_code ec;
    auto sample = json::parse(task.status.sample, ec);
    if (ec || !sample.is_object()) {
      co_await end_as_failed(task.job, "the job's sample data prerequisites are missing");
      co_await complete(task.job);
      co_return;
    }
    const auto& accounts = sample.as_object().at("accounts").as_array();
    const auto& entries = sample.as_object().at("entries").as_array();
    const std::string book(sample.as_object().at("pricebook").as_string());
    const int64_t per = jobs_.options().data_chunk_size;
    const int64_t from = b.chunk * per;
    const int64_t to = std::min(task.status.requested, from + per);
    const std::string close =
        iso_date(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
                 std::chrono::days(30));
    CsvWriter opps(',', "\n");
    opps.row(kOpportunityColumns);
    CsvWriter lines(',', "\n");
    lines.row(kLineColumns);
    const std::string stage = "Prospecting";
    std::vector<std::string> opp_row(kOpportunityColumns.size());
    std::vector<std::string> line_row(kLineColumns.size());
    std::string prefix = std::string(kSampleMark) + b.job_id + ":";
    for (int64_t i = from; i < to; ++i) {
      std::string key = prefix + std::to_string(i);
      std::string name =
          "Sample Opportunity " + b.job_id.substr(0, 8) + "-" + std::to_string(i + 1);
      std::string account(accounts[static_cast<size_t>(i) % accounts.size()].as_string());
      opp_row = {name, account, stage, close, book, key};
      opps.row(opp_row);
      for (int64_t l = 0; l < task.status.lines; ++l) {
        const auto& e =
            entries[static_cast<size_t>(i * task.status.lines + l) % entries.size()].as_object();
        std::string quantity = std::to_string(1 + (i * 7 + l * 3) % 10);
        std::string entry(e.at("id").as_string());
        std::string price(e.at("price").as_string());
        std::string line_key = key + ":" + std::to_string(l);
        line_row = {key, entry, quantity, price, line_key};
        lines.row(line_row);
      }
    }
    salesforce::BulkApi bulk(api);
    salesforce::IngestJob opp_job{
        .object = "Opportunity", .operation = "upsert", .external_id_field = "SampleKey__c"};
    auto made = co_await bulk.ingest_csv(opp_job, opps.take(), kOpportunityColumns, kFailedOnly);
    if (!made) {
      std::string what = "chunk " + std::to_string(b.chunk) + " opportunities";
      co_await failed(task, made.error(), what);
      co_return;
    }
    salesforce::IngestJob line_job{.object = "OpportunityLineItem",
                                   .operation = "upsert",
                                   .external_id_field = "SampleKey__c"};
    auto made_lines = co_await bulk.ingest_csv(line_job, lines.take(), kLineColumns, kFailedOnly);
    if (!made_lines) {
      std::string what = "chunk " + std::to_string(b.chunk) + " lines";
      co_await failed(task, made_lines.error(), what);
      co_return;
    }
    int64_t n = to - from;
    int64_t failed_opps = static_cast<int64_t>(made->failed.size());
    int64_t failed_lines = static_cast<int64_t>(made_lines->failed.size());
    for (const auto& row : made->failed) {
      errors.push_back({.subject = "opportunity " + (row.values.empty() ? "" : row.values.back()),
                        .message = row.error});
    }
    for (const auto& row : made_lines->failed) {
      errors.push_back({.subject = "line " + (row.values.empty() ? "" : row.values.back()),
                        .message = row.error});
    }
    counts = {.done = n,
              .failed = failed_opps,
              .records = (n - failed_opps) + (n * task.status.lines - failed_lines)};
  } else {
    const auto& ids = task.job.record_ids;
    int64_t removed = 0;
    if (ids.size() >= kBulkDeleteFrom) {
      CsvWriter csv(',', "\n");
      csv.row(kIdColumn);
      std::vector<std::string> row(1);
      for (const auto& id : ids) {
        row[0] = std::string(id.str());
        csv.row(row);
      }
      salesforce::BulkApi bulk(api);
      salesforce::IngestJob job{.object = "Opportunity", .operation = "delete"};
      auto done = co_await bulk.ingest_csv(job, csv.take(), kIdColumn, kFailedOnly);
      if (!done) {
        std::string what = "chunk " + std::to_string(b.chunk);
        co_await failed(task, done.error(), what);
        co_return;
      }
      for (const auto& row : done->failed) {
        errors.push_back({.subject = "opportunity " + row.id, .message = row.error});
      }
      removed = static_cast<int64_t>(ids.size() - done->failed.size());
    } else {
      auto done = co_await api.remove_many(ids, false);
      if (!done) {
        std::string what = "chunk " + std::to_string(b.chunk);
        co_await failed(task, done.error(), what);
        co_return;
      }
      for (size_t i = 0; i < done->size(); ++i) {
        const auto& r = (*done)[i];
        if (r.success) {
          ++removed;
        } else if (i < ids.size()) {
          // Already gone (a chunk run again) is what was asked for.
          if (!r.errors.empty() && r.errors.front().error_code == "ENTITY_IS_DELETED") {
            ++removed;
            continue;
          }
          errors.push_back({.subject = "opportunity " + std::string(ids[i].str()),
                            .message = r.errors.empty() ? std::string("not deleted")
                                                        : r.errors.front().describe()});
        }
      }
    }
    int64_t n = static_cast<int64_t>(ids.size());
    counts = {.done = n, .failed = n - removed, .records = removed};
  }
  auto ended = co_await jobs_.chunk_done(task.job, counts, errors);
  if (!ended) {
    // Not counted: the chunk will be reclaimed and done again, rewriting the same records.
    log_.warn("chunk_done_failed", {{"job", b.job_id}, {"error", ended.error().message}});
    co_return;
  }
  co_await activity_.count_quotes(counts.quotes);
  log_.info("batch_chunk_done", {{"job", b.job_id},
                                 {"chunk", b.chunk},
                                 {"kind", b.kind},
                                 {"done", counts.done},
                                 {"failed", counts.failed},
                                 {"quotes", counts.quotes},
                                 {"records", counts.records},
                                 {"api_requests", api.requests()},
                                 {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - started)
                                            .count()},
                                 {"ended_job", *ended}});
  co_await complete(task.job);
}

// ---- finish

asio::awaitable<void> BatchRunner::finish(Task& task) {
  const auto& s = task.status;
  if (s.event_ms > 0) {
    co_await complete(task.job);
    co_return;
  }
  // Once: a retried finish (its event refused) or a reclaimed one has a later attempt.
  if (task.job.attempt == 1) co_await activity_.record(jobs::batch_activity(s));
  std::string summary = "Job " + s.id + " " + s.state + ": ";
  if (s.kind == "quote") {
    summary += "Quotes Generated: " + std::to_string(s.counts.quotes);
    if (s.counts.skipped > 0) summary += ", Skipped: " + std::to_string(s.counts.skipped);
  } else {
    summary += (s.kind == "data_create" ? "Records Created: " : "Opportunities Deleted: ") +
               std::to_string(s.counts.records);
  }
  if (s.counts.failed > 0) summary += ", Failed: " + std::to_string(s.counts.failed);
  std::vector<std::string> statuses{summary};
  auto publish = publisher_(*task.api, task.batch().user_id);
  auto results = co_await publish(statuses);
  if (results.empty() || !results.front()) {
    std::string why = results.empty() ? std::string("no result") : results.front().error().message;
    auto retried = co_await queue_.fail(task.job, "publishing the completion event: " + why);
    if (!retried) log_.warn("fail_failed", {{"error", retried.error().message}});
    co_return;
  }
  auto marked = co_await jobs_.mark_published(s.id);
  if (!marked) log_.warn("mark_published_failed", {{"error", marked.error().message}});
  log_.info("batch_job_done", {{"job", s.id},
                               {"kind", s.kind},
                               {"state", s.state},
                               {"total", s.counts.total},
                               {"quotes", s.counts.quotes},
                               {"records", s.counts.records},
                               {"failed", s.counts.failed},
                               {"skipped", s.counts.skipped},
                               {"event", summary}});
  co_await complete(task.job);
}

}  // namespace pe::worker
