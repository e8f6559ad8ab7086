#include "pricing/rules_engine.hpp"

#include <gtest/gtest.h>

namespace pe::pricing {
namespace {

Decimal d(std::string_view text) { return Decimal::parse(text).value(); }

// Rules for these tests: two regions with countries, a few families, tiers; `extra` adds or
// replaces top-level members.
RulesEngine engine(std::string_view extra = "") {
  std::string text = R"({
    "version": "test-1",
    "default_region": "HOME",
    "regions": {
      "HOME": {"discount": 0, "countries": ["US", "United States"]},
      "EU": {"discount": 0.05, "countries": ["DE", "Germany", "FR"]},
      "FAR": {"discount": 0.10, "countries": ["JP"]}
    },
    "families": {
      "Software": {"discount": 0.10},
      "Hardware": {"discount": 0.02, "volume_tiers": [{"min_quantity": 100, "discount": 0.08}]},
      "Services": {"discount": 0, "volume_tiers": []},
      "Free": {"discount": 0}
    },
    "volume_tiers": [{"min_quantity": 10, "discount": 0.01}, {"min_quantity": 50, "discount": 0.03}],
    "deal_size_tiers": [{"min_total": 10000, "discount": 0.02}, {"min_total": 100000, "discount": 0.04}]
  })";
  if (!extra.empty()) text.insert(text.rfind('}'), ", " + std::string(extra));
  auto rules = parse_rules(text);
  EXPECT_TRUE(rules) << rules.error().message;
  return RulesEngine(std::move(*rules));
}

OpportunityLine line(std::string_view family, std::string_view quantity, std::string_view price) {
  static uint64_t serial = 0;
  ++serial;
  OpportunityLine l;
  l.id = SalesforceId::make("00k", serial);
  l.product2_id = SalesforceId::make("01t", serial);
  l.pricebook_entry_id = SalesforceId::make("01u", serial);
  l.product_family = family;
  l.quantity = d(quantity);
  l.list_price = d(price);
  return l;
}

Opportunity opportunity(std::string_view country, std::vector<OpportunityLine> lines) {
  Opportunity o;
  o.id = SalesforceId::make("006", 1);
  o.name = "Big deal";
  o.account.billing_country = country;
  o.pricebook2_id = SalesforceId::make("01s", 1);
  o.lines = std::move(lines);
  return o;
}

std::string rate_of(const RulesEngine& e, const Opportunity& o, size_t i = 0) {
  QuotePlan plan = e.price(o);
  EXPECT_NE(plan.status, QuoteStatus::skipped) << plan.skip_reason;
  return plan.lines.at(i).discount_rate.to_string();
}

TEST(RulesEngine, MapsCountriesToRegions) {
  auto e = engine();
  EXPECT_EQ(e.rules().regions[e.region_of("Germany")].name, "EU");
  EXPECT_EQ(e.rules().regions[e.region_of("  germany ")].name, "EU");
  EXPECT_EQ(e.rules().regions[e.region_of("DE")].name, "EU");
  EXPECT_EQ(e.rules().regions[e.region_of("jp")].name, "FAR");
  EXPECT_EQ(e.rules().regions[e.region_of("Atlantis")].name, "HOME");
  EXPECT_EQ(e.rules().regions[e.region_of("")].name, "HOME");
  EXPECT_EQ(e.rules().regions[e.region_of(std::string(1000, 'x'))].name, "HOME");
}

TEST(RulesEngine, AppliesTheRegionDiscount) {
  auto e = engine();
  auto plan = e.price(opportunity("FR", {line("Free", "1", "100.00")}));
  EXPECT_EQ(plan.lines[0].discount_rate.to_string(), "0.05");
  EXPECT_EQ(plan.lines[0].unit_price.to_string(2), "95.00");
  EXPECT_TRUE(plan.lines[0].fired.has(RuleKind::region));
  EXPECT_EQ(e.explain(plan, 0), (std::vector<std::string>{"region EU 5%"}));
  EXPECT_EQ(e.explain_quote(plan), (std::vector<std::string>{"region EU 5%"}));
  // A region without a discount does not count as fired.
  auto home = e.price(opportunity("US", {line("Free", "1", "100.00")}));
  EXPECT_TRUE(home.lines[0].fired.empty());
  EXPECT_TRUE(e.explain(home, 0).empty());
}

TEST(RulesEngine, AppliesFamilyDiscountsAndTheUnknownFamilyDefault) {
  auto e = engine();
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Software", "1", "10.00")})), "0.1");
  EXPECT_EQ(rate_of(e, opportunity("US", {line("software", "1", "10.00")})), "0");  // exact match
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Gadgets", "1", "10.00")})), "0");
  EXPECT_EQ(rate_of(e, opportunity("US", {line("", "1", "10.00")})), "0");
  auto e2 = engine(R"("unknown_family_discount": 0.015)");
  EXPECT_EQ(rate_of(e2, opportunity("US", {line("Gadgets", "1", "10.00")})), "0.015");
  EXPECT_EQ(rate_of(e2, opportunity("US", {line("Free", "1", "10.00")})), "0");
  auto plan = e.price(opportunity("US", {line("Software", "1", "10.00")}));
  EXPECT_EQ(e.explain(plan, 0), (std::vector<std::string>{"family Software 10%"}));
}

TEST(RulesEngine, PicksTheHighestVolumeTierReached) {
  auto e = engine();
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Free", "9.99", "1.00")})), "0");
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Free", "10", "1.00")})), "0.01");  // inclusive
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Free", "49", "1.00")})), "0.01");
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Free", "50", "1.00")})), "0.03");
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Free", "5000", "1.00")})), "0.03");
  // A family's own tiers replace the global ones; an empty list means no volume discount.
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Hardware", "50", "1.00")})), "0.02");
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Hardware", "100", "1.00")})), "0.1");
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Services", "5000", "1.00")})), "0");
  auto plan = e.price(opportunity("US", {line("Hardware", "100", "1.00")}));
  EXPECT_EQ(e.explain(plan, 0),
            (std::vector<std::string>{"family Hardware 2%", "volume >= 100 8%"}));
}

TEST(RulesEngine, AppliesDealSizeTiersOnTheListSubtotal) {
  auto e = engine();
  // 9,999.99 list subtotal: no tier; 10,000.00: 2 % on every line.
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Free", "1", "9999.99")})), "0");
  auto plan =
      e.price(opportunity("US", {line("Free", "1", "5000.00"), line("Free", "2", "2500.00")}));
  EXPECT_EQ(plan.subtotal.to_string(2), "10000.00");
  EXPECT_EQ(plan.lines[0].discount_rate.to_string(), "0.02");
  EXPECT_EQ(plan.lines[1].discount_rate.to_string(), "0.02");
  EXPECT_EQ(e.explain(plan, 1), (std::vector<std::string>{"deal size >= 10000 2%"}));
  EXPECT_EQ(e.explain_quote(plan),
            (std::vector<std::string>{"region HOME 0%", "deal size >= 10000 2%"}));
  EXPECT_EQ(rate_of(e, opportunity("US", {line("Free", "1000", "100.00")})), "0.07");  // 4 % + 3 %
}

TEST(RulesEngine, CombinesAdditivelyOrByCompounding) {
  // JP 10 % + Software 10 % + volume 3 % + deal 4 % (50 × 2,000 = 100,000).
  auto o = opportunity("JP", {line("Software", "50", "2000.00")});
  EXPECT_EQ(rate_of(engine(), o), "0.27");
  // 1 − 0.9 × 0.96 × 0.9 × 0.97 = 1 − 0.754272 = 0.245728.
  EXPECT_EQ(rate_of(engine(R"("combine": "compounding")"), o), "0.245728");
  auto plan = engine(R"("combine": "compounding")").price(o);
  EXPECT_EQ(plan.lines[0].unit_price.to_string(2), "1508.54");  // 2000 × 0.754272 = 1508.544
}

TEST(RulesEngine, CapsTheCombinedDiscount) {
  auto e = engine(R"("max_total_discount": 0.2)");
  auto plan = e.price(opportunity("JP", {line("Software", "50", "2000.00")}));
  EXPECT_EQ(plan.lines[0].discount_rate.to_string(), "0.2");
  EXPECT_TRUE(plan.lines[0].fired.has(RuleKind::cap));
  EXPECT_EQ(e.explain(plan, 0).back(), "cap 20%");
  // Exactly at the cap is not capped.
  auto at = engine(R"("max_total_discount": 0.15)")
                .price(opportunity("FAR", {line("Free", "1", "1.00")}));
  EXPECT_FALSE(at.lines[0].fired.has(RuleKind::cap));
}

TEST(RulesEngine, OverrideWinsWhenEnabled) {
  auto o = opportunity("JP", {line("Software", "50", "2000.00"), line("Software", "1", "10.00")});
  o.lines[0].discount_override = d("0.12");
  auto plan = engine().price(o);
  EXPECT_EQ(plan.lines[0].discount_rate.to_string(), "0.12");
  EXPECT_TRUE(plan.lines[0].fired.has(RuleKind::discount_override));
  EXPECT_FALSE(plan.lines[0].fired.has(RuleKind::region));
  EXPECT_EQ(engine().explain(plan, 0), (std::vector<std::string>{"override 12%"}));
  // The other line is still priced by the rules.
  EXPECT_EQ(plan.lines[1].discount_rate.to_string(), "0.24");
  // An override of zero wins too.
  o.lines[0].discount_override = d("0");
  EXPECT_EQ(rate_of(engine(), o), "0");
  // Disabled: the rules price the line.
  o.lines[0].discount_override = d("0.12");
  EXPECT_EQ(rate_of(engine(R"("discount_override": {"enabled": false})"), o), "0.27");
  // Capped by default; uncapped when configured.
  o.lines[0].discount_override = d("0.6");
  auto capped = engine(R"("max_total_discount": 0.5)").price(o);
  EXPECT_EQ(capped.lines[0].discount_rate.to_string(), "0.5");
  EXPECT_EQ(engine(R"("max_total_discount": 0.5)").explain(capped, 0),
            (std::vector<std::string>{"override", "cap 50%"}));
  EXPECT_EQ(
      rate_of(engine(R"("max_total_discount": 0.5, "discount_override": {"capped": false})"), o),
      "0.6");
}

TEST(RulesEngine, SetsReviewStatusAboveTheThreshold) {
  // JP + Software: 20 % on 1 × 100.00 → discount 20.00 of 100.00.
  auto o = opportunity("JP", {line("Software", "1", "100.00")});
  auto above = engine(R"("review_threshold": 0.19)").price(o);
  EXPECT_EQ(above.status, QuoteStatus::needs_review);
  EXPECT_EQ(above.status_label, "Needs Review");
  auto at = engine(R"("review_threshold": 0.2)").price(o);  // not above: draft
  EXPECT_EQ(at.status, QuoteStatus::draft);
  EXPECT_EQ(at.status_label, "Draft");
  auto custom =
      engine(
          R"("review_threshold": 0.1, "quote": {"review_status": "In Review", "valid_days": 14})")
          .price(o);
  EXPECT_EQ(custom.status_label, "In Review");
  EXPECT_EQ(custom.valid_days, 14);
  EXPECT_EQ(at.discount_rate.to_string(), "0.2");
  EXPECT_EQ(at.subtotal.to_string(2), "100.00");
  EXPECT_EQ(at.discount.to_string(2), "20.00");
  EXPECT_EQ(at.total.to_string(2), "80.00");
}

TEST(RulesEngine, RoundsOncePerLineHalfUp) {
  auto e = engine();
  // 0.30 × 0.95 = 0.285 exactly: half a cent rounds up (a double gives 0.28499999999999998).
  auto half = e.price(opportunity("DE", {line("Free", "1", "0.30")}));
  EXPECT_EQ(half.lines[0].unit_price.to_string(2), "0.29");
  // 19.99 × 0.95 = 18.9905 → 18.99; 3 of them: 56.97 (unit rounded once, then × quantity).
  auto three = e.price(opportunity("DE", {line("Free", "3", "19.99")}));
  EXPECT_EQ(three.lines[0].unit_price.to_string(2), "18.99");
  EXPECT_EQ(three.lines[0].total.to_string(2), "56.97");
  EXPECT_EQ(three.lines[0].list_total.to_string(2), "59.97");
  // Fractional quantity: 2.5 × 0.29 = 0.725 → 0.73.
  auto frac = e.price(opportunity("DE", {line("Free", "2.5", "0.30")}));
  EXPECT_EQ(frac.lines[0].total.to_string(2), "0.73");
  EXPECT_EQ(frac.lines[0].list_total.to_string(2), "0.75");
  // Large quantities stay exact: 1,000,000 × 9,999.99 at 5 % (and the 4 % deal tier).
  auto big = e.price(opportunity("DE", {line("Free", "1000000", "9999.99")}));
  EXPECT_EQ(big.lines[0].discount_rate.to_string(), "0.12");   // 5 + 3 + 4
  EXPECT_EQ(big.lines[0].unit_price.to_string(2), "8799.99");  // 8799.9912
  EXPECT_EQ(big.lines[0].total.to_string(2), "8799990000.00");
  EXPECT_EQ(big.subtotal.to_string(2), "9999990000.00");
  // No currency minor unit (scale 0): 1999 × 0.95 = 1899.05 → 1899.
  auto yen = engine(R"("currency_scale": 0)").price(opportunity("DE", {line("Free", "1", "1999")}));
  EXPECT_EQ(yen.lines[0].unit_price.to_string(), "1899");
}

TEST(RulesEngine, SkipsWhatCannotBeQuotedWithTheReason) {
  auto e = engine();
  auto reason = [&](Opportunity o) {
    auto plan = e.price(o);
    EXPECT_EQ(plan.status, QuoteStatus::skipped);
    EXPECT_TRUE(plan.lines.empty());
    return plan.skip_reason;
  };
  auto o = opportunity("US", {line("Free", "1", "10.00")});
  std::string id(o.lines[0].id.str());
  auto no_book = o;
  no_book.pricebook2_id = SalesforceId();
  EXPECT_EQ(reason(no_book), "no price book (Pricebook2Id is empty)");
  EXPECT_EQ(reason(opportunity("US", {})), "no line items");
  auto zero = o;
  zero.lines[0].list_price = d("0");
  EXPECT_EQ(reason(zero), "line 1 (" + id + "): list price must be positive, not 0");
  auto negative = o;
  negative.lines[0].list_price = d("-5");
  EXPECT_EQ(reason(negative), "line 1 (" + id + "): list price must be positive, not -5");
  auto no_quantity = o;
  no_quantity.lines[0].quantity = d("0");
  EXPECT_EQ(reason(no_quantity), "line 1 (" + id + "): quantity must be positive, not 0");
  auto mills = o;
  mills.lines[0].list_price = d("10.005");
  EXPECT_EQ(reason(mills), "line 1 (" + id + "): list price 10.005 has more than 2 decimal places");
  auto no_entry = o;
  no_entry.lines[0].pricebook_entry_id = SalesforceId();
  EXPECT_EQ(reason(no_entry), "line 1 (" + id + "): no price book entry");
  auto bad_override = o;
  bad_override.lines[0].discount_override = d("1.5");
  EXPECT_EQ(reason(bad_override),
            "line 1 (" + id + "): discount override must be a rate from 0 to 1, not 1.5");
  auto huge = opportunity("US", {line("Free", "1000000000", "1000000.00")});
  EXPECT_EQ(reason(huge), "quote total out of range");
  auto sum = opportunity(
      "US", {line("Free", "1", "9000000000000.00"), line("Free", "1", "9000000000000.00")});
  EXPECT_EQ(reason(sum), "quote total out of range");
}

TEST(RulesEngine, IsReproducibleAndReusesPlans) {
  auto e = engine();
  auto o = opportunity("DE", {line("Software", "12", "19.99"), line("Hardware", "150", "1234.56")});
  QuotePlan reused;
  e.price_into(opportunity("JP", {line("Free", "1", "1.00"), line("Free", "1", "1.00"),
                                  line("Free", "1", "1.00")}),
               reused);
  e.price_into(o, reused);
  QuotePlan fresh = e.price(o);
  ASSERT_EQ(reused.lines.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(reused.lines[i].unit_price, fresh.lines[i].unit_price);
    EXPECT_EQ(reused.lines[i].total, fresh.lines[i].total);
    EXPECT_EQ(reused.lines[i].fired, fresh.lines[i].fired);
  }
  EXPECT_EQ(reused.total, fresh.total);
  EXPECT_EQ(fresh.description, "Priced by " + std::string(e.version()));
  EXPECT_EQ(fresh.name, "Quote for Big deal");
}

TEST(QuoteName, CutsToEightyCharactersOnUtf8Boundaries) {
  std::string name;
  quote_name("", name);
  EXPECT_EQ(name, "Quote for Opportunity");
  quote_name(std::string(100, 'x'), name);
  EXPECT_EQ(name, "Quote for " + std::string(70, 'x'));
  std::string umlauts;
  for (int i = 0; i < 100; ++i) umlauts += "\xc3\xbc";  // ü, two bytes each
  quote_name(umlauts, name);
  EXPECT_EQ(name.size(), 10u + 70u * 2u);
}

}  // namespace
}  // namespace pe::pricing
