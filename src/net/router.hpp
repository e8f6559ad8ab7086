// router.hpp: maps a method and a path to a handler, with per-route limits.
//
// Patterns are literal segments and {name} parameters: "/api/jobs/{id}". Matching is exact
// (no trailing-slash folding, no regex) and never allocates for literal segments. A path that
// matches a pattern but not the method gives method_not_allowed with the Allow list; no pattern
// at all gives not_found. Each route carries its body limit and the media types it accepts,
// which the server checks before reading the body.
//
//   Router router;
//   router.add(http::verb::post, "/api/generatequotes", handle_events,
//              {.body_limit = 1 << 20, .content_types = {"application/cloudevents+json"}});
//   auto m = router.match(http::verb::post, "/api/generatequotes");
#pragma once

#include "net/http_message.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::net {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

struct RouteOptions {
  // The largest body accepted, in bytes (413 above it).
  std::size_t body_limit = 1 << 20;
  // Accepted media types, compared case-insensitively without parameters ("; charset=...").
  // Empty: any (or none). A request with a body and an unlisted type gets 415.
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
  struct Match {
    enum class Kind { found, not_found, method_not_allowed } kind = Kind::not_found;
    const Route* route = nullptr;
    std::vector<PathParam> params;
    std::string allow;  // for method_not_allowed (and OPTIONS): "GET, POST"
  };

  // Throws std::invalid_argument for a malformed pattern (a start-up error).
  void add(http::verb method, std::string_view pattern, Handler handler, RouteOptions options = {});
  // HEAD falls back to the GET route of the same path.
  Match match(http::verb method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// True when the media type of content_type (parameters ignored) is one of accepted.
bool media_type_matches(std::string_view content_type, const std::vector<std::string>& accepted);
// Decodes %XX escapes; nullopt for a malformed escape or an encoded NUL.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace pe::net
