#include "devorg/route_helpers.hpp"

#include "common/base64.hpp"
#include "common/json_text.hpp"

#include <openssl/crypto.h>

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

}  // namespace pe::devorg
