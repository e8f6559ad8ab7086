// The golden-file test: a few hundred generated opportunities priced with the example rules
// must give exactly the checked-in quote plans. Any change to pricing shows up as a diff of
// testdata/golden_quotes.json. After an intended change, regenerate and review the diff:
//   PE_UPDATE_GOLDEN=1 build/release/src/pricing/pricing_unit_tests --gtest_filter='Golden*'
//   git diff src/pricing/testdata/
#include "pricing/pricing_json.hpp"
#include "pricing/rules_engine.hpp"
#include "pricing/sample_data.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pe::pricing {
namespace {

const std::string kDir = std::string(PE_SOURCE_DIR) + "/src/pricing/testdata/";
constexpr uint64_t kSeed = 20261123;
constexpr size_t kCount = 250;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Compares with the checked-in file, or rewrites it when PE_UPDATE_GOLDEN=1.
void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = kDir + name;
  const char* update = std::getenv("PE_UPDATE_GOLDEN");
  if (update && std::string_view(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << path;
  }
  std::string expected = read(path);
  ASSERT_FALSE(expected.empty()) << path << " is missing; run with PE_UPDATE_GOLDEN=1";
  if (expected == actual) return;
  // Point at the first differing line rather than printing 300 KB.
  std::istringstream a(expected), b(actual);
  std::string la, lb;
  for (int line = 1; a || b; ++line) {
    la.clear();
    lb.clear();
    std::getline(a, la);
    std::getline(b, lb);
    if (la != lb) {
      FAIL() << path << " differs at line " << line << "\nexpected: " << la << "\nactual:   " << lb;
    }
  }
  FAIL() << path << " differs";
}

std::vector<Opportunity> generated(const Rules& rules) {
  SampleShape shape = sample_shape_for(rules);
  shape.max_lines = 5;
  return generate_opportunities(kSeed, kCount, shape);
}

TEST(Golden, GeneratedOpportunitiesAreStable) {
  auto rules = load_rules(std::string(PE_SOURCE_DIR) + "/config/pricing-rules.example.json");
  ASSERT_TRUE(rules) << rules.error().message;
  std::string text;
  write_opportunities_json(generated(*rules), text);
  expect_golden("golden_opportunities.json", text);
}

TEST(Golden, QuotePlansMatchTheGoldenFile) {
  auto rules = load_rules(std::string(PE_SOURCE_DIR) + "/config/pricing-rules.example.json");
  ASSERT_TRUE(rules) << rules.error().message;
  RulesEngine engine(std::move(*rules));
  auto opportunities = generated(engine.rules());
  std::vector<QuotePlan> plans;
  engine.price_batch(opportunities, plans);
  std::string text;
  write_quotes_json(engine, opportunities, plans, text);
  expect_golden("golden_quotes.json", text);

  // The data covers what the rules can do: every status and every rule kind.
  size_t review = 0, skipped = 0;
  uint8_t fired = 0;
  for (const auto& plan : plans) {
    review += plan.status == QuoteStatus::needs_review;
    skipped += plan.status == QuoteStatus::skipped;
    for (const auto& line : plan.lines) fired |= line.fired.bits();
  }
  EXPECT_GT(review, 0u);
  EXPECT_GT(skipped, 0u);
  EXPECT_LT(skipped, kCount / 5);
  EXPECT_EQ(fired, 0b111111) << "region, family, volume, deal size, override and cap all fire";
}

}  // namespace
}  // namespace pe::pricing
