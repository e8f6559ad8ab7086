// change_event_fuzz.cpp: libFuzzer target for the change event reader (change_event.hpp).
//
// The first byte of an input picks the mode (structured, batch or binary), the rest is the body.
// Every input must come back as events or as an error, without a crash, a leak or undefined
// behaviour (the target is built with ASan and UBSan), and:
//   - the body is refused as invalid JSON exactly when boost::json's document parser (the same
//     tokenizer, the same depth limit) refuses it: the reader skips nothing it should check;
//   - an error is invalid_argument, with a message naming where ("body: ", "event...");
//   - an event has at most 10,000 record Ids, each valid or a key prefix wildcard ("006*"),
//     and a transactionKey of 1 to 64 characters; a structured or binary body gives exactly
//     one event.
// Built only with -DPE_FUZZ=ON and clang; run with scripts/fuzz (corpus:
// src/events/fuzz_corpus/change_events/).
#include "common/json_exact.hpp"
#include "events/change_event.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

std::string_view binary_headers(std::string_view name) {
  if (name == "ce-specversion") return "1.0";
  if (name == "ce-id") return "fuzz-1";
  return {};
}

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kTypes[] = {
      "application/cloudevents+json", "application/cloudevents-batch+json", "application/json"};
  const std::string_view type = kTypes[data[0] % 3];
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto events = pe::events::parse_change_events(type, body, binary_headers);
  const bool json_ok = static_cast<bool>(pe::parse_json_exact(body, 32));
  if (!events) {
    const auto& message = events.error().message;
    check(events.error().code == pe::Errc::invalid_argument);
    check(message.starts_with("body: ") || message.starts_with("event"));
    check(message.starts_with("body: invalid JSON") == !json_ok);
    return 0;
  }
  check(json_ok);
  if (data[0] % 3 != 1) check(events->size() == 1);
  for (const auto& e : *events) {
    check(e.record_ids.size() + e.wildcard_ids.size() <= 10'000);
    for (const auto& id : e.record_ids) check(id.str().size() == 18);
    for (const auto& w : e.wildcard_ids) check(w.size() == 4 && w.back() == '*');
    check(!e.transaction_key.empty() && e.transaction_key.size() <= 64);
  }
  return 0;
}
