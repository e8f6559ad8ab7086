#include "pages/bulk_demo_store.hpp"

#include "net/redis_script.hpp"

#include <array>
#include <charconv>

namespace pe::pages {
namespace {

namespace asio = boost::asio;

// A slot older than this is taken back: its `web` died before the load ended and nobody looked
// at the load since (looking at it ends it, bulk_demo_job.hpp).
constexpr int64_t kSlotStaleMs = 24 * 3600 * 1000LL;

// KEYS: running, load hash, recent. ARGV: stale-before, max running, now, id, ttl, kept, fields.
const net::RedisScript kCreate(R"lua(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
local f = {}
for i = 7, #ARGV do f[#f + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(f))
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[6]) + 1))
redis.call('EXPIRE', KEYS[3], ARGV[5])
return 1
)lua");

// KEYS: load hash. ARGV: ttl, ",state,state," (or "" for any), fields.
const net::RedisScript kUpdate(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] ~= '' then
  local s = redis.call('HGET', KEYS[1], 'state') or ''
  if not string.find(ARGV[2], ',' .. s .. ',', 1, true) then return 0 end
end
local f = {}
for i = 3, #ARGV do f[#f + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(f))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
)lua");

// KEYS: running. ARGV: stale-before, max running, now, id, ttl.
const net::RedisScript kTakeSlot(R"lua(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
)lua");

int64_t to_int(std::string_view text) {
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

bool bulk_state_moving(std::string_view state) {
  return state == bulk_state::uploading || state == bulk_state::running ||
         state == bulk_state::cleaning;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

BulkFields to_fields(const BulkLoad& l) {
  auto n = [](int64_t v) { return std::to_string(v); };
  return {{"org", l.org},
          {"rows", n(l.rows)},
          {"refused", n(l.refused)},
          {"state", l.state},
          {"sf_state", l.sf_state},
          {"job_id", l.job_id},
          {"processed", n(l.processed)},
          {"failed", n(l.failed)},
          {"error", l.error},
          {"by", l.by},
          {"created_ms", n(l.created_ms)},
          {"updated_ms", n(l.updated_ms)},
          {"refreshed_ms", n(l.refreshed_ms)},
          {"abort_requested", l.abort_requested ? "1" : "0"},
          {"failed_rows", l.failed_rows},
          {"cleanup_job_id", l.cleanup_job_id},
          {"cleanup_sf_state", l.cleanup_sf_state},
          {"cleanup_total", n(l.cleanup_total)},
          {"cleanup_processed", n(l.cleanup_processed)},
          {"cleanup_failed", n(l.cleanup_failed)},
          {"deleted", n(l.deleted)}};
}

BulkLoad from_fields(std::string id, const std::vector<std::string>& flat) {
  BulkLoad l;
  l.id = std::move(id);
  for (size_t i = 0; i + 1 < flat.size(); i += 2) {
    const std::string& k = flat[i];
    const std::string& v = flat[i + 1];
    if (k == "org")
      l.org = v;
    else if (k == "rows")
      l.rows = to_int(v);
    else if (k == "refused")
      l.refused = to_int(v);
    else if (k == "state")
      l.state = v;
    else if (k == "sf_state")
      l.sf_state = v;
    else if (k == "job_id")
      l.job_id = v;
    else if (k == "processed")
      l.processed = to_int(v);
    else if (k == "failed")
      l.failed = to_int(v);
    else if (k == "error")
      l.error = v;
    else if (k == "by")
      l.by = v;
    else if (k == "created_ms")
      l.created_ms = to_int(v);
    else if (k == "updated_ms")
      l.updated_ms = to_int(v);
    else if (k == "refreshed_ms")
      l.refreshed_ms = to_int(v);
    else if (k == "abort_requested")
      l.abort_requested = v == "1";
    else if (k == "failed_rows")
      l.failed_rows = v;
    else if (k == "cleanup_job_id")
      l.cleanup_job_id = v;
    else if (k == "cleanup_sf_state")
      l.cleanup_sf_state = v;
    else if (k == "cleanup_total")
      l.cleanup_total = to_int(v);
    else if (k == "cleanup_processed")
      l.cleanup_processed = to_int(v);
    else if (k == "cleanup_failed")
      l.cleanup_failed = to_int(v);
    else if (k == "deleted")
      l.deleted = to_int(v);
  }
  return l;
}

BulkLoadStore::BulkLoadStore(std::shared_ptr<net::RedisConnection> redis, std::string prefix)
    : redis_(std::move(redis)), prefix_(std::move(prefix)) {}

asio::awaitable<Result<bool>> BulkLoadStore::create(const BulkLoad& load, int max_running) {
  const int64_t now = now_ms();
  std::vector<std::string> args{prefix_ + "ui:bulk:running",
                                key(load.id),
                                prefix_ + "ui:bulk:recent",
                                std::to_string(now - kSlotStaleMs),
                                std::to_string(max_running),
                                std::to_string(load.created_ms),
                                load.id,
                                std::to_string(kTtl.count()),
                                std::to_string(kRecentKept)};
  for (auto& [field, value] : to_fields(load)) {
    args.push_back(field);
    args.push_back(value);
  }
  std::vector<std::string_view> views(args.begin(), args.end());
  std::span<const std::string_view> keys_and_args(views);
  auto reply = co_await kCreate.run(*redis_, keys_and_args, 3);
  if (!reply) co_return reply.error();
  co_return reply->integer == 1;
}

asio::awaitable<Result<std::optional<BulkLoad>>> BulkLoadStore::get(std::string id) {
  net::RedisCommand hgetall("HGETALL", key(id));
  auto reply = co_await redis_->exec(std::move(hgetall));
  if (!reply) co_return reply.error();
  if (reply->is_error()) co_return error_from_reply(*reply);
  if (reply->elements.empty()) co_return std::optional<BulkLoad>();
  std::vector<std::string> flat;
  for (auto& e : reply->elements) flat.push_back(std::move(e.text));
  co_return std::optional<BulkLoad>(from_fields(std::move(id), flat));
}

asio::awaitable<Result<bool>> BulkLoadStore::update(std::string id, BulkFields fields,
                                                    std::vector<std::string> from) {
  std::string allowed;
  if (!from.empty()) {
    allowed = ",";
    for (const auto& s : from) allowed += s + ",";
  }
  std::vector<std::string> args{key(id), std::to_string(kTtl.count()), allowed};
  fields.emplace_back("updated_ms", std::to_string(now_ms()));
  for (auto& [field, value] : fields) {
    args.push_back(std::move(field));
    args.push_back(std::move(value));
  }
  std::vector<std::string_view> views(args.begin(), args.end());
  std::span<const std::string_view> keys_and_args(views);
  auto reply = co_await kUpdate.run(*redis_, keys_and_args, 1);
  if (!reply) co_return reply.error();
  co_return reply->integer == 1;
}

asio::awaitable<Result<std::vector<BulkLoad>>> BulkLoadStore::recent(int count) {
  net::RedisCommand range("ZREVRANGE", prefix_ + "ui:bulk:recent", 0, count - 1);
  auto ids = co_await redis_->exec(std::move(range));
  if (!ids) co_return ids.error();
  if (ids->is_error()) co_return error_from_reply(*ids);
  std::vector<BulkLoad> loads;
  if (ids->elements.empty()) co_return loads;
  std::vector<net::RedisCommand> reads;
  for (const auto& id : ids->elements) reads.emplace_back("HGETALL", key(id.text));
  auto replies = co_await redis_->exec_batch(std::move(reads));
  if (!replies) co_return replies.error();
  for (size_t i = 0; i < replies->size() && i < ids->elements.size(); ++i) {
    auto& r = (*replies)[i];
    if (r.is_error() || r.elements.empty()) continue;
    std::vector<std::string> flat;
    for (auto& e : r.elements) flat.push_back(std::move(e.text));
    loads.push_back(from_fields(ids->elements[i].text, flat));
  }
  co_return loads;
}

asio::awaitable<Result<std::vector<std::string>>> BulkLoadStore::running() {
  net::RedisCommand range("ZRANGE", prefix_ + "ui:bulk:running", 0, -1);
  auto reply = co_await redis_->exec(std::move(range));
  if (!reply) co_return reply.error();
  if (reply->is_error()) co_return error_from_reply(*reply);
  std::vector<std::string> ids;
  for (auto& e : reply->elements) ids.push_back(std::move(e.text));
  co_return ids;
}

asio::awaitable<Result<bool>> BulkLoadStore::take_slot(std::string id, int max_running) {
  const int64_t now = now_ms();
  std::array<std::string, 6> args{prefix_ + "ui:bulk:running",
                                  std::to_string(now - kSlotStaleMs),
                                  std::to_string(max_running),
                                  std::to_string(now),
                                  id,
                                  std::to_string(kTtl.count())};
  std::array<std::string_view, 6> views{args[0], args[1], args[2], args[3], args[4], args[5]};
  std::span<const std::string_view> keys_and_args(views);
  auto reply = co_await kTakeSlot.run(*redis_, keys_and_args, 1);
  if (!reply) co_return reply.error();
  co_return reply->integer == 1;
}

asio::awaitable<void> BulkLoadStore::release_slot(std::string id) {
  net::RedisCommand zrem("ZREM", prefix_ + "ui:bulk:running", id);
  co_await redis_->exec(std::move(zrem));
}

}  // namespace pe::pages
