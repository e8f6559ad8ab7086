// pricing_engine.hpp: the interface every pricing implementation provides, and the helpers that
// make a plug-in small and keep every engine's money handling identical.
//
// The eventing worker, the org action and the batch job all price through a PricingEngine. The
// default is the rules engine (rules_engine.hpp); a customer's own pricing code plugs in by
// implementing this interface and registering a factory under a name (engine_registry.hpp,
// docs/pricing-plugins.md), selected with PRICING_ENGINE. An engine is immutable once built and
// may be shared by threads.
//
// The helpers fix what a plug-in must not get wrong: begin_quote() checks the input and fills
// the quote's identity, price_line() applies a rate with the one documented rounding, and
// finish_quote() sums the lines and sets the status.
//
//   class MyEngine : public PricingEngine {
//     std::string_view version() const override { return "acme-pricing 1.4"; }
//     void price_into(const Opportunity& opp, QuotePlan& out) const override {
//       QuoteSettings settings{.version = version()};
//       if (!begin_quote(opp, settings, out)) return;          // skipped, with a reason
//       for (size_t i = 0; i < opp.lines.size(); ++i)
//         if (!price_line(opp.lines[i], my_rate(opp, i), 2, out.lines[i]))
//           return skip_quote(out, "amount out of range");
//       finish_quote(settings, out);
//     }
//   };
#pragma once

#include "pricing/opportunity.hpp"
#include "pricing/quote_plan.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pe::pricing {

class PricingEngine {
 public:
  virtual ~PricingEngine() = default;

  // Names the engine and the version of its rules, e.g. "rules 2026.11 (sha256:ab12cd34)". It
  // is logged at start and written on every quote's description.
  virtual std::string_view version() const = 0;

  // Prices one opportunity into `out`, reusing its storage (no allocation once warm). Must not
  // throw for any input: input that cannot be quoted gives status skipped and a reason.
  virtual void price_into(const Opportunity& opportunity, QuotePlan& out) const = 0;

  // Why line `line` of a plan got its discount, one entry per rule that fired ("region EMEA
  // 5%"). The default describes the FiredRules bits; engines with named rules say more. For
  // output and logs, not the hot path.
  virtual std::vector<std::string> explain(const QuotePlan& plan, size_t line) const;
  // What applies to the whole quote ("region EMEA", "deal size >= 100000 3%"); default none.
  virtual std::vector<std::string> explain_quote(const QuotePlan& plan) const;

  QuotePlan price(const Opportunity& opportunity) const;
  // Prices a batch; out is resized to match and its plans' storage reused.
  void price_batch(std::span<const Opportunity> opportunities, std::vector<QuotePlan>& out) const;
};

// What a quote needs besides its lines; engines fill it from their rules or configuration.
struct QuoteSettings {
  std::string_view version;  // the engine's version(): written on the description
  int currency_scale = 2;    // places every amount is rounded to (0 to 6)
  int valid_days = 30;
  Decimal review_threshold = Decimal::one();  // discount / subtotal above this: review
  std::string_view draft_status = "Draft";    // Quote.Status values
  std::string_view review_status = "Needs Review";
};

// Starts a plan: opportunity and price book ids, quote name and description, valid_days; lines
// sized to the input and cleared. Checks that the opportunity can be quoted (a price book, at
// least one line, every line with a price book entry, a positive quantity, a positive list
// price with at most currency_scale places, an override from 0 to 1); if not, the plan is
// skipped with the reason and this returns false. It is start_quote() then check_lines().
bool begin_quote(const Opportunity& opportunity, const QuoteSettings& settings, QuotePlan& out);

// The first half of begin_quote(): identity, description, status draft (finish_quote() sets
// the status and its label); skips (returns false) when there is no price book or no line.
// Leaves out.lines to the caller, who sizes them and writes every field (begin_quote() resets
// them; the rules engine overwrites them in place).
bool start_quote(const Opportunity& opportunity, const QuoteSettings& settings, QuotePlan& out);

// The second half: every line checked as begin_quote() says; skips with the first problem.
bool check_lines(const Opportunity& opportunity, int currency_scale, QuotePlan& out);

// The common case of check_lines() for one line, inline, for engines that fuse the check into
// their own loop (and call check_lines() for the reason when this says no).
template <int Scale>
inline bool line_plainly_valid(const OpportunityLine& line) {
  return !line.pricebook_entry_id.is_null() && line.quantity.is_positive() &&
         line.list_price.is_positive() && line.list_price.has_scale<Scale>() &&
         (!line.discount_override ||
          (!line.discount_override->is_negative() && *line.discount_override <= Decimal::one()));
}

// Marks the plan skipped with a reason and drops its lines.
void skip_quote(QuotePlan& out, std::string_view reason);

// Prices one line at `rate`: list_total = list × quantity, unit_price = list × (1 − rate)
// rounded once, half up, to `scale` places, total = unit_price × quantity rounded the same way
// (exact for whole quantities; Salesforce computes TotalPrice the same way from what we write).
// Records the rate; leaves `fired` and the rule indexes to the caller. False when an amount
// leaves the Decimal range.
inline bool price_line(const OpportunityLine& line, Decimal rate, int scale, LinePlan& out) {
  Decimal one_minus;
  Decimal list_total;
  Decimal unit;
  Decimal total;
  if (!Decimal::one().subtract_into(rate, one_minus) ||
      !line.list_price.multiply_into(line.quantity, scale, list_total) ||
      !line.list_price.multiply_into(one_minus, scale, unit) ||
      !unit.multiply_into(line.quantity, scale, total)) {
    return false;
  }
  out.list_price = line.list_price;
  out.list_total = list_total;
  out.discount_rate = rate;
  out.unit_price = unit;
  out.total = total;
  return true;
}

// Sums the line totals into subtotal, total and discount, computes the discount rate, and sets
// the status: review when discount / subtotal > review_threshold (compared exactly), else
// draft, with the matching Quote.Status labels. Skips the quote if a sum leaves the range.
void finish_quote(const QuoteSettings& settings, QuotePlan& out);
// The same with the sums already made (by an engine that summed while pricing).
void finish_quote(const QuoteSettings& settings, Decimal subtotal, Decimal total, QuotePlan& out);

// "Quote for <name>" cut to 80 characters (Quote.Name's limit) without splitting a UTF-8
// sequence; "Quote for Opportunity" for an empty name, as the samples do.
void quote_name(std::string_view opportunity_name, std::string& out);

}  // namespace pe::pricing
