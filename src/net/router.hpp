// router.hpp: maps a method and a path to a handler, with per-route limits; and dispatch, the
// server's request-to-response logic as a plain coroutine that needs no socket.
//
// Patterns are literal segments and {name} parameters: "/api/jobs/{id}". Matching is exact (no
// regex, no trailing-slash folding, no case folding), splits the path once, and allocates only for
// parameter values. Parameters are percent-decoded; a bad escape, an encoded NUL, or a "." or ".."
// segment names nothing (404). A path that matches a pattern but not the method gives 405 with an
// Allow list (HEAD is served by the GET route, OPTIONS by the router); no pattern gives 404. Each
// route carries its body limit and the media types it accepts, checked from the headers before the
// body is read (413, 415) and again while reading it (chunked bodies).
//
//   Router router;
//   router.add(http::verb::post, "/api/generatequotes", handle_events,
//              {.body_limit = 1 << 20, .content_types = {"application/cloudevents+json"}});
//   Request req;  // in a unit test: fill req.message, then
//   Response res = co_await router.dispatch(req);
#pragma once

#include "net/http_message.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::net {

// A handler is stored once per route; calling it allocates only its coroutine frame, which Asio
// recycles per thread.
using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

// The body limit of routes that do not set one (ServerConfig::default_body_limit overrides it).
inline constexpr std::size_t kDefaultBodyLimit = 1 << 20;

struct RouteOptions {
  // The largest body accepted, in bytes (413 above it); unset: the server's default.
  std::optional<std::size_t> body_limit;
  // Accepted media types, compared case-insensitively without parameters ("; charset=...").
  // Empty: any. A request with a body, or with a Content-Type, of an unlisted type gets 415.
  std::vector<std::string> content_types;
};

struct Route {
  http::verb method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
  std::vector<std::string> segments;  // "{name}" marks a parameter
};

class Router {
 public:
  // At most this many segments in a pattern; longer paths are not found without further work.
  static constexpr std::size_t kMaxSegments = 32;

  struct Match {
    enum class Kind { found, not_found, method_not_allowed } kind = Kind::not_found;
    const Route* route = nullptr;
    std::vector<PathParam> params;
    std::string allow;  // for method_not_allowed: "GET, HEAD, POST, OPTIONS"
  };

  // Throws std::invalid_argument for a malformed or duplicate pattern (a start-up error).
  void add(http::verb method, std::string_view pattern, Handler handler, RouteOptions options = {});
  // HEAD falls back to the GET route of the same path.
  Match match(http::verb method, std::string_view path) const;
  // Everything the server does with a complete request: route, check the body against the
  // route's limits, call the handler (a stray exception becomes a 500). For unit tests and tools;
  // the server runs the same steps, but checks the headers before it reads the body.
  boost::asio::awaitable<Response> dispatch(
      Request& req, std::size_t default_body_limit = kDefaultBodyLimit) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::string allow_list(std::string_view path) const;

  std::vector<Route> routes_;
  std::size_t max_segments_ = 0;
};

// The answer to a request that found no route: 404, 405 with Allow, or 204 with Allow for
// OPTIONS on an existing path.
Response unrouted_response(std::string_view request_id, http::verb method,
                           const Router::Match& match);
// What the head of a request alone shows to be wrong for its route: an unaccepted media type
// (unsupported_media_type) or a declared length over the limit (payload_too_large).
std::optional<Error> check_request_head(const RouteOptions& options, std::size_t default_body_limit,
                                        std::string_view content_type, bool has_body,
                                        std::optional<std::uint64_t> content_length);
// Calls the route's handler; an exception becomes a logged 500 that shows only the request id.
boost::asio::awaitable<Response> invoke(const Route& route, Request& req);

// True when the media type of content_type (parameters ignored) is one of accepted.
bool media_type_matches(std::string_view content_type, const std::vector<std::string>& accepted);
// Decodes %XX escapes; nullopt for a malformed escape or an encoded NUL.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace pe::net
