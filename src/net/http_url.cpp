#include "net/http_url.hpp"

#include "common/redact.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pe::net {
namespace {

namespace urls = boost::urls;

// A URL for an error message: nothing of it when it carries credentials (the user name alone can
// be a secret, and a malformed URL may not split where we expect), else redacted text.
std::string quote_for_error(std::string_view text) {
  if (text.find('@') != std::string_view::npos) return "(a URL with credentials)";
  constexpr std::size_t kMax = 200;
  std::string shown = redact(text.substr(0, kMax));
  if (text.size() > kMax) shown += "...";
  return "'" + shown + "'";
}

Error bad_url(std::string_view text, std::string_view why) {
  return Error{Errc::invalid_argument,
               "invalid URL " + quote_for_error(text) + ": " + std::string(why)};
}

bool is_host_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Result<HttpUrl> parse_http_url(std::string_view text) {
  auto parsed = urls::parse_uri(text);
  if (!parsed) return bad_url(text, "not an absolute URI");
  const urls::url_view& u = *parsed;

  HttpUrl url;
  auto scheme = lower(u.scheme());
  if (scheme == "https") {
    url.tls = true;
  } else if (scheme != "http") {
    return bad_url(text, "the scheme must be http or https");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return bad_url(text, "no host");

  switch (u.host_type()) {
    case urls::host_type::ipv4:
      url.host = u.host_ipv4_address().to_string();
      url.host_is_ip = true;
      break;
    case urls::host_type::ipv6:
      url.host = u.host_ipv6_address().to_string();
      url.host_is_ip = true;
      break;
    case urls::host_type::name: {
      auto name = u.encoded_host_name();
      if (!std::all_of(name.begin(), name.end(), is_host_name_char)) {
        return bad_url(text, "the host name has characters other than letters, digits, '-._'");
      }
      url.host = lower(name);
      break;
    }
    default:
      return bad_url(text, "unsupported host form");
  }

  if (u.has_port() && !u.port().empty()) {
    // port_number() wraps values above 65535; read the digits ourselves.
    auto digits = u.port();
    unsigned port = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      return bad_url(text, "the port must be 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(port);
  } else {
    url.port = url.tls ? 443 : 80;
  }

  url.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (url.target.front() != '/') return bad_url(text, "the path must start with '/'");
  if (u.has_query()) {
    url.target += '?';
    url.target += u.encoded_query();
  }

  url.has_userinfo = u.has_userinfo();
  if (url.has_userinfo) {
    url.user = u.user();
    url.password = u.password();
  }
  return url;
}

std::string HttpUrl::origin() const {
  std::string out(scheme());
  out += "://";
  out += host_is_ip && host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string HttpUrl::host_header() const {
  std::string out = host_is_ip && host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::string HttpUrl::display() const {
  std::string out(scheme());
  out += "://";
  out += host_header();
  out += target;
  return out;
}

}  // namespace pe::net
