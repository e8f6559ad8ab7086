#include "pricing/engine_registry.hpp"

#include "pricing/example_flat_engine.hpp"
#include "pricing/rules_engine.hpp"

#include <gtest/gtest.h>

namespace pe::pricing {
namespace {

const std::string kExample = std::string(PE_SOURCE_DIR) + "/config/pricing-rules.example.json";

Env env_of(std::map<std::string, std::string, std::less<>> values) {
  return Env(std::move(values));
}

Opportunity one_line(std::string_view price, std::string_view quantity) {
  Opportunity o;
  o.id = SalesforceId::make("006", 9);
  o.pricebook2_id = SalesforceId::make("01s", 1);
  OpportunityLine l;
  l.id = SalesforceId::make("00k", 9);
  l.pricebook_entry_id = SalesforceId::make("01u", 9);
  l.quantity = Decimal::parse(quantity).value();
  l.list_price = Decimal::parse(price).value();
  o.lines.push_back(l);
  return o;
}

TEST(EngineRegistry, DefaultsToTheRulesEngineWithBuiltInRules) {
  Env env;
  auto config = read_engine_config(env);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->engine, "rules");
  EXPECT_EQ(config->rules_path, "");
  auto engine = make_engine(*config);
  ASSERT_TRUE(engine) << engine.error().message;
  EXPECT_EQ((*engine)->version().rfind("rules builtin-1 (sha256:", 0), 0u) << (*engine)->version();
  // The built-in rules: 10 % everywhere.
  auto plan = (*engine)->price(one_line("100.00", "1"));
  EXPECT_EQ(plan.lines[0].unit_price.to_string(2), "90.00");
}

TEST(EngineRegistry, LoadsTheRulesFileFromTheEnvironment) {
  Env env = env_of({{"PRICING_RULES", kExample}});
  auto engine = make_engine(read_engine_config(env).value());
  ASSERT_TRUE(engine) << engine.error().message;
  EXPECT_EQ((*engine)->version().rfind("rules 2026.11-example (sha256:", 0), 0u);
  auto* rules = dynamic_cast<const RulesEngine*>(engine->get());
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->rules().version, "2026.11-example");

  Env bad = env_of({{"PRICING_RULES", "/nonexistent.json"}});
  auto failed = make_engine(read_engine_config(bad).value());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "/nonexistent.json: cannot read the pricing rules file");
}

TEST(EngineRegistry, SelectsThePlugInByName) {
  Env env = env_of({{"PRICING_ENGINE", "example-flat"}, {"EXAMPLE_FLAT_DISCOUNT", "0.125"}});
  auto engine = make_engine(read_engine_config(env).value());
  ASSERT_TRUE(engine) << engine.error().message;
  EXPECT_EQ((*engine)->version(), "example-flat 0.125");
  auto plan = (*engine)->price(one_line("19.99", "3"));
  ASSERT_EQ(plan.status, QuoteStatus::draft) << plan.skip_reason;
  EXPECT_EQ(plan.lines[0].unit_price.to_string(2), "17.49");  // 17.49125
  EXPECT_EQ(plan.lines[0].total.to_string(2), "52.47");
  EXPECT_EQ(plan.total.to_string(2), "52.47");
  EXPECT_EQ(plan.description, "Priced by example-flat 0.125");
  EXPECT_EQ((*engine)->explain(plan, 0), (std::vector<std::string>{"custom"}));
  // The shared checks apply to plug-ins too.
  EXPECT_EQ((*engine)->price(one_line("0", "1")).skip_reason,
            "line 1 (" + std::string(SalesforceId::make("00k", 9).str()) +
                "): list price must be positive, not 0");
}

TEST(EngineRegistry, ExampleFlatDefaultsToTheSamplesTenPercent) {
  Env env = env_of({{"PRICING_ENGINE", "example-flat"}});
  auto engine = make_engine(read_engine_config(env).value());
  ASSERT_TRUE(engine);
  EXPECT_EQ((*engine)->price(one_line("0.30", "1")).lines[0].unit_price.to_string(2), "0.27");
  Env bad = env_of({{"PRICING_ENGINE", "example-flat"}, {"EXAMPLE_FLAT_DISCOUNT", "15%"}});
  auto failed = make_engine(read_engine_config(bad).value());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "EXAMPLE_FLAT_DISCOUNT must be a rate from 0 to 1");
}

TEST(EngineRegistry, RejectsUnknownEnginesNamingTheKnownOnes) {
  Env env = env_of({{"PRICING_ENGINE", "magic"}});
  auto engine = make_engine(read_engine_config(env).value());
  ASSERT_FALSE(engine);
  EXPECT_EQ(engine.error().code, Errc::invalid_argument);
  EXPECT_EQ(engine.error().message, "unknown PRICING_ENGINE 'magic' (known: example-flat, rules)");
}

// A customer's engine registered at run time, the way plugins.cpp registers built-in ones.
class DoubleEngine final : public PricingEngine {
 public:
  std::string_view version() const override { return "double 1"; }
  void price_into(const Opportunity& opp, QuotePlan& out) const override {
    QuoteSettings settings{.version = version()};
    if (!begin_quote(opp, settings, out)) return;
    for (size_t i = 0; i < opp.lines.size(); ++i) {
      // A negative discount: a surcharge. Allowed for plug-ins; the helpers stay exact.
      if (!price_line(opp.lines[i], Decimal::parse("-1").value(), 2, out.lines[i])) {
        return skip_quote(out, "line amount out of range");
      }
    }
    finish_quote(settings, out);
  }
};

TEST(EngineRegistry, AcceptsCustomerEngines) {
  auto registry = EngineRegistry::with_builtins();
  registry.add("double", [](const EngineConfig&) -> Result<std::unique_ptr<PricingEngine>> {
    return std::make_unique<DoubleEngine>();
  });
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"double", "example-flat", "rules"}));
  EngineConfig config;
  config.engine = "double";
  auto engine = registry.make(config);
  ASSERT_TRUE(engine);
  auto plan = (*engine)->price(one_line("10.00", "2"));
  EXPECT_EQ(plan.total.to_string(2), "40.00");
  EXPECT_EQ(plan.discount.to_string(2), "-20.00");
  EXPECT_EQ(plan.status, QuoteStatus::draft);
}

}  // namespace
}  // namespace pe::pricing
