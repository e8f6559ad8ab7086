// http_message.hpp: the request and response types handlers see, and the JSON response helpers.
//
// A handler is a coroutine from a Request to a Response; it never touches the socket, so it can
// be unit-tested by calling it (or Router::dispatch, router.hpp). The server fills in the path
// parameters and the request id, and frames the response itself (Content-Length, Connection,
// Date, X-Request-Id), so handlers only set the status, their headers and the body.
//
//   asio::awaitable<Response> get_thing(Request& req) {
//     auto id = req.param("id");            // also req.path, req.query, req.header(...)
//     if (id.size() > 18) co_return json_error(req, Errc::invalid_argument, "id is too long");
//     req.log().info("thing_read", {{"id", id}});
//     co_return json_response(http::status::ok, R"({"ok":true})");
//   }
//
// Error bodies have one shape everywhere, with the HTTP status of the error kind (error.hpp):
//   {"error":{"code":"invalid_argument","message":"...","request_id":"..."}}
#pragma once

#include "common/error.hpp"
#include "common/log.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/fwd.hpp>

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::net {

namespace http = boost::beast::http;

using Response = http::response<http::string_body>;

struct PathParam {
  std::string_view name;  // from the route pattern; lives as long as the router
  std::string value;      // percent-decoded
};

struct Request {
  Request() = default;
  Request(Request&&) = default;
  Request& operator=(Request&&) = default;
  Request(const Request&) = delete;  // path and query would point into the original
  Request& operator=(const Request&) = delete;

  http::request<http::string_body> message;
  // Views into message.target(): the path without the query ("/api/jobs/7"), and the query
  // (after '?', without it; empty when absent). The server and Router::dispatch set them; code
  // that builds a Request by hand calls split_target() after setting the target.
  std::string_view path;
  std::string_view query;
  std::vector<PathParam> params;
  std::string request_id;
  // The address of the peer that connected (a proxy's, behind one): "127.0.0.1", "::1", ...;
  // empty for a request built by hand. `from_loopback` says it is a loopback address.
  std::string peer_address;
  bool from_loopback = false;

  void split_target();
  // The value of a path parameter ("id" for "/things/{id}"), or "" when absent.
  std::string_view param(std::string_view name) const;
  // A header's value, or "" when absent.
  std::string_view header(std::string_view name) const;
  std::string_view header(http::field field) const;
  const std::string& body() const { return message.body(); }
  // A logger that puts request_id=... on every line. Built on first use: most requests never log
  // beyond the access line, which the server writes without it.
  const log::Logger& log() const;

 private:
  mutable std::optional<log::Logger> log_;
};

// A response with a JSON body and Content-Type application/json. The body is given as text, or
// as a boost::json value, object or array to serialise (only those: a string_view must not turn
// into a JSON string by accident).
Response json_response(http::status status, std::string body);
template <class T>
concept JsonDocument = std::same_as<T, boost::json::value> ||
    std::same_as<T, boost::json::object> || std::same_as<T, boost::json::array>;
namespace detail {
std::string serialize_json(const boost::json::value& v);
std::string serialize_json(const boost::json::object& v);
std::string serialize_json(const boost::json::array& v);
}  // namespace detail
template <JsonDocument Json>
Response json_response(http::status status, const Json& body) {
  return json_response(status, detail::serialize_json(body));
}
// A response without a body (204, 202, ...).
Response empty_response(http::status status);
// The one JSON error shape, with the HTTP status of the error kind.
Response json_error(std::string_view request_id, Errc code, std::string_view message);
Response json_error(const Request& req, Errc code, std::string_view message);
Response json_error(const Request& req, const Error& error);

// Appends s to out as a JSON string literal (quotes included), escaping what JSON requires.
void append_json_string(std::string& out, std::string_view s);

// The request id of a request: the client's X-Request-Id when it is 1 to 128 characters of
// [A-Za-z0-9._:-], else a new random one (13 characters of [0-9a-z]). Echoed in the response and
// logged.
std::string request_id_from(std::string_view client_value);

}  // namespace pe::net
