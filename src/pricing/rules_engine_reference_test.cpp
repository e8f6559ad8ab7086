// RulesEngine against a reference: the rules of docs/pricing-rules.md written as plainly as
// possible (no tables, no fast paths, only the public Decimal operations and the pricing_engine
// helpers), run over thousands of generated opportunities with rule variants that take every
// path of the fast engine: both ways of combining, every currency scale, overrides disabled or
// uncapped, no tiers at all, more tiers than the engine's rows hold, amounts near the Decimal
// range. Every field of every plan must be equal. The golden file pins one rule set; this
// checks that the engine's shortcuts change nothing anywhere.
#include "pricing/rules_engine.hpp"
#include "pricing/sample_data.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace pe::pricing {
namespace {

Decimal compound(Decimal a, Decimal b) {
  Decimal keep = (Decimal::one() - a).checked_multiply(Decimal::one() - b, Decimal::kScale).value();
  return Decimal::one() - keep;
}

// The highest tier whose minimum is <= value, or -1.
int tier_of(const std::vector<Tier>& tiers, Decimal value) {
  int found = -1;
  for (size_t i = 0; i < tiers.size(); ++i) {
    if (tiers[i].min <= value) found = static_cast<int>(i);
  }
  return found;
}

using CountryMap = std::map<std::string, size_t, std::less<>>;

CountryMap country_map(const Rules& rules) {
  CountryMap out;
  for (size_t r = 0; r < rules.regions.size(); ++r) {
    for (const auto& c : rules.regions[r].countries) out.emplace(normalize_country(c), r);
  }
  return out;
}

QuotePlan reference_price(const Rules& rules, const CountryMap& countries, std::string_view version,
                          const Opportunity& opp) {
  QuoteSettings settings{.version = version,
                         .currency_scale = rules.currency_scale,
                         .valid_days = rules.valid_days,
                         .review_threshold = rules.review_threshold,
                         .draft_status = rules.draft_status,
                         .review_status = rules.review_status};
  QuotePlan out;
  if (!begin_quote(opp, settings, out)) return out;
  const int scale = rules.currency_scale;
  auto country = countries.find(normalize_country(opp.account.billing_country));
  out.region =
      static_cast<int16_t>(country == countries.end() ? rules.default_region : country->second);

  Decimal subtotal;
  for (const auto& line : opp.lines) {
    auto list_total = line.list_price.checked_multiply(line.quantity, scale);
    auto sum = list_total ? subtotal.checked_add(*list_total) : std::nullopt;
    if (!sum) {
      skip_quote(out, "quote total out of range");
      return out;
    }
    subtotal = *sum;
  }
  const int deal = tier_of(rules.deal_size_tiers, subtotal);
  out.deal_tier = static_cast<int8_t>(deal);
  const Decimal region_rate = rules.regions[static_cast<size_t>(out.region)].discount;
  const Decimal deal_rate =
      deal >= 0 ? rules.deal_size_tiers[static_cast<size_t>(deal)].discount : Decimal();
  const bool additive = rules.combine == Combine::additive;

  for (size_t i = 0; i < opp.lines.size(); ++i) {
    const OpportunityLine& line = opp.lines[i];
    LinePlan& plan = out.lines[i];
    FiredRules fired;
    Decimal rate;
    if (line.discount_override && rules.override_enabled) {
      rate = *line.discount_override;
      fired.add(RuleKind::discount_override);
      if (rules.override_capped && rate > rules.max_total_discount) {
        rate = rules.max_total_discount;
        fired.add(RuleKind::cap);
      }
    } else {
      const Family* family = nullptr;
      for (size_t f = 0; f < rules.families.size(); ++f) {
        if (rules.families[f].name == line.product_family) {
          family = &rules.families[f];
          plan.family = static_cast<int16_t>(f);
          break;
        }
      }
      const Decimal family_rate = family ? family->discount : rules.unknown_family_discount;
      const auto& tiers =
          family && family->own_volume_tiers ? family->volume_tiers : rules.volume_tiers;
      const int tier = tier_of(tiers, line.quantity);
      const Decimal volume_rate = tier >= 0 ? tiers[static_cast<size_t>(tier)].discount : Decimal();
      if (region_rate.is_positive()) fired.add(RuleKind::region);
      if (family && family_rate.is_positive()) fired.add(RuleKind::family);
      if (volume_rate.is_positive()) {
        fired.add(RuleKind::volume);
        plan.volume_tier = static_cast<int8_t>(tier);
      }
      if (deal_rate.is_positive()) fired.add(RuleKind::deal_size);
      rate = additive
                 ? region_rate + deal_rate + family_rate + volume_rate
                 : compound(compound(compound(region_rate, deal_rate), family_rate), volume_rate);
      if (rate > rules.max_total_discount) {
        rate = rules.max_total_discount;
        fired.add(RuleKind::cap);
      }
    }
    if (!price_line(line, rate, scale, plan)) {
      skip_quote(out, "line amount out of range");
      return out;
    }
    plan.fired = fired;
  }
  finish_quote(settings, out);
  return out;
}

void expect_same(const QuotePlan& want, const QuotePlan& got, const std::string& where) {
  ASSERT_EQ(want.status, got.status) << where << ": " << got.skip_reason;
  EXPECT_EQ(want.skip_reason, got.skip_reason) << where;
  EXPECT_EQ(want.opportunity_id, got.opportunity_id) << where;
  EXPECT_EQ(want.pricebook2_id, got.pricebook2_id) << where;
  EXPECT_EQ(want.name, got.name) << where;
  EXPECT_EQ(want.description, got.description) << where;
  EXPECT_EQ(want.status_label, got.status_label) << where;
  EXPECT_EQ(want.valid_days, got.valid_days) << where;
  EXPECT_EQ(want.currency_scale, got.currency_scale) << where;
  EXPECT_EQ(want.subtotal, got.subtotal) << where;
  EXPECT_EQ(want.discount, got.discount) << where;
  EXPECT_EQ(want.total, got.total) << where;
  EXPECT_EQ(want.discount_rate, got.discount_rate) << where;
  if (want.status != QuoteStatus::skipped) {
    EXPECT_EQ(want.region, got.region) << where;
    EXPECT_EQ(want.deal_tier, got.deal_tier) << where;
  }
  ASSERT_EQ(want.lines.size(), got.lines.size()) << where;
  for (size_t i = 0; i < want.lines.size(); ++i) {
    const LinePlan& a = want.lines[i];
    const LinePlan& b = got.lines[i];
    const std::string at = where + " line " + std::to_string(i);
    EXPECT_EQ(a.list_price, b.list_price) << at;
    EXPECT_EQ(a.list_total, b.list_total) << at;
    EXPECT_EQ(a.discount_rate, b.discount_rate) << at;
    EXPECT_EQ(a.unit_price, b.unit_price) << at;
    EXPECT_EQ(a.total, b.total) << at;
    EXPECT_EQ(a.fired, b.fired) << at;
    EXPECT_EQ(a.volume_tier, b.volume_tier) << at;
    EXPECT_EQ(a.family, b.family) << at;
  }
}

// The example rules with `patch` applied to their text (a top-level key replaced).
Rules example_rules(const std::string& key = "", const std::string& value = "") {
  auto rules = load_rules(std::string(PE_SOURCE_DIR) + "/config/pricing-rules.example.json");
  EXPECT_TRUE(rules) << rules.error().message;
  Rules r = std::move(*rules);
  if (key.empty()) return r;
  auto patched = parse_rules(R"({"version": "patched", "default_region": "X", "regions": {"X":
      {"discount": 0.01, "countries": []}}, )" +
                             ("\"" + key + "\": " + value) + "}");
  EXPECT_TRUE(patched) << patched.error().message;
  if (key == "combine") r.combine = patched->combine;
  if (key == "currency_scale") r.currency_scale = patched->currency_scale;
  if (key == "discount_override") {
    r.override_enabled = patched->override_enabled;
    r.override_capped = patched->override_capped;
  }
  if (key == "volume_tiers") r.volume_tiers = patched->volume_tiers;
  if (key == "deal_size_tiers") r.deal_size_tiers = patched->deal_size_tiers;
  if (key == "max_total_discount") r.max_total_discount = patched->max_total_discount;
  return r;
}

// Generated opportunities plus a few with amounts near the Decimal range and many lines.
std::vector<Opportunity> inputs(const Rules& rules, uint64_t seed) {
  SampleShape shape = sample_shape_for(rules);
  shape.max_lines = 20;
  auto opportunities = generate_opportunities(seed, 1500, shape);
  const char* kBig[][2] = {{"3000000", "2999999.99"},    {"1", "9000000000000.00"},
                           {"4000000000", "2000.00"},    {"2.5", "3000000000000.01"},
                           {"1000000.25", "9000000.00"}, {"0.01", "0.05"},
                           {"123456.75", "74703001.37"}};
  for (size_t i = 0; i < std::size(kBig); ++i) {
    Opportunity o = opportunities[i];
    o.lines.resize(3, opportunities[1].lines[0]);
    for (auto& line : o.lines) {
      line.quantity = Decimal::parse(kBig[i][0]).value();
      line.list_price = Decimal::parse(kBig[i][1]).value();
    }
    opportunities.push_back(o);
    o.lines.resize(1);
    opportunities.push_back(o);
  }
  // Generated prices have cents: for a currency without them, most lines keep a whole price.
  if (rules.currency_scale < 2) {
    for (size_t i = 0; i < opportunities.size(); ++i) {
      for (auto& line : opportunities[i].lines) {
        if (i % 50 == 0) continue;  // and some are rejected for their cents
        Decimal rounded = line.list_price.round(rules.currency_scale);
        if (rounded.is_positive()) line.list_price = rounded;
      }
    }
  }
  return opportunities;
}

void check_variant(const Rules& rules, uint64_t seed, const std::string& name) {
  RulesEngine engine(rules);
  auto opportunities = inputs(rules, seed);
  std::vector<QuotePlan> plans;
  engine.price_batch(opportunities, plans);  // twice: the second reuses the plans' storage
  engine.price_batch(opportunities, plans);
  const CountryMap countries = country_map(rules);
  size_t priced = 0;
  for (size_t i = 0; i < opportunities.size(); ++i) {
    QuotePlan want = reference_price(rules, countries, engine.version(), opportunities[i]);
    expect_same(want, plans[i], name + " opportunity " + std::to_string(i));
    priced += want.status != QuoteStatus::skipped;
    if (testing::Test::HasFailure()) return;
  }
  EXPECT_GT(priced, opportunities.size() / 2) << name;
}

TEST(RulesEngineReference, ExampleRules) { check_variant(example_rules(), 1, "example"); }

TEST(RulesEngineReference, Compounding) {
  check_variant(example_rules("combine", R"("compounding")"), 2, "compounding");
}

TEST(RulesEngineReference, EveryCurrencyScale) {
  for (int scale = 0; scale <= 6; ++scale) {
    check_variant(example_rules("currency_scale", std::to_string(scale)), 10 + scale,
                  "scale " + std::to_string(scale));
  }
}

TEST(RulesEngineReference, OverrideDisabledOrUncapped) {
  check_variant(example_rules("discount_override", R"({"enabled": false})"), 3, "no override");
  check_variant(example_rules("discount_override", R"({"capped": false})"), 4, "uncapped");
}

TEST(RulesEngineReference, NoTiersOrManyTiers) {
  Rules none = example_rules("deal_size_tiers", "[]");
  none.volume_tiers.clear();
  for (auto& f : none.families) f.volume_tiers.clear();
  check_variant(none, 5, "no tiers");
  std::string many = "[";
  for (int i = 1; i <= 11; ++i) {
    many += (i > 1 ? ", " : "") + std::string(R"({"min_quantity": )") + std::to_string(i * i) +
            R"(, "discount": 0.0)" + std::to_string(i % 10) + "}";
  }
  check_variant(example_rules("volume_tiers", many + "]"), 6, "eleven volume tiers");
  check_variant(example_rules("max_total_discount", "1"), 7, "no cap");
}

}  // namespace
}  // namespace pe::pricing
