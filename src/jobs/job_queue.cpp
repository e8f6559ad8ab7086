#include "jobs/job_queue.hpp"

#include "common/log.hpp"
#include "net/redis_script.hpp"

#include <algorithm>

namespace pe::jobs {

namespace asio = boost::asio;
using net::RedisCommand;
using net::RedisReply;

namespace {

// KEYS[1] stream; ARGV: group, consumer, ids... Refreshes only the ids the consumer still owns,
// so a slow worker never takes back a job another worker has reclaimed.
const net::RedisScript kKeepAlive(R"lua(
local owned = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    owned = owned + 1
  end
end
return owned
)lua");

// KEYS[1] delayed set, KEYS[2] stream; ARGV: now (ms), limit, retry-hash prefix.
const net::RedisScript kReleaseDue(R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local hash = ARGV[3] .. member
  local fields = redis.call('HGETALL', hash)
  if #fields > 0 then redis.call('XADD', KEYS[2], '*', unpack(fields)) end
  redis.call('DEL', hash)
  redis.call('ZREM', KEYS[1], member)
end
return #due
)lua");

// KEYS[1] dead stream, KEYS[2] stream; ARGV[1] id. The job goes back as a first attempt.
const net::RedisScript kRetryDead(R"lua(
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entries == 0 then return 0 end
local fields = entries[1][2]
local out = {}
for i = 1, #fields, 2 do
  if fields[i] == 'attempt' then
    out[#out + 1] = 'attempt'; out[#out + 1] = '1'
  elseif fields[i] ~= 'error' then
    out[#out + 1] = fields[i]; out[#out + 1] = fields[i + 1]
  end
end
redis.call('XADD', KEYS[2], '*', unpack(out))
redis.call('XDEL', KEYS[1], ARGV[1])
return 1
)lua");

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Stream ids are "<ms>-<seq>"; anything else from a command line is refused before it reaches
// a key or a command.
bool is_stream_id(std::string_view id) {
  auto dash = id.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == id.size() || id.size() > 41) {
    return false;
  }
  for (size_t i = 0; i < id.size(); ++i) {
    if (i != dash && (id[i] < '0' || id[i] > '9')) return false;
  }
  return true;
}

Error unexpected(std::string_view what) {
  return Error{Errc::internal, "redis: unexpected reply to " + std::string(what)};
}

RedisCommand ack_command(const QueueKeys& keys, const std::vector<std::string>& ids) {
  RedisCommand ack("XACK", keys.stream, keys.group);
  for (const auto& id : ids) ack.arg(id);
  return ack;
}

RedisCommand delete_command(const QueueKeys& keys, const std::vector<std::string>& ids) {
  RedisCommand del("XDEL", keys.stream);
  for (const auto& id : ids) del.arg(id);
  return del;
}

// MULTI ... EXEC went through, each command included.
Result<void> check_transaction(const Result<std::vector<RedisReply>>& replies) {
  if (!replies) return replies.error();
  const auto& exec = replies->back();
  if (exec.is_error()) return net::error_from_reply(exec);
  if (!exec.is_array()) return Error{Errc::aborted, "redis: transaction discarded"};
  for (const auto& reply : exec.elements) {
    if (reply.is_error()) return net::error_from_reply(reply);
  }
  return {};
}

}  // namespace

JobQueue::JobQueue(std::shared_ptr<net::RedisConnection> redis, QueueOptions options)
    : redis_(std::move(redis)), options_(std::move(options)), keys_(options_.prefix) {}

asio::awaitable<Result<void>> JobQueue::ensure_group() {
  RedisCommand create("XGROUP", "CREATE", keys_.stream, keys_.group, "0", "MKSTREAM");
  auto reply = co_await redis_->exec(std::move(create));
  if (!reply && reply.error().code != Errc::already_exists) co_return reply.error();
  co_return Result<void>{};
}

asio::awaitable<Result<std::string>> JobQueue::enqueue(const Job& job) {
  RedisCommand xadd("XADD", keys_.stream, "*");
  Job stamped = job;
  if (stamped.enqueued_ms == 0) stamped.enqueued_ms = now_ms();
  append_job_fields(xadd, stamped);
  auto reply = co_await redis_->exec(std::move(xadd));
  if (!reply) co_return reply.error();
  co_return std::move(reply->text);
}

asio::awaitable<Result<std::vector<Job>>> JobQueue::claim(net::RedisConnection& blocking,
                                                          const std::string& consumer, size_t count,
                                                          std::chrono::milliseconds block) {
  for (int round = 0; round < 2; ++round) {
    RedisCommand read("XREADGROUP", "GROUP", keys_.group, consumer, "COUNT", count);
    if (block.count() > 0) read.arg("BLOCK").arg(block.count());
    read.arg("STREAMS").arg(keys_.stream).arg(">");
    // The server-side wait plus the usual deadline: a blocked read is not a broken link.
    auto reply = co_await blocking.exec(std::move(read), block + std::chrono::seconds(5));
    if (!reply && reply.error().code == Errc::not_found && round == 0) {
      // NOGROUP: Redis lost the group (restarted without persistence): make it again.
      auto made = co_await ensure_group();
      if (!made) co_return made.error();
      continue;
    }
    if (!reply) co_return reply.error();
    if (reply->is_nil()) co_return std::vector<Job>{};
    if (!reply->is_array() || reply->elements.empty() || !reply->elements[0].is_array() ||
        reply->elements[0].elements.size() != 2) {
      co_return unexpected("XREADGROUP");
    }
    co_return co_await take_entries(reply->elements[0].elements[1], false);
  }
  co_return std::vector<Job>{};
}

asio::awaitable<Result<std::vector<Job>>> JobQueue::take_entries(const RedisReply& entries,
                                                                 bool reclaimed) {
  std::vector<Job> jobs;
  std::vector<std::string> vanished;  // pending ids whose entry was deleted meanwhile
  for (const auto& entry : entries.elements) {
    if (!entry.is_array() || entry.elements.size() != 2) co_return unexpected("stream entry");
    const auto& id = entry.elements[0].text;
    if (entry.elements[1].is_nil()) {
      vanished.push_back(id);
      continue;
    }
    auto job = decode_job(id, entry.elements[1]);
    if (!job) {
      log::Logger().error("job_malformed", {{"job", id}, {"error", job.error().message}});
      Job raw;
      raw.id = id;
      // Keep what can be kept; the error says what was wrong.
      RedisCommand xadd("XADD", keys_.dead, "*");
      const auto& fields = entry.elements[1].elements;
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].text != "error") xadd.arg(fields[i].text).arg(fields[i + 1].text);
      }
      xadd.arg("error").arg(clip_error(job.error().message));
      std::vector<RedisCommand> tx;
      tx.emplace_back("MULTI");
      tx.push_back(std::move(xadd));
      tx.push_back(ack_command(keys_, {id}));
      tx.push_back(delete_command(keys_, {id}));
      tx.emplace_back("EXEC");
      auto moved = check_transaction(co_await redis_->exec_batch(std::move(tx)));
      if (!moved) co_return moved.error();
      continue;
    }
    jobs.push_back(std::move(*job));
  }
  if (!vanished.empty()) {
    auto ack = ack_command(keys_, vanished);
    auto acked = co_await redis_->exec(std::move(ack));
    if (!acked) co_return acked.error();
  }
  if (!reclaimed || jobs.empty()) co_return jobs;

  // Each reclaim counted a delivery: a run that never finished is an attempt.
  std::vector<RedisCommand> queries;
  for (const auto& job : jobs) {
    queries.emplace_back("XPENDING", keys_.stream, keys_.group, job.id, job.id, 1);
  }
  auto pending = co_await redis_->exec_batch(std::move(queries));
  if (!pending) co_return pending.error();
  std::vector<Job> alive;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& p = (*pending)[i];
    int64_t deliveries = 1;
    if (p.is_array() && p.elements.size() == 1 && p.elements[0].elements.size() == 4) {
      deliveries = p.elements[0].elements[3].integer;
    }
    jobs[i].attempt += static_cast<int>(std::max<int64_t>(deliveries - 1, 0));
    if (jobs[i].attempt > options_.max_attempts) {
      // Named, not a temporary: GCC 12 destroys temporaries in co_await expressions too early.
      std::string why =
          "its worker stopped before finishing it " + std::to_string(deliveries - 1) +
          " times (last error: " + (jobs[i].error.empty() ? std::string("none") : jobs[i].error) +
          ")";
      auto moved = co_await dead_letter(jobs[i], why);
      if (!moved) co_return moved.error();
      continue;
    }
    alive.push_back(std::move(jobs[i]));
  }
  co_return alive;
}

asio::awaitable<Result<std::vector<Job>>> JobQueue::reclaim(const std::string& consumer,
                                                            size_t count) {
  RedisCommand claim("XAUTOCLAIM", keys_.stream, keys_.group, consumer, options_.visibility.count(),
                     reclaim_cursor_, "COUNT", count);
  auto reply = co_await redis_->exec(std::move(claim));
  if (!reply && reply.error().code == Errc::not_found) co_return std::vector<Job>{};  // NOGROUP
  if (!reply) co_return reply.error();
  if (!reply->is_array() || reply->elements.size() < 2) co_return unexpected("XAUTOCLAIM");
  reclaim_cursor_ = reply->elements[0].text;
  if (reclaim_cursor_.empty()) reclaim_cursor_ = "0-0";
  co_return co_await take_entries(reply->elements[1], true);
}

asio::awaitable<Result<size_t>> JobQueue::keep_alive(const std::string& consumer,
                                                     const std::vector<std::string>& ids) {
  if (ids.empty()) co_return size_t{0};
  std::vector<std::string_view> args{keys_.stream, keys_.group, consumer};
  for (const auto& id : ids) args.push_back(id);
  auto reply = co_await kKeepAlive.run(*redis_, args, 1);
  if (!reply) co_return reply.error();
  co_return static_cast<size_t>(reply->integer);
}

asio::awaitable<Result<void>> JobQueue::complete(const std::vector<std::string>& ids) {
  if (ids.empty()) co_return Result<void>{};
  std::vector<RedisCommand> tx;
  tx.emplace_back("MULTI");
  tx.push_back(ack_command(keys_, ids));
  tx.push_back(delete_command(keys_, ids));
  tx.emplace_back("EXEC");
  co_return check_transaction(co_await redis_->exec_batch(std::move(tx)));
}

asio::awaitable<Result<void>> JobQueue::dead_letter(const Job& job, std::string_view error) {
  Job dead = job;
  dead.error = clip_error(error);
  // A dead letter is an ended job: an org action's sealed token goes with it.
  if (dead.action) dead.action->sealed_token.clear();
  if (dead.batch) dead.batch->sealed_token.clear();
  RedisCommand xadd("XADD", keys_.dead, "*");
  append_job_fields(xadd, dead);
  std::vector<RedisCommand> tx;
  tx.emplace_back("MULTI");
  tx.push_back(std::move(xadd));
  tx.push_back(ack_command(keys_, {job.id}));
  tx.push_back(delete_command(keys_, {job.id}));
  tx.emplace_back("EXEC");
  auto done = check_transaction(co_await redis_->exec_batch(std::move(tx)));
  if (done) {
    log::Logger().error("job_dead_lettered", {{"job", job.id},
                                              {"transaction", job.transaction_key},
                                              {"attempt", job.attempt},
                                              {"error", dead.error}});
    if (on_dead_letter_) co_await on_dead_letter_(dead);
  }
  co_return done;
}

asio::awaitable<Result<FailOutcome>> JobQueue::fail(const Job& job, std::string_view error) {
  // An org action is retried for as long as its callback window lasts, not a number of times.
  const bool out_of_tries =
      job.action ? now_ms() + retry_delay(job.attempt).count() > job.action->deadline_ms
                 : job.attempt >= options_.max_attempts;
  if (out_of_tries) {
    auto moved = co_await dead_letter(job, error);
    if (!moved) co_return moved.error();
    co_return FailOutcome{.dead = true};
  }
  Job retry = job;
  retry.attempt = job.attempt + 1;
  retry.error = clip_error(error);
  auto delay = retry_delay(job.attempt);
  auto hash = keys_.retry_hash(job.id);
  RedisCommand hset("HSET", hash);
  append_job_fields(hset, retry);
  std::vector<RedisCommand> tx;
  tx.emplace_back("MULTI");
  tx.push_back(std::move(hset));
  tx.emplace_back("ZADD", keys_.delayed, now_ms() + delay.count(), job.id);
  tx.push_back(ack_command(keys_, {job.id}));
  tx.push_back(delete_command(keys_, {job.id}));
  tx.emplace_back("EXEC");
  auto done = check_transaction(co_await redis_->exec_batch(std::move(tx)));
  if (!done) co_return done.error();
  co_return FailOutcome{.dead = false, .delay = delay};
}

asio::awaitable<Result<size_t>> JobQueue::release_due(size_t limit) {
  auto now = std::to_string(now_ms());
  auto max = std::to_string(limit);
  auto hash_prefix = keys_.retry_hash("");
  std::string_view args[] = {keys_.delayed, keys_.stream, now, max, hash_prefix};
  auto reply = co_await kReleaseDue.run(*redis_, args, 2);
  if (!reply) co_return reply.error();
  co_return static_cast<size_t>(reply->integer);
}

asio::awaitable<Result<std::vector<Job>>> JobQueue::dead_letters(size_t limit) {
  RedisCommand range("XRANGE", keys_.dead, "-", "+", "COUNT", limit);
  auto reply = co_await redis_->exec(std::move(range));
  if (!reply) co_return reply.error();
  std::vector<Job> jobs;
  for (const auto& entry : reply->elements) {
    if (!entry.is_array() || entry.elements.size() != 2) co_return unexpected("XRANGE");
    auto job = decode_job(entry.elements[0].text, entry.elements[1]);
    if (job) {
      jobs.push_back(std::move(*job));
    } else {
      // Shown as it is, so that it can be dropped.
      Job raw;
      raw.id = entry.elements[0].text;
      raw.error = clip_error(job.error().message);
      jobs.push_back(std::move(raw));
    }
  }
  co_return jobs;
}

asio::awaitable<Result<bool>> JobQueue::retry_dead(const std::string& id) {
  if (!is_stream_id(id)) {
    co_return Error{Errc::invalid_argument, "not a job id (expected <milliseconds>-<sequence>)"};
  }
  std::string_view args[] = {keys_.dead, keys_.stream, id};
  auto reply = co_await kRetryDead.run(*redis_, args, 2);
  if (!reply) co_return reply.error();
  co_return reply->integer == 1;
}

asio::awaitable<Result<bool>> JobQueue::drop_dead(const std::string& id) {
  if (!is_stream_id(id)) {
    co_return Error{Errc::invalid_argument, "not a job id (expected <milliseconds>-<sequence>)"};
  }
  RedisCommand del("XDEL", keys_.dead, id);
  auto reply = co_await redis_->exec(std::move(del));
  if (!reply) co_return reply.error();
  co_return reply->integer == 1;
}

asio::awaitable<Result<QueueStats>> JobQueue::stats() {
  std::vector<RedisCommand> commands;
  commands.emplace_back("XLEN", keys_.stream);
  commands.emplace_back("XPENDING", keys_.stream, keys_.group);
  commands.emplace_back("ZCARD", keys_.delayed);
  commands.emplace_back("XLEN", keys_.dead);
  auto replies = co_await redis_->exec_batch(std::move(commands));
  if (!replies) co_return replies.error();
  QueueStats stats;
  const auto& r = *replies;
  int64_t in_stream = r[0].integer;
  if (r[1].is_array() && !r[1].elements.empty()) stats.running = r[1].elements[0].integer;
  stats.waiting = std::max<int64_t>(in_stream - stats.running, 0);
  stats.delayed = r[2].integer;
  stats.dead = r[3].integer;
  co_return stats;
}

std::chrono::milliseconds JobQueue::retry_delay(int attempt) const {
  auto delay = options_.retry_initial;
  for (int i = 1; i < attempt && delay < options_.retry_max; ++i) delay *= 2;
  return std::min(delay, options_.retry_max);
}

std::string redis_prefix_from(EnvReader& read) {
  return read.string("PRICING_REDIS_PREFIX", kDefaultRedisPrefix);
}

QueueOptions queue_options_from(EnvReader& read) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  QueueOptions options;
  options.prefix = redis_prefix_from(read);
  options.visibility =
      read.seconds("PRICING_VISIBILITY_SECONDS", seconds(60), milliseconds(100), seconds(3600));
  options.max_attempts = static_cast<int>(read.integer("PRICING_MAX_ATTEMPTS", 5, 1, 100));
  options.retry_initial =
      read.seconds("PRICING_RETRY_SECONDS", seconds(2), milliseconds(10), seconds(3600));
  options.retry_max =
      read.seconds("PRICING_RETRY_MAX_SECONDS", seconds(60), milliseconds(10), seconds(86'400));
  return options;
}

}  // namespace pe::jobs
