// example_flat_engine.hpp: the example plug-in, a whole PricingEngine in a few lines.
//
// It applies one flat discount to every line, as the Heroku samples do (10 %), but with exact
// money and the same quote rules as every engine (pricing_engine.hpp helpers). It exists to show
// customers how their own pricing code plugs in (docs/pricing-plugins.md) and to test that path.
// Selected with PRICING_ENGINE=example-flat; EXAMPLE_FLAT_DISCOUNT sets the rate (default 0.10).
//
//   ExampleFlatEngine engine(Decimal::parse("0.10").value());
//   engine.price(opportunity).lines[0].unit_price;   // list price × 0.9, rounded to cents
#pragma once

#include "pricing/engine_registry.hpp"
#include "pricing/pricing_engine.hpp"

#include <string>

namespace pe::pricing {

class ExampleFlatEngine final : public PricingEngine {
 public:
  explicit ExampleFlatEngine(Decimal rate);

  std::string_view version() const override { return version_; }
  void price_into(const Opportunity& opportunity, QuotePlan& out) const override;

  // The factory registered as "example-flat": reads EXAMPLE_FLAT_DISCOUNT (a rate, 0 to 1).
  static Result<std::unique_ptr<PricingEngine>> create(const EngineConfig& config);

 private:
  Decimal rate_;
  std::string version_;
  QuoteSettings settings_;
};

}  // namespace pe::pricing
