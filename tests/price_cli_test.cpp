// Runs the real `pricing-engine price` binary: the golden input gives exactly the golden quote
// plans, bad rules and bad input give exit code 2, a clear message on stderr and nothing on
// stdout.
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace pe::test {
namespace {

const std::string kSource = PE_SOURCE_DIR;
const std::string kRules = kSource + "/config/pricing-rules.example.json";

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs `pricing-engine price <args>` with stdin from `input` (when given), keeping stdout and
// stderr apart.
Run price(const std::vector<std::string>& args, const std::string* input = nullptr,
          const std::map<std::string, std::string>& env = {}) {
  static int counter = 0;
  auto dir = temp_dir("price_cli_" + std::to_string(++counter));
  std::string command = shell_quoted(PE_BINARY) + " price";
  for (const auto& a : args) command += " " + shell_quoted(a);
  if (input) {
    std::ofstream(dir / "in.json", std::ios::binary) << *input;
    command += " < " + shell_quoted((dir / "in.json").string());
  } else {
    command += " < /dev/null";
  }
  command +=
      " > " + shell_quoted((dir / "out").string()) + " 2> " + shell_quoted((dir / "err").string());
  auto p = Process::start({"sh", "-c", command}, env);
  Run run;
  run.code = p.wait(std::chrono::seconds(60)).value_or(-1);
  run.out = read_file(dir / "out");
  run.err = read_file(dir / "err");
  return run;
}

TEST(PriceCli, PricesTheGoldenInputExactlyAsTheGoldenFile) {
  auto run = price(
      {"--rules", kRules, "--input", kSource + "/src/pricing/testdata/golden_opportunities.json"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(run.out, read_file(kSource + "/src/pricing/testdata/golden_quotes.json"));
}

const std::string kGood = R"({"opportunities": [{
  "id": "006am000006pSAY", "name": "Acme renewal", "pricebook2_id": "01s000000000001",
  "account": {"name": "Acme", "billing_country": "Germany"},
  "lines": [{"id": "00k000000000001", "pricebook_entry_id": "01u000000000001",
             "product_family": "Software", "quantity": 100, "list_price": 19.99}]}]})";

TEST(PriceCli, ReadsStdinAndPrintsATable) {
  auto run = price({"--rules", kRules, "--format", "table"}, &kGood);
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_NE(run.out.find("Engine: rules 2026.11-example (sha256:"), std::string::npos) << run.out;
  // Germany: EMEA-WEST 2 %, Software 5 %, 100 seats: 3 % → 10 %; 19.99 × 0.9 = 17.991 → 17.99.
  EXPECT_NE(
      run.out.find("Software           100         19.99       10%         17.99       1799.00"),
      std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("1 quoted, 0 skipped"), std::string::npos) << run.out;
}

TEST(PriceCli, UsesBuiltInRulesOrThePlugInFromTheEnvironment) {
  auto builtin = price({}, &kGood);
  EXPECT_EQ(builtin.code, 0) << builtin.err;
  EXPECT_NE(builtin.out.find("\"engine\":\"rules builtin-1 (sha256:"), std::string::npos);
  EXPECT_NE(builtin.out.find("\"unit_price\":17.99"), std::string::npos);  // 10 %
  auto flat =
      price({}, &kGood, {{"PRICING_ENGINE", "example-flat"}, {"EXAMPLE_FLAT_DISCOUNT", "0.5"}});
  EXPECT_EQ(flat.code, 0) << flat.err;
  EXPECT_NE(flat.out.find("\"engine\":\"example-flat 0.5\""), std::string::npos) << flat.out;
  EXPECT_NE(flat.out.find("\"unit_price\":10.00"), std::string::npos) << flat.out;  // 9.995 → 10.00
  auto from_env = price({}, &kGood, {{"PRICING_RULES", kRules}});
  EXPECT_NE(from_env.out.find("\"engine\":\"rules 2026.11-example"), std::string::npos);
}

TEST(PriceCli, RejectsBadInputWithItsPath) {
  std::string bad = kGood;
  bad.replace(bad.find("\"quantity\": 100"), 15, "\"quantity\": 0");
  auto run = price({"--rules", kRules}, &bad);
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "pricing-engine price: stdin:\n"
            "opportunities[0].lines[0].quantity: must be positive, not 0\n");

  std::string broken = "{\"opportunities\": [";
  auto syntax = price({"--rules", kRules}, &broken);
  EXPECT_EQ(syntax.code, 2);
  EXPECT_EQ(syntax.out, "");
  EXPECT_NE(syntax.err.find("invalid JSON at line 1, column 20"), std::string::npos) << syntax.err;

  auto missing = price({"--rules", kRules, "--input", "/nonexistent/opps.json"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(missing.err,
            "pricing-engine price: /nonexistent/opps.json: cannot open the input file\n");
}

TEST(PriceCli, RejectsBadRulesBeforeReadingInput) {
  auto dir = temp_dir("price_cli_rules");
  std::ofstream(dir / "rules.json") << R"({"version": "x", "default_region": "EU",
    "regions": {"EU": {"discount": 0.5, "countries": ["DE"]}},
    "families": {"Software": {"discount": 1.2}}})";
  auto run = price({"--rules", (dir / "rules.json").string()}, &kGood);
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "pricing-engine price: " + (dir / "rules.json").string() +
                         ": families.Software.discount: must be a rate from 0 to 1, not 1.2\n");

  auto unknown = price({"--engine", "magic"}, &kGood);
  EXPECT_EQ(unknown.code, 2);
  EXPECT_EQ(unknown.err,
            "pricing-engine price: unknown PRICING_ENGINE 'magic' (known: example-flat, rules)\n");
}

}  // namespace
}  // namespace pe::test
