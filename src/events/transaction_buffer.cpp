#include "events/transaction_buffer.hpp"

#include "jobs/job_queue.hpp"
#include "net/redis_script.hpp"

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

// ARGV: prefix, ttl, transaction key, connection, ids...
// Returns {added, latency of each transaction flushed...}.
const net::RedisScript kAdd(std::string(kFlushFunction) + R"lua(
local prefix, ttl, tx, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local result = {0}
local open = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, other in ipairs(open) do
  if other ~= tx then
    local latency = flush(prefix, other, now, ttl)
    if latency >= 0 then result[#result + 1] = latency end
  end
end
local ids_key = prefix .. 'tx:' .. tx
local done = prefix .. 'tx:done:' .. tx
local check_done = redis.call('EXISTS', done) == 1
local added = 0
for i = 5, #ARGV do
  if not check_done or redis.call('SISMEMBER', done, ARGV[i]) == 0 then
    added = added + redis.call('SADD', ids_key, ARGV[i])
  end
end
if added > 0 or redis.call('EXISTS', ids_key) == 1 then
  redis.call('ZADD', KEYS[1], now, tx)
  redis.call('HSET', prefix .. 'tx:conn', tx, conn)
end
result[1] = added
return result
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
  if (auto ok = check_transaction_key(transaction_key); !ok) co_return ok.error();
  std::vector<std::string_view> args;
  args.reserve(6 + ids.size());
  // One push_back each: GCC 12 misjudges an initializer list inserted inside a coroutine.
  args.push_back(open_key_);
  args.push_back(stream_key_);
  args.push_back(options_.prefix);
  args.push_back(ttl_);
  args.push_back(transaction_key);
  args.push_back(connection);
  for (const auto& id : ids) args.push_back(id.str());
  auto reply = co_await kAdd.run(*redis_, args, 2);
  if (!reply) co_return reply.error();
  if (!reply->is_array() || reply->elements.empty()) {
    co_return Error{Errc::internal, "redis: unexpected reply from the buffer script"};
  }
  AddResult result;
  result.added = static_cast<size_t>(reply->elements[0].integer);
  result.flushed = latencies(*reply, 1);
  co_return result;
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
