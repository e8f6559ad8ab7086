#include "pricing/example_flat_engine.hpp"

namespace pe::pricing {

ExampleFlatEngine::ExampleFlatEngine(Decimal rate)
    : rate_(rate), version_("example-flat " + rate.to_string()) {
  settings_.version = version_;
  settings_.review_threshold = Decimal::one();  // a flat discount never needs review
}

void ExampleFlatEngine::price_into(const Opportunity& opportunity, QuotePlan& out) const {
  if (!begin_quote(opportunity, settings_, out)) return;
  for (size_t i = 0; i < opportunity.lines.size(); ++i) {
    if (!price_line(opportunity.lines[i], rate_, settings_.currency_scale, out.lines[i])) {
      return skip_quote(out, "line amount out of range");
    }
    out.lines[i].fired.add(RuleKind::custom);
  }
  finish_quote(settings_, out);
}

Result<std::unique_ptr<PricingEngine>> ExampleFlatEngine::create(const EngineConfig& config) {
  Decimal rate = Decimal::parse("0.10").value();
  if (config.env) {
    if (auto text = config.env->get("EXAMPLE_FLAT_DISCOUNT")) {
      auto parsed = Decimal::parse(*text);
      if (!parsed || parsed->is_negative() || *parsed > Decimal::one()) {
        return Error{Errc::invalid_argument, "EXAMPLE_FLAT_DISCOUNT must be a rate from 0 to 1"};
      }
      rate = *parsed;
    }
  }
  return std::make_unique<ExampleFlatEngine>(rate);
}

}  // namespace pe::pricing
