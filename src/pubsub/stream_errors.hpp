// stream_errors.hpp: what the subscriber does when a Pub/Sub call ends in an error, from its
// gRPC status and Salesforce's `error-code` trailer (sfdc.platform.eventbus.grpc.*;
// ../shared/reference/pubsub.md section 1, "Errors" and "Reconnect and retry").
//
// | what ended the call                                            | recovery        |
// | ---                                                            | ---             |
// | UNAUTHENTICATED, or a code with `auth` (service.auth.error,    | refresh_auth:   |
// |   service.auth.headers.invalid, service.auth.refresh.invalid)  | new credentials, then CUSTOM
// from the stored id | | subscription.fetch.replayid.corrupted, ...replayid.validation. |
// lost_replay:    | |   failed (an id unknown or older than the retention)           | events are
// lost: logged loudly, counted, then PRICING_PUBSUB_ON_LOST_REPLAY | | topic.not.found,
// ...limit.exceeded, service.tenant.license,    | stop: a person must act; a clear message | |
// topic.cannot.subscribe; PERMISSION_DENIED, NOT_FOUND,        |                 | | UNIMPLEMENTED
// |                 | | anything else: service.unavailable, UNAVAILABLE (RST_STREAM    | backoff:
// wait (exponential, jittered), then CUSTOM from the stored id | |   included), protection limits,
// INTERNAL, a stream our         |                 | |   watchdog cancelled, no code at all | |
//
// Unlike the Java sample, no error resumes at LATEST: every recovery but lost_replay resumes
// after the last replay id stored, so nothing published meanwhile is skipped.
#pragma once

#include <string>
#include <string_view>

namespace pe::pubsub {

// gRPC's status codes (grpc/status.h), those the rules name.
enum class GrpcCode : int {
  ok = 0,
  cancelled = 1,
  unknown = 2,
  invalid_argument = 3,
  deadline_exceeded = 4,
  not_found = 5,
  permission_denied = 7,
  resource_exhausted = 8,
  failed_precondition = 9,
  unimplemented = 12,
  internal = 13,
  unavailable = 14,
  unauthenticated = 16,
};

enum class Recovery { refresh_auth, lost_replay, backoff, stop };
std::string_view recovery_name(Recovery recovery);

struct StreamError {
  int code = 0;            // gRPC status code
  std::string error_code;  // the error-code trailer, "" when absent
  std::string message;     // the status message (it ends with "rpcId: ...")
};

Recovery recovery_for(const StreamError& error);

// The error-code without Salesforce's "sfdc.platform.eventbus.grpc." prefix, for logs and
// metric labels: "service.auth.error"; "none" when absent. At most 80 characters of
// [a-z0-9._-]; anything else becomes '_', so a hostile trailer cannot forge a log line or a label.
std::string short_error_code(std::string_view error_code);

}  // namespace pe::pubsub
