#include "events/transaction_buffer.hpp"

#include "jobs/job_queue.hpp"
#include "net/redis_script.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pe::events {

namespace asio = boost::asio;

namespace {

// Shared by both scripts: moves one open transaction into a job on the stream (the fields of
// jobs/job.hpp) and remembers its Ids as done. Returns ms since its last event, or -1 when it
// had no Ids. KEYS[1] open set, KEYS[2] job stream; prefix, now and ttl from the caller.
constexpr std::string_view kFlushFunction = R"lua(
local function flush(prefix, tx, now, ttl)
  local ids_key = prefix .. 'tx:' .. tx
  local last = tonumber(redis.call('ZSCORE', KEYS[1], tx) or now)
  local conn = redis.call('HGET', prefix .. 'tx:conn', tx) or ''
  local ids = redis.call('SMEMBERS', ids_key)
  redis.call('ZREM', KEYS[1], tx)
  redis.call('HDEL', prefix .. 'tx:conn', tx)
  redis.call('DEL', ids_key)
  if #ids == 0 then return -1 end
  table.sort(ids)
  redis.call('XADD', KEYS[2], '*', 'tx', tx, 'conn', conn, 'ids', table.concat(ids, ','),
             'attempt', '1', 'enqueued', tostring(now))
  local done = prefix .. 'tx:done:' .. tx
  for i = 1, #ids, 1000 do
    redis.call('SADD', done, unpack(ids, i, math.min(i + 999, #ids)))
  end
  redis.call('EXPIRE', done, ttl)
  return now - last
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
)lua";

// Adds a batch of events, in order, as if each were its own call: an event first flushes every
// other open transaction, then adds its Ids (those not already flushed for its transaction) to
// its own. ARGV: prefix, ttl, event count, checkpoint count, the checkpoints (key, value), then
// per event: transaction key, connection, Id count, Ids... The checkpoints are SET last, in
// order, in the same script: atomic with the Ids. Returns, flat, per event: added, n, then the
// latency of each of the n transactions it flushed.
//
// What one call saves over one call per event: the open set is read once and followed in Lua;
// a transaction's last-event time and connection are written once per call (every event of a
// call has the same `now`), and whether it has flushed Ids is asked once. Events come in runs
// (consecutive events of one transaction and connection: a busy transaction's deliveries, or a
// redelivery storm), and a run costs one SMISMEMBER and one SADD however long it is: only its
// first event can flush (after it, the open set is empty or holds just this transaction), and
// which of its Ids each event adds is worked out in Lua from one membership test. A run of
// one event is one SADD, whose reply is the count. unpack takes at most 1,000 values at a time
// (Lua's C stack holds 8,000), hence `chunked`.
const net::RedisScript kAdd(std::string(kFlushFunction) + R"lua(
local function chunked(command, key, list, from, to)
  local replies = {}
  for i = from, to, 1000 do
    replies[#replies + 1] = redis.call(command, key, unpack(list, i, math.min(i + 999, to)))
  end
  return replies
end
-- The flags of SMISMEMBER over list[1..n] as one table, or nil when the set does not exist.
local function members(key, list, n, exists)
  if not exists or n == 0 then return nil end
  local flags, at = {}, 0
  for _, chunk in ipairs(chunked('SMISMEMBER', key, list, 1, n)) do
    for _, flag in ipairs(chunk) do
      at = at + 1
      flags[at] = flag
    end
  end
  return flags
end
local prefix, ttl, count, checkpoints = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local open = redis.call('ZRANGE', KEYS[1], 0, -1)
local marked = {}     -- transaction -> connection written this call (ZADD and HSET done)
local has_done = {}   -- transaction -> whether its done set exists
local keys = {}       -- transaction -> {its Ids' key, its done key}
local results = {}
local at, e = 5 + 2 * checkpoints, 1
while e <= count do
  local tx, conn = ARGV[at], ARGV[at + 1]
  -- The run: where each of its events starts in ARGV, and all their Ids in order.
  local starts, ids, n_ids = {}, {}, 0
  repeat
    starts[#starts + 1] = at
    local n = tonumber(ARGV[at + 2])
    for i = at + 3, at + 2 + n do
      n_ids = n_ids + 1
      ids[n_ids] = ARGV[i]
    end
    at = at + 3 + n
    e = e + 1
  until e > count or ARGV[at] ~= tx or ARGV[at + 1] ~= conn
  local slot = #results + 1
  results[slot], results[slot + 1] = 0, 0
  local was_open = false
  if #open == 1 and open[1] == tx then
    was_open = true
  elseif #open > 0 then
    for _, other in ipairs(open) do
      if other == tx then
        was_open = true
      else
        local latency = flush(prefix, other, now, ttl)
        if latency >= 0 then
          results[slot + 1] = results[slot + 1] + 1
          results[#results + 1] = latency
        end
        marked[other] = nil
        has_done[other] = true
      end
    end
    open = was_open and {tx} or {}
  end
  local k = keys[tx]
  if k == nil then
    k = {prefix .. 'tx:' .. tx, prefix .. 'tx:done:' .. tx}
    keys[tx] = k
  end
  if has_done[tx] == nil then has_done[tx] = redis.call('EXISTS', k[2]) == 1 end
  local done = members(k[2], ids, n_ids, has_done[tx])
  -- An Id is new to its event when it is not flushed and, in a run of several events, neither
  -- in the set already nor earlier in the run (one SMISMEMBER for the whole run). A lone event
  -- needs no membership test: SADD's reply is its count, repeats folded.
  local held = #starts > 1 and members(k[1], ids, n_ids, true) or nil
  local seen, fresh, n_fresh, counts, i = {}, {}, 0, {}, 0
  for j, start in ipairs(starts) do
    counts[j] = 0
    for _ = 1, tonumber(ARGV[start + 2]) do
      i = i + 1
      local id = ids[i]
      if not (done and done[i] == 1) and not (held and (held[i] == 1 or seen[id])) then
        seen[id] = true
        counts[j] = counts[j] + 1
        n_fresh = n_fresh + 1
        fresh[n_fresh] = id
      end
    end
  end
  local added = 0
  for _, n in ipairs(chunked('SADD', k[1], fresh, 1, n_fresh)) do added = added + n end
  if not held then counts[1] = added end
  results[slot] = counts[1]
  for j = 2, #starts do  -- only the first event of a run can flush
    results[#results + 1] = counts[j]
    results[#results + 1] = 0
  end
  if (added > 0 or was_open) and marked[tx] ~= conn then
    redis.call('ZADD', KEYS[1], now, tx)
    redis.call('HSET', prefix .. 'tx:conn', tx, conn)
    marked[tx] = conn
  end
  if added > 0 and not was_open then open = {tx} end
end
for c = 0, checkpoints - 1 do
  redis.call('SET', ARGV[5 + 2 * c], ARGV[6 + 2 * c])
end
return results
)lua");

// ARGV: prefix, ttl, idle ms, limit. Returns the latency of each transaction flushed.
const net::RedisScript kFlushIdle(std::string(kFlushFunction) + R"lua(
local prefix, ttl, idle, limit = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - idle, 'LIMIT', 0, limit)
local result = {}
for _, tx in ipairs(due) do
  local latency = flush(prefix, tx, now, ttl)
  if latency >= 0 then result[#result + 1] = latency end
end
return result
)lua");

FlushResult latencies(const net::RedisReply& reply, size_t from) {
  FlushResult result;
  for (size_t i = from; i < reply.elements.size(); ++i) {
    result.latencies_ms.push_back(reply.elements[i].integer);
  }
  return result;
}

}  // namespace

Result<void> check_transaction_key(std::string_view key) {
  if (key.empty() || key.size() > 256) {
    return Error{Errc::invalid_argument, "transactionKey must be 1 to 256 characters"};
  }
  for (char c : key) {
    if (c <= ' ' || c > '~') {
      return Error{Errc::invalid_argument, "transactionKey must be printable ASCII without spaces"};
    }
  }
  return {};
}

BufferOptions buffer_options_from(EnvReader& read) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  BufferOptions options;
  options.prefix = jobs::redis_prefix_from(read);
  options.flush_after =
      read.seconds("PRICING_FLUSH_SECONDS", seconds(15), milliseconds(10), seconds(3600));
  options.dedupe_ttl = seconds(read.integer("PRICING_DEDUPE_SECONDS", 86'400, 60, 30 * 86'400));
  return options;
}

TransactionBuffer::TransactionBuffer(std::shared_ptr<net::RedisConnection> redis,
                                     BufferOptions options)
    : redis_(std::move(redis)),
      options_(std::move(options)),
      open_key_(options_.prefix + "tx:open"),
      stream_key_(jobs::QueueKeys(options_.prefix).stream),
      ttl_(std::to_string(options_.dedupe_ttl.count())) {}

asio::awaitable<Result<AddResult>> TransactionBuffer::add(std::string_view transaction_key,
                                                          std::string_view connection,
                                                          std::span<const SalesforceId> ids) {
  const BufferedEvent event{transaction_key, connection, ids};
  auto results = co_await add_all(std::span(&event, 1));
  if (!results) co_return results.error();
  co_return std::move(results->front());
}

asio::awaitable<Result<std::vector<AddResult>>> TransactionBuffer::add_all(
    std::span<const BufferedEvent> events) {
  for (const auto& event : events) {
    if (auto ok = check_transaction_key(event.transaction_key); !ok) co_return ok.error();
    if (event.ids.size() > kMaxBatchIds) {
      co_return Error{Errc::invalid_argument,
                      "an event carries at most " + std::to_string(kMaxBatchIds) + " record Ids"};
    }
  }
  std::vector<Result<AddResult>> results(events.size(), Error{Errc::internal, "not sent"});
  if (events.empty()) co_return std::vector<AddResult>{};
  auto executor = co_await asio::this_coro::executor;
  auto queued = asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
      [this, events, &results, &executor](auto handler) {
        auto waiter =
            std::make_shared<Waiter>(Waiter{events, &results, events.size(), std::move(handler)});
        for (size_t i = 0; i < events.size(); ++i) queue_.push_back({waiter, i});
        if (!batch_posted_ && !in_flight_) {
          batch_posted_ = true;
          // After the other handlers that are ready now: their events join this batch.
          asio::post(executor, [this, executor] { start_batches(executor); });
        }
      },
      asio::use_awaitable);
  co_await std::move(queued);
  std::vector<AddResult> answers;
  answers.reserve(results.size());
  for (auto& result : results) {
    if (!result) co_return result.error();
    answers.push_back(std::move(*result));
  }
  co_return answers;
}

void TransactionBuffer::start_batches(const asio::any_io_executor& executor) {
  batch_posted_ = false;
  if (in_flight_ || queue_.empty()) return;  // the batch in flight sends the next when answered
  // Whole events, in order; a delivery larger than a batch goes in several, one after another.
  std::vector<Queued> batch;
  size_t id_count = 0;
  while (!queue_.empty() && batch.size() < kMaxBatchEvents) {
    const auto& next = queue_.front();
    const size_t ids = next.waiter->events[next.index].ids.size();
    if (!batch.empty() && id_count + ids > kMaxBatchIds) break;
    id_count += ids;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  in_flight_ = true;
  asio::co_spawn(executor, send_batch(std::move(batch), id_count), asio::detached);
}

asio::awaitable<void> TransactionBuffer::send_batch(std::vector<Queued> batch, size_t id_count) {
  std::vector<std::string> counts;  // reserved: the views below point into these strings
  counts.reserve(batch.size() + 2);
  counts.push_back(std::to_string(batch.size()));
  size_t checkpoints = 0;
  for (const auto& queued : batch) {
    if (!queued.waiter->events[queued.index].checkpoint.key.empty()) ++checkpoints;
  }
  std::vector<std::string_view> args;
  args.reserve(6 + 2 * checkpoints + 3 * batch.size() + id_count);
  args.push_back(open_key_);
  args.push_back(stream_key_);
  args.push_back(options_.prefix);
  args.push_back(ttl_);
  args.push_back(counts.back());
  counts.push_back(std::to_string(checkpoints));
  args.push_back(counts.back());
  for (const auto& queued : batch) {
    const Checkpoint& checkpoint = queued.waiter->events[queued.index].checkpoint;
    if (checkpoint.key.empty()) continue;
    args.push_back(checkpoint.key);
    args.push_back(checkpoint.value);
  }
  for (const auto& queued : batch) {
    const BufferedEvent& event = queued.waiter->events[queued.index];
    counts.push_back(std::to_string(event.ids.size()));
    args.push_back(event.transaction_key);
    args.push_back(event.connection);
    args.push_back(counts.back());
    for (const auto& id : event.ids) args.push_back(id.str());
  }
  auto executor = co_await asio::this_coro::executor;
  auto reply = co_await kAdd.run(*redis_, args, 2);
  in_flight_ = false;
  if (!queue_.empty() && !batch_posted_) {
    batch_posted_ = true;
    asio::post(executor, [this, executor] { start_batches(executor); });
  }
  if (reply && !reply->is_array()) {
    reply = Error{Errc::internal, "redis: unexpected reply from the buffer script"};
  }
  size_t at = 0;  // in the flat reply: added, n, n latencies, for each event
  for (auto& queued : batch) {
    Result<AddResult>& result = (*queued.waiter->results)[queued.index];
    const auto* values = reply ? &reply->elements : nullptr;
    if (!reply) {
      result = reply.error();
    } else if (at + 2 > values->size() || (*values)[at + 1].integer < 0 ||
               at + 2 + static_cast<size_t>((*values)[at + 1].integer) > values->size()) {
      result = Error{Errc::internal, "redis: unexpected reply from the buffer script"};
    } else {
      AddResult added;
      added.added = static_cast<size_t>((*values)[at].integer);
      auto flushed = static_cast<size_t>((*values)[at + 1].integer);
      for (size_t f = 0; f < flushed; ++f) {
        added.flushed.latencies_ms.push_back((*values)[at + 2 + f].integer);
      }
      at += 2 + flushed;
      result = std::move(added);
    }
    if (--queued.waiter->unanswered == 0) {
      // Posted, not called: the waiting request runs on after this loop, not inside it.
      asio::post(executor,
                 [resume = std::move(queued.waiter->resume)]() mutable { std::move(resume)(); });
    }
  }
}

asio::awaitable<Result<FlushResult>> TransactionBuffer::flush_older_than(int64_t idle_ms,
                                                                         size_t limit) {
  auto idle = std::to_string(idle_ms);
  auto max = std::to_string(limit);
  std::string_view args[] = {open_key_, stream_key_, options_.prefix, ttl_, idle, max};
  auto reply = co_await kFlushIdle.run(*redis_, args, 2);
  if (!reply) co_return reply.error();
  co_return latencies(*reply, 0);
}

asio::awaitable<Result<FlushResult>> TransactionBuffer::flush_idle(size_t limit) {
  return flush_older_than(options_.flush_after.count(), limit);
}

asio::awaitable<Result<FlushResult>> TransactionBuffer::flush_all(size_t limit) {
  return flush_older_than(-1'000'000'000, limit);
}

}  // namespace pe::events
