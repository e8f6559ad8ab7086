#include "pubsub/flow_control.hpp"

#include <algorithm>

namespace pe::pubsub {

FlowControl::FlowControl(FlowOptions options) : options_(options) {
  options_.batch = std::clamp(options_.batch, int32_t{1}, int32_t{100});
  options_.low_water = std::clamp(options_.low_water, int32_t{0}, options_.batch - 1);
}

int32_t FlowControl::request(int32_t n, Clock::time_point now) {
  owed_ = std::min(options_.batch, owed_ + n);
  last_request_ = now;
  return n;
}

int32_t FlowControl::start(Clock::time_point now) {
  owed_ = 0;
  return request(options_.batch, now);
}

int32_t FlowControl::on_response(int64_t events, int64_t pending_num_requested,
                                 Clock::time_point now) {
  // The server's word is the truth; without it (a negative value), count what arrived.
  if (pending_num_requested >= 0) {
    owed_ = static_cast<int32_t>(std::min<int64_t>(pending_num_requested, options_.batch));
  } else {
    owed_ = static_cast<int32_t>(std::max<int64_t>(0, owed_ - events));
  }
  if (owed_ > options_.low_water) return 0;
  return request(options_.batch - owed_, now);
}

int32_t FlowControl::on_timer(Clock::time_point now) {
  if (now - last_request_ < options_.max_silence) return 0;
  last_request_ = now;  // 1 more owed, at most the cap (the server counts above it as the cap)
  if (owed_ < options_.batch) ++owed_;
  return 1;
}

}  // namespace pe::pubsub
