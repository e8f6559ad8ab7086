// activity_reader.hpp: what the operations dashboard would read (jobs/activity_log.hpp), for the
// end-to-end tests to check their job's row and counts. Header-only: a test that includes it links
// pe_jobs (tests/CMakeLists.txt); the support library itself does not depend on jobs/.
//
//   auto seen = test::read_activity(redis.url());
//   auto row = seen.find(jobs::ActivityKind::batch, id);    // its row, or nullptr
//   seen.quotes_last_hour();                                 // the 60 points' quotes
#pragma once

#include "jobs/activity_log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace pe::test {

struct ActivitySeen {
  std::vector<jobs::ActivityEntry> recent;
  std::vector<jobs::ThroughputPoint> minutes;
  int64_t quotes_total = -1;
  std::string error;  // set when a read failed

  const jobs::ActivityEntry* find(jobs::ActivityKind kind, const std::string& id) const {
    for (const auto& e : recent) {
      if (e.kind == kind && e.id == id) return &e;
    }
    return nullptr;
  }
  int64_t quotes_last_hour() const {
    int64_t n = 0;
    for (const auto& p : minutes) n += p.quotes;
    return n;
  }
  int64_t jobs_last_hour() const {
    int64_t n = 0;
    for (const auto& p : minutes) n += p.jobs;
    return n;
  }
};

inline ActivitySeen read_activity(const std::string& redis_url, const std::string& prefix = "pe:") {
  namespace asio = boost::asio;
  ActivitySeen seen;
  asio::io_context io;
  auto redis = net::RedisConnection::create(io, {.url = redis_url}).value();
  redis->start();
  jobs::ActivityLog log(redis, {.prefix = prefix});
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto recent = co_await log.recent(100);
        if (recent) seen.recent = std::move(*recent);
        auto minutes = co_await log.throughput(std::chrono::system_clock::now());
        if (minutes) seen.minutes = std::move(*minutes);
        auto total = co_await log.quotes_total();
        if (total) seen.quotes_total = *total;
        if (!recent || !minutes || !total) seen.error = "reading the activity log failed";
        redis->stop();
      },
      asio::detached);
  io.run();
  return seen;
}

}  // namespace pe::test
