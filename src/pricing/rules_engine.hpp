// rules_engine.hpp: the default PricingEngine, driven by Rules (rules.hpp).
//
// At construction the rules are compiled into flat tables: countries and families into
// StringIndex lookups, each family's volume tiers into a row of 4 (or a multiple of 4)
// minimums with, per number of tiers reached, the family + volume rate, the rules that fired
// and the tier, so a line's family and volume discount are one lookup, four comparisons and
// one load. An opportunity is priced in two passes over its lines: the first checks them, sums
// the list totals (the deal size) and finds each line's family and volume level; the second,
// from the plan alone, adds the region and deal-size discounts, caps, and computes the unit
// price (one rounding) and total. No allocation; a warm QuotePlan is overwritten in place.
// rules_engine_reference_test.cpp checks all of it against a plain implementation of the
// rules. The steps, in order (docs/pricing-rules.md):
//   1. region from Account.BillingCountry (trimmed, case-insensitive), else the default region;
//   2. the opportunity's list subtotal, sum of list price × quantity; its deal-size tier;
//   3. per line: region + family + volume tier + deal-size tier discounts, combined (additive or
//      compounding), cut to max_total_discount; or the line's override when enabled (cut too
//      when override capped);
//   4. unit price = list price × (1 − rate), rounded once, half up, to the currency scale;
//      total = unit price × quantity; quote status from the review threshold.
//
//   RulesEngine engine(load_rules("config/pricing-rules.example.json").value());
//   QuotePlan plan = engine.price(opportunity);
//   engine.explain(plan, 0);   // {"region EMEA 5%", "family Software 10%", "cap 40%"}
#pragma once

#include "pricing/pricing_engine.hpp"
#include "pricing/rules.hpp"
#include "pricing/string_index.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace pe::pricing {

class RulesEngine final : public PricingEngine {
 public:
  explicit RulesEngine(Rules rules);

  const Rules& rules() const { return rules_; }
  std::string_view version() const override { return label_; }
  void price_into(const Opportunity& opportunity, QuotePlan& out) const override;
  std::vector<std::string> explain(const QuotePlan& plan, size_t line) const override;
  std::vector<std::string> explain_quote(const QuotePlan& plan) const override;

  // The index in rules().regions of a billing country's region.
  size_t region_of(std::string_view billing_country) const;

 private:
  struct TierRange {
    uint32_t begin = 0;
    uint32_t end = 0;
  };

  // The highest deal-size tier whose minimum is <= value, or -1 (once per opportunity).
  int find_deal_tier(int64_t value_units) const {
    int reached = 0;
    for (int64_t min : deal_min_) reached += min <= value_units;
    return reached - 1;
  }

  // What a line gets from its family and volume tier, per number of volume tiers reached.
  struct Level {
    int32_t rate;         // family discount + volume tier discount, in units (additive)
    int32_t volume_rate;  // the volume tier's discount alone (compounding)
    uint8_t fired;        // the family and volume bits of FiredRules
    int8_t tier;          // LinePlan::volume_tier: -1 for none or a zero discount
  };

  // Width: the tier row width when it is known at compile time (4), else 0 (tier_width_).
  template <int Scale, int Width>
  void price_lines(const Opportunity& opportunity, QuotePlan& out) const;
  using PriceLines = void (RulesEngine::*)(const Opportunity&, QuotePlan&) const;
  template <int Scale>
  static PriceLines price_lines_for(uint32_t tier_width);

  Rules rules_;
  std::string label_;
  QuoteSettings settings_;
  PriceLines price_lines_ = nullptr;  // price_lines<currency scale, tier width>, chosen once

  StringIndex countries_;  // normalized country -> index into country_region_
  std::vector<uint16_t> country_region_;
  StringIndex families_;  // family name -> its row; unknown families use row unknown_row_
  uint32_t unknown_row_ = 0;
  // Volume tiers as rows of tier_width_ minimums (a multiple of 4, padded with INT64_MAX), one
  // row per family and one for unknown families (the global tiers or the family's own), so
  // counting the tiers a quantity reaches is the same few branch-free comparisons on every
  // line; levels_ holds tier_width_ + 1 Levels per row, indexed by that count.
  uint32_t tier_width_ = 0;
  std::vector<int64_t> volume_min_;
  std::vector<Level> levels_;
  std::vector<int64_t> deal_min_;  // deal-size tier minimums (units), ascending
  std::vector<Decimal> deal_discount_;
};

}  // namespace pe::pricing
