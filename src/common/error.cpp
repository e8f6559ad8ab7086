#include "common/error.hpp"

namespace pe {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::unauthenticated:
      return "unauthenticated";
    case Errc::permission_denied:
      return "permission_denied";
    case Errc::not_found:
      return "not_found";
    case Errc::method_not_allowed:
      return "method_not_allowed";
    case Errc::already_exists:
      return "already_exists";
    case Errc::failed_precondition:
      return "failed_precondition";
    case Errc::aborted:
      return "aborted";
    case Errc::payload_too_large:
      return "payload_too_large";
    case Errc::unsupported_media_type:
      return "unsupported_media_type";
    case Errc::out_of_range:
      return "out_of_range";
    case Errc::resource_exhausted:
      return "resource_exhausted";
    case Errc::cancelled:
      return "cancelled";
    case Errc::internal:
      return "internal";
    case Errc::unimplemented:
      return "unimplemented";
    case Errc::unavailable:
      return "unavailable";
    case Errc::deadline_exceeded:
      return "deadline_exceeded";
  }
  return "internal";
}

int http_status(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return 400;
    case Errc::out_of_range:
      return 400;
    case Errc::unauthenticated:
      return 401;
    case Errc::permission_denied:
      return 403;
    case Errc::not_found:
      return 404;
    case Errc::method_not_allowed:
      return 405;
    case Errc::already_exists:
      return 409;
    case Errc::failed_precondition:
      return 409;
    case Errc::aborted:
      return 409;
    case Errc::payload_too_large:
      return 413;
    case Errc::unsupported_media_type:
      return 415;
    case Errc::resource_exhausted:
      return 429;
    case Errc::cancelled:
      return 499;
    case Errc::internal:
      return 500;
    case Errc::unimplemented:
      return 501;
    case Errc::unavailable:
      return 503;
    case Errc::deadline_exceeded:
      return 504;
  }
  return 500;
}

bool is_transient(Errc code) {
  return code == Errc::unavailable || code == Errc::deadline_exceeded ||
         code == Errc::resource_exhausted || code == Errc::aborted;
}

ErrorException::ErrorException(Error error)
    : std::runtime_error(std::string(to_string(error.code)) + ": " + error.message),
      error_(std::move(error)) {}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw ErrorException(error);
}

}  // namespace pe
