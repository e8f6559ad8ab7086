#include "jobs/batch_job.hpp"

#include "jobs/job_queue.hpp"

#include "common/json_text.hpp"
#include "net/redis_script.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <map>

namespace pe::jobs {

namespace asio = boost::asio;
namespace json = boost::json;
using net::RedisCommand;
using net::RedisReply;

namespace {

// Shared by the scripts that may end a job: when the plan is complete and every chunk has ended,
// sets the final state (or `forced`), renews the TTLs and puts the finish task on the stream
// (ARGV from `first`). Returns 1 when it ended the job.
constexpr std::string_view kFinishIfDone = R"lua(
local function finish_if_done(status, chunks, errors, stream, now, ttl, forced, first)
  local h = redis.call('HMGET', status, 'planned', 'chunks', 'chunks_done', 'ended_ms', 'total',
                       'failed')
  if h[1] ~= '1' or h[4] then return 0 end
  if tonumber(h[3] or '0') < tonumber(h[2] or '0') then return 0 end
  local total, failed = tonumber(h[5] or '0'), tonumber(h[6] or '0')
  local state = 'succeeded'
  if forced ~= '' then
    state = forced
  elseif failed > 0 then
    if failed >= total then state = 'failed' else state = 'partially_failed' end
  end
  redis.call('HSET', status, 'state', state, 'ended_ms', now)
  redis.call('HSETNX', status, 'started_ms', now)
  redis.call('XADD', stream, '*', unpack(ARGV, first))
  for _, key in ipairs({status, chunks, errors}) do redis.call('EXPIRE', key, ttl) end
  return 1
end
)lua";

// KEYS: status, stream. ARGV: chunk number, now, then the chunk task's fields.
const net::RedisScript kAddChunk(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local have = tonumber(redis.call('HGET', KEYS[1], 'chunks_enqueued') or '0')
local n = tonumber(ARGV[1])
if n < have then return 0 end
if n > have then return redis.error_reply('ERR chunk ' .. n .. ' planned before chunk ' .. have) end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
redis.call('HSET', KEYS[1], 'chunks_enqueued', n + 1, 'state', 'running')
redis.call('HSETNX', KEYS[1], 'started_ms', ARGV[2])
return 1
)lua");

// KEYS: status, chunks, errors, stream. ARGV: chunks, total, path, now, ttl, forced state,
// error JSON (or ''), then the finish task's fields.
const net::RedisScript kPlanDone(std::string(kFinishIfDone) + R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'planned') == '1' then return 0 end
redis.call('HSET', KEYS[1], 'planned', '1', 'chunks', ARGV[1], 'total', ARGV[2], 'path', ARGV[3])
if ARGV[7] ~= '' then
  redis.call('RPUSH', KEYS[3], ARGV[7])
  redis.call('HINCRBY', KEYS[1], 'errors_total', 1)
end
return 1 + finish_if_done(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[4], ARGV[5], ARGV[6], 8)
)lua");

// KEYS: status, chunks, errors, stream. ARGV: chunk number, done, failed, skipped, quotes,
// records, now, ttl, max errors, error count k, k error JSONs, then the finish task's fields.
const net::RedisScript kChunkDone(std::string(kFinishIfDone) + R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'chunks_done', 1)
local names = {'done', 'failed', 'skipped', 'quotes', 'records'}
for i, name in ipairs(names) do redis.call('HINCRBY', KEYS[1], name, ARGV[1 + i]) end
local k = tonumber(ARGV[10])
if k > 0 then
  local room = tonumber(ARGV[9]) - redis.call('LLEN', KEYS[3])
  for i = 1, math.min(k, math.max(room, 0)) do redis.call('RPUSH', KEYS[3], ARGV[10 + i]) end
  redis.call('HINCRBY', KEYS[1], 'errors_total', k)
end
redis.call('EXPIRE', KEYS[2], ARGV[8])
redis.call('EXPIRE', KEYS[3], ARGV[8])
return 1 + finish_if_done(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[7], ARGV[8], '', 11 + k)
)lua");

// KEYS: status. ARGV: now. Only a queued job becomes running: an end is never overwritten.
// A status that expired is not made again (it would have no TTL).
const net::RedisScript kStarted(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'state') == 'queued' then
  redis.call('HSET', KEYS[1], 'state', 'running')
end
redis.call('HSETNX', KEYS[1], 'started_ms', ARGV[1])
return 1
)lua");

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t number(std::string_view text) {
  int64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

std::string error_json(const BatchError& e) {
  return json_text(json::object{{"subject", e.subject}, {"message", e.message.substr(0, 1000)}});
}

Error unexpected(std::string_view what) {
  return Error{Errc::internal, "redis: unexpected reply to " + std::string(what)};
}

json::value time_json(int64_t ms) {
  if (ms <= 0) return nullptr;
  std::time_t seconds = ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(ms % 1000));
  return json::string(text);
}

}  // namespace

BatchOptions batch_options_from(EnvReader& read) {
  BatchOptions options;
  options.prefix = redis_prefix_from(read);
  options.ttl = std::chrono::seconds(read.integer("PRICING_JOB_STATUS_DAYS", 7, 1, 30) * 86'400);
  options.chunk_size = read.integer("PRICING_CHUNK_SIZE", 2'000, 1, 10'000);
  options.bulk_chunk_size = read.integer("PRICING_BULK_CHUNK_SIZE", 5'000, 1, 50'000);
  options.bulk_threshold = read.integer("PRICING_BULK_THRESHOLD", 10'000, 0, 100'000'000);
  options.data_chunk_size = read.integer("PRICING_DATA_CHUNK_SIZE", 5'000, 1, 50'000);
  return options;
}

json::object status_json(const BatchStatus& s) {
  json::array errors;
  for (const auto& e : s.errors) {
    errors.push_back(json::object{{"subject", e.subject}, {"message", e.message}});
  }
  json::object counts{{"total", s.counts.total},   {"done", s.counts.done},
                      {"failed", s.counts.failed}, {"skipped", s.counts.skipped},
                      {"quotes", s.counts.quotes}, {"records", s.counts.records},
                      {"chunks", s.chunks},        {"chunksDone", s.chunks_done}};
  json::object out{{"jobId", s.id},
                   {"kind", s.kind},
                   {"state", s.state},
                   {"counts", std::move(counts)},
                   {"createdAt", time_json(s.created_ms)},
                   {"startedAt", time_json(s.started_ms)},
                   {"endedAt", time_json(s.ended_ms)},
                   {"errors", std::move(errors)},
                   {"errorsTotal", s.errors_total}};
  if (!s.path.empty()) out["writePath"] = s.path;
  if (s.kind == "quote") out["soqlWhereClause"] = s.where;
  if (s.kind == "data_create") {
    out["numberOfOpportunities"] = s.requested;
    out["linesPerOpportunity"] = s.lines;
  }
  if (s.kind == "data_delete")
    out["target"] = s.target.empty() ? json::value(nullptr) : json::value(s.target);
  out["completionEvent"] = s.event_ms > 0;
  return out;
}

Job finish_task(const Job& from) {
  Job finish;
  finish.transaction_key = from.transaction_key;
  finish.connection = from.connection;
  finish.enqueued_ms = now_ms();
  finish.batch = from.batch;
  finish.batch->step = BatchTask::Step::finish;
  finish.batch->chunk = -1;
  return finish;
}

BatchJobs::BatchJobs(std::shared_ptr<net::RedisConnection> redis, std::string stream,
                     BatchOptions options)
    : redis_(std::move(redis)), stream_(std::move(stream)), options_(std::move(options)) {}

std::string batch_status_key(std::string_view prefix, std::string_view id) {
  return std::string(prefix) + "batchjob:" + std::string(id);
}

std::string BatchJobs::status_key(std::string_view id) const {
  return batch_status_key(options_.prefix, id);
}

asio::awaitable<Result<void>> BatchJobs::create(const BatchStatus& s, const Job& plan) {
  auto key = status_key(s.id);
  RedisCommand hset("HSET", key);
  hset.arg("kind").arg(s.kind).arg("state").arg("queued");
  hset.arg("org").arg(s.org.str()).arg("user").arg(s.user.str());
  hset.arg("where").arg(s.where).arg("requested").arg(s.requested).arg("lines").arg(s.lines);
  hset.arg("target").arg(s.target).arg("created_ms").arg(now_ms());
  RedisCommand xadd("XADD", stream_, "*");
  Job stamped = plan;
  stamped.enqueued_ms = now_ms();
  append_job_fields(xadd, stamped);
  std::vector<RedisCommand> tx;
  tx.emplace_back("MULTI");
  tx.push_back(std::move(hset));
  tx.emplace_back("EXPIRE", key, options_.ttl.count());
  tx.push_back(std::move(xadd));
  tx.emplace_back("EXEC");
  auto replies = co_await redis_->exec_batch(std::move(tx));
  if (!replies) co_return replies.error();
  const auto& exec = replies->back();
  if (exec.is_error()) co_return net::error_from_reply(exec);
  if (!exec.is_array()) co_return Error{Errc::aborted, "redis: transaction discarded"};
  for (const auto& reply : exec.elements) {
    if (reply.is_error()) co_return net::error_from_reply(reply);
  }
  co_return Result<void>{};
}

asio::awaitable<Result<std::optional<BatchStatus>>> BatchJobs::read(const std::string& id) {
  auto key = status_key(id);
  std::vector<RedisCommand> commands;
  commands.emplace_back("HGETALL", key);
  commands.emplace_back("LRANGE", key + ":errors", 0, static_cast<int64_t>(kMaxBatchErrors) - 1);
  auto replies = co_await redis_->exec_batch(std::move(commands));
  if (!replies) co_return replies.error();
  const auto& hash = (*replies)[0];
  if (!hash.is_array()) co_return unexpected("HGETALL");
  if (hash.elements.empty()) co_return std::optional<BatchStatus>{};
  std::map<std::string, std::string, std::less<>> f;
  for (size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
    f[hash.elements[i].text] = hash.elements[i + 1].text;
  }
  auto get = [&](std::string_view name) -> std::string {
    auto it = f.find(name);
    return it == f.end() ? std::string() : it->second;
  };
  BatchStatus s;
  s.id = id;
  s.kind = get("kind");
  s.state = get("state");
  if (auto org = SalesforceId::parse(get("org"))) s.org = *org;
  if (auto user = SalesforceId::parse(get("user"))) s.user = *user;
  s.where = get("where");
  s.requested = number(get("requested"));
  s.lines = number(get("lines"));
  s.target = get("target");
  s.path = get("path");
  s.planned = get("planned") == "1";
  s.chunks = number(get("chunks"));
  s.chunks_done = number(get("chunks_done"));
  s.counts.total = number(get("total"));
  s.counts.done = number(get("done"));
  s.counts.failed = number(get("failed"));
  s.counts.skipped = number(get("skipped"));
  s.counts.quotes = number(get("quotes"));
  s.counts.records = number(get("records"));
  s.created_ms = number(get("created_ms"));
  s.started_ms = number(get("started_ms"));
  s.ended_ms = number(get("ended_ms"));
  s.event_ms = number(get("event_ms"));
  s.errors_total = number(get("errors_total"));
  s.sample = get("sample");
  for (const auto& item : (*replies)[1].elements) {
    boost::system::error_code ec;
    auto v = json::parse(item.text, ec);
    if (ec || !v.is_object()) continue;
    const auto& o = v.as_object();
    BatchError e;
    if (const auto* x = o.if_contains("subject"); x && x->is_string()) e.subject = x->as_string();
    if (const auto* x = o.if_contains("message"); x && x->is_string()) e.message = x->as_string();
    s.errors.push_back(std::move(e));
  }
  co_return std::optional<BatchStatus>(std::move(s));
}

asio::awaitable<Result<bool>> BatchJobs::add_chunk(const Job& chunk) {
  auto key = status_key(chunk.batch->job_id);
  auto n = std::to_string(chunk.batch->chunk);
  auto now = std::to_string(now_ms());
  Job stamped = chunk;
  stamped.enqueued_ms = now_ms();
  auto fields = job_fields(stamped);
  std::vector<std::string_view> args{key, stream_, n, now};
  for (const auto& f : fields) args.push_back(f);
  auto reply = co_await kAddChunk.run(*redis_, args, 2);
  if (!reply) co_return reply.error();
  if (reply->integer < 0) co_return Error{Errc::not_found, "the job's status is gone (expired)"};
  co_return reply->integer == 1;
}

asio::awaitable<Result<bool>> BatchJobs::plan_done(const Job& plan, int64_t chunks, int64_t total,
                                                   std::string_view path,
                                                   std::optional<BatchError> failure) {
  const auto& id = plan.batch->job_id;
  auto key = status_key(id);
  auto chunks_key = key + ":chunks";
  auto errors_key = key + ":errors";
  auto n = std::to_string(chunks);
  auto t = std::to_string(total);
  auto now = std::to_string(now_ms());
  auto ttl = std::to_string(options_.ttl.count());
  std::string forced = failure ? "failed" : "";
  std::string error = failure ? error_json(*failure) : "";
  auto fields = job_fields(finish_task(plan));
  std::vector<std::string_view> args{key,  chunks_key, errors_key, stream_, n,    t,
                                     path, now,        ttl,        forced,  error};
  for (const auto& f : fields) args.push_back(f);
  auto reply = co_await kPlanDone.run(*redis_, args, 4);
  if (!reply) co_return reply.error();
  if (reply->integer < 0) co_return Error{Errc::not_found, "the job's status is gone (expired)"};
  co_return reply->integer == 2;
}

asio::awaitable<Result<bool>> BatchJobs::chunk_done(const Job& chunk, const BatchCounts& c,
                                                    const std::vector<BatchError>& errors) {
  const auto& id = chunk.batch->job_id;
  auto key = status_key(id);
  auto chunks_key = key + ":chunks";
  auto errors_key = key + ":errors";
  std::vector<std::string> values{
      std::to_string(chunk.batch->chunk), std::to_string(c.done),
      std::to_string(c.failed),           std::to_string(c.skipped),
      std::to_string(c.quotes),           std::to_string(c.records),
      std::to_string(now_ms()),           std::to_string(options_.ttl.count()),
      std::to_string(kMaxBatchErrors)};
  size_t kept = std::min(errors.size(), kMaxBatchErrors);
  values.push_back(std::to_string(kept));
  for (size_t i = 0; i < kept; ++i) values.push_back(error_json(errors[i]));
  auto fields = job_fields(finish_task(chunk));
  std::vector<std::string_view> args{key, chunks_key, errors_key, stream_};
  for (const auto& v : values) args.push_back(v);
  for (const auto& f : fields) args.push_back(f);
  auto reply = co_await kChunkDone.run(*redis_, args, 4);
  if (!reply) co_return reply.error();
  if (reply->integer < 0) co_return Error{Errc::not_found, "the job's status is gone (expired)"};
  co_return reply->integer == 2;
}

asio::awaitable<Result<void>> BatchJobs::started(const std::string& id) {
  auto key = status_key(id);
  auto now = std::to_string(now_ms());
  std::string_view args[] = {key, now};
  auto reply = co_await kStarted.run(*redis_, args, 1);
  if (!reply) co_return reply.error();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> BatchJobs::set_sample(const std::string& id,
                                                    const std::string& sample) {
  RedisCommand hset("HSET", status_key(id), "sample", sample);
  auto reply = co_await redis_->exec(std::move(hset));
  if (!reply) co_return reply.error();
  co_return Result<void>{};
}

asio::awaitable<Result<bool>> BatchJobs::mark_published(const std::string& id) {
  RedisCommand hsetnx("HSETNX", status_key(id), "event_ms", now_ms());
  auto reply = co_await redis_->exec(std::move(hsetnx));
  if (!reply) co_return reply.error();
  co_return reply->integer == 1;
}

}  // namespace pe::jobs
