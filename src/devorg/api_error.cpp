#include "devorg/api_error.hpp"

#include <boost/json/object.hpp>

namespace pe::devorg {

void throw_exception_from_error(const ApiError& error, const boost::source_location&) {
  throw ErrorException(to_error(error));
}

boost::json::array to_json(const ApiError& error) {
  boost::json::object item;
  item["message"] = error.message;
  item["errorCode"] = error.error_code;
  if (!error.fields.empty()) {
    boost::json::array fields;
    for (const auto& f : error.fields) fields.emplace_back(f);
    item["fields"] = std::move(fields);
  }
  return boost::json::array{std::move(item)};
}

Error to_error(const ApiError& error) {
  Errc code = Errc::invalid_argument;
  switch (error.http_status) {
    case 401:
      code = Errc::unauthenticated;
      break;
    case 403:
      code = Errc::permission_denied;
      break;
    case 404:
      code = Errc::not_found;
      break;
    case 405:
      code = Errc::method_not_allowed;
      break;
    case 409:
      code = Errc::already_exists;
      break;
    case 413:
      code = Errc::payload_too_large;
      break;
    case 415:
      code = Errc::unsupported_media_type;
      break;
    case 429:
      code = Errc::resource_exhausted;
      break;
    case 503:
      code = Errc::unavailable;
      break;
    default:
      if (error.http_status >= 500) code = Errc::internal;
  }
  return Error{code, error.error_code + ": " + error.message};
}

ApiError to_api_error(const soql::SoqlError& error) {
  return ApiError{error.error_code, error.message};
}

}  // namespace pe::devorg
