// The subscription's pure rules: flow-control arithmetic and what each stream error means.
#include "pubsub/flow_control.hpp"
#include "pubsub/stream_errors.hpp"

#include <gtest/gtest.h>

namespace pe::pubsub {
namespace {

using namespace std::chrono_literals;
using Clock = FlowControl::Clock;

TEST(FlowControl, AsksForTheCapThenTopsUpBeforeTheServerRunsDry) {
  FlowControl flow;
  const auto t0 = Clock::time_point{} + 1h;
  EXPECT_EQ(flow.start(t0), 100);
  EXPECT_EQ(flow.owed(), 100);
  // 60 events arrive; 40 still owed: above the low water mark, nothing to ask.
  EXPECT_EQ(flow.on_response(60, 40, t0 + 1s), 0);
  EXPECT_EQ(flow.owed(), 40);
  // 15 more: 25 owed, the low water mark: back up to 100.
  EXPECT_EQ(flow.on_response(15, 25, t0 + 2s), 75);
  EXPECT_EQ(flow.owed(), 100);
  EXPECT_EQ(flow.last_request(), t0 + 2s);
  // Everything delivered at once: ask for all of it again, never more than the cap.
  EXPECT_EQ(flow.on_response(100, 0, t0 + 3s), 100);
  EXPECT_EQ(flow.owed(), 100);
}

TEST(FlowControl, CountsWhatArrivedWhenTheServerSaysNothing) {
  FlowControl flow({.batch = 10, .low_water = 2});
  const auto t0 = Clock::time_point{} + 1h;
  EXPECT_EQ(flow.start(t0), 10);
  EXPECT_EQ(flow.on_response(5, -1, t0), 0);
  EXPECT_EQ(flow.owed(), 5);
  EXPECT_EQ(flow.on_response(4, -1, t0), 9);  // 1 left: ask for 9
  EXPECT_EQ(flow.owed(), 10);
}

TEST(FlowControl, NeverSilentLongerThanMaxSilence) {
  FlowControl flow({.max_silence = 50s});
  const auto t0 = Clock::time_point{} + 1h;
  flow.start(t0);
  EXPECT_EQ(flow.on_response(0, 100, t0 + 10s), 0);  // a keepalive: still owed everything
  EXPECT_EQ(flow.on_timer(t0 + 49s), 0);
  EXPECT_EQ(flow.on_timer(t0 + 50s), 1);  // a request to reset the clock; the cap holds
  EXPECT_EQ(flow.owed(), 100);
  EXPECT_EQ(flow.on_timer(t0 + 60s), 0);
  EXPECT_EQ(flow.on_timer(t0 + 100s), 1);
}

TEST(FlowControl, OptionsAreKeptSane) {
  FlowControl flow({.batch = 500, .low_water = 900});
  EXPECT_EQ(flow.options().batch, 100);
  EXPECT_EQ(flow.options().low_water, 99);
  EXPECT_EQ(flow.start(Clock::now()), 100);
}

StreamError error(GrpcCode code, std::string error_code = "") {
  return {static_cast<int>(code), std::move(error_code), "message rpcId: 1"};
}

TEST(StreamErrors, EachCodeHasItsRecovery) {
  EXPECT_EQ(recovery_for(
                error(GrpcCode::unauthenticated, "sfdc.platform.eventbus.grpc.service.auth.error")),
            Recovery::refresh_auth);
  EXPECT_EQ(recovery_for(error(GrpcCode::unauthenticated)), Recovery::refresh_auth);
  EXPECT_EQ(recovery_for(error(GrpcCode::invalid_argument,
                               "sfdc.platform.eventbus.grpc.service.auth.refresh.invalid")),
            Recovery::refresh_auth);
  EXPECT_EQ(
      recovery_for(error(GrpcCode::invalid_argument,
                         "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted")),
      Recovery::lost_replay);
  EXPECT_EQ(recovery_for(
                error(GrpcCode::invalid_argument,
                      "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.validation.failed")),
            Recovery::lost_replay);
  EXPECT_EQ(recovery_for(error(GrpcCode::not_found, "sfdc.platform.eventbus.grpc.topic.not.found")),
            Recovery::stop);
  EXPECT_EQ(recovery_for(error(GrpcCode::resource_exhausted,
                               "sfdc.platform.eventbus.grpc.subscription.limit.exceeded")),
            Recovery::stop);
  EXPECT_EQ(recovery_for(error(GrpcCode::permission_denied)), Recovery::stop);
  EXPECT_EQ(
      recovery_for(error(GrpcCode::unavailable, "sfdc.platform.eventbus.grpc.service.unavailable")),
      Recovery::backoff);
  EXPECT_EQ(recovery_for(error(GrpcCode::unavailable)), Recovery::backoff);  // RST_STREAM
  EXPECT_EQ(recovery_for(error(GrpcCode::cancelled)), Recovery::backoff);    // our watchdog
  EXPECT_EQ(recovery_for(error(GrpcCode::internal, "sfdc.platform.eventbus.grpc.something.new")),
            Recovery::backoff);
}

TEST(StreamErrors, ShortCodesAreSafeForLogsAndLabels) {
  EXPECT_EQ(short_error_code("sfdc.platform.eventbus.grpc.service.auth.error"),
            "service.auth.error");
  EXPECT_EQ(short_error_code(""), "none");
  EXPECT_EQ(short_error_code("x\" y\nz{}"), "x__y_z__");
  EXPECT_EQ(short_error_code(std::string(500, 'a')).size(), 80u);
}

}  // namespace
}  // namespace pe::pubsub
