// activity_log.hpp: what the operations dashboard reads about the work done — the recent jobs of
// every kind with their status, quotes and jobs per minute over the last hour, the quotes total.
//
// web and worker record where a job is queued, starts and ends (one line at each place); the
// dashboard reads. It lives in Redis beside the queues, so every instance sees every other's work,
// in bounded memory. Keys (prefix "pe:" by default, PRICING_REDIS_PREFIX):
//   <prefix>activity              stream capped at about max_entries (XADD MAXLEN ~ 500): one entry
//                                 per step of a job, fields kind, id, org, conn, status, quotes,
//                                 failed, detail, at (epoch ms); never a token
//   <prefix>throughput:<minute>   hash per unix minute (epoch seconds / 60): quotes, jobs, failed;
//                                 expires 2 hours after its minute (EXPIREAT)
//   <prefix>quotes:total          integer: quotes written since the key was made (INCRBY)
// One record() is one MULTI (the entries and their counters, one round trip). Recording never
// fails a job: record() logs a warning when Redis refuses and goes on; try_record() says why.
//
// What the counters count, at the minute of the entry's `at`:
//   quotes  the entry's quotes, except a batch job's (its chunks count theirs as they are written,
//           count_quotes(), so a big job's throughput shows while it runs);
//   jobs    entries whose status is final (succeeded, partially_failed, failed);
//   failed  those among them that did not succeed (failed or partially_failed).
// Quotes are writes: a job run twice (at-least-once delivery) that rewrites its quotes by upsert
// counts them twice. A job's final entry is written once in the normal course; a worker killed
// between the write and the ack may write it again on the next run.
//
// recent() reads the whole capped stream newest first and keeps each job's newest entry (one row
// per job, by kind and id, with `since_ms` its oldest entry still in the stream); a batch job's row
// then takes the state and counts of its live status hash (batch_job.hpp), so a running job shows
// its progress and a job whose end was never recorded still shows its end. A burst of many jobs
// pushes older ones out of the stream: "recent" means the last ~500 steps, not a time window.
//
//   ActivityLog activity(redis, {.prefix = "pe:"});
//   co_await activity.record(job_activity(job, ActivityStatus::succeeded, quotes));
//   co_await activity.count_quotes(chunk_quotes);
//   auto rows = co_await activity.recent(50);                    // newest first
//   auto points = co_await activity.throughput(system_clock::now());  // 60 minutes, oldest first
#pragma once

#include "common/error.hpp"
#include "common/sfid.hpp"
#include "jobs/batch_job.hpp"
#include "jobs/job.hpp"
#include "net/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::jobs {

// eventing: one CDC transaction's job; batch: a batch job (pattern 3); org_action: a sync
// generateQuote(s) invocation answered by web; org_action_async: generateQuotesAsync.
enum class ActivityKind { eventing, batch, org_action, org_action_async };
// queued → running → (retrying → running ...) → succeeded | partially_failed | failed.
enum class ActivityStatus { queued, running, retrying, succeeded, partially_failed, failed };

std::string_view kind_name(ActivityKind kind);
std::string_view status_name(ActivityStatus status);
std::optional<ActivityKind> parse_kind(std::string_view name);
std::optional<ActivityStatus> parse_status(std::string_view name);
bool is_final(ActivityStatus status);

inline constexpr size_t kMaxActivityDetailBytes = 300;

struct ActivityEntry {
  ActivityKind kind = ActivityKind::eventing;
  // eventing: the transaction key (the job's stream id changes at each retry); batch and
  // org_action_async: the jobId the caller was given; org_action: the invocation's x-request-id.
  std::string id;
  std::string org;         // the org's 18-character Id, when the job knows it (not eventing)
  std::string connection;  // eventing: the AppLink connection name
  ActivityStatus status = ActivityStatus::queued;
  int64_t quotes = 0;    // quotes written
  int64_t failed = 0;    // opportunities or records that failed
  std::string detail;    // one line, redacted, at most kMaxActivityDetailBytes
  int64_t at_ms = 0;     // epoch ms; 0: record() stamps it with now
  int64_t since_ms = 0;  // recent() only: the job's oldest entry still in the stream
};

// The entry of a job as it travels on a queue: its kind and id from its fields (an async org
// action, a batch task, else an eventing transaction). `detail` is made one line and redacted.
ActivityEntry job_activity(const Job& job, ActivityStatus status, int64_t quotes = 0,
                           int64_t failed = 0, std::string_view detail = {});
// A batch job's entry from its status: state, quotes (records for sample data), failed, and a
// detail naming its kind and chunks.
ActivityEntry batch_activity(const BatchStatus& status);
// A sync org action: succeeded when every opportunity got its quote, partially_failed when some
// did, failed when none did.
ActivityEntry org_action_activity(std::string_view request_id, const SalesforceId& org,
                                  int64_t quotes, int64_t failed, std::string_view detail = {});

// One line, secrets redacted (common/redact.hpp), at most kMaxActivityDetailBytes (cut on a UTF-8
// character boundary).
std::string activity_detail(std::string_view text);

struct ThroughputPoint {
  int64_t minute = 0;  // unix minute: epoch seconds / 60
  int64_t quotes = 0;
  int64_t jobs = 0;
  int64_t failed = 0;
};

struct ActivityOptions {
  std::string prefix = "pe:";
  int64_t max_entries = 500;                      // the stream's cap (approximate: MAXLEN ~)
  std::chrono::seconds throughput_ttl{2 * 3600};  // a minute's counters live this long after it
};

struct ActivityKeys {
  explicit ActivityKeys(std::string prefix_)
      : prefix(std::move(prefix_)), stream(prefix + "activity"), total(prefix + "quotes:total") {}
  std::string prefix;
  std::string stream;
  std::string total;
  std::string minute(int64_t unix_minute) const {
    return prefix + "throughput:" + std::to_string(unix_minute);
  }
};

class ActivityLog {
 public:
  explicit ActivityLog(std::shared_ptr<net::RedisConnection> redis, ActivityOptions options = {});

  const ActivityKeys& keys() const { return keys_; }
  const ActivityOptions& options() const { return options_; }

  // Records the entries and counts them, in one MULTI; a refusal is logged, never returned.
  boost::asio::awaitable<void> record(ActivityEntry entry);
  boost::asio::awaitable<void> record(std::vector<ActivityEntry> entries);
  boost::asio::awaitable<Result<void>> try_record(std::vector<ActivityEntry> entries);
  // Records in the background, on the caller's executor, and returns at once: for web's answers,
  // which must not wait on the log (a Redis that is down would hold each for its deadline). The
  // log must outlive the recording (web's per-thread routes do).
  boost::asio::awaitable<void> record_later(ActivityEntry entry);

  // Quotes written by a part of a job (a batch chunk): counted in the current minute and the
  // total, no entry. Logged, never returned, when Redis refuses.
  boost::asio::awaitable<void> count_quotes(int64_t quotes);

  // Up to `limit` jobs, newest first, one row per job (see the top of this file).
  boost::asio::awaitable<Result<std::vector<ActivityEntry>>> recent(size_t limit = 50);

  // `minutes` points (1..180), oldest first, the last one `now`'s minute; zeros where nothing was
  // counted. One round trip (an HMGET per minute, pipelined).
  boost::asio::awaitable<Result<std::vector<ThroughputPoint>>> throughput(
      std::chrono::system_clock::time_point now, int minutes = 60);

  boost::asio::awaitable<Result<int64_t>> quotes_total();

 private:
  std::shared_ptr<net::RedisConnection> redis_;
  ActivityOptions options_;
  ActivityKeys keys_;
};

}  // namespace pe::jobs
