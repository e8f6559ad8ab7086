// rules_engine.hpp: the default PricingEngine, driven by Rules (rules.hpp).
//
// At construction the rules are compiled into flat tables: countries and families into
// StringIndex lookups, tiers into sorted arrays of unit counts. Pricing a line is then a family
// lookup, a short tier scan, a few integer additions and two or three multiplications, with no
// allocation; a warm QuotePlan is reused as is. The steps, in order (docs/pricing-rules.md):
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

  // The highest tier in [range) whose minimum is <= value, or -1. Minimums ascend, so that is
  // the number of minimums <= value, minus one: counted without a data-dependent branch.
  int find_tier(TierRange range, int64_t value_units) const {
    int reached = 0;
    for (uint32_t i = range.begin; i < range.end; ++i) reached += tier_min_[i] <= value_units;
    return reached - 1;
  }

  // What a line needs to know about its family, in one place.
  struct FamilyRule {
    Decimal discount;
    TierRange volume;  // the family's own volume tiers, or the global ones
  };

  template <int Scale>
  void price_lines(const Opportunity& opportunity, QuotePlan& out) const;

  Rules rules_;
  std::string label_;
  QuoteSettings settings_;

  StringIndex countries_;  // normalized country -> index into country_region_
  std::vector<uint16_t> country_region_;
  StringIndex families_;                  // family name -> index into family_rules_
  std::vector<FamilyRule> family_rules_;  // per family, then one for unknown families
  TierRange deal_tiers_;
  std::vector<int64_t> tier_min_;  // all tier minimums (units), ranges index into these
  std::vector<Decimal> tier_discount_;
};

}  // namespace pe::pricing
