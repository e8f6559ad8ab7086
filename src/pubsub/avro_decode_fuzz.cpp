// avro_decode_fuzz.cpp: libFuzzer target for the Avro codec (avro_schema.hpp, avro_codec.hpp).
//
// The first byte picks the mode. Even: the rest is a payload, decoded with the
// OpportunityChangeEvent schema. Odd: the rest is split at its first NUL byte into a schema's JSON
// and a payload decoded with that schema (when it parses). Every input must come back as a value
// or an error, without a crash, a leak or undefined behaviour (the target is built with ASan and
// UBSan), and:
//   - an error is invalid_argument (payload_too_large for an oversized schema), its message
//     starting "avro: " or "avro schema: ";
//   - a value decoded from canonical bytes (DecodeStats::canonical) encodes back to exactly
//     those bytes; a value from other bytes (negative counts, several blocks) encodes to
//     canonical bytes that decode and encode back to themselves.
// Built only with -DPE_FUZZ=ON and clang; run with scripts/fuzz (corpus:
// src/pubsub/fuzz_corpus/avro_decode/).
#include "pubsub/avro_codec.hpp"
#include "pubsub/opportunity_schema.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

using namespace pe::pubsub::avro;

void check(bool condition) {
  if (!condition) std::abort();
}

void decode_and_check(const Schema& schema, std::string_view payload) {
  DecodeStats stats;
  auto value = decode(schema, payload, {}, &stats);
  if (!value) {
    check(value.error().code == pe::Errc::invalid_argument);
    check(value.error().message.starts_with("avro: "));
    return;
  }
  auto bytes = encode(schema, *value);
  check(static_cast<bool>(bytes));
  if (stats.canonical) {
    check(*bytes == payload);
    return;
  }
  DecodeStats again;
  auto back = decode(schema, *bytes, {}, &again);
  check(back && again.canonical);
  auto twice = encode(schema, *back);  // bytes, not values, are compared: NaN != NaN
  check(twice && *twice == *bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const Schema oce = *Schema::parse(pe::pubsub::opportunity_change_event_schema());
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    decode_and_check(oce, rest);
    return 0;
  }
  const auto nul = rest.find('\0');
  const std::string_view json = rest.substr(0, nul);
  const std::string_view payload = nul == std::string_view::npos ? "" : rest.substr(nul + 1);
  auto schema = Schema::parse(json);
  if (!schema) {
    const auto code = schema.error().code;
    check(code == pe::Errc::invalid_argument || code == pe::Errc::payload_too_large);
    check(schema.error().message.starts_with("avro schema: "));
    return 0;
  }
  decode_and_check(*schema, payload);
  return 0;
}
