#include "net/router.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace pe::net {
namespace {

namespace asio = boost::asio;

using Segments = std::array<std::string_view, Router::kMaxSegments>;

bool is_param(std::string_view segment) {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

bool is_dot_segment(std::string_view segment) { return segment == "." || segment == ".."; }

// Splits "/a/b/c" into "a", "b", "c". False when the path is not absolute or has more than max
// segments.
bool split(std::string_view path, Segments& out, std::size_t& count, std::size_t max) {
  count = 0;
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  while (true) {
    if (count == max) return false;
    std::size_t slash = path.find('/');
    out[count++] = path.substr(0, slash);
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ASCII only, as HTTP tokens are (std::tolower would consult the locale for every character).
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ci(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

// A literal segment matches itself, or an escaped spelling of itself ("%70ing" for "ping").
bool literal_matches(std::string_view segment, std::string_view literal) {
  if (segment == literal) return true;
  if (segment.find('%') == std::string_view::npos) return false;
  auto decoded = percent_decode(segment);
  return decoded && *decoded == literal;
}

// Does the route's pattern match these segments? Fills params (decoded) when given.
bool matches(const Route& route, const Segments& segments, std::size_t count,
             std::vector<PathParam>* params) {
  if (route.segments.size() != count) return false;
  for (std::size_t i = 0; i < count; ++i) {
    std::string_view expected = route.segments[i];
    if (!is_param(expected)) {
      if (!literal_matches(segments[i], expected)) return false;
      continue;
    }
    if (segments[i].empty() || is_dot_segment(segments[i])) return false;
    if (!params) continue;
    auto decoded = percent_decode(segments[i]);
    if (!decoded || is_dot_segment(*decoded)) return false;
    params->push_back({expected.substr(1, expected.size() - 2), std::move(*decoded)});
  }
  return true;
}

void append_method(std::string& list, std::string_view method) {
  if (!list.empty()) list.append(", ");
  list.append(method);
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex_value(text[i + 1]);
    int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

void Router::add(http::verb method, std::string_view pattern, Handler handler,
                 RouteOptions options) {
  auto fail = [&](std::string_view why) {
    throw std::invalid_argument("route " + std::string(pattern) + ": " + std::string(why));
  };
  if (!handler) fail("no handler");
  Segments segments;
  std::size_t count = 0;
  if (!split(pattern, segments, count, kMaxSegments)) fail("must start with / and be short");
  Route route{method, std::string(pattern), std::move(handler), std::move(options), {}};
  for (std::size_t i = 0; i < count; ++i) {
    auto s = segments[i];
    if (s.find_first_of("{}%?#") != std::string_view::npos && !is_param(s)) fail("bad segment");
    if (is_param(s) && s.substr(1, s.size() - 2).find_first_of("{}/") != std::string_view::npos) {
      fail("bad parameter");
    }
    if (is_dot_segment(s)) fail("dot segment");
    route.segments.emplace_back(s);
  }
  for (const auto& r : routes_) {
    if (r.method == method && r.segments == route.segments) fail("duplicate");
  }
  max_segments_ = std::max(max_segments_, count);
  routes_.push_back(std::move(route));
}

Router::Match Router::match(http::verb method, std::string_view path) const {
  Match result;
  Segments segments;
  std::size_t count = 0;
  if (!split(path, segments, count, max_segments_)) return result;
  const Route* get_route = nullptr;
  bool path_exists = false;
  for (const auto& route : routes_) {
    if (!matches(route, segments, count, nullptr)) continue;
    path_exists = true;
    if (route.method == method) {
      result.route = &route;
      break;
    }
    if (method == http::verb::head && route.method == http::verb::get) get_route = &route;
  }
  if (!result.route) result.route = get_route;
  if (result.route) {
    // A parameter that fails to decode (a bad %-escape, an encoded dot segment) names nothing.
    if (!matches(*result.route, segments, count, &result.params)) return Match{};
    result.kind = Match::Kind::found;
    return result;
  }
  if (path_exists) {
    result.kind = Match::Kind::method_not_allowed;
    result.allow = allow_list(path);
  }
  return result;
}

std::string Router::allow_list(std::string_view path) const {
  Segments segments;
  std::size_t count = 0;
  split(path, segments, count, max_segments_);
  std::string allow;
  bool get = false, head = false, options = false;
  for (const auto& route : routes_) {
    if (!matches(route, segments, count, nullptr)) continue;
    append_method(allow, http::to_string(route.method));
    get |= route.method == http::verb::get;
    head |= route.method == http::verb::head;
    options |= route.method == http::verb::options;
  }
  if (get && !head) append_method(allow, "HEAD");
  if (!options) append_method(allow, "OPTIONS");
  return allow;
}

asio::awaitable<Response> Router::dispatch(Request& req, std::size_t default_body_limit) const {
  req.split_target();
  auto method = req.message.method();
  auto m = match(method, req.path);
  if (m.kind != Match::Kind::found) co_return unrouted_response(req.request_id, method, m);
  auto length = static_cast<std::uint64_t>(req.body().size());
  if (auto problem =
          check_request_head(m.route->options, default_body_limit,
                             req.header(http::field::content_type), length > 0, length)) {
    co_return json_error(req, *problem);
  }
  req.params = std::move(m.params);
  co_return co_await invoke(*m.route, req);
}

Response unrouted_response(std::string_view request_id, http::verb method,
                           const Router::Match& match) {
  if (match.kind == Router::Match::Kind::not_found) {
    return json_error(request_id, Errc::not_found, "no such resource");
  }
  if (method == http::verb::options) {
    auto res = empty_response(http::status::no_content);
    res.set(http::field::allow, match.allow);
    return res;
  }
  auto res = json_error(
      request_id, Errc::method_not_allowed,
      std::string(http::to_string(method)) + " is not allowed here; allowed: " + match.allow);
  res.set(http::field::allow, match.allow);
  return res;
}

std::optional<Error> check_request_head(const RouteOptions& options, std::size_t default_body_limit,
                                        std::string_view content_type, bool has_body,
                                        std::optional<std::uint64_t> content_length) {
  if (!options.content_types.empty() && (has_body || !content_type.empty()) &&
      !media_type_matches(content_type, options.content_types)) {
    std::string accepted;
    for (const auto& t : options.content_types) append_method(accepted, t);
    return Error{Errc::unsupported_media_type, "unsupported Content-Type; expected " + accepted};
  }
  auto limit = options.body_limit.value_or(default_body_limit);
  if (content_length && *content_length > limit) {
    return Error{Errc::payload_too_large, "body of " + std::to_string(*content_length) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(limit)};
  }
  return std::nullopt;
}

asio::awaitable<Response> invoke(const Route& route, Request& req) {
  try {
    co_return co_await route.handler(req);
  } catch (const std::exception& e) {
    req.log().error("handler_failed", {{"route", route.pattern}, {"error", e.what()}});
  } catch (...) {
    req.log().error("handler_failed", {{"route", route.pattern}, {"error", "unknown exception"}});
  }
  co_return json_error(req, Errc::internal, "internal error");
}

bool media_type_matches(std::string_view content_type, const std::vector<std::string>& accepted) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return std::any_of(accepted.begin(), accepted.end(),
                     [&](const std::string& a) { return equals_ci(type, a); });
}

}  // namespace pe::net
