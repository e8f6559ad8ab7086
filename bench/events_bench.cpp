// Reading change events, per event on one core:
//   build/release/bench/events_bench --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
// BM_ParseEventingSample reads the Eventing sample (bench/ingest_event.json, as the webhook
// benchmark posts it) the way the webhook does; BM_ParseCompactBatch reads a batch of 100
// compact events with 5 record Ids each; BM_JsonDocument builds the sample's boost::json
// document, what the webhook did before it read events straight from the text (the baseline).
#include "common/json_exact.hpp"
#include "events/change_event.hpp"

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

namespace pe::events {
namespace {

std::string sample() {
  std::ifstream in(PE_SOURCE_DIR "/bench/ingest_event.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string_view no_header(std::string_view) { return {}; }

void BM_ParseEventingSample(benchmark::State& state) {
  const std::string body = sample();
  for (auto _ : state) {
    auto events = parse_change_events("application/cloudevents+json", body, no_header);
    if (!events) state.SkipWithError(events.error().message.c_str());
    benchmark::DoNotOptimize(events);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

void BM_ParseCompactBatch(benchmark::State& state) {
  std::string body = "[";
  for (int e = 0; e < 100; ++e) {
    body += std::string(e ? "," : "") + R"({"specversion":"1.0","id":"e)" + std::to_string(e) +
            R"(","source":"","type":"","data":{"ChangeEventHeader":{"entityName":"Opportunity",)"
            R"("changeType":"UPDATE","transactionKey":"00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3",)"
            R"("sequenceNumber":)" +
            std::to_string(e + 1) + R"(,"changedFields":["StageName"],"recordIds":[)";
    for (int i = 0; i < 5; ++i) {
      body += std::string(i ? "," : "") + "\"" +
              std::string(SalesforceId::make("006", static_cast<uint64_t>(e * 5 + i)).str()) + "\"";
    }
    body += "]}}}";
  }
  body += "]";
  for (auto _ : state) {
    auto events = parse_change_events("application/cloudevents-batch+json", body, no_header);
    if (!events) state.SkipWithError(events.error().message.c_str());
    benchmark::DoNotOptimize(events);
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

void BM_JsonDocument(benchmark::State& state) {
  const std::string body = sample();
  for (auto _ : state) benchmark::DoNotOptimize(parse_json_exact(body, 32));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

BENCHMARK(BM_ParseEventingSample);
BENCHMARK(BM_ParseCompactBatch);
BENCHMARK(BM_JsonDocument);

}  // namespace
}  // namespace pe::events

BENCHMARK_MAIN();
