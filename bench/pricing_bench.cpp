// Pricing engine throughput: line items priced per second on one core with the example rules
// (8 regions, 41 families most with their own volume tiers, 5 deal-size tiers), against the
// rate of merely reading the same input from memory in the same run (the physical ceiling).
//
//   build/release/bench/pricing_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true          (one line in the shell)
//
// Both benchmarks walk the same opportunities in the same order. BM_ReadInput touches every
// field the engine reads (country, price book, each line's entry id, family, quantity, list
// price, override) and folds them into a checksum; BM_PriceLines prices them into reused quote
// plans, as a worker does batch after batch. Items are the lines of quoted opportunities.
// Arg: the number of opportunities (1..20 lines each, 10.5 on average): 1,000 fit in L2 cache,
// 20,000 (about 25 MB of input) do not.
#include "pricing/rules_engine.hpp"
#include "pricing/sample_data.hpp"

#include <benchmark/benchmark.h>

#include <cstring>
#include <map>
#include <memory>

namespace pe::pricing {
namespace {

struct Fixture {
  std::unique_ptr<RulesEngine> engine;
  std::vector<Opportunity> opportunities;
  int64_t priced_lines = 0;
};

const Fixture& fixture(size_t count) {
  static std::map<size_t, Fixture> cache;
  auto it = cache.find(count);
  if (it != cache.end()) return it->second;
  Fixture f;
  auto rules = load_rules(std::string(PE_SOURCE_DIR) + "/config/pricing-rules.example.json");
  if (!rules) throw std::runtime_error(rules.error().message);
  f.engine = std::make_unique<RulesEngine>(std::move(*rules));
  SampleShape shape = sample_shape_for(f.engine->rules());
  shape.min_lines = 1;
  shape.max_lines = 20;
  f.opportunities = generate_opportunities(7, count, shape);
  std::vector<QuotePlan> plans;
  f.engine->price_batch(f.opportunities, plans);
  for (const auto& plan : plans) f.priced_lines += static_cast<int64_t>(plan.lines.size());
  return cache.emplace(count, std::move(f)).first->second;
}

void BM_PriceLines(benchmark::State& state) {
  const Fixture& f = fixture(static_cast<size_t>(state.range(0)));
  std::vector<QuotePlan> plans;
  f.engine->price_batch(f.opportunities, plans);  // warm: plans keep their storage
  for (auto _ : state) {
    f.engine->price_batch(f.opportunities, plans);
    benchmark::DoNotOptimize(plans.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * f.priced_lines);
}

void BM_ReadInput(benchmark::State& state) {
  const Fixture& f = fixture(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    uint64_t sum = 0;
    for (const Opportunity& o : f.opportunities) {
      sum += o.account.billing_country.size() + static_cast<uint8_t>(o.pricebook2_id.str()[14]);
      for (const OpportunityLine& l : o.lines) {
        uint64_t entry;
        std::memcpy(&entry, l.pricebook_entry_id.str().data() + 10, 8);
        const std::string& family = l.product_family;
        sum += entry + family.size() + (family.empty() ? 0u : static_cast<uint8_t>(family.back()));
        sum +=
            static_cast<uint64_t>(l.quantity.units()) ^ static_cast<uint64_t>(l.list_price.units());
        if (l.discount_override) sum += static_cast<uint64_t>(l.discount_override->units());
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * f.priced_lines);
}

BENCHMARK(BM_ReadInput)->Arg(1'000)->Arg(20'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PriceLines)->Arg(1'000)->Arg(20'000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pe::pricing

BENCHMARK_MAIN();
