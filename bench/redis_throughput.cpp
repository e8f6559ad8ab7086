// redis_throughput: commands per second through ONE pe::net::RedisConnection, issued by N
// coroutines on one thread, each waiting for its reply before sending the next command, the way
// request handlers will. Whatever the coroutines issue while a write is in flight shares the next
// write, so N concurrent callers need far fewer than N round trips. bench/redis_bench.sh runs it
// next to redis-benchmark against the same server and prints the ratio.
//
//   redis_throughput --url redis://127.0.0.1:6379 --op set --coroutines 50 --seconds 2
//   # redis_throughput op=set coroutines=50 seconds=2.00 ops=... ops_per_sec=... failed=0
//   #   commands_per_write=...
#include "common/log.hpp"
#include "net/redis_connection.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using pe::net::RedisCommand;
using pe::net::RedisConnection;

struct Tally {
  uint64_t ok = 0;
  uint64_t failed = 0;
  int running = 0;
};

// One caller: the same command again and again until the end of the run.
asio::awaitable<void> hammer(std::shared_ptr<RedisConnection> redis, RedisCommand command,
                             Clock::time_point until, Tally* tally) {
  while (Clock::now() < until) {
    RedisCommand copy = command;
    auto reply = co_await redis->exec(std::move(copy));
    if (reply) {
      ++tally->ok;
    } else {
      ++tally->failed;
    }
  }
  --tally->running;
}

// The commands redis-benchmark's -t set,get,incr send (its default key and 3-byte value).
RedisCommand command_for(const std::string& op) {
  if (op == "set") return RedisCommand("SET", "key:__rand_int__", "xxx");
  if (op == "get") return RedisCommand("GET", "key:__rand_int__");
  if (op == "incr") return RedisCommand("INCR", "counter:__rand_int__");
  throw std::invalid_argument("--op must be set, get or incr");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Commands per second through one pipelined Redis connection");
  std::string url = "redis://127.0.0.1:6379";
  std::string op = "set";
  int coroutines = 50;
  double seconds = 2;
  app.add_option("--url", url, "Redis URL");
  app.add_option("--op", op, "set, get or incr")->check(CLI::IsMember({"set", "get", "incr"}));
  app.add_option("--coroutines", coroutines, "concurrent callers")->check(CLI::Range(1, 100000));
  app.add_option("--seconds", seconds, "length of the run")->check(CLI::Range(0.1, 600.0));
  CLI11_PARSE(app, argc, argv);
  pe::log::init(pe::log::Level::warn);

  asio::io_context io;
  auto created = RedisConnection::create(io, {.url = url});
  if (!created) {
    std::cerr << created.error().message << "\n";
    return 2;
  }
  auto redis = *created;
  redis->start();
  // Connected and warmed up before the clock starts.
  auto ping = asio::co_spawn(io, redis->exec(RedisCommand("PING")), asio::use_future);
  while (ping.wait_for(std::chrono::seconds(0)) != std::future_status::ready) io.run_one();
  if (auto r = ping.get(); !r) {
    std::cerr << r.error().message << "\n";
    return 1;
  }

  Tally tally;
  auto base = redis->stats();
  auto start = Clock::now();
  auto until =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  auto command = command_for(op);
  for (int i = 0; i < coroutines; ++i) {
    ++tally.running;
    asio::co_spawn(io, hammer(redis, command, until, &tally), asio::detached);
  }
  while (tally.running > 0) io.run_one();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const auto& stats = redis->stats();
  double writes = static_cast<double>(stats.writes - base.writes);
  double written = static_cast<double>(stats.commands_written - base.commands_written);
  redis->stop();
  io.poll();

  std::printf(
      "redis_throughput op=%s coroutines=%d seconds=%.2f ops=%llu ops_per_sec=%.0f failed=%llu "
      "commands_per_write=%.1f\n",
      op.c_str(), coroutines, elapsed, static_cast<unsigned long long>(tally.ok),
      static_cast<double>(tally.ok) / elapsed, static_cast<unsigned long long>(tally.failed),
      writes > 0 ? written / writes : 0.0);
  return tally.failed == 0 ? 0 : 1;
}
