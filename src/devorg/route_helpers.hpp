// route_helpers.hpp (internal to devorg): what the local org's route files share — JSON answers,
// AppLink's {"title", "detail"} errors, and reading secrets from a request, compared in constant
// time and never echoed.
#pragma once

#include "net/http_message.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace pe::devorg {

net::Response json_answer(int status, const boost::json::value& body);
// AppLink's error shape: {"title": "Not Found", "detail": "Authorization not found"}.
net::Response applink_error(int status, std::string_view title, std::string_view detail);
// True when both are equal and not empty, in time that depends only on their lengths.
bool same_secret(std::string_view given, std::string_view expected);
// The token of "Authorization: Bearer <token>", or "" when absent or malformed.
std::string_view bearer(const net::Request& req);
// "Authorization: Basic base64(user:password)" → "user:password", or "" when malformed.
std::string basic_credentials(const net::Request& req);
// The percent-decoded value of `name` in a query string ("a=1&org=sales"), or "" when absent.
std::string query_value(std::string_view query, std::string_view name);

}  // namespace pe::devorg
