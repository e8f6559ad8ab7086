#include "net/http_message.hpp"

#include <gtest/gtest.h>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <set>

namespace pe::net {
namespace {

TEST(HttpMessage, JsonErrorHasOneShapeAndTheKindsStatus) {
  auto res = json_error("req-1", Errc::payload_too_large, "body \"too\" large\n");
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res.body(), R"({"error":{"code":"payload_too_large","message":"body \"too\" large\n",)"
                        R"("request_id":"req-1"}})");
  auto v = boost::json::parse(res.body());
  EXPECT_EQ(v.at("error").at("message").as_string(), "body \"too\" large\n");
}

TEST(HttpMessage, JsonErrorStatusFollowsTheKind) {
  EXPECT_EQ(json_error("r", Errc::invalid_argument, "").result_int(), 400);
  EXPECT_EQ(json_error("r", Errc::not_found, "").result_int(), 404);
  EXPECT_EQ(json_error("r", Errc::method_not_allowed, "").result_int(), 405);
  EXPECT_EQ(json_error("r", Errc::unsupported_media_type, "").result_int(), 415);
  EXPECT_EQ(json_error("r", Errc::unavailable, "").result_int(), 503);
  Request req;
  req.request_id = "abc";
  auto res = json_error(req, Error{Errc::unauthenticated, "no token"});
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res.body(),
            R"({"error":{"code":"unauthenticated","message":"no token","request_id":"abc"}})");
}

TEST(HttpMessage, JsonResponseFromTextOrValue) {
  auto res = json_response(http::status::created, R"({"id":7})");
  EXPECT_EQ(res.result_int(), 201);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res.body(), R"({"id":7})");
  res = json_response(http::status::ok, boost::json::value{{"pong", true}});
  EXPECT_EQ(res.body(), R"({"pong":true})");
  res = json_response(http::status::ok, boost::json::array{1, "two"});
  EXPECT_EQ(res.body(), R"([1,"two"])");
  std::string_view text = R"({"a":1})";
  res = json_response(http::status::ok, std::string(text));
  EXPECT_EQ(res.body(), text);
  EXPECT_TRUE(empty_response(http::status::no_content).body().empty());
}

TEST(HttpMessage, JsonStringEscapesControlCharacters) {
  std::string out;
  append_json_string(out, std::string_view("a\x01\tb\\\"\r", 7));
  EXPECT_EQ(out, R"("a\u0001\tb\\\"\r")");
}

TEST(HttpMessage, RequestSplitsTargetAndFindsHeadersAndParams) {
  Request req;
  req.message.target("/a/b?x=1&y=%20");
  req.message.set("X-Thing", "yes");
  req.params.push_back({"id", "42"});
  req.split_target();
  EXPECT_EQ(req.path, "/a/b");
  EXPECT_EQ(req.query, "x=1&y=%20");
  EXPECT_EQ(req.header("x-thing"), "yes");
  EXPECT_EQ(req.header(http::field::content_type), "");
  EXPECT_EQ(req.param("id"), "42");
  EXPECT_EQ(req.param("other"), "");
  req.message.target("/plain");
  req.split_target();
  EXPECT_EQ(req.path, "/plain");
  EXPECT_EQ(req.query, "");
}

TEST(HttpMessage, RequestIdKeepsSaneClientValuesOnly) {
  EXPECT_EQ(request_id_from("abc-123_x.y:z"), "abc-123_x.y:z");
  EXPECT_EQ(request_id_from(std::string(128, 'a')), std::string(128, 'a'));
  for (std::string bad : {std::string(""), std::string("has space"), std::string("a\nb"),
                          std::string(129, 'a'), std::string("semi;colon"), std::string("\xff"),
                          std::string("a\"b"), std::string("k=v"), std::string("a\0b", 3)}) {
    auto id = request_id_from(bad);
    EXPECT_NE(id, bad);
    ASSERT_EQ(id.size(), 13u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdefghjkmnpqrstvwxyz"), std::string::npos) << id;
  }
}

TEST(HttpMessage, GeneratedRequestIdsDiffer) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(request_id_from(""));
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace pe::net
