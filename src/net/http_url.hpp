// http_url.hpp: an absolute http:// or https:// URL, parsed once (Boost.URL) into what the HTTP
// client needs: the origin to pool connections by, the Host header, the request target, and
// any credentials the URL carries, kept apart so that they are never sent or logged by accident.
//
// The request target (path and query) is kept exactly as written: no re-encoding, no
// normalisation, so a signed or pre-encoded query reaches the server byte for byte. The fragment
// is dropped (it is never sent). Scheme and host name are case-insensitive and lower-cased.
//
//   auto url = parse_http_url("https://user:pw@Example.com:8443/a%20b?q=1&x=%2F#frag");
//   url->origin();       // "https://example.com:8443"
//   url->host_header();  // "example.com:8443"
//   url->target;         // "/a%20b?q=1&x=%2F"
//   url->password;       // "pw" (decoded); url->display() has no credentials at all
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace pe::net {

struct HttpUrl {
  bool tls = false;         // https
  std::string host;         // lower-case name, or an IP address (IPv6 without brackets)
  bool host_is_ip = false;  // no SNI for addresses; certificates are checked for the IP
  std::uint16_t port = 0;   // explicit, or 80 / 443
  std::string target;       // encoded path (at least "/") and "?query" exactly as written
  bool has_userinfo = false;
  std::string user;      // percent-decoded; empty when absent
  std::string password;  // percent-decoded; empty when absent

  std::string_view scheme() const { return tls ? "https" : "http"; }
  // "https://example.com:443": the key of the connection pool (the port always present).
  std::string origin() const;
  // The Host header: "example.com", "example.com:8443", "[::1]:8080" (port only when not default).
  std::string host_header() const;
  // For logs and error messages: scheme://host[:port]/target, without the userinfo.
  std::string display() const;
};

// Errc::invalid_argument when text is not an absolute http/https URL with a host, or has a port
// of 0, or a host name that is not plain ASCII letters, digits, '-', '.' and '_'. The message
// never contains the userinfo.
Result<HttpUrl> parse_http_url(std::string_view text);

}  // namespace pe::net
