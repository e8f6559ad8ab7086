#include "net/http_message.hpp"

#include "net/http_server.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pe::net {
namespace {

TEST(HttpMessage, JsonErrorHasOneShapeAndTheKindsStatus) {
  auto res = json_error("req-1", Errc::payload_too_large, "body \"too\" large\n");
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  auto v = boost::json::parse(res.body());
  EXPECT_EQ(v.at("error").at("code").as_string(), "payload_too_large");
  EXPECT_EQ(v.at("error").at("message").as_string(), "body \"too\" large\n");
  EXPECT_EQ(v.at("error").at("request_id").as_string(), "req-1");
}

TEST(HttpMessage, JsonStringEscapesControlCharacters) {
  std::string out;
  append_json_string(out, std::string_view("a\x01\tb\\", 5));
  EXPECT_EQ(out, R"("a\u0001\tb\\")");
}

TEST(HttpMessage, RequestIdKeepsSaneClientValuesOnly) {
  EXPECT_EQ(request_id_from("abc-123_x.y:z"), "abc-123_x.y:z");
  auto generated = request_id_from("");
  EXPECT_EQ(generated.size(), 16u);
  EXPECT_NE(generated, request_id_from(""));
  for (std::string bad : {std::string("has space"), std::string("a\nb"), std::string(129, 'a'),
                          std::string("semi;colon"), std::string("\xff")}) {
    auto id = request_id_from(bad);
    EXPECT_NE(id, bad);
    EXPECT_EQ(id.size(), 16u);
  }
}

}  // namespace
}  // namespace pe::net
