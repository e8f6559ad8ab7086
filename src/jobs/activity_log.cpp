#include "jobs/activity_log.hpp"

#include "common/log.hpp"
#include "common/redact.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace pe::jobs {

namespace asio = boost::asio;
using net::RedisCommand;
using net::RedisReply;

namespace {

constexpr int64_t kMinuteMs = 60'000;

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

Error unexpected(std::string_view what) {
  return Error{Errc::internal, "redis: unexpected reply to " + std::string(what)};
}

// The field of a flat [field, value, ...] array, or empty.
std::string_view field(const RedisReply& fields, std::string_view name) {
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].text == name) return fields.elements[i + 1].text;
  }
  return {};
}

std::optional<ActivityEntry> decode_entry(const RedisReply& fields) {
  auto kind = parse_kind(field(fields, "kind"));
  auto status = parse_status(field(fields, "status"));
  std::string_view id = field(fields, "id");
  if (!kind || !status || id.empty()) return std::nullopt;
  ActivityEntry e;
  e.kind = *kind;
  e.status = *status;
  e.id = std::string(id);
  e.org = std::string(field(fields, "org"));
  e.connection = std::string(field(fields, "conn"));
  e.quotes = number(field(fields, "quotes"));
  e.failed = number(field(fields, "failed"));
  e.detail = std::string(field(fields, "detail"));
  e.at_ms = number(field(fields, "at"));
  return e;
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

// What one minute gains from an entry.
struct Tally {
  int64_t quotes = 0;
  int64_t jobs = 0;
  int64_t failed = 0;
};

Tally tally_of(const ActivityEntry& e) {
  Tally t;
  if (e.kind != ActivityKind::batch) t.quotes = e.quotes;
  if (is_final(e.status)) {
    t.jobs = 1;
    if (e.status != ActivityStatus::succeeded) t.failed = 1;
  }
  return t;
}

}  // namespace

std::string_view kind_name(ActivityKind kind) {
  switch (kind) {
    case ActivityKind::eventing:
      return "eventing";
    case ActivityKind::batch:
      return "batch";
    case ActivityKind::org_action:
      return "org_action";
    case ActivityKind::org_action_async:
      return "org_action_async";
  }
  return "eventing";
}

std::string_view status_name(ActivityStatus status) {
  switch (status) {
    case ActivityStatus::queued:
      return "queued";
    case ActivityStatus::running:
      return "running";
    case ActivityStatus::retrying:
      return "retrying";
    case ActivityStatus::succeeded:
      return "succeeded";
    case ActivityStatus::partially_failed:
      return "partially_failed";
    case ActivityStatus::failed:
      return "failed";
  }
  return "queued";
}

std::optional<ActivityKind> parse_kind(std::string_view name) {
  for (auto kind : {ActivityKind::eventing, ActivityKind::batch, ActivityKind::org_action,
                    ActivityKind::org_action_async}) {
    if (kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

std::optional<ActivityStatus> parse_status(std::string_view name) {
  for (auto status :
       {ActivityStatus::queued, ActivityStatus::running, ActivityStatus::retrying,
        ActivityStatus::succeeded, ActivityStatus::partially_failed, ActivityStatus::failed}) {
    if (status_name(status) == name) return status;
  }
  return std::nullopt;
}

bool is_final(ActivityStatus status) {
  return status == ActivityStatus::succeeded || status == ActivityStatus::partially_failed ||
         status == ActivityStatus::failed;
}

std::string activity_detail(std::string_view text) {
  std::string out = redact(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (out.size() > kMaxActivityDetailBytes) {
    size_t cut = kMaxActivityDetailBytes;
    // Back off continuation bytes (10xxxxxx) so that no character is cut in two.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

ActivityEntry job_activity(const Job& job, ActivityStatus status, int64_t quotes, int64_t failed,
                           std::string_view detail) {
  ActivityEntry e;
  e.status = status;
  e.quotes = quotes;
  e.failed = failed;
  e.detail = activity_detail(detail);
  if (job.action) {
    e.kind = ActivityKind::org_action_async;
    e.id = job.action->job_id;
    e.org = std::string(job.action->org_id.str());
  } else if (job.batch) {
    e.kind = ActivityKind::batch;
    e.id = job.batch->job_id;
    e.org = std::string(job.batch->org_id.str());
    if (e.detail.empty()) e.detail = job.batch->kind;
  } else {
    e.kind = ActivityKind::eventing;
    e.id = job.transaction_key;
    e.connection = job.connection;
  }
  return e;
}

ActivityEntry batch_activity(const BatchStatus& s) {
  ActivityEntry e;
  e.kind = ActivityKind::batch;
  e.id = s.id;
  e.org = std::string(s.org.str());
  e.status = parse_status(s.state).value_or(ActivityStatus::running);
  e.quotes = s.kind == "quote" ? s.counts.quotes : s.counts.records;
  e.failed = s.counts.failed;
  std::string detail = s.kind;
  if (s.planned) {
    detail += ", chunks " + std::to_string(s.chunks_done) + "/" + std::to_string(s.chunks);
  }
  if (s.kind != "quote") detail += ", records " + std::to_string(s.counts.records);
  e.detail = activity_detail(detail);
  return e;
}

ActivityEntry org_action_activity(std::string_view request_id, const SalesforceId& org,
                                  int64_t quotes, int64_t failed, std::string_view detail) {
  ActivityEntry e;
  e.kind = ActivityKind::org_action;
  e.id = std::string(request_id);
  e.org = std::string(org.str());
  e.status = failed == 0  ? ActivityStatus::succeeded
             : quotes > 0 ? ActivityStatus::partially_failed
                          : ActivityStatus::failed;
  e.quotes = quotes;
  e.failed = failed;
  e.detail = activity_detail(detail);
  return e;
}

ActivityLog::ActivityLog(std::shared_ptr<net::RedisConnection> redis, ActivityOptions options)
    : redis_(std::move(redis)), options_(std::move(options)), keys_(options_.prefix) {}

asio::awaitable<void> ActivityLog::record(ActivityEntry entry) {
  std::vector<ActivityEntry> entries;
  entries.push_back(std::move(entry));
  co_await record(std::move(entries));
}

asio::awaitable<void> ActivityLog::record(std::vector<ActivityEntry> entries) {
  size_t n = entries.size();
  auto done = co_await try_record(std::move(entries));
  if (!done) {
    log::Logger().warn("activity_not_recorded", {{"entries", n}, {"error", done.error().message}});
  }
}

asio::awaitable<void> ActivityLog::record_later(ActivityEntry entry) {
  auto executor = co_await asio::this_coro::executor;
  asio::co_spawn(executor, record(std::move(entry)), asio::detached);
}

asio::awaitable<Result<void>> ActivityLog::try_record(std::vector<ActivityEntry> entries) {
  if (entries.empty()) co_return Result<void>{};
  int64_t now = now_ms();
  std::map<int64_t, Tally> minutes;
  int64_t quotes = 0;
  std::vector<RedisCommand> tx;
  tx.emplace_back("MULTI");
  for (auto& e : entries) {
    if (e.at_ms == 0) e.at_ms = now;
    RedisCommand xadd("XADD", keys_.stream, "MAXLEN", "~", options_.max_entries, "*");
    xadd.arg("kind").arg(kind_name(e.kind)).arg("id").arg(e.id);
    if (!e.org.empty()) xadd.arg("org").arg(e.org);
    if (!e.connection.empty()) xadd.arg("conn").arg(e.connection);
    xadd.arg("status").arg(status_name(e.status));
    xadd.arg("quotes").arg(e.quotes).arg("failed").arg(e.failed);
    if (!e.detail.empty()) xadd.arg("detail").arg(activity_detail(e.detail));
    xadd.arg("at").arg(e.at_ms);
    tx.push_back(std::move(xadd));
    Tally t = tally_of(e);
    auto& m = minutes[e.at_ms / kMinuteMs];
    m.quotes += t.quotes;
    m.jobs += t.jobs;
    m.failed += t.failed;
    quotes += t.quotes;
  }
  for (const auto& [minute, t] : minutes) {
    if (t.quotes == 0 && t.jobs == 0) continue;
    auto key = keys_.minute(minute);
    if (t.quotes) tx.emplace_back("HINCRBY", key, "quotes", t.quotes);
    if (t.jobs) tx.emplace_back("HINCRBY", key, "jobs", t.jobs);
    if (t.failed) tx.emplace_back("HINCRBY", key, "failed", t.failed);
    int64_t expires = (minute + 1) * 60 + options_.throughput_ttl.count();
    tx.emplace_back("EXPIREAT", key, expires);
  }
  if (quotes) tx.emplace_back("INCRBY", keys_.total, quotes);
  tx.emplace_back("EXEC");
  co_return check_transaction(co_await redis_->exec_batch(std::move(tx)));
}

asio::awaitable<void> ActivityLog::count_quotes(int64_t quotes) {
  if (quotes <= 0) co_return;
  int64_t minute = now_ms() / kMinuteMs;
  auto key = keys_.minute(minute);
  std::vector<RedisCommand> tx;
  tx.emplace_back("MULTI");
  tx.emplace_back("HINCRBY", key, "quotes", quotes);
  tx.emplace_back("EXPIREAT", key, (minute + 1) * 60 + options_.throughput_ttl.count());
  tx.emplace_back("INCRBY", keys_.total, quotes);
  tx.emplace_back("EXEC");
  auto done = check_transaction(co_await redis_->exec_batch(std::move(tx)));
  if (!done) {
    log::Logger().warn("activity_not_counted",
                       {{"quotes", quotes}, {"error", done.error().message}});
  }
}

asio::awaitable<Result<std::vector<ActivityEntry>>> ActivityLog::recent(size_t limit) {
  RedisCommand range("XREVRANGE", keys_.stream, "+", "-", "COUNT",
                     std::max<int64_t>(options_.max_entries, 1) * 2);
  auto reply = co_await redis_->exec(std::move(range));
  if (!reply) co_return reply.error();
  if (!reply->is_array()) co_return unexpected("XREVRANGE");
  std::vector<ActivityEntry> rows;
  std::map<std::pair<ActivityKind, std::string>, size_t> seen;  // job → its row
  for (const auto& item : reply->elements) {
    if (!item.is_array() || item.elements.size() != 2) co_return unexpected("XREVRANGE");
    auto e = decode_entry(item.elements[1]);
    if (!e) continue;  // not ours to show (a newer or older format)
    auto key = std::make_pair(e->kind, e->id);
    if (auto it = seen.find(key); it != seen.end()) {
      // Older than the row's entry (the stream is read newest first).
      rows[it->second].since_ms = e->at_ms;
      continue;
    }
    if (rows.size() == limit) continue;  // still read on: the rows' since_ms
    e->since_ms = e->at_ms;
    seen.emplace(std::move(key), rows.size());
    rows.push_back(std::move(*e));
  }

  // Batch jobs: their live status, all in one round trip.
  std::vector<size_t> batch_rows;
  std::vector<RedisCommand> reads;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].kind != ActivityKind::batch) continue;
    batch_rows.push_back(i);
    reads.emplace_back("HMGET", batch_status_key(keys_.prefix, rows[i].id), "state", "kind",
                       "quotes", "records", "failed", "planned", "chunks", "chunks_done");
  }
  if (reads.empty()) co_return rows;
  auto statuses = co_await redis_->exec_batch(std::move(reads));
  if (!statuses) co_return statuses.error();
  for (size_t k = 0; k < batch_rows.size(); ++k) {
    const auto& h = (*statuses)[k];
    if (!h.is_array() || h.elements.size() != 8 || h.elements[0].is_nil()) continue;  // expired
    BatchStatus s;
    s.id = rows[batch_rows[k]].id;
    s.state = h.elements[0].text;
    s.kind = h.elements[1].text;
    s.counts.quotes = number(h.elements[2].text);
    s.counts.records = number(h.elements[3].text);
    s.counts.failed = number(h.elements[4].text);
    s.planned = h.elements[5].text == "1";
    s.chunks = number(h.elements[6].text);
    s.chunks_done = number(h.elements[7].text);
    auto& row = rows[batch_rows[k]];
    auto live = batch_activity(s);
    row.status = live.status;
    row.quotes = live.quotes;
    row.failed = live.failed;
    row.detail = std::move(live.detail);
  }
  co_return rows;
}

asio::awaitable<Result<std::vector<ThroughputPoint>>> ActivityLog::throughput(
    std::chrono::system_clock::time_point now, int minutes) {
  minutes = std::clamp(minutes, 1, 180);
  int64_t last =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() /
      kMinuteMs;
  std::vector<ThroughputPoint> points;
  std::vector<RedisCommand> reads;
  for (int64_t m = last - minutes + 1; m <= last; ++m) {
    points.push_back({.minute = m});
    reads.emplace_back("HMGET", keys_.minute(m), "quotes", "jobs", "failed");
  }
  auto replies = co_await redis_->exec_batch(std::move(reads));
  if (!replies) co_return replies.error();
  for (size_t i = 0; i < points.size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.is_error()) co_return net::error_from_reply(r);
    if (!r.is_array() || r.elements.size() != 3) co_return unexpected("HMGET");
    points[i].quotes = number(r.elements[0].text);
    points[i].jobs = number(r.elements[1].text);
    points[i].failed = number(r.elements[2].text);
  }
  co_return points;
}

asio::awaitable<Result<int64_t>> ActivityLog::quotes_total() {
  RedisCommand get("GET", keys_.total);
  auto reply = co_await redis_->exec(std::move(get));
  if (!reply) co_return reply.error();
  if (reply->is_nil()) co_return Result<int64_t>(boost::system::in_place_value, 0);
  co_return Result<int64_t>(boost::system::in_place_value, number(reply->text));
}

}  // namespace pe::jobs
