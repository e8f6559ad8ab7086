// Checks the test support itself: processes, ports, a real redis-server (plain and TLS).
#include "support/process.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>

#include <signal.h>

namespace pe::test {
namespace {

TEST(Support, ProcessCapturesOutputAndExitCode) {
  auto p = Process::start({"sh", "-c", "echo hello; exit 3"});
  EXPECT_EQ(p.wait(std::chrono::seconds(5)), 3);
  EXPECT_EQ(p.output(), "hello\n");
}

TEST(Support, ProcessCanBeSignalled) {
  auto p = Process::start({"sleep", "30"});
  EXPECT_TRUE(p.running());
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(std::chrono::seconds(5)), 128 + SIGTERM);
}

TEST(Support, RedisServerStartsStopsAndRestartsOnTheSamePort) {
  RedisServer redis({.aof = true});
  int port = redis.port();
  EXPECT_TRUE(wait_for_port(port, std::chrono::seconds(1)));
  redis.stop();
  EXPECT_FALSE(wait_for_port(port, std::chrono::milliseconds(50)));
  redis.start();
  EXPECT_TRUE(wait_for_port(port, std::chrono::seconds(1)));
  EXPECT_EQ(redis.url(), "redis://127.0.0.1:" + std::to_string(port));
}

TEST(Support, RedisServerServesTls) {
  auto tls = make_tls_files();
  RedisServer redis({.tls = tls, .password = "pw"});
  EXPECT_EQ(redis.url(), "rediss://:pw@127.0.0.1:" + std::to_string(redis.port()));
  auto cli =
      Process::start({"redis-cli", "--tls", "--cacert", tls.ca.string(), "-p",
                      std::to_string(redis.port()), "-a", "pw", "--no-auth-warning", "PING"});
  EXPECT_EQ(cli.wait(std::chrono::seconds(5)), 0);
  EXPECT_EQ(cli.output(), "PONG\n");
}

}  // namespace
}  // namespace pe::test
