#include "common/log.hpp"

#include "common/config.hpp"

#include <gtest/gtest.h>

namespace pe::log {
namespace {

TEST(Log, FormatsLogfmtWithContextAndFields) {
  EXPECT_EQ(format_line(Level::info, "job_enqueued", " request_id=r1",
                        {{"job_id", "j1"}, {"records", 50}, {"ok", true}}),
            "level=info msg=job_enqueued request_id=r1 job_id=j1 records=50 ok=true");
}

TEST(Log, QuotesAndEscapesValues) {
  EXPECT_EQ(format_line(Level::warn, "x", "", {{"text", "a b\"c\nd"}, {"empty", ""}}),
            R"(level=warn msg=x text="a b\"c\nd" empty="")");
  EXPECT_EQ(format_line(Level::error, "x", "", {{"ctl", std::string_view("\x01", 1)}}),
            R"(level=error msg=x ctl="\x01")");
}

TEST(Log, RedactsSensitiveKeysAndValues) {
  auto line = format_line(Level::info, "call", "",
                          {{"authorization", "Bearer abc"},
                           {"access_token", "00D000000000001!abcdefghij"},
                           {"url", "redis://u:secret@h:1"},
                           {"header", "Bearer xyz"}});
  EXPECT_EQ(line.find("abc"), std::string::npos) << line;
  EXPECT_EQ(line.find("secret"), std::string::npos) << line;
  EXPECT_EQ(line.find("xyz"), std::string::npos) << line;
  EXPECT_NE(line.find("url=redis://u:[REDACTED]@h:1"), std::string::npos) << line;
}

TEST(Log, NumbersSkipRedactionButSensitiveKeysStillHideThem) {
  EXPECT_EQ(format_line(Level::info, "x", "", {{"status", 200}, {"ms", 1.5}, {"token_ttl", 3600}}),
            "level=info msg=x status=200 ms=1.5 token_ttl=[REDACTED]");
}

TEST(Log, ValuesOutsideTheRulesAreCopiedUnchanged) {
  // Mixed case and characters that start no redaction rule, next to ones that do.
  EXPECT_EQ(format_line(Level::info, "x", "", {{"path", "/API/Things/42?Q=x"}}),
            R"(level=info msg=x path="/API/Things/42?Q=x")");
  EXPECT_EQ(format_line(Level::info, "x", "", {{"path", "/a?Token=abc&b=1"}}),
            R"(level=info msg=x path="/a?Token=[REDACTED]&b=1")");
}

TEST(Log, LoggerWithAddsContextToEveryLine) {
  Logger log = Logger().with("request_id", "r 1").with("job_id", "j");
  std::string context;
  append_field(context, "request_id", "r 1");
  append_field(context, "job_id", "j");
  EXPECT_EQ(context, R"( request_id="r 1" job_id=j)");
}

TEST(Log, ParsesLevels) {
  EXPECT_EQ(*parse_level("DEBUG"), Level::debug);
  EXPECT_EQ(*parse_level("warning"), Level::warn);
  auto bad = parse_level("loud");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_NE(bad.error().message.find("loud"), std::string::npos);
}

TEST(Log, ReadsTheLevelFromTheEnvironmentAndReportsABadOneWithTheOtherProblems) {
  std::map<std::string, std::string, std::less<>> warn{{"LOG_LEVEL", "warn"}};
  Env quiet(warn);
  EnvReader ok(quiet);
  EXPECT_EQ(level_from(ok), Level::warn);
  EXPECT_TRUE(ok.finish());
  Env unset;
  EnvReader fallback(unset);
  EXPECT_EQ(level_from(fallback), Level::info);

  Env bad({{"LOG_LEVEL", "loud"}, {"PORT", "x"}});
  EnvReader read(bad);
  read.integer("PORT", 80, 0, 65535);
  EXPECT_EQ(level_from(read), Level::info);
  auto finished = read.finish();
  ASSERT_FALSE(finished);
  EXPECT_NE(finished.error().message.find("PORT"), std::string::npos) << finished.error().message;
  EXPECT_NE(finished.error().message.find("LOG_LEVEL: unknown log level 'loud'"), std::string::npos)
      << finished.error().message;
}

}  // namespace
}  // namespace pe::log
