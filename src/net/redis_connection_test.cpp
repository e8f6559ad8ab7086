// Unit tests of the connection's configuration; the connection itself is tested against a real
// redis-server in tests/redis_test.cpp.
#include "net/redis_connection.hpp"

#include <gtest/gtest.h>

namespace pe::net {
namespace {

using namespace std::chrono_literals;

TEST(RedisConfig, ReadsTheEnvironment) {
  Env env({{"REDIS_URL", "rediss://:pw@h:25070"},
           {"REDIS_TLS_SKIP_VERIFY", "true"},
           {"REDIS_TLS_CA_FILE", "/etc/ca.pem"},
           {"REDIS_TIMEOUT", "0.5"},
           {"REDIS_CONNECT_TIMEOUT", "2"}});
  EnvReader read(env);
  auto config = redis_config_from(read);
  ASSERT_TRUE(read.finish());
  EXPECT_EQ(config.url, "rediss://:pw@h:25070");
  EXPECT_FALSE(config.tls_verify);
  EXPECT_EQ(config.tls_ca_file, "/etc/ca.pem");
  EXPECT_EQ(config.command_timeout, 500ms);
  EXPECT_EQ(config.connect_timeout, 2s);
}

TEST(RedisConfig, DefaultsVerifyCertificates) {
  Env env;
  EnvReader read(env);
  auto config = redis_config_from(read);
  ASSERT_TRUE(read.finish());
  EXPECT_EQ(config.url, "redis://127.0.0.1:6379");
  EXPECT_TRUE(config.tls_verify);
  EXPECT_EQ(config.command_timeout, 5s);
}

TEST(RedisConfig, ReportsEveryBadVariable) {
  Env env({{"REDIS_URL", "http://h"}, {"REDIS_TLS_SKIP_VERIFY", "maybe"}, {"REDIS_TIMEOUT", "x"}});
  EnvReader read(env);
  redis_config_from(read);
  EXPECT_EQ(read.errors().size(), 3u);
}

TEST(RedisConnection, CreateRejectsABadUrlOrCaFileWithoutTheSecret) {
  boost::asio::io_context io;
  auto bad = RedisConnection::create(io, {.url = "redis://:hunter2@h:0"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_EQ(bad.error().message.find("hunter2"), std::string::npos);
  auto no_ca = RedisConnection::create(
      io, {.url = "rediss://:hunter2@h", .tls_ca_file = "/nonexistent/ca.pem"});
  ASSERT_FALSE(no_ca);
  EXPECT_EQ(no_ca.error().code, Errc::invalid_argument);
  EXPECT_NE(no_ca.error().message.find("cannot load the TLS trust store /nonexistent/ca.pem"),
            std::string::npos)
      << no_ca.error().message;
  EXPECT_EQ(no_ca.error().message.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace pe::net
