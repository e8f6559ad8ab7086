// salesforce_error.hpp: the one error type of the Salesforce client — HTTP status, Salesforce's
// errorCode, message and fields — and the parser of every error body shape the APIs answer with.
//
// Shapes: the REST array `[{"message","errorCode","fields"}]`; a Composite/Graph node body (the
// same array); a collection SaveResult `{"success":false,"errors":[{"statusCode","message",
// "fields"}]}`; OAuth-style `{"error","error_description"}`; AppLink's `{"title","detail"}`; and
// anything else (an HTML error page, an empty body), kept as the status with a short excerpt.
// Failures below HTTP (connect, TLS, timeouts) have status 0 and the transport's error kind.
//
//   auto error = parse_error(401, R"([{"message":"Session expired or invalid",
//                                       "errorCode":"INVALID_SESSION_ID"}])");
//   error.error_code == "INVALID_SESSION_ID"; error.is_invalid_session() == true
#pragma once

#include "common/error.hpp"

#include <boost/json/fwd.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pe::salesforce {

struct SalesforceError {
  int status = 0;          // HTTP status; 0 when no answer came (transport)
  std::string error_code;  // "INVALID_SESSION_ID", "REQUEST_LIMIT_EXCEEDED", ...; for transport
                           // failures the Errc name ("unavailable", "deadline_exceeded")
  std::string message;     // never holds a token (redacted)
  std::vector<std::string> fields;
  Errc transport = Errc::internal;  // the transport failure's kind (when status is 0)

  bool is_invalid_session() const { return error_code == "INVALID_SESSION_ID"; }
  // Worth retrying for a request that is safe to repeat: 5xx, 429 or REQUEST_LIMIT_EXCEEDED,
  // timeouts and lost connections.
  bool is_transient() const;
  // "INVALID_FIELD: No such column ... (HTTP 400)"
  std::string describe() const;
  Error to_error() const;
};

// Found by boost::system::result through argument-dependent lookup (value() on an error).
[[noreturn]] void throw_exception_from_error(const SalesforceError& error,
                                             const boost::source_location&);

template <class T>
using SfResult = boost::system::result<T, SalesforceError>;

// The first error of an error body, with the status it came with.
SalesforceError parse_error(int status, std::string_view body);
// The same for an already parsed body (a Composite node's `body`).
SalesforceError error_from_json(int status, const boost::json::value& body);
SalesforceError transport_error(const Error& error);

}  // namespace pe::salesforce
