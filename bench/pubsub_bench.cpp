// Decoding Pub/Sub change events, per event on one core:
//   build/release/bench/pubsub_bench --benchmark_repetitions=3
//   --benchmark_report_aggregates_only=true
// BM_DecodeChangeEvent turns a typical OpportunityChangeEvent payload (an UPDATE of one record,
// three changed fields, one of them in the compound ShippingAddress__c, the body's other fields
// null: 231 bytes) into the events::ChangeEvent the buffer takes — Avro decode by the writer
// schema, the whole header, Id validation, bitmap expansion. BM_AvroDecode is the decode alone;
// BM_EncodeChangeEvent the inverse, what the local org does per event it publishes.
#include "pubsub/avro_codec.hpp"
#include "pubsub/change_event_payload.hpp"
#include "pubsub/opportunity_schema.hpp"

#include <benchmark/benchmark.h>

namespace pe::pubsub {
namespace {

const avro::Schema& schema() {
  static const avro::Schema s = *avro::Schema::parse(opportunity_change_event_schema());
  return s;
}

ChangeEventHeader header() {
  ChangeEventHeader h;
  h.event.entity = "Opportunity";
  h.event.change_type = "UPDATE";
  h.event.record_ids = {*SalesforceId::parse("006am000006pSAYAA2")};
  h.event.transaction_key = "00001b0b-bd8a-108c-cdeb-2b85f1c4b7e3";
  h.event.sequence_number = 1;
  h.event.commit_timestamp = 1736877277000;
  h.event.changed_fields = {"StageName", "LastModifiedDate", "ShippingAddress__c.City"};
  h.change_origin = "com/salesforce/api/soap/62.0;client=SfdcInternalAPI/";
  h.commit_number = 1736877279422521345;
  h.commit_user = "005am000004KT8PAAW";
  return h;
}

const std::string& payload() {
  static const std::string bytes = [] {
    avro::Value::Record address;
    address.fields.resize(10);
    address.fields[1] = avro::Value::of(std::string("Lyon"));
    const std::vector<BodyField> body = {
        {"StageName", avro::Value::of(std::string("Negotiation/Review"))},
        {"LastModifiedDate", avro::Value::of(int64_t{1736877277000})},
        {"ShippingAddress__c", avro::Value::of(std::move(address))},
    };
    return *encode_change_event(schema(), header(), body);
  }();
  return bytes;
}

void BM_DecodeChangeEvent(benchmark::State& state) {
  const std::string& bytes = payload();
  for (auto _ : state) {
    auto event = decode_change_event(schema(), bytes);
    if (!event) state.SkipWithError(event.error().message.c_str());
    benchmark::DoNotOptimize(event);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
  state.counters["payload_bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_DecodeChangeEvent);

void BM_AvroDecode(benchmark::State& state) {
  const std::string& bytes = payload();
  for (auto _ : state) {
    auto value = avro::decode(schema(), bytes);
    benchmark::DoNotOptimize(value);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AvroDecode);

void BM_EncodeChangeEvent(benchmark::State& state) {
  const ChangeEventHeader h = header();
  for (auto _ : state) {
    auto bytes = encode_change_event(schema(), h);
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeChangeEvent);

}  // namespace
}  // namespace pe::pubsub

BENCHMARK_MAIN();
