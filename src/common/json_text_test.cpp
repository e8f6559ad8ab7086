#include "common/json_text.hpp"

#include "common/json_exact.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pe {
namespace {

TEST(JsonText, WritesDoublesPlainAndEverythingElseAsJson) {
  boost::json::object o{{"Amount", 19.99},
                        {"Tiny", 0.000001},
                        {"Whole", 3.0},
                        {"Int", 42},
                        {"Name", "Acme \"quoted\"\n"},
                        {"Null", nullptr},
                        {"Flag", true},
                        {"List", boost::json::array{1.5, "x", boost::json::object{{"k", 2.25}}}}};
  EXPECT_EQ(json_text(o),
            R"({"Amount":19.99,"Tiny":0.000001,"Whole":3,"Int":42,"Name":"Acme \"quoted\"\n",)"
            R"("Null":null,"Flag":true,"List":[1.5,"x",{"k":2.25}]})");
}

TEST(JsonText, RoundTripsThroughTheExactParser) {
  std::string text = R"({"a":[1234567890.12,0.1,-7.25,{"b":null}],"c":"\u00e9"})";
  auto parsed = parse_json_exact(text).value();
  EXPECT_EQ(json_text(parsed), R"({"a":[1234567890.12,0.1,-7.25,{"b":null}],"c":"é"})");
}

}  // namespace
}  // namespace pe
