#include "net/http_wire.hpp"

#include <charconv>
#include <ctime>

namespace pe::net {
namespace {

void append_number(std::string& out, std::uint64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

// Fields whose value the server decides.
bool is_framing_field(http::field f) {
  return f == http::field::content_length || f == http::field::transfer_encoding ||
         f == http::field::connection || f == http::field::date || f == http::field::keep_alive;
}

bool is_request_id(std::string_view name) {
  constexpr std::string_view kName = "x-request-id";
  if (name.size() != kName.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kName[i]) return false;
  }
  return true;
}

void append_header_value(std::string& out, std::string_view value) {
  std::size_t start = out.size();
  out.append(value);
  for (std::size_t i = start; i < out.size(); ++i) {
    if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
  }
}

}  // namespace

bool status_has_no_body(unsigned status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

void append_http_date(std::string& out) {
  thread_local std::time_t cached_second = 0;
  thread_local char cached[32] = {};
  thread_local std::size_t cached_size = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    cached_size = std::strftime(cached, sizeof cached, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  out.append(cached, cached_size);
}

void append_response_head(std::string& out, const Response& res, const ResponseFraming& framing) {
  unsigned status = res.result_int();
  out.append("HTTP/1.1 ");
  append_number(out, status);
  out.push_back(' ');
  std::string_view reason = http::obsolete_reason(res.result());
  out.append(reason.starts_with('<') ? std::string_view("Unknown") : reason);
  out.append("\r\n");
  for (const auto& f : res) {
    if (is_framing_field(f.name())) continue;
    std::string_view name = f.name_string();
    if (is_request_id(name)) continue;
    out.append(name);
    out.append(": ");
    append_header_value(out, f.value());
    out.append("\r\n");
  }
  if (!status_has_no_body(status)) {
    out.append("Content-Length: ");
    append_number(out, res.body().size());
    out.append("\r\n");
  }
  if (!framing.keep_alive) {
    out.append("Connection: close\r\n");
  } else if (framing.http10_client) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("Date: ");
  append_http_date(out);
  out.append("\r\nX-Request-Id: ");
  append_header_value(out, framing.request_id);
  out.append("\r\n\r\n");
}

}  // namespace pe::net
