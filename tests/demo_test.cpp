// Runs the real `pricing-engine demo`: it starts its own redis-server (or uses REDIS_URL, under
// keys of its own), a seeded local org, web and worker; a bulk edit becomes one job, one quote per
// edited opportunity and one notification; it exits 0 with a summary. Bad options and an
// unreachable Redis give a clear message, without the password, and a non-zero exit.
#include "support/process.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

namespace pe::test {
namespace {

using namespace std::chrono_literals;

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

// `pricing-engine demo <args>`, stdout and stderr kept apart.
Run demo(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
  static int counter = 0;
  auto dir = temp_dir("demo_test_" + std::to_string(++counter));
  std::string command = shell_quoted(PE_BINARY) + " demo";
  for (const auto& a : args) command += " " + shell_quoted(a);
  command += " < /dev/null > " + shell_quoted((dir / "out").string()) + " 2> " +
             shell_quoted((dir / "err").string());
  auto p = Process::start({"sh", "-c", command}, env);
  Run run;
  run.code = p.wait(150s).value_or(-1);
  run.out = read_file(dir / "out");
  run.err = read_file(dir / "err");
  return run;
}

std::string redis_cli(int port, const std::string& password, const std::string& command) {
  auto dir = temp_dir("demo_test_cli");
  std::string line = "redis-cli -p " + std::to_string(port) + " --no-auth-warning" +
                     (password.empty() ? "" : " -a " + shell_quoted(password)) + " " + command +
                     " > " + shell_quoted((dir / "out").string()) + " 2>&1";
  auto p = Process::start({"sh", "-c", line});
  p.wait(10s);
  return read_file(dir / "out");
}

// "1,234.50" as a number.
double amount(std::string text) {
  std::erase(text, ',');
  return std::stod(text);
}

TEST(Demo, TurnsABulkEditIntoOneJobTheQuotesAndANotification) {
  auto run = demo({"--opportunities", "12", "--seed", "30", "--rules",
                   std::string(PE_SOURCE_DIR) + "/config/pricing-rules.example.json"});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  // The steps that follow one another. Then the quotes, the worker's "finished" line and the
  // notification, in an order that depends on timing: the worker writes the quotes, publishes the
  // event, acknowledges the job and logs it, while the demo polls the org and the log.
  std::vector<std::string> steps = {"redis-server",
                                    "devorg",
                                    "web ",
                                    "worker",
                                    "edited 12 opportunities: one transaction",
                                    "web received 1 change event(s) from the org: 12 opportunity",
                                    "flushed the transaction into a job"};
  size_t at = 0;
  for (const auto& step : steps) {
    auto found = run.out.find(step, at);
    ASSERT_NE(found, std::string::npos) << "missing or out of order: " << step << "\n" << run.out;
    at = found;
  }
  auto summary = run.out.find("Summary", at);
  ASSERT_NE(summary, std::string::npos) << run.out;
  for (const std::string step : {"12 quotes in the org", "the worker finished job",
                                 "notification (the QuoteGenerationComplete Flow)"}) {
    auto found = run.out.find(step, at);
    EXPECT_TRUE(found != std::string::npos && found < summary) << step << "\n" << run.out;
  }
  EXPECT_NE(run.out.find("quotes                12 with"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Quotes Generated: 12"), std::string::npos) << run.out;
  // Then the org actions: one quote now, five later through a callback.
  auto actions = run.out.find("Org actions", summary);
  ASSERT_NE(actions, std::string::npos) << run.out;
  std::regex sync_line(R"(generateQuote +as sales@devorg\.local, \d+ ms: quote 0Q0\w{15}, )");
  EXPECT_TRUE(std::regex_search(run.out.substr(actions), sync_line)) << run.out;
  EXPECT_NE(run.out.find("generateQuotesAsync    5 opportunities: 201, job ", actions),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find(": succeeded, 5 quotes, posted to the org's callback URL", actions),
            std::string::npos)
      << run.out;
  // The worker priced with the rules given.
  EXPECT_NE(run.out.find("worker        pid "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(", pricing with rules 2026.11-example (sha256:"), std::string::npos)
      << run.out;
  // The first ten quotes are listed one by one: value at list price, discount, total, status.
  // The example rules give different discounts (regions, families, volume and deal size), and
  // every quote total is below its value at list price.
  std::regex quote_line(
      R"(quote \d+ .* lines? +list +([0-9,]+\.\d\d)  off +(\d+\.\d\d) %  total +([0-9,]+\.\d\d)  (Draft|Needs Review)\n)");
  std::set<std::string> discounts;
  int listed = 0;
  for (auto it = std::sregex_iterator(run.out.begin(), run.out.end(), quote_line);
       it != std::sregex_iterator(); ++it) {
    ++listed;
    discounts.insert((*it)[2]);
    EXPECT_LT(amount((*it)[3]), amount((*it)[1])) << it->str();
  }
  EXPECT_EQ(listed, 10) << run.out;
  EXPECT_GE(discounts.size(), 3u) << run.out;
  std::smatch priced;
  ASSERT_TRUE(std::regex_search(
      run.out, priced,
      std::regex(
          R"(priced +([0-9,]+\.\d\d) at list price, ([0-9,]+\.\d\d) quoted \((\d+\.\d\d) % off\))")))
      << run.out;
  EXPECT_LT(amount(priced[2]), amount(priced[1])) << priced.str();
  // The statuses of all 12 quotes, by the rules' labels.
  std::smatch statuses;
  ASSERT_TRUE(std::regex_search(
      run.out, statuses, std::regex(R"(status +(?:Draft (\d+))?(?:, )?(?:Needs Review (\d+))?\n)")))
      << run.out;
  EXPECT_EQ((statuses[1].matched ? std::stoi(statuses[1]) : 0) +
                (statuses[2].matched ? std::stoi(statuses[2]) : 0),
            12)
      << run.out;
  EXPECT_TRUE(run.err.empty()) << run.err;
}

TEST(Demo, UsesRedisUrlUnderKeysOfItsOwnAndNeverPrintsThePassword) {
  RedisServer redis({.password = "s3cret-pw"});
  redis_cli(redis.port(), "s3cret-pw", "XADD pe:jobs '*' tx other-deployment");
  auto run = demo({"--opportunities", "3", "--seed", "10"}, {{"REDIS_URL", redis.url()}});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  // Without --rules or PRICING_RULES, the built-in rules: the samples' flat 10 % (exactly 10.00 %
  // overall: the 3 opportunities edited from --seed 10 have no discount override).
  EXPECT_NE(run.out.find(", pricing with rules builtin-1 (sha256:"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("(10.00 % off)"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("s3cret-pw"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("keys under pe:demo:"), std::string::npos) << run.out;
  // The demo's keys carried its prefix and are gone at the end; the other deployment's job is
  // untouched.
  std::smatch removed;
  ASSERT_TRUE(std::regex_search(
      run.out, removed,
      std::regex(R"(Removed the demo's (\d+) keys \((pe:demo:[0-9a-f]{8}:)\*\))")))
      << run.out;
  EXPECT_GT(std::stoi(removed[1]), 0);
  EXPECT_NE(run.out.find("keys under " + removed[2].str()), std::string::npos) << run.out;
  EXPECT_EQ(redis_cli(redis.port(), "s3cret-pw", "KEYS 'pe:demo:*'"), "\n") << run.out;  // none
  EXPECT_EQ(redis_cli(redis.port(), "s3cret-pw", "XLEN pe:jobs"), "1\n");
}

TEST(Demo, UnreachableRedisFailsClearlyWithoutThePassword) {
  int port = free_port();
  auto run = demo({}, {{"REDIS_URL", "redis://:hunter2-pw@127.0.0.1:" + std::to_string(port)}});
  EXPECT_EQ(run.code, 1) << run.out << run.err;
  EXPECT_NE(run.err.find("cannot reach Redis"), std::string::npos) << run.err;
  EXPECT_EQ((run.out + run.err).find("hunter2-pw"), std::string::npos) << run.out << run.err;
}

TEST(Demo, RejectsBadOptions) {
  auto too_few = demo({"--opportunities", "20", "--seed", "5"});
  EXPECT_EQ(too_few.code, 2);
  EXPECT_NE(too_few.err.find("--seed must be at least --opportunities"), std::string::npos)
      << too_few.err;
  auto out_of_range = demo({"--opportunities", "500"});
  EXPECT_NE(out_of_range.code, 0);
  EXPECT_NE(out_of_range.err.find("--opportunities"), std::string::npos) << out_of_range.err;
  EXPECT_TRUE(out_of_range.out.empty()) << out_of_range.out;
  auto no_rules = demo({"--rules", "/nonexistent/rules.json"});
  EXPECT_EQ(no_rules.code, 2);
  EXPECT_NE(no_rules.err.find("--rules: no such file: /nonexistent/rules.json"), std::string::npos)
      << no_rules.err;
  EXPECT_TRUE(no_rules.out.empty()) << no_rules.out;
}

TEST(Demo, CountsQuotesByTheStatusLabelsOfTheRules) {
  auto dir = temp_dir("demo_test_labels");
  std::ofstream(dir / "rules.json") << R"({"version": "labels-1", "default_region": "ALL",
      "regions": {"ALL": {"discount": 0.1, "countries": []}},
      "quote": {"draft_status": "Presented", "review_status": "In Review"}})";
  auto run =
      demo({"--opportunities", "3", "--seed", "10", "--rules", (dir / "rules.json").string()});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("pricing with rules labels-1 (sha256:"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  status                Presented 3\n"), std::string::npos) << run.out;
}

// web prices too (the org actions), so it is the first to refuse bad rules.
TEST(Demo, BadRulesStopTheRolesThatPriceAndTheDemoSaysWhy) {
  auto dir = temp_dir("demo_test_rules");
  std::ofstream(dir / "rules.json") << R"({"version": "x", "regions": 5})";
  auto run = demo({"--rules", (dir / "rules.json").string()});
  EXPECT_EQ(run.code, 1) << run.out << run.err;
  EXPECT_NE(run.err.find("web exited with status 2"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("rules.json: regions: must be an object, not 5"), std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace pe::test
