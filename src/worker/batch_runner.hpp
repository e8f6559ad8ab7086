// batch_runner.hpp: the worker's side of a batch job (jobs/batch_job.hpp, docs/batch-jobs.md):
// runs one task — a job's plan, one of its chunks, or its finish — and settles it on the batch
// queue.
//
//   plan    quote: SELECT Id FROM Opportunity WHERE (<clause>) ORDER BY Id, page by page, cut into
//           chunks of PRICING_CHUNK_SIZE (Graph) or PRICING_BULK_CHUNK_SIZE (Bulk, when the total
//           reaches PRICING_BULK_THRESHOLD); data_create: the org's Accounts and active standard
//           price book entries (none: the job fails, nothing made), then numbered chunks;
//           data_delete: the Ids our sample jobs marked (SampleKey__c), in chunks.
//   chunk   quote: quotes/batch_quotes.hpp; data_create: upsert Opportunities on SampleKey__c,
//           then their lines with the relationship column Opportunity.SampleKey__c (Bulk API 2.0;
//           a chunk run twice rewrites the same records); data_delete: delete by Id (Bulk API 2.0
//           for big chunks, sObject Collections for small ones).
//   finish  QuoteGenerationComplete__e with the job's summary (REST, or Heroku Eventing when
//           configured), once.
//
// What fails: a transient Salesforce failure (5xx, 429, transport) retries the task with backoff;
// one that retrying cannot mend (the clause refused by the org, an ended session) ends the chunk
// (or the plan) as failed with the reason, and the rest of the job goes on. A task that becomes a
// dead letter is ended the same way (on_dead_letter), so every job ends.
//
// As whom: the task's sealed token, opened with PRICING_SEAL_KEY (the job id as associated data),
// or the named AppLink authorization (fetched, cached, refreshed on INVALID_SESSION_ID). An
// invoking user's session cannot be refreshed: a job that outlives it fails its remaining chunks
// with a reason that names PRICING_JOB_AUTHORIZATION.
//
// For the operations dashboard (jobs/activity_log.hpp): the plan records the job running, each
// chunk counts its quotes into the minute's throughput, and the finish task's first run records
// the job's end with its counts (its status hash stays the live truth the dashboard reads).
#pragma once

#include "applink/applink.hpp"
#include "common/log.hpp"
#include "common/seal.hpp"
#include "jobs/activity_log.hpp"
#include "jobs/batch_job.hpp"
#include "jobs/job_queue.hpp"
#include "net/http_client.hpp"
#include "pricing/pricing_engine.hpp"
#include "worker/quote_batch.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>

namespace pe::worker {

// How a finished job's event goes out: REST with the job's credentials, or Eventing.
using PublisherFor =
    std::function<CompletionPublisher(salesforce::DataApi& api, SalesforceId user)>;

struct BatchRunnerOptions {
  bool discount_overrides = false;
  int max_attempts = 5;  // the batch queue's: on the last one a transient failure ends the chunk
};

class BatchRunner {
 public:
  BatchRunner(net::HttpClient& client, applink::AppLink& applink,
              const std::optional<Sealer>& sealer, jobs::JobQueue& queue, jobs::BatchJobs& jobs,
              jobs::ActivityLog& activity, const pricing::PricingEngine& engine,
              PublisherFor publisher, BatchRunnerOptions options);

  // Runs the task and settles it (complete, retry, or ended as failed).
  boost::asio::awaitable<void> run(jobs::Job job);

  // The queue dead-lettered a task: its chunk (or plan) ends as failed with the task's error.
  boost::asio::awaitable<void> on_dead_letter(const jobs::Job& job);

 private:
  struct Task;
  boost::asio::awaitable<void> plan(Task& task);
  boost::asio::awaitable<void> plan_quotes(Task& task);
  boost::asio::awaitable<void> plan_data_create(Task& task);
  boost::asio::awaitable<void> plan_data_delete(Task& task);
  // Walks SELECT Id ... page by page into chunks of `size` Ids; the count, or the query's error.
  boost::asio::awaitable<salesforce::SfResult<int64_t>> plan_ids(Task& task, std::string soql,
                                                                 int64_t size, std::string path,
                                                                 int64_t* total);
  boost::asio::awaitable<void> chunk(Task& task);
  boost::asio::awaitable<void> finish(Task& task);

  // A Salesforce failure of a task: retried when transient (and attempts remain), else the
  // chunk or plan ends failed with `why`.
  boost::asio::awaitable<void> failed(Task& task, const salesforce::SalesforceError& error,
                                      std::string what);
  boost::asio::awaitable<void> end_as_failed(const jobs::Job& job, std::string why);
  boost::asio::awaitable<void> complete(const jobs::Job& job);

  net::HttpClient& client_;
  applink::AppLink& applink_;
  const std::optional<Sealer>& sealer_;
  jobs::JobQueue& queue_;
  jobs::BatchJobs& jobs_;
  jobs::ActivityLog& activity_;  // the dashboard: a job's start and end, each chunk's quotes
  const pricing::PricingEngine& engine_;
  PublisherFor publisher_;
  BatchRunnerOptions options_;
  log::Logger log_;
};

}  // namespace pe::worker
