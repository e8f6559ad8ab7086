#include "net/http_wire.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace pe::net {
namespace {

// The head with the Date line (which changes every second) replaced by "Date: D".
std::string head_of(const Response& res, ResponseFraming framing) {
  std::string out;
  append_response_head(out, res, framing);
  return std::regex_replace(out, std::regex("Date: [^\r]*\r\n"), "Date: D\r\n");
}

TEST(HttpWire, FramesAJsonResponse) {
  auto res = json_response(http::status::ok, R"({"pong":true})");
  EXPECT_EQ(head_of(res, {.request_id = "r1", .keep_alive = true}),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 13\r\n"
            "Date: D\r\n"
            "X-Request-Id: r1\r\n"
            "\r\n");
}

TEST(HttpWire, SaysCloseOrKeepAliveAsTheClientNeeds) {
  auto res = json_response(http::status::not_found, "{}");
  auto head = head_of(res, {.request_id = "r", .keep_alive = false});
  EXPECT_NE(head.find("HTTP/1.1 404 Not Found\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos);
  head = head_of(res, {.request_id = "r", .keep_alive = true, .http10_client = true});
  EXPECT_NE(head.find("\r\nConnection: keep-alive\r\n"), std::string::npos);
  head = head_of(res, {.request_id = "r", .keep_alive = true});
  EXPECT_EQ(head.find("Connection"), std::string::npos);
}

TEST(HttpWire, NoContentLengthWhereThereIsNoBody) {
  for (auto status : {http::status::no_content, http::status::not_modified}) {
    auto head = head_of(empty_response(status), {.request_id = "r"});
    EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  }
  auto head = head_of(empty_response(http::status::accepted), {.request_id = "r"});
  EXPECT_NE(head.find("\r\nContent-Length: 0\r\n"), std::string::npos);
  EXPECT_TRUE(status_has_no_body(101));
  EXPECT_FALSE(status_has_no_body(200));
}

TEST(HttpWire, TheServerOwnsFramingHeaders) {
  auto res = json_response(http::status::ok, "abc");
  res.set(http::field::content_length, "999");
  res.set(http::field::transfer_encoding, "chunked");
  res.set(http::field::connection, "upgrade");
  res.set("x-request-id", "forged");
  res.set("X-Custom", "kept");
  auto head = head_of(res, {.request_id = "real", .keep_alive = true});
  EXPECT_EQ(head,
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            "X-Custom: kept\r\n"
            "Content-Length: 3\r\n"
            "Date: D\r\n"
            "X-Request-Id: real\r\n"
            "\r\n");
}

TEST(HttpWire, HeaderValuesCannotSplitTheResponse) {
  auto res = empty_response(http::status::ok);
  res.set("X-Echo", "a\r\nSet-Cookie: evil=1");
  auto head = head_of(res, {.request_id = "r"});
  EXPECT_NE(head.find("X-Echo: a  Set-Cookie: evil=1\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("\r\nSet-Cookie"), std::string::npos);
}

TEST(HttpWire, UnknownStatusesStillGetAReason) {
  Response res{static_cast<http::status>(499), 11};
  EXPECT_EQ(head_of(res, {.request_id = "r"}).substr(0, 31), "HTTP/1.1 499 Client Closed Requ");
  res.result(299);
  EXPECT_EQ(head_of(res, {.request_id = "r"}).substr(0, 22), "HTTP/1.1 299 Unknown\r\n");
}

TEST(HttpWire, DateIsAnHttpDate) {
  std::string out;
  append_http_date(out);
  EXPECT_TRUE(
      std::regex_match(out, std::regex("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d [A-Z][a-z]{2} \\d{4} "
                                       "\\d\\d:\\d\\d:\\d\\d GMT")))
      << out;
}

}  // namespace
}  // namespace pe::net
