// http_message.hpp: the request and response types handlers see, and the JSON response helpers.
//
// A handler is a coroutine from a Request to a Response; it never touches the socket, so it can
// be unit-tested by calling it. The server fills in the path parameters, the request id and a
// Logger that puts the request id on every line.
//
//   asio::awaitable<Response> get_thing(Request& req) {
//     auto id = req.param("id");
//     if (id.empty()) co_return json_error(req, Errc::invalid_argument, "id is required");
//     co_return json_response(http::status::ok, R"({"ok":true})");
//   }
//
// Error bodies have one shape everywhere:
//   {"error":{"code":"invalid_argument","message":"...","request_id":"..."}}
#pragma once

#include "common/error.hpp"
#include "common/log.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pe::net {

namespace http = boost::beast::http;

using Response = http::response<http::string_body>;

struct PathParam {
  std::string_view name;  // from the route pattern, lives as long as the router
  std::string value;      // percent-decoded
};

struct Request {
  http::request<http::string_body> message;
  std::string_view path;   // the target without the query string
  std::string_view query;  // after '?', without it; empty when absent
  std::vector<PathParam> params;
  std::string request_id;
  log::Logger log;

  // The value of a path parameter ("id" for "/things/{id}"), or "" when absent.
  std::string_view param(std::string_view name) const;
  // A header's value, or "" when absent.
  std::string_view header(std::string_view name) const;
  std::string_view header(http::field field) const;
  const std::string& body() const { return message.body(); }
};

// A response with a JSON body (given as text) and Content-Type application/json.
Response json_response(http::status status, std::string body);
// A response without a body (204, 202, ...).
Response empty_response(http::status status);
// The one JSON error shape, with the HTTP status of the error kind.
Response json_error(std::string_view request_id, Errc code, std::string_view message);
Response json_error(const Request& req, Errc code, std::string_view message);
Response json_error(const Request& req, const Error& error);

// Appends s to out as a JSON string literal (quotes included), escaping what JSON requires.
void append_json_string(std::string& out, std::string_view s);

}  // namespace pe::net
