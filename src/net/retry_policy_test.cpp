#include "net/retry_policy.hpp"

#include <gtest/gtest.h>

namespace pe::net {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
namespace http = boost::beast::http;

TEST(Backoff, DoublesFromTheInitialDelayWithEqualJitterUpToTheCap) {
  BackoffOptions o{.initial_delay = 200ms, .max_delay = 1000ms};
  EXPECT_EQ(backoff_delay(1, o, 0.0), 100ms);
  EXPECT_EQ(backoff_delay(1, o, 0.5), 150ms);
  EXPECT_EQ(backoff_delay(2, o, 0.0), 200ms);
  EXPECT_EQ(backoff_delay(3, o, 0.999), 799ms);
  EXPECT_EQ(backoff_delay(4, o, 0.0), 500ms);  // capped at 1000 ms, half of it at least
  EXPECT_EQ(backoff_delay(60, o, 0.0), 500ms);
}

TEST(RetryAfter, ParsesSecondsAndHttpDates) {
  auto now = std::chrono::system_clock::from_time_t(1445412450);  // Wed, 21 Oct 2015 07:27:30 GMT
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120'000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), milliseconds(30'000));
  EXPECT_EQ(parse_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now), milliseconds(0));
  EXPECT_GT(*parse_retry_after("99999999999999", now), milliseconds(3'600'000));
}

TEST(RetryAfter, RejectsMalformedValues) {
  auto now = std::chrono::system_clock::now();
  for (const char* bad : {"", "soon", "-5", "1.5", "12s", "Wed, 21 Oct 2015 07:28:00 UTC",
                          "Wed, 21 Foo 2015 07:28:00 GMT", "Wed, 41 Oct 2015 07:28:00 GMT",
                          "Wednesday, 21-Oct-15 07:28:00 GMT"}) {
    EXPECT_EQ(parse_retry_after(bad, now), std::nullopt) << bad;
  }
}

class Policy : public ::testing::Test {
 protected:
  std::optional<milliseconds> decide(http::verb method, const Result<HttpResponse>& result,
                                     int attempt = 1, bool sent = true,
                                     std::optional<bool> idempotent = std::nullopt) {
    HttpRequest req{.method = method, .url = "http://h/", .idempotent = idempotent};
    return policy_(RetryAttempt{req, result, attempt, sent});
  }
  static Result<HttpResponse> status(int code, HttpHeaders headers = {}) {
    return HttpResponse{.status = code, .headers = std::move(headers)};
  }
  static Result<HttpResponse> error(Errc code) { return Error{code, "x"}; }

  BackoffOptions options_{
      .max_attempts = 3, .initial_delay = 100ms, .max_delay = 1000ms, .max_retry_after = 5000ms};
  RetryPolicy policy_ = exponential_backoff(options_);
};

TEST_F(Policy, RetriesIdempotentRequestsOnTransientStatusesAndErrors) {
  for (int code : {429, 500, 502, 503, 504}) {
    auto delay = decide(http::verb::get, status(code));
    ASSERT_TRUE(delay) << code;
    EXPECT_GE(*delay, 50ms);
    EXPECT_LE(*delay, 100ms);
  }
  EXPECT_TRUE(decide(http::verb::put, error(Errc::unavailable)));
  EXPECT_TRUE(decide(http::verb::delete_, error(Errc::deadline_exceeded)));
  EXPECT_TRUE(decide(http::verb::post, status(503), 1, true, /*idempotent=*/true));
}

TEST_F(Policy, RetriesAnyMethodOnlyWhenNothingWasSent) {
  EXPECT_TRUE(decide(http::verb::post, error(Errc::unavailable), 1, /*sent=*/false));
  EXPECT_TRUE(decide(http::verb::patch, error(Errc::deadline_exceeded), 1, /*sent=*/false));
  EXPECT_FALSE(decide(http::verb::post, error(Errc::unavailable), 1, /*sent=*/true));
  EXPECT_FALSE(decide(http::verb::post, status(503)));
  EXPECT_FALSE(decide(http::verb::patch, status(429)));
}

TEST_F(Policy, StopsOnFinalAnswersCancellationAndTheLastAttempt) {
  for (int code : {200, 201, 204, 301, 400, 401, 404, 409, 413, 501, 505}) {
    EXPECT_FALSE(decide(http::verb::get, status(code))) << code;
  }
  for (Errc code :
       {Errc::cancelled, Errc::invalid_argument, Errc::internal, Errc::payload_too_large}) {
    EXPECT_FALSE(decide(http::verb::get, error(code), 1, false)) << to_string(code);
  }
  EXPECT_TRUE(decide(http::verb::get, status(503), 2));
  EXPECT_FALSE(decide(http::verb::get, status(503), 3));
}

TEST_F(Policy, HonoursRetryAfterUpToItsCap) {
  EXPECT_EQ(decide(http::verb::get, status(503, {{"Retry-After", "2"}})), 2000ms);
  EXPECT_EQ(decide(http::verb::get, status(429, {{"retry-after", "0"}})), 0ms);
  EXPECT_EQ(decide(http::verb::get, status(429, {{"Retry-After", "6"}})), std::nullopt);
  // Malformed: ignored, plain backoff.
  auto delay = decide(http::verb::get, status(503, {{"Retry-After", "later"}}));
  ASSERT_TRUE(delay);
  EXPECT_LE(*delay, 100ms);
}

TEST(HttpRequest, IdempotenceFollowsTheMethodUnlessSet) {
  EXPECT_TRUE(HttpRequest{.method = http::verb::get}.is_idempotent());
  EXPECT_TRUE(HttpRequest{.method = http::verb::put}.is_idempotent());
  EXPECT_TRUE(HttpRequest{.method = http::verb::delete_}.is_idempotent());
  EXPECT_FALSE(HttpRequest{.method = http::verb::post}.is_idempotent());
  EXPECT_FALSE(HttpRequest{.method = http::verb::patch}.is_idempotent());
  EXPECT_TRUE((HttpRequest{.method = http::verb::patch, .idempotent = true}.is_idempotent()));
  EXPECT_FALSE((HttpRequest{.method = http::verb::get, .idempotent = false}.is_idempotent()));
}

TEST(HttpHeaders, FindIsCaseInsensitiveAndReturnsTheFirst) {
  HttpHeaders headers{{"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}, {"Content-Type", "text/csv"}};
  EXPECT_EQ(find_header(headers, "SET-COOKIE"), "a=1");
  EXPECT_EQ(find_header(headers, "content-type"), "text/csv");
  EXPECT_EQ(find_header(headers, "Retry-After"), std::nullopt);
}

}  // namespace
}  // namespace pe::net
