// quote_plan.hpp: what the pricing engine returns for one opportunity.
//
// A QuotePlan is everything needed to write one Quote and its QuoteLineItems: per line the list
// price, the discount rate and which rules set it, the unit price (rounded once to the currency
// scale) and the total; per quote the totals, the status and a description naming the engine
// and rules version. A plan's lines are parallel to the opportunity's lines (same order, same
// count), so ids, price book entries and quantities are read from the input, not copied.
// An opportunity that cannot be quoted gets status `skipped` and a reason instead.
//
//   QuotePlan plan = engine.price(opportunity);
//   if (plan.status == QuoteStatus::skipped) log.warn("not_quoted", {{"reason",
//   plan.skip_reason}}); for (size_t i = 0; i < plan.lines.size(); ++i)
//     write_line(opportunity.lines[i].pricebook_entry_id, plan.lines[i].unit_price);
#pragma once

#include "common/money.hpp"
#include "common/sfid.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pe::pricing {

enum class QuoteStatus : uint8_t { draft, needs_review, skipped };

std::string_view to_string(QuoteStatus status);  // "draft", "needs_review", "skipped"

// The kinds of rule that can set a line's discount. A line records the ones that fired as bits,
// which costs nothing on the hot path; PricingEngine::explain() turns them into text.
enum class RuleKind : uint8_t {
  region,             // the region's base discount
  family,             // the product family's discount
  volume,             // a volume tier on the line quantity
  deal_size,          // a deal-size tier on the opportunity's list total
  discount_override,  // the line's DiscountOverride__c replaced the rules
  cap,                // the combined discount was cut to the maximum
  custom,             // a plug-in's own rule
};

class FiredRules {
 public:
  static constexpr FiredRules from_bits(uint8_t bits) {
    FiredRules out;
    out.bits_ = bits;
    return out;
  }
  constexpr void add(RuleKind kind) { bits_ |= static_cast<uint8_t>(1u << static_cast<int>(kind)); }
  constexpr bool has(RuleKind kind) const { return (bits_ >> static_cast<int>(kind)) & 1u; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr uint8_t bits() const { return bits_; }
  friend constexpr bool operator==(FiredRules, FiredRules) = default;

 private:
  uint8_t bits_ = 0;
};

struct LinePlan {
  Decimal list_price;     // from the input
  Decimal list_total;     // list price × quantity, rounded to the currency scale
  Decimal discount_rate;  // the rate applied: 0.15 = 15 %
  Decimal unit_price;     // list price × (1 − rate), rounded once to the currency scale
  Decimal total;          // unit price × quantity, rounded to the currency scale
  FiredRules fired;
  int8_t volume_tier = -1;  // index of the volume tier that fired, in its tier list
  int16_t family = -1;      // index of the line's family in the rules; -1: not listed
};

struct QuotePlan {
  SalesforceId opportunity_id;
  SalesforceId pricebook2_id;
  std::string name;         // "Quote for <opportunity name>", at most 80 characters
  std::string description;  // "Priced by rules v3 (sha256:ab12cd34)"
  QuoteStatus status = QuoteStatus::draft;
  std::string status_label;   // the Quote.Status picklist value to write: "Draft", "Needs Review"
  std::string skip_reason;    // why, when status is skipped
  int valid_days = 30;        // ExpirationDate = the day of writing + valid_days
  int8_t currency_scale = 2;  // places the amounts below are rounded to

  Decimal subtotal;       // sum of the line list totals
  Decimal discount;       // subtotal − total
  Decimal total;          // sum of the line totals
  Decimal discount_rate;  // discount / subtotal, rounded half up to 6 places (for people)

  int16_t region = -1;          // index of the region, for explain()
  int8_t deal_tier = -1;        // index of the deal-size tier that fired
  std::vector<LinePlan> lines;  // parallel to Opportunity::lines; empty when skipped
};

}  // namespace pe::pricing
