// flow_control.hpp: how many events the subscriber asks for, and when (the Pub/Sub API's pull
// model, ../shared/reference/pubsub.md section 1).
//
// Salesforce's rules: each FetchRequest's num_requested (> 0) adds to what the server still
// owes, capped at 100 per Subscribe call (more counts as 100); every FetchResponse says what it
// still owes (pending_num_requested); with nothing owed the client must send a request within
// 60 s or the stream is closed. The samples wait for pending to reach 0 before asking again, so
// the stream stalls for a round trip at each batch and the 60 s clock runs.
//
// Ours: ask for `batch` (100) at the start; after each response, once what is owed falls to
// `low_water` or below, ask for what brings it back to `batch`, so the server never runs dry
// while events are flowing. And never `max_silence` (50 s: under the 60 s rule, with room for a
// slow network) without a request: when the silence timer fires with nothing else to ask for,
// ask for 1 more (the server counts a request above the cap as the cap, so this asks for no
// more events; it only resets the clock). The same arithmetic runs in the local org's server
// and its tests. Pure: no clock of its own, the caller passes `now`.
//
//   FlowControl flow;
//   send(flow.start(now));                                  // 100
//   if (int32_t n = flow.on_response(events, pending, now)) send(n);
//   if (int32_t n = flow.on_timer(now)) send(n);           // from a timer every few seconds
#pragma once

#include <chrono>
#include <cstdint>

namespace pe::pubsub {

struct FlowOptions {
  int32_t batch = 100;     // Salesforce's cap per Subscribe call
  int32_t low_water = 25;  // top up once what is owed is at or below this
  std::chrono::milliseconds max_silence{50'000};
};

class FlowControl {
 public:
  using Clock = std::chrono::steady_clock;

  explicit FlowControl(FlowOptions options = {});

  // The first FetchRequest's num_requested.
  int32_t start(Clock::time_point now);
  // A FetchResponse with `events` events and the server's pending_num_requested: how many to
  // ask for now (0: none).
  int32_t on_response(int64_t events, int64_t pending_num_requested, Clock::time_point now);
  // A timer tick: 1 when max_silence passed since the last request, else 0.
  int32_t on_timer(Clock::time_point now);

  // What the server owes, as its last response said (less what arrived since, plus what was
  // asked since).
  int32_t owed() const { return owed_; }
  Clock::time_point last_request() const { return last_request_; }
  const FlowOptions& options() const { return options_; }

 private:
  int32_t request(int32_t n, Clock::time_point now);

  FlowOptions options_;
  int32_t owed_ = 0;
  Clock::time_point last_request_{};
};

}  // namespace pe::pubsub
