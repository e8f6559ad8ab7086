// Parsing costs of the common value types, per item on one core:
//   build/release/bench/common_bench --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
// BM_SalesforceIdParse validates 18-character Ids (alphabet and checksum), as the webhook does for
// every record id of a change event; BM_DecimalParse reads prices as they come in JSON text;
// BM_CopyBaseline copies the same bytes, the floor both are measured against.
#include "common/money.hpp"
#include "common/sfid.hpp"

#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

namespace pe {
namespace {

std::vector<std::string> ids() {
  std::vector<std::string> out;
  for (uint64_t i = 0; i < 4096; ++i) out.emplace_back(SalesforceId::make("006", i * 7919).str());
  return out;
}

std::vector<std::string> prices() {
  std::vector<std::string> out;
  for (int i = 0; i < 4096; ++i)
    out.push_back(std::to_string(i * 37 % 100000) + "." + std::to_string(10 + i % 90));
  return out;
}

void BM_SalesforceIdParse(benchmark::State& state) {
  auto input = ids();
  for (auto _ : state) {
    for (const auto& text : input) benchmark::DoNotOptimize(SalesforceId::parse(text));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(input.size()));
}

void BM_DecimalParse(benchmark::State& state) {
  auto input = prices();
  for (auto _ : state) {
    for (const auto& text : input) benchmark::DoNotOptimize(Decimal::parse(text));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(input.size()));
}

void BM_CopyBaseline(benchmark::State& state) {
  auto input = ids();
  char out[18];
  for (auto _ : state) {
    for (const auto& text : input) {
      std::memcpy(out, text.data(), 18);
      benchmark::DoNotOptimize(out);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(input.size()));
}

BENCHMARK(BM_CopyBaseline);
BENCHMARK(BM_SalesforceIdParse);
BENCHMARK(BM_DecimalParse);

}  // namespace
}  // namespace pe

BENCHMARK_MAIN();
