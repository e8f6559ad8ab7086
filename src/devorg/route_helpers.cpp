#include "devorg/route_helpers.hpp"

#include "common/base64.hpp"
#include "common/json_text.hpp"

#include <openssl/crypto.h>

#include <cctype>
#include <string>

#include <boost/json/object.hpp>

namespace pe::devorg {

namespace http = net::http;

net::Response json_answer(int status, const boost::json::value& body) {
  return net::json_response(static_cast<http::status>(status), json_text(body));
}

net::Response applink_error(int status, std::string_view title, std::string_view detail) {
  return json_answer(status, boost::json::object{{"title", title}, {"detail", detail}});
}

bool same_secret(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size() || expected.empty()) return false;
  return CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

std::string_view bearer(const net::Request& req) {
  std::string_view auth = req.header(http::field::authorization);
  if (auth.size() < 7 || (auth.substr(0, 7) != "Bearer " && auth.substr(0, 7) != "bearer ")) {
    return "";
  }
  return auth.substr(7);
}

std::string basic_credentials(const net::Request& req) {
  std::string_view auth = req.header(http::field::authorization);
  if (auth.size() < 7 || auth.substr(0, 6) != "Basic ") return "";
  std::string_view encoded = auth.substr(6);
  if (encoded.size() > 1024) return "";
  return base64_decode(encoded).value_or("");
}

std::string query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
      std::string out;
      std::string_view v = pair.substr(eq + 1);
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '+') {
          out.push_back(' ');
        } else if (v[i] == '%' && i + 2 < v.size() &&
                   std::isxdigit(static_cast<unsigned char>(v[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
          out.push_back(static_cast<char>(std::stoi(std::string(v.substr(i + 1, 2)), nullptr, 16)));
          i += 2;
        } else {
          out.push_back(v[i]);
        }
      }
      return out;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return "";
}

}  // namespace pe::devorg
