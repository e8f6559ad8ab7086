// examples/ built against the installed SDK (sdk_examples_build.sh), run against the local org
// with the variables a dyno's AppLink add-on gives: list_accounts pages every Account;
// write_quotes writes Quotes with their lines through the unit of work, and a second run with
// the same key rewrites them instead of adding more.
#include "support/local_org.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace pe {
namespace {

using namespace std::chrono_literals;

const std::string kExamples = PE_SDK_EXAMPLES;

int count_lines_with(const std::string& text, const std::string& what) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(what) != std::string::npos;
  return n;
}

std::map<std::string, std::string> applink_env(const test::LocalOrg& org) {
  std::map<std::string, std::string> env;
  for (const char* name :
       {"HEROKU_APPLINK_API_URL", "HEROKU_APPLINK_TOKEN", "HEROKU_APP_ID", "CONNECTION_NAMES"}) {
    env[name] = org.env().at(name);
  }
  return env;
}

TEST(SdkExamples, ListAccountsPrintsEveryAccountOfTheConnection) {
  test::LocalOrg org({.seed = 20});
  auto run = test::Process::start({kExamples + "/list_accounts"}, applink_env(org));
  ASSERT_EQ(run.wait(30s), 0) << run.output();
  const auto accounts = org.count("SELECT COUNT() FROM Account");
  ASSERT_GT(accounts, 0);
  EXPECT_EQ(count_lines_with(run.output(), "\t"), accounts) << run.output();
  EXPECT_NE(run.output().find(std::to_string(accounts) + " accounts\n"), std::string::npos)
      << run.output();
  auto first = org.query("SELECT Id, Name FROM Account ORDER BY Name LIMIT 1");
  const auto& record = first.at("records").at(0);
  EXPECT_EQ(run.output().rfind(std::string(record.at("Id").as_string()) + "\t" +
                                   std::string(record.at("Name").as_string()) + "\n",
                               0),
            0u)
      << run.output();
}

TEST(SdkExamples, WriteQuotesWritesThroughTheUnitOfWorkAndRewritesOnASecondRun) {
  test::LocalOrg org({.seed = 20});
  auto first =
      test::Process::start({kExamples + "/write_quotes", "", "4", "sdk-test"}, applink_env(org));
  ASSERT_EQ(first.wait(30s), 0) << first.output();
  EXPECT_EQ(count_lines_with(first.output(), " created"), 4) << first.output();
  EXPECT_NE(first.output().find("4 quotes written in 1 graph request(s)"), std::string::npos)
      << first.output();
  EXPECT_EQ(org.count("SELECT COUNT() FROM Quote WHERE GenerationKey__c LIKE 'sdk-test:%'"), 4);
  const auto lines = org.count("SELECT COUNT() FROM QuoteLineItem");
  EXPECT_GT(lines, 0);

  auto second =
      test::Process::start({kExamples + "/write_quotes", "", "4", "sdk-test"}, applink_env(org));
  ASSERT_EQ(second.wait(30s), 0) << second.output();
  EXPECT_EQ(count_lines_with(second.output(), " updated"), 4) << second.output();
  EXPECT_EQ(org.count("SELECT COUNT() FROM Quote"), 4);
  EXPECT_EQ(org.count("SELECT COUNT() FROM QuoteLineItem"), lines);
}

TEST(SdkExamples, ListAccountsSaysWhatIsMissingWithoutAppLink) {
  auto run =
      test::Process::start({kExamples + "/list_accounts", "my-org"},
                           {{"HEROKU_APPLINK_API_URL", ""}, {"HEROKU_INTEGRATION_API_URL", ""}});
  EXPECT_EQ(run.wait(10s), 2) << run.output();
  EXPECT_NE(run.output().find("HEROKU_APPLINK_API_URL"), std::string::npos) << run.output();
}

}  // namespace
}  // namespace pe
