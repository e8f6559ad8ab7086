// api_error.hpp: ApiError, a Salesforce REST API error as the local org answers it.
//
// Salesforce answers a failed request with an HTTP status and a JSON array of
// {"message", "errorCode"[, "fields"]} (salesforce-facts.md, section 1). The local org keeps that
// shape end to end: the SOQL parser, the translator and (later) storage return an ApiError, and
// the REST layer renders it with to_json(). The error code is Salesforce's own string
// ("MALFORMED_QUERY", "INVALID_FIELD", ...), not one of our Errc kinds, because clients branch on
// it; to_error() maps it into pe::Error for code that only needs a kind and a message.
//
//   ApiResult<Query> parsed = parse_soql(text);
//   if (!parsed) return reply(parsed.error().http_status, to_json(parsed.error()));
//
// The SOQL front end (src/soql/) has its own SoqlError with the same code and message:
// to_api_error() turns it into an ApiError unchanged. The helpers that format caller text in
// messages (query_error_message(), Salesforce's pointer; printable()) live there too and are
// used here under their short names.
#pragma once

#include "common/error.hpp"
#include "soql/error.hpp"

#include <boost/json/array.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pe::devorg {

struct ApiError {
  ApiError() = default;
  // Not an aggregate on purpose: ApiResult<std::string> must not mistake a string for an error.
  ApiError(std::string code, std::string text, int status = 400,
           std::vector<std::string> field_names = {})
      : error_code(std::move(code)),
        message(std::move(text)),
        http_status(status),
        fields(std::move(field_names)) {}

  std::string error_code;  // "MALFORMED_QUERY"
  std::string message;     // always valid UTF-8 (safe to put in JSON)
  int http_status = 400;
  std::vector<std::string> fields;  // field names for field-specific errors, else empty

  friend bool operator==(const ApiError&, const ApiError&) = default;
};

// Found by boost::system::result through argument-dependent lookup (ApiResult::value()).
[[noreturn]] void throw_exception_from_error(const ApiError& error, const boost::source_location&);

template <class T>
using ApiResult = boost::system::result<T, ApiError>;

// [{"message": ..., "errorCode": ...}] with "fields" only when there are some, as Salesforce does
// for query errors.
boost::json::array to_json(const ApiError& error);
// The nearest pe::Error: 400 → invalid_argument, 401 → unauthenticated, ...; the message keeps
// the error code in front ("MALFORMED_QUERY: ...").
Error to_error(const ApiError& error);

// A refusal of the SOQL parser as the local org answers it: same code, same message, 400.
ApiError to_api_error(const soql::SoqlError& error);

using soql::printable;
using soql::query_error_message;

}  // namespace pe::devorg
