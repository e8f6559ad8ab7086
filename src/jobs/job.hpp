// job.hpp: one unit of quote work, as it travels through Redis.
//
// A job is one Salesforce transaction's opportunities to quote for one org connection. It is
// born when the web role flushes a transaction buffer (events/transaction_buffer.hpp), or when
// `pricing-engine jobs retry` sends a dead letter back. It carries the connection's name, never
// an access token: the worker asks AppLink for credentials when it runs the job.
//
// On a Redis stream an entry's fields are (all strings; the Lua flush script of
// events/transaction_buffer.cpp writes the same fields, and a test checks that they decode):
//   tx        the CDC transactionKey (the generation keys of the quotes derive from it)
//   conn      the AppLink connection name
//   ids       18-character Opportunity Ids, comma-separated, no duplicates
//   attempt   1 for the first run; retries count up
//   enqueued  epoch milliseconds of the first enqueue (flush latency, job age)
//   error     the last failure, on retries and dead letters (absent on a first run)
//   aj, cb, iu, av, st, org, uid, dl, res   an async org action's fields (OrgAction below)
//   bj, bk, bs, bn, bw, au, iu, av, st, org, uid   a batch job's task (BatchTask below; `ids` may
//             then be empty: a plan or finish step has no records of its own)
//
//   auto job = decode_job(entry_id, fields);     // Result<Job>: refuses malformed entries
//   RedisCommand xadd("XADD", stream, "*");
//   append_job_fields(xadd, *job);
#pragma once

#include "common/error.hpp"
#include "common/sfid.hpp"
#include "net/redis_protocol.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::jobs {

// An async org action (generateQuotesAsync): who invoked it, as whom the work runs, and where its
// result goes. The invoking user's access token is kept only sealed (common/seal.hpp, the job id
// as associated data), never in plain text; the job is retried until `deadline_ms` (the
// callback window) and a dead letter keeps no token at all.
struct OrgAction {
  std::string job_id;        // aj   the jobId the caller was given (a UUID)
  std::string callback_url;  // cb   on the invoking org's domain (checked before enqueueing)
  std::string instance_url;  // iu   the invoking org's orgDomainUrl
  std::string api_version;   // av
  std::string sealed_token;  // st   "v1...." (empty in a dead letter)
  SalesforceId org_id;       // org
  SalesforceId user_id;      // uid
  int64_t deadline_ms = 0;   // dl   epoch ms: no retry after it
  std::string result;        // res  the callback's JSON body once the quotes are written: a
                             //      retry then only delivers it
};

// One task of a batch job (jobs/batch_job.hpp): its plan step (find the records, cut them into
// chunks), one chunk, or its finish step (the completion event). As whom it runs: the invoking
// user, whose token is kept only sealed (the job id as associated data), or a named AppLink
// authorization (`authorization`; then there is no token on the entry at all).
struct BatchTask {
  enum class Step { plan, chunk, finish };
  std::string job_id;         // bj   the jobId the caller was given (a UUID)
  std::string kind;           // bk   quote | data_create | data_delete
  Step step = Step::plan;     // bs   plan | chunk | finish
  int64_t chunk = -1;         // bn   the chunk's number, from 0 (chunks only)
  std::string path;           // bw   how a quote chunk writes: graph | bulk
  std::string authorization;  // au   a named AppLink authorization, or empty
  std::string instance_url;   // iu   the invoking org's orgDomainUrl
  std::string api_version;    // av
  std::string sealed_token;   // st   "v1...." (empty with an authorization, and in dead letters)
  SalesforceId org_id;        // org
  SalesforceId user_id;       // uid
};

std::string_view step_name(BatchTask::Step step);

struct Job {
  std::string id;  // the stream entry id ("1700000000000-0"); empty before it is enqueued
  std::string transaction_key;
  std::string connection;
  std::vector<SalesforceId> record_ids;
  int attempt = 1;
  int64_t enqueued_ms = 0;
  std::string error;
  std::optional<OrgAction> action;  // set for async org actions (their fields are present)
  std::optional<BatchTask> batch;   // set for batch job tasks
};

// Limits on what a job may hold; an entry beyond them is malformed (a dead letter, not a crash).
inline constexpr size_t kMaxJobRecordIds = 100'000;
inline constexpr size_t kMaxTransactionKeyBytes = 256;
inline constexpr size_t kMaxConnectionNameBytes = 256;
inline constexpr size_t kMaxErrorBytes = 2'000;
inline constexpr size_t kMaxCallbackResultBytes = 8 << 20;
inline constexpr size_t kMaxUrlBytes = 2'048;

// Appends the job's fields (not its id) to a command, e.g. after "XADD stream *".
void append_job_fields(net::RedisCommand& command, const Job& job);
// The same fields as a list [field, value, field, value, ...] (for a Lua script's ARGV).
std::vector<std::string> job_fields(const Job& job);

// A stream entry's fields, as a flat array reply [field, value, field, value, ...]. Errc::
// invalid_argument naming the field for a missing or malformed one; unknown fields are ignored.
Result<Job> decode_job(std::string_view id, const net::RedisReply& fields);

// "a, b, c" → Ids; each must be a valid 15- or 18-character Id (kept as 18).
Result<std::vector<SalesforceId>> parse_id_list(std::string_view text);
std::string join_ids(const std::vector<SalesforceId>& ids);

// The error text kept on a job: single line, at most kMaxErrorBytes.
std::string clip_error(std::string_view message);

}  // namespace pe::jobs
