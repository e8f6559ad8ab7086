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
//
//   auto job = decode_job(entry_id, fields);     // Result<Job>: refuses malformed entries
//   RedisCommand xadd("XADD", stream, "*");
//   append_job_fields(xadd, *job);
#pragma once

#include "common/error.hpp"
#include "common/sfid.hpp"
#include "net/redis_protocol.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pe::jobs {

struct Job {
  std::string id;  // the stream entry id ("1700000000000-0"); empty before it is enqueued
  std::string transaction_key;
  std::string connection;
  std::vector<SalesforceId> record_ids;
  int attempt = 1;
  int64_t enqueued_ms = 0;
  std::string error;
};

// Limits on what a job may hold; an entry beyond them is malformed (a dead letter, not a crash).
inline constexpr size_t kMaxJobRecordIds = 100'000;
inline constexpr size_t kMaxTransactionKeyBytes = 256;
inline constexpr size_t kMaxConnectionNameBytes = 256;
inline constexpr size_t kMaxErrorBytes = 2'000;

// Appends the job's fields (not its id) to a command, e.g. after "XADD stream *".
void append_job_fields(net::RedisCommand& command, const Job& job);

// A stream entry's fields, as a flat array reply [field, value, field, value, ...]. Errc::
// invalid_argument naming the field for a missing or malformed one; unknown fields are ignored.
Result<Job> decode_job(std::string_view id, const net::RedisReply& fields);

// "a, b, c" → Ids; each must be a valid 15- or 18-character Id (kept as 18).
Result<std::vector<SalesforceId>> parse_id_list(std::string_view text);
std::string join_ids(const std::vector<SalesforceId>& ids);

// The error text kept on a job: single line, at most kMaxErrorBytes.
std::string clip_error(std::string_view message);

}  // namespace pe::jobs
