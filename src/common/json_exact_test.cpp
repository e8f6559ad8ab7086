#include "common/json_exact.hpp"

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

namespace pe {
namespace {

TEST(ParseJsonExact, BuildsTheSameValuesAsBoostJson) {
  auto doc = parse_json_exact(
      R"({"s":"x\u00e9","i":-3,"u":18446744073709551615,"b":true,"n":null,"a":[1,[2]],"d":0.5})");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(boost::json::serialize(*doc),
            R"({"s":"xé","i":-3,"u":18446744073709551615,"b":true,"n":null,"a":[1,[2]],"d":5E-1})");
}

TEST(ParseJsonExact, KeepsNumbersADoubleCannotHoldAsTheirText) {
  auto doc = parse_json_exact(
      R"([0.1, 123456789012345.6, 1234567890123456.7, 1e400, -18446744073709551616, 1.10e2])");
  ASSERT_TRUE(doc) << doc.error().message;
  const auto& a = doc->as_array();
  EXPECT_EQ(a[0].as_double(), 0.1);
  EXPECT_EQ(a[1].as_string(), "123456789012345.6");  // 16 significant digits
  EXPECT_EQ(a[2].as_string(), "1234567890123456.7");
  EXPECT_TRUE(a[3].is_double());  // 1 significant digit: a double, infinite
  EXPECT_EQ(a[4].as_string(), "-18446744073709551616");
  EXPECT_EQ(a[5].as_double(), 110.0);
}

TEST(ParseJsonExact, ReportsWhereTheTextIsBroken) {
  auto r = parse_json_exact("{\n  \"a\": 1,\n  \"b\": }");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(r.error().message.rfind("invalid JSON at line 3, column 8: ", 0), 0u)
      << r.error().message;
  EXPECT_EQ(parse_json_exact("").error().message.rfind("invalid JSON at line 1, column 1", 0), 0u);
  EXPECT_EQ(parse_json_exact("[1] [2]").error().message, "invalid JSON: text after the document");
  EXPECT_TRUE(parse_json_exact("  [1]  \n"));
  auto deep = parse_json_exact(std::string(100, '[') + std::string(100, ']'));
  ASSERT_FALSE(deep);
  EXPECT_NE(deep.error().message.find("too deep"), std::string::npos) << deep.error().message;
  EXPECT_FALSE(parse_json_exact("[NaN]"));
  EXPECT_FALSE(parse_json_exact("[01]"));
  EXPECT_FALSE(parse_json_exact("\"\xff\""));  // invalid UTF-8
}

TEST(ParseJsonExact, WritesDoublesInPlainNotationForMessages) {
  EXPECT_EQ(double_to_plain_text(1e-7), "0.0000001");
  EXPECT_EQ(double_to_plain_text(17.49), "17.49");
  EXPECT_EQ(double_to_plain_text(-2.5), "-2.5");
  EXPECT_EQ(double_to_plain_text(1e20), "100000000000000000000");
  EXPECT_EQ(double_to_plain_text(0.0), "0");
  EXPECT_EQ(double_to_plain_text(1e300), "1e+300");
  EXPECT_EQ(describe_json(boost::json::value(0.1)), "0.1");
  EXPECT_EQ(describe_json(boost::json::value("a\nb")), "\"a\\nb\"");
  EXPECT_EQ(describe_json(boost::json::value(std::string(100, 'x'))),
            "\"" + std::string(39, 'x') + "...");
}

}  // namespace
}  // namespace pe
