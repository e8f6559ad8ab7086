// retry_policy.hpp: the default retry policy for HttpClient::request_with_retry (exponential
// backoff with jitter, honouring Retry-After), and its parts, pure functions tested without a
// network.
//
// What it retries:
//  - any request that failed before a byte of it was written (DNS, connect, TLS: it never left);
//  - an idempotent request (HttpRequest::is_idempotent) that failed with a transient error
//    (unavailable, deadline_exceeded) or got 429, 500, 502, 503 or 504.
// Never: cancelled requests, other errors, other statuses. It waits initial_delay * 2^(n-1),
// capped at max_delay, with "equal jitter" (between half of that and all of it) so that clients
// failing together do not retry together; a Retry-After header (seconds or an HTTP date) on a
// 429 or 503 replaces that delay, and one longer than max_retry_after ends the retries (the
// response is returned, so the caller can reschedule the work).
// Rules of a particular API (Salesforce's INVALID_SESSION_ID refresh) belong in that API's
// client, which can wrap this policy.
//
//   auto res = co_await client.request_with_retry(req, exponential_backoff({.max_attempts = 5}));
#pragma once

#include "net/http_client.hpp"

#include <chrono>
#include <optional>
#include <string_view>

namespace pe::net {

struct BackoffOptions {
  int max_attempts = 4;  // including the first
  std::chrono::milliseconds initial_delay{200};
  std::chrono::milliseconds max_delay{10'000};
  std::chrono::milliseconds max_retry_after{60'000};
};

RetryPolicy exponential_backoff(BackoffOptions options = {});

// The delay before attempt n+1 after attempt n failed, for a uniform random01 in [0, 1).
std::chrono::milliseconds backoff_delay(int attempt, const BackoffOptions& options,
                                        double random01);

// A Retry-After value: delta-seconds ("120") or an IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT",
// relative to now; a date in the past is 0). nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// 429, 500, 502, 503, 504.
bool is_retryable_status(int status);

}  // namespace pe::net
