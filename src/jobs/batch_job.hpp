// batch_job.hpp: batch jobs (pattern 3, docs/batch-jobs.md) — a job's status in Redis, its tasks on
// the batch stream, and the atomic steps that make it end exactly once however many workers race.
//
// A job (quote, data_create, data_delete) is born in web as a status hash and one plan task, in
// one MULTI, before the caller gets 202. Its life:
//   plan    one worker finds the job's records (the where clause's Opportunity Ids, page by page;
//           or the sample-data numbers) and cuts them into chunks: add_chunk(n) puts chunk n on the
//           batch stream once (a reclaimed planner that walks the same pages again adds nothing),
//           then plan_done(chunks, total);
//   chunks  any worker claims a chunk and does it; chunk_done(n, counts) adds its counts once
//           (a set of ended chunks: a chunk run twice counts once);
//   end     whichever of plan_done and chunk_done sees every chunk ended sets the final state and,
//           in the same script, puts the finish task on the stream: one worker publishes the
//           completion event (at least once: a worker killed between publishing and marking it
//           published would let the next one publish it again).
// A chunk that becomes a dead letter is ended as failed (JobQueue's dead-letter hook), so a job
// always ends.
//
// Keys (prefix "pe:"), all with the status TTL (PRICING_JOB_STATUS_DAYS, 7 days, renewed when the
// job ends); none holds a token:
//   <prefix>batchjob:<id>          hash: kind, state, org, user, the request (where, requested,
//                                  lines, target), planned, chunks, chunks_enqueued, chunks_done,
//                                  total, done, failed, skipped, quotes, records, path, times,
//                                  errors_total, event_ms, sample (data_create's accounts and
//                                  price book entries, JSON)
//   <prefix>batchjob:<id>:chunks   set of ended chunk numbers
//   <prefix>batchjob:<id>:errors   list of the first errors (JSON {"subject", "message"})
// The tasks themselves travel on their own queue, <prefix>batch:jobs (JobQueue with the prefix
// "<prefix>batch:"), so a worker claims chunks one at a time whatever its eventing batches do.
//
//   BatchJobs jobs(redis, batch_queue.keys().stream, options);
//   co_await jobs.create(status, plan_task);                      // web
//   co_await jobs.add_chunk(chunk_job);  co_await jobs.plan_done(plan_job, 3, 5'200, "graph");
//   co_await jobs.chunk_done(chunk_job, counts, errors);          // true: this ended the job
#pragma once

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/sfid.hpp"
#include "jobs/job.hpp"
#include "net/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pe::jobs {

// What a chunk (or a whole job) did. total: records the job covers; done: records processed;
// failed: records that could not be done; skipped: opportunities that cannot be quoted (no
// lines); quotes: quotes written; records: records written or deleted (sample data).
struct BatchCounts {
  int64_t total = 0;
  int64_t done = 0;
  int64_t failed = 0;
  int64_t skipped = 0;
  int64_t quotes = 0;
  int64_t records = 0;
};

// One error a job keeps: what it concerns ("opportunity 006...", "chunk 3", "plan") and why.
struct BatchError {
  std::string subject;
  std::string message;
};

struct BatchStatus {
  std::string id;
  std::string kind;              // quote | data_create | data_delete
  std::string state = "queued";  // queued | running | succeeded | partially_failed | failed
  SalesforceId org;
  SalesforceId user;
  std::string where;      // quote: the soqlWhereClause
  int64_t requested = 0;  // data_create: numberOfOpportunities
  int64_t lines = 0;      // data_create: linesPerOpportunity
  std::string target;     // data_delete: the create job whose records go, or empty (all of ours)
  std::string path;       // quote: graph | bulk, once planned
  bool planned = false;
  int64_t chunks = 0;
  int64_t chunks_done = 0;
  BatchCounts counts;
  int64_t created_ms = 0;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  int64_t event_ms = 0;  // when the completion event went out
  int64_t errors_total = 0;
  std::vector<BatchError> errors;  // the first kMaxBatchErrors
  std::string sample;              // data_create: what its chunks draw from (JSON)
};

inline constexpr size_t kMaxBatchErrors = 50;

// GET /api/jobs/{jobId}'s answer (api-docs.yaml, JobStatus).
boost::json::object status_json(const BatchStatus& status);

struct BatchOptions {
  std::string prefix = "pe:";
  std::chrono::seconds ttl{7 * 24 * 3600};  // PRICING_JOB_STATUS_DAYS (1..30)
  int64_t chunk_size = 2'000;               // PRICING_CHUNK_SIZE: opportunities a chunk
  int64_t bulk_chunk_size = 5'000;          // PRICING_BULK_CHUNK_SIZE: on the Bulk API path
  int64_t bulk_threshold = 10'000;          // PRICING_BULK_THRESHOLD: jobs this big use Bulk
  int64_t data_chunk_size = 5'000;          // PRICING_DATA_CHUNK_SIZE: sample-data records a chunk
};

BatchOptions batch_options_from(EnvReader& read);

class BatchJobs {
 public:
  // `stream`: the batch queue's stream, where the tasks go.
  BatchJobs(std::shared_ptr<net::RedisConnection> redis, std::string stream, BatchOptions options);

  const BatchOptions& options() const { return options_; }

  // The status hash (state queued) and the plan task, atomically. `status.id` is the job id.
  boost::asio::awaitable<Result<void>> create(const BatchStatus& status, const Job& plan);

  // The job's status with its first errors; nullopt when there is no such job (or it expired).
  boost::asio::awaitable<Result<std::optional<BatchStatus>>> read(const std::string& id);

  // Puts chunk `chunk.batch->chunk` on the stream unless it already is: true when added now.
  // Errc::not_found when the job is gone (expired): the planner stops.
  boost::asio::awaitable<Result<bool>> add_chunk(const Job& chunk);

  // The plan is complete: `chunks` chunks over `total` records. With `failure`, the job cannot be
  // done at all (no accounts for sample data, a clause the org refuses): it ends failed, with that
  // error. True when this call ended the job (every chunk had already ended).
  boost::asio::awaitable<Result<bool>> plan_done(const Job& plan, int64_t chunks, int64_t total,
                                                 std::string_view path,
                                                 std::optional<BatchError> failure = {});

  // A chunk ended, with what it did (counts.total is ignored) and its errors. Counted once per
  // chunk number. True when this call ended the job.
  boost::asio::awaitable<Result<bool>> chunk_done(const Job& chunk, const BatchCounts& counts,
                                                  const std::vector<BatchError>& errors);

  // Marks the job running (its plan started).
  boost::asio::awaitable<Result<void>> started(const std::string& id);
  // Records what a data_create job's chunks draw from.
  boost::asio::awaitable<Result<void>> set_sample(const std::string& id, const std::string& json);
  // The completion event went out: true when this call recorded it (false: already recorded).
  boost::asio::awaitable<Result<bool>> mark_published(const std::string& id);

  std::string status_key(std::string_view id) const;
  const std::shared_ptr<net::RedisConnection>& redis() const { return redis_; }

 private:
  std::shared_ptr<net::RedisConnection> redis_;
  std::string stream_;
  BatchOptions options_;
};

// <prefix>batchjob:<id>, the status hash (also read by activity_log.hpp).
std::string batch_status_key(std::string_view prefix, std::string_view id);

// The job a finished chunk or plan hands to the finish step: the same task, step finish.
Job finish_task(const Job& from);

}  // namespace pe::jobs
