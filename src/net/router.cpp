#include "net/router.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

namespace pe::net {
namespace {

bool is_param(std::string_view segment) {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

// Splits "/a/b/c" into "a", "b", "c" without allocating; calls f for each, stops when f is false.
template <class F>
bool for_each_segment(std::string_view path, F&& f) {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    if (!f(path.substr(0, slash))) return false;
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

bool equals_ci(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Matches path against route; fills params when given.
bool matches(const Route& route, std::string_view path, std::vector<PathParam>* params) {
  size_t i = 0;
  bool ok = for_each_segment(path, [&](std::string_view segment) {
    if (i >= route.segments.size()) return false;
    const auto& expected = route.segments[i++];
    if (is_param(expected)) {
      if (segment.empty()) return false;
      if (params) {
        auto decoded = percent_decode(segment);
        if (!decoded) return false;
        std::string_view name(expected);
        params->push_back({name.substr(1, name.size() - 2), std::move(*decoded)});
      }
      return true;
    }
    return segment == expected;
  });
  return ok && i == route.segments.size();
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
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
  Route route{method, std::string(pattern), std::move(handler), std::move(options), {}};
  bool ok = for_each_segment(pattern, [&](std::string_view segment) {
    if (segment.find_first_of("{}") != std::string_view::npos && !is_param(segment)) return false;
    route.segments.emplace_back(segment);
    return true;
  });
  if (!ok) throw std::invalid_argument("malformed route pattern: " + std::string(pattern));
  for (const auto& r : routes_) {
    if (r.method == method && r.segments == route.segments) {
      throw std::invalid_argument("duplicate route: " + std::string(pattern));
    }
  }
  routes_.push_back(std::move(route));
}

Router::Match Router::match(http::verb method, std::string_view path) const {
  Match result;
  const Route* get_route = nullptr;
  for (const auto& route : routes_) {
    if (!matches(route, path, nullptr)) continue;
    if (route.method == method) {
      result.route = &route;
      break;
    }
    if (method == http::verb::head && route.method == http::verb::get) get_route = &route;
    if (!result.allow.empty()) result.allow.append(", ");
    result.allow.append(http::to_string(route.method));
  }
  if (!result.route) result.route = get_route;
  if (result.route) {
    result.kind = Match::Kind::found;
    result.allow.clear();
    // A parameter that fails to decode (a bad %-escape) means the path names nothing.
    if (!matches(*result.route, path, &result.params)) result = Match{};
    return result;
  }
  if (!result.allow.empty()) result.kind = Match::Kind::method_not_allowed;
  return result;
}

bool media_type_matches(std::string_view content_type, const std::vector<std::string>& accepted) {
  auto semi = content_type.find(';');
  auto type = content_type.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return std::any_of(accepted.begin(), accepted.end(),
                     [&](const std::string& a) { return equals_ci(type, a); });
}

}  // namespace pe::net
