#include "pricing/rules.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace pe::pricing {
namespace {

const std::string kExample = std::string(PE_SOURCE_DIR) + "/config/pricing-rules.example.json";

// A valid minimal file with `extra` spliced in as more top-level members.
std::string minimal(std::string_view extra = "") {
  std::string text =
      R"({"version": "t1", "default_region": "R", "regions": {"R": {"discount": 0, "countries": ["X"]}}})";
  if (!extra.empty()) text.insert(text.size() - 1, ", " + std::string(extra));
  return text;
}

std::string error_of(std::string_view text) {
  auto rules = parse_rules(text);
  if (rules) return "(no error)";
  EXPECT_EQ(rules.error().code, Errc::invalid_argument);
  return rules.error().message;
}

TEST(Rules, LoadsTheExampleFile) {
  auto rules = load_rules(kExample);
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules->version, "2026.11-example");
  EXPECT_EQ(rules->currency_scale, 2);
  EXPECT_EQ(rules->combine, Combine::additive);
  EXPECT_EQ(rules->regions.size(), 8u);
  EXPECT_EQ(rules->regions[rules->default_region].name, "OTHER");
  EXPECT_GE(rules->families.size(), 40u);
  EXPECT_EQ(rules->volume_tiers.size(), 4u);
  EXPECT_EQ(rules->deal_size_tiers.size(), 5u);
  EXPECT_EQ(rules->max_total_discount.to_string(), "0.35");
  EXPECT_EQ(rules->review_threshold.to_string(), "0.2");
  EXPECT_TRUE(rules->override_enabled);
  EXPECT_EQ(rules->review_status, "Needs Review");
  EXPECT_EQ(rules->label().rfind("rules 2026.11-example (sha256:", 0), 0u) << rules->label();
  EXPECT_EQ(rules->label().size(), std::string("rules 2026.11-example (sha256:12345678)").size());
}

TEST(Rules, MinimalFileGetsDocumentedDefaults) {
  auto rules = parse_rules(minimal());
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules->currency_scale, 2);
  EXPECT_EQ(rules->combine, Combine::additive);
  EXPECT_EQ(rules->max_total_discount, Decimal::one());
  EXPECT_EQ(rules->review_threshold, Decimal::one());
  EXPECT_TRUE(rules->override_enabled);
  EXPECT_TRUE(rules->override_capped);
  EXPECT_EQ(rules->valid_days, 30);
  EXPECT_EQ(rules->draft_status, "Draft");
  EXPECT_TRUE(rules->families.empty());
  EXPECT_TRUE(rules->volume_tiers.empty());
}

TEST(Rules, FingerprintIgnoresFormattingAndOrderButNotMeaning) {
  auto a = parse_rules(
      R"({"version":"v","default_region":"A","regions":{"A":{"discount":0.1,"countries":["x","Y"]},"B":{"discount":0,"countries":[]}}})");
  auto b = parse_rules(R"({
      "regions": {"B": {"countries": [], "discount": "0"},
                  "A": {"countries": [" y ", "X"], "discount": 0.10}},
      "default_region": "A", "version": "v", "description": "comments do not count"})");
  auto c = parse_rules(
      R"({"version":"v","default_region":"A","regions":{"A":{"discount":0.11,"countries":["x","Y"]},"B":{"discount":0,"countries":[]}}})");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->fingerprint(), b->fingerprint());
  EXPECT_NE(a->fingerprint(), c->fingerprint());
  EXPECT_EQ(a->fingerprint().size(), 15u);  // "sha256:" + 8 hex digits
  EXPECT_EQ(a->label(), "rules v (" + a->fingerprint() + ")");
}

TEST(Rules, BuiltInRulesAreValid) {
  Rules rules = default_rules();
  EXPECT_EQ(rules.version, "builtin-1");
  ASSERT_EQ(rules.regions.size(), 1u);
  EXPECT_EQ(rules.regions[0].discount.to_string(), "0.1");
  EXPECT_EQ(rules.max_total_discount.to_string(), "0.5");
}

TEST(Rules, ReportsEachProblemWithItsPath) {
  struct Case {
    std::string text;
    std::string message;
  };
  std::vector<Case> cases = {
      {"", "invalid JSON at line 1, column 1: "},
      {"[]", "rules: must be an object, not []"},
      {R"({"default_region": "R", "regions": {"R": {"discount": 0}}})",
       "version: missing (a short name for this set of rules, e.g. \"2026.11\")"},
      {R"({"version": "has space", "default_region": "R", "regions": {"R": {"discount": 0}}})",
       "version: may only hold letters, digits and . _ - +"},
      {R"({"version": "v", "default_region": "R"})",
       "regions: missing (at least one region with its countries)"},
      {R"({"version": "v", "regions": {"R": {"discount": 0}}})",
       "default_region: missing (the region of unknown and empty countries)"},
      {R"({"version": "v", "default_region": "Q", "regions": {"R": {"discount": 0}}})",
       "default_region: \"Q\" is not a region"},
      {R"({"version": "v", "default_region": "R", "regions": {}})",
       "regions: must name at least one region"},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {}}})",
       "regions.R: missing discount"},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": 1.5}}})",
       "regions.R.discount: must be a rate from 0 to 1, not 1.5"},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": -0.1}}})",
       "regions.R.discount: must be a rate from 0 to 1, not -0.1"},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": "ten"}}})",
       "regions.R.discount: invalid number 'ten': expected digits"},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": true}}})",
       "regions.R.discount: must be a number, not true"},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": 0.0000001}}})",
       "regions.R.discount: invalid number '0.0000001': more than 6 decimal places"},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": 0, "countries": ["DE", "FR", " de"]}}})",
       "regions.R.countries[2]: \" de\" is already in region \"R\""},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": 0, "countries": ["DE"]}, "S": {"discount": 0, "countries": ["de"]}}})",
       "regions.S.countries[0]: \"de\" is already in region \"R\""},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": 0, "countries": ["  "]}}})",
       "regions.R.countries[0]: must not be blank"},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": 0, "countries": [7]}}})",
       "regions.R.countries[0]: must be a string, not 7"},
      {R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": 0, "contries": []}}})",
       "regions.R.contries: unknown key"},
      {minimal(R"("famlies": {})"), "rules.famlies: unknown key"},
      {minimal(R"("families": {"Soft ware": {"discount": 2}})"),
       "families[\"Soft ware\"].discount: must be a rate from 0 to 1, not 2"},
      {minimal(R"("families": {"Hardware": 0.1})"),
       "families.Hardware: must be an object, not 0.1"},
      {minimal(
           R"("families": {"Hardware": {"discount": 0.1, "volume_tiers": [{"min_quantity": 10, "discount": 0.1}, {"min_quantity": 10, "discount": 0.2}]}})"),
       "families.Hardware.volume_tiers[1].min_quantity: must be greater than the previous tier's "
       "(10)"},
      {minimal(R"("volume_tiers": [{"min_quantity": 0, "discount": 0.1}])"),
       "volume_tiers[0].min_quantity: must be positive, not 0"},
      {minimal(R"("volume_tiers": [{"discount": 0.1}])"), "volume_tiers[0]: missing min_quantity"},
      {minimal(R"("volume_tiers": [{"min_quantity": 5}])"), "volume_tiers[0]: missing discount"},
      {minimal(R"("volume_tiers": [{"min_quantity": 5, "discount": 0.1, "max": 9}])"),
       "volume_tiers[0].max: unknown key"},
      {minimal(R"("volume_tiers": {"min_quantity": 5})"),
       "volume_tiers: must be an array, not {\"min_quantity\":5}"},
      {minimal(R"("deal_size_tiers": [{"min_total": -1, "discount": 0.1}])"),
       "deal_size_tiers[0].min_total: must not be negative, not -1"},
      {minimal(
           R"("deal_size_tiers": [{"min_total": 500, "discount": 0.1}, {"min_total": 100, "discount": 0.2}])"),
       "deal_size_tiers[1].min_total: must be greater than the previous tier's (500)"},
      {minimal(R"("deal_size_tiers": [{"min_total": 1e20, "discount": 0.1}])"),
       "deal_size_tiers[0].min_total: number out of range"},
      {minimal(R"("combine": "multiplicative")"),
       "combine: must be \"additive\" or \"compounding\", not \"multiplicative\""},
      {minimal(R"("currency_scale": 7)"), "currency_scale: must be from 0 to 6, not 7"},
      {minimal(R"("currency_scale": 2.5)"), "currency_scale: must be a whole number, not 2.5"},
      {minimal(R"("max_total_discount": 1.01)"),
       "max_total_discount: must be a rate from 0 to 1, not 1.01"},
      {minimal(R"("review_threshold": null)"), "review_threshold: must be a number, not null"},
      {minimal(R"("discount_override": {"enabled": "yes"})"),
       "discount_override.enabled: must be true or false, not \"yes\""},
      {minimal(R"("quote": {"valid_days": 0})"), "quote.valid_days: must be from 1 to 3650, not 0"},
      {minimal(R"("quote": {"review_status": ""})"),
       "quote.review_status: must be 1 to 40 characters"},
  };
  for (const auto& c : cases) {
    std::string message = error_of(c.text);
    EXPECT_NE(message.find(c.message), std::string::npos)
        << "input: " << c.text << "\nexpected: " << c.message << "\ngot: " << message;
  }
}

TEST(Rules, ReportsEveryProblemAtOnce) {
  std::string message = error_of(
      R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": 2}},
          "combine": "x", "currency_scale": -1})");
  EXPECT_EQ(message,
            "currency_scale: must be from 0 to 6, not -1\n"
            "combine: must be \"additive\" or \"compounding\", not \"x\"\n"
            "regions.R.discount: must be a rate from 0 to 1, not 2");
}

TEST(Rules, LoadErrorsNameTheFile) {
  auto missing = load_rules("/nonexistent/rules.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "/nonexistent/rules.json: cannot read the pricing rules file");

  auto dir = std::filesystem::temp_directory_path() / "pe_rules_test.json";
  std::ofstream(dir)
      << R"({"version": "v", "default_region": "R", "regions": {"R": {"discount": 2}}, "combine": 1})";
  auto bad = load_rules(dir);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            dir.string() + ": combine: must be \"additive\" or \"compounding\", not 1\n" +
                dir.string() + ": regions.R.discount: must be a rate from 0 to 1, not 2");
  std::filesystem::remove(dir);
}

TEST(Rules, NormalizesCountries) {
  EXPECT_EQ(normalize_country("  United Kingdom\t"), "united kingdom");
  EXPECT_EQ(normalize_country("DE"), "de");
  EXPECT_EQ(normalize_country("Türkiye"), "türkiye");
  EXPECT_EQ(normalize_country(""), "");
}

}  // namespace
}  // namespace pe::pricing
