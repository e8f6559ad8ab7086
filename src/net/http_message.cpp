#include "net/http_message.hpp"

namespace pe::net {

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

Response json_response(http::status status, std::string body) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response empty_response(http::status status) {
  Response res{status, 11};
  res.prepare_payload();
  return res;
}

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

}  // namespace pe::net
