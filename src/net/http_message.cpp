#include "net/http_message.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <random>

namespace pe::net {

void Request::split_target() {
  std::string_view target(message.target().data(), message.target().size());
  auto q = target.find('?');
  path = target.substr(0, q);
  query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& p : params) {
    if (p.name == name) return p.value;
  }
  return {};
}

std::string_view Request::header(std::string_view name) const {
  auto it = message.find(name);
  return it == message.end() ? std::string_view() : std::string_view(it->value());
}

std::string_view Request::header(http::field field) const {
  auto it = message.find(field);
  return it == message.end() ? std::string_view() : std::string_view(it->value());
}

const log::Logger& Request::log() const {
  if (!log_) log_ = log::Logger().with("request_id", request_id);
  return *log_;
}

Response json_response(http::status status, std::string body) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

namespace detail {
std::string serialize_json(const boost::json::value& v) { return boost::json::serialize(v); }
std::string serialize_json(const boost::json::object& v) { return boost::json::serialize(v); }
std::string serialize_json(const boost::json::array& v) { return boost::json::serialize(v); }
}  // namespace detail

Response empty_response(http::status status) { return Response{status, 11}; }

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (u < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

Response json_error(std::string_view request_id, Errc code, std::string_view message) {
  std::string body = R"({"error":{"code":)";
  append_json_string(body, to_string(code));
  body.append(R"(,"message":)");
  append_json_string(body, message);
  body.append(R"(,"request_id":)");
  append_json_string(body, request_id);
  body.append("}}");
  return json_response(static_cast<http::status>(http_status(code)), std::move(body));
}

Response json_error(const Request& req, Errc code, std::string_view message) {
  return json_error(req.request_id, code, message);
}

Response json_error(const Request& req, const Error& error) {
  return json_error(req.request_id, error.code, error.message);
}

std::string request_id_from(std::string_view client_value) {
  bool ok = !client_value.empty() && client_value.size() <= 128 &&
            std::all_of(client_value.begin(), client_value.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                     c == ':' || c == '-';
            });
  if (ok) return std::string(client_value);
  // Ids only have to tell requests apart in logs, not resist guessing: a per-thread generator
  // seeded once from the OS is enough. 64 random bits in 13 base-32 digits fit std::string's
  // inline buffer, so an id costs no allocation.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdefghjkmnpqrstvwxyz";
  std::string id(13, '0');
  uint64_t r = rng();
  for (auto& c : id) {
    c = kDigits[r & 31];
    r >>= 5;
  }
  return id;
}

}  // namespace pe::net
