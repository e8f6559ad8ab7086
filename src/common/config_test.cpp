#include "common/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace pe {
namespace {

TEST(Dotenv, ParsesTheFormsHerokuConfigShellWrites) {
  auto parsed = Env::parse_dotenv(
      "# comment\n"
      "PORT=8080\n"
      "export REDIS_URL='redis://h:6379'\n"
      "QUOTED=\"a b\\nc\"\n"
      "TRAILING=value # comment\n"
      "\n"
      "EMPTY=\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->at("PORT"), "8080");
  EXPECT_EQ(parsed->at("REDIS_URL"), "redis://h:6379");
  EXPECT_EQ(parsed->at("QUOTED"), "a b\nc");
  EXPECT_EQ(parsed->at("TRAILING"), "value");
  EXPECT_EQ(parsed->at("EMPTY"), "");
}

TEST(Dotenv, RejectsMalformedLinesNamingTheLine) {
  auto no_equals = Env::parse_dotenv("A=1\nJUSTTEXT\n");
  ASSERT_FALSE(no_equals);
  EXPECT_EQ(no_equals.error().message, ".env line 2: expected KEY=VALUE");
  auto bad_name = Env::parse_dotenv("1X=2\n");
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().message, ".env line 1: invalid variable name");
  auto open_quote = Env::parse_dotenv("A=\"abc\n");
  ASSERT_FALSE(open_quote);
  EXPECT_EQ(open_quote.error().message, ".env line 1: unterminated quote");
}

TEST(Env, RealEnvironmentWinsOverDotenv) {
  auto path = std::filesystem::temp_directory_path() / "pe_config_test.env";
  { std::ofstream(path) << "PE_TEST_A=file\nPE_TEST_B=file\n"; }
  ::setenv("PE_TEST_A", "process", 1);
  auto env = Env::from_process(path);
  ::unsetenv("PE_TEST_A");
  std::filesystem::remove(path);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->get("PE_TEST_A"), "process");
  EXPECT_EQ(env->get("PE_TEST_B"), "file");
  EXPECT_FALSE(env->get("PE_TEST_C"));
}

TEST(EnvReader, TypedGettersWithDefaults) {
  Env env({{"PORT", "9000"}, {"FLAG", "Yes"}, {"FLUSH", "2.5"}, {"URL", "rediss://h:1"}});
  EnvReader read(env);
  EXPECT_EQ(read.integer("PORT", 8080, 1, 65535), 9000);
  EXPECT_EQ(read.integer("MISSING", 7, 1, 10), 7);
  EXPECT_TRUE(read.boolean("FLAG", false));
  EXPECT_EQ(read.seconds("FLUSH", std::chrono::seconds(15), std::chrono::milliseconds(0),
                         std::chrono::hours(1)),
            std::chrono::milliseconds(2500));
  EXPECT_EQ(read.url("URL", "", {"redis", "rediss"}), "rediss://h:1");
  EXPECT_EQ(read.string("NAME", "dflt"), "dflt");
  EXPECT_TRUE(read.finish());
}

TEST(EnvReader, ListsAndNamesByPrefix) {
  Env env;
  env.set("LIST", " a, b ,,\tc ,");
  env.set("PRICING_DEVORG_URL_B", "http://b");
  env.set("PRICING_DEVORG_URL_A", "http://a");
  env.set("PRICING_DEVORG_URL_EMPTY", " ");
  EnvReader read(env);
  EXPECT_EQ(read.list("LIST"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(read.list("UNSET", "x,y"), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(read.list("UNSET").empty());
  EXPECT_EQ(read.names_starting_with("PRICING_DEVORG_URL_"),
            (std::vector<std::string>{"PRICING_DEVORG_URL_A", "PRICING_DEVORG_URL_B"}));
}

TEST(EnvReader, ReportsEveryBadVariableAtOnceWithoutSecrets) {
  Env env({{"PORT", "80x"},
           {"WORKERS", "0"},
           {"FLAG", "maybe"},
           {"FLUSH", "-1"},
           {"REDIS_URL", "http://user:hunter2@h"}});
  EnvReader read(env);
  read.integer("PORT", 8080, 1, 65535);
  read.integer("WORKERS", 1, 1, 64);
  read.boolean("FLAG", false);
  read.seconds("FLUSH", std::chrono::seconds(15), std::chrono::milliseconds(0),
               std::chrono::hours(1));
  read.url("REDIS_URL", "", {"redis", "rediss"});
  read.required_string("HEROKU_APP_ID");
  auto result = read.finish();
  ASSERT_FALSE(result);
  const auto& m = result.error().message;
  EXPECT_EQ(read.errors().size(), 6u) << m;
  EXPECT_NE(m.find("PORT: expected a whole number, got '80x'"), std::string::npos) << m;
  EXPECT_NE(m.find("WORKERS: must be between 1 and 64, got 0"), std::string::npos) << m;
  EXPECT_NE(m.find("FLAG: expected true or false"), std::string::npos) << m;
  EXPECT_NE(m.find("FLUSH: expected a number of seconds"), std::string::npos) << m;
  EXPECT_NE(m.find("REDIS_URL: must start with redis:// or rediss://"), std::string::npos) << m;
  EXPECT_NE(m.find("HEROKU_APP_ID: is required but not set"), std::string::npos) << m;
  EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
}

}  // namespace
}  // namespace pe
