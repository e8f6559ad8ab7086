// error.hpp: the one error vocabulary of pricing-engine and the Result<T> alias.
//
// Expected failures (bad input, a remote 4xx/5xx, Redis errors, timeouts) are values, never
// exceptions. Every module returns Result<T>; every error has one canonical kind (Errc, after
// Abseil's status codes) that maps to one HTTP status, which both our server and our local org
// need, and a message for people. Exceptions are for broken invariants and start-up failures.
//
//   Result<int> parse_port(std::string_view s) {
//     if (s.empty()) return Error{Errc::invalid_argument, "PORT is empty"};
//     ...
//     return port;
//   }
//   auto port = parse_port(text);
//   if (!port) log.error("bad port", {{"error", port.error().message}});
#pragma once

#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace pe {

enum class Errc {
  invalid_argument = 1,    // 400: the caller sent something malformed
  unauthenticated,         // 401: missing or wrong credentials
  permission_denied,       // 403: credentials fine, action not allowed
  not_found,               // 404
  method_not_allowed,      // 405
  already_exists,          // 409
  failed_precondition,     // 409: the system is not in a state that allows the action
  aborted,                 // 409: a concurrency conflict; retry the whole operation
  payload_too_large,       // 413
  unsupported_media_type,  // 415
  out_of_range,            // 400: a value outside its allowed range
  resource_exhausted,      // 429: rate or quota limits
  cancelled,               // 499: the caller gave up
  internal,                // 500: a bug or an unexpected remote answer
  unimplemented,           // 501
  unavailable,             // 503: a dependency is down; retrying later may work
  deadline_exceeded,       // 504: a step took longer than its deadline
};

// The lower-case name of the kind, e.g. "invalid_argument": used in JSON error bodies and logs.
std::string_view to_string(Errc code);
// The HTTP status a response carrying this kind of error should have.
int http_status(Errc code);
// True for kinds where the same request may succeed later (unavailable, deadline, exhausted).
bool is_transient(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string message;

  friend bool operator==(const Error&, const Error&) = default;
};

// Thrown only by Result<T>::value() on an error, i.e. when a caller chose to treat an error as a
// broken invariant.
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(Error error);
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

// Found by boost::system::result through argument-dependent lookup.
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location&);

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace pe
