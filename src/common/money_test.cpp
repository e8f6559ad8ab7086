#include "common/money.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pe {
namespace {

Decimal d(std::string_view text) { return Decimal::parse(text).value(); }

TEST(Decimal, ParsesAndPrintsExactly) {
  EXPECT_EQ(d("0").units(), 0);
  EXPECT_EQ(d("12.5").units(), 12'500'000);
  EXPECT_EQ(d("-0.000001").units(), -1);
  EXPECT_EQ(d("1e3").to_string(), "1000");
  EXPECT_EQ(d("1.5E-2").to_string(), "0.015");
  EXPECT_EQ(d("0.1").to_string(), "0.1");
  EXPECT_EQ(d("000123.4500").to_string(), "123.45");
  EXPECT_EQ(d("1.2300000000e2").to_string(), "123");
  EXPECT_EQ(d("9223372036854.775807").units(), INT64_MAX);
  EXPECT_EQ(d("-9223372036854.775808").units(), INT64_MIN);
  EXPECT_EQ(d("-9223372036854.775808").to_string(), "-9223372036854.775808");
  EXPECT_EQ(d("12.5").to_string(2), "12.50");
  EXPECT_EQ(d("-0.5").to_string(0), "-1");
  EXPECT_EQ(d("0").to_string(2), "0.00");
  EXPECT_EQ(d("0e99999").to_string(), "0");
}

TEST(Decimal, RejectsHostileTextWithClearErrors) {
  struct Case {
    std::string text;
    Errc code;
    std::string message;
  };
  std::vector<Case> cases = {
      {"", Errc::invalid_argument, "expected digits"},
      {".", Errc::invalid_argument, "digits must follow the decimal point"},
      {".", Errc::invalid_argument, "digits must follow the decimal point"},
      {"+1", Errc::invalid_argument, "expected digits"},
      {"1.", Errc::invalid_argument, "digits must follow the decimal point"},
      {"1.2.3", Errc::invalid_argument, "unexpected character"},
      {"--1", Errc::invalid_argument, "expected digits"},
      {" 1", Errc::invalid_argument, "expected digits"},
      {"1 ", Errc::invalid_argument, "unexpected character"},
      {"NaN", Errc::invalid_argument, "expected digits"},
      {"inf", Errc::invalid_argument, "expected digits"},
      {"1e", Errc::invalid_argument, "bad exponent"},
      {"1e+", Errc::invalid_argument, "bad exponent"},
      {"\xd9\xa3", Errc::invalid_argument, "expected digits"},  // Arabic-Indic digit three
      {"0.0000001", Errc::invalid_argument, "more than 6 decimal places"},
      {"1e-7", Errc::invalid_argument, "more than 6 decimal places"},
      {"1e400", Errc::out_of_range, "number out of range"},
      {"1e99999999999", Errc::out_of_range, "number out of range"},
      {"9223372036854.775808", Errc::out_of_range, "number out of range"},
      {std::string(40, '9'), Errc::out_of_range, "number out of range"},
  };
  for (const auto& c : cases) {
    auto r = Decimal::parse(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().code, c.code) << c.text;
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().message;
  }
}

TEST(Decimal, RoundsHalfAwayFromZeroOnce) {
  EXPECT_EQ(d("2.345").round(2).to_string(), "2.35");
  EXPECT_EQ(d("-2.345").round(2).to_string(), "-2.35");
  EXPECT_EQ(d("2.344999").round(2).to_string(), "2.34");
  EXPECT_EQ(d("0.005").round(2).to_string(), "0.01");
  EXPECT_EQ(d("0.004999").round(2).to_string(), "0");
  // One rounding of the exact product, not two: 19.99 * 0.875 = 17.49125 -> 17.49.
  EXPECT_EQ(d("19.99").multiply(d("0.875"), 2)->to_string(2), "17.49");
  // A half cent exactly: 0.01 * 0.5 = 0.005 -> 0.01.
  EXPECT_EQ(d("0.01").multiply(d("0.5"), 2)->to_string(2), "0.01");
  // Rounding in two steps would give 1.12 (1.115 -> 1.12 only from 1.1149 -> 1.115); once: 1.11.
  EXPECT_EQ(d("1.1149").multiply(d("1"), 2)->to_string(2), "1.11");
}

TEST(Decimal, MultipliesByQuantitiesAndRatesExactly) {
  auto list = d("19.99");
  auto unit = list.multiply(Decimal::one() - d("0.125"), 2).value();
  EXPECT_EQ(unit.to_string(2), "17.49");
  EXPECT_EQ(unit.multiply(d("3"), 2)->to_string(2), "52.47");
  EXPECT_EQ(d("0.1").multiply(d("3"))->to_string(), "0.3");  // exact, unlike 0.1 * 3.0
  EXPECT_EQ(d("1000000").multiply(d("1000000"))->to_string(), "1000000000000");
  auto big = d("1000000").multiply(d("10000000"));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::out_of_range);
  EXPECT_EQ(d("10").divide(d("3"), 2)->to_string(), "3.33");
  EXPECT_EQ(d("-10").divide(d("3"), 2)->to_string(), "-3.33");
  EXPECT_EQ(d("2").divide(d("3"), 2)->to_string(), "0.67");
  EXPECT_EQ(d("1").divide(d("0")).error().code, Errc::invalid_argument);
}

TEST(Decimal, CheckedAdditionReportsOverflow) {
  auto max = Decimal::from_units(INT64_MAX);
  EXPECT_EQ(max.add(Decimal::from_units(1)).error().code, Errc::out_of_range);
  EXPECT_THROW(max + Decimal::from_units(1), std::overflow_error);
  EXPECT_EQ((d("1.5") + d("2.25")).to_string(), "3.75");
  EXPECT_EQ((d("1.5") - d("2.25")).to_string(), "-0.75");
  EXPECT_LT(d("1.5"), d("1.50001"));
}

TEST(Decimal, ReadsJsonNumbersAndStrings) {
  auto v = boost::json::parse(R"([12, 12.5, "0.125", 19.99, 1e2, -3, true, 18446744073709551615])");
  const auto& a = v.as_array();
  EXPECT_EQ(Decimal::from_json(a[0])->to_string(), "12");
  EXPECT_EQ(Decimal::from_json(a[1])->to_string(), "12.5");
  EXPECT_EQ(Decimal::from_json(a[2])->to_string(), "0.125");
  EXPECT_EQ(Decimal::from_json(a[3])->to_string(), "19.99");  // not 19.989999999999998
  EXPECT_EQ(Decimal::from_json(a[4])->to_string(), "100");
  EXPECT_EQ(Decimal::from_json(a[5])->to_string(), "-3");
  EXPECT_EQ(Decimal::from_json(a[6]).error().code, Errc::invalid_argument);
  EXPECT_EQ(Decimal::from_json(a[7]).error().code, Errc::out_of_range);
  std::string json;
  d("-1234.5").append_json(json, 2);
  EXPECT_EQ(json, "-1234.50");
}

}  // namespace
}  // namespace pe
