#include "common/money.hpp"

#include "common/json_exact.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <random>

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
      {"-", Errc::invalid_argument, "expected digits"},
      {"-+1", Errc::invalid_argument, "expected digits"},
      {"0x10", Errc::invalid_argument, "unexpected character"},
      {"1,5", Errc::invalid_argument, "unexpected character"},
      {"1_000", Errc::invalid_argument, "unexpected character"},
      {"1e5.5", Errc::invalid_argument, "unexpected character"},
      {"Infinity", Errc::invalid_argument, "expected digits"},
      {"-nan", Errc::invalid_argument, "expected digits"},
      {"\xef\xbc\x91", Errc::invalid_argument, "expected digits"},  // fullwidth digit one
      {"1\xd9\xa3", Errc::invalid_argument, "unexpected character"},
      {std::string("1\0", 2), Errc::invalid_argument, "unexpected character"},
      {"\t1", Errc::invalid_argument, "expected digits"},
      {"1\n", Errc::invalid_argument, "unexpected character"},
      {"1e-1001", Errc::invalid_argument, "more than 6 decimal places"},
      {"1e-2147483649", Errc::invalid_argument, "more than 6 decimal places"},
      {"0.12345678e1", Errc::invalid_argument, "more than 6 decimal places"},
      {"10000000000000", Errc::out_of_range, "number out of range"},
      {"-9223372036854.775809", Errc::out_of_range, "number out of range"},
      {"1" + std::string(1'000'000, '0'), Errc::out_of_range, "number out of range"},
  };
  for (const auto& c : cases) {
    auto r = Decimal::parse(c.text);
    EXPECT_LT(r ? 0u : r.error().message.size(), 120u) << "error messages stay short";
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

TEST(Decimal, ParseRoundedRoundsAnyDigitsOnceHalfUp) {
  auto r = [](std::string_view text, int scale) {
    auto v = Decimal::parse_rounded(text, scale);
    return v ? v->to_string() : "error: " + v.error().message;
  };
  // A binary double from a client: 53.991 + 1 ulp, printed with 16 significant digits.
  EXPECT_EQ(r("53.99100000000001", 2), "53.99");
  EXPECT_EQ(r("0.125", 2), "0.13");
  EXPECT_EQ(r("-0.125", 2), "-0.13");
  EXPECT_EQ(r("0.124999999999999999999", 2), "0.12");
  EXPECT_EQ(r("5.3991e1", 2), "53.99");
  EXPECT_EQ(r("5399.1E-2", 2), "53.99");
  EXPECT_EQ(r("1e2", 2), "100");
  EXPECT_EQ(r("1e-9", 2), "0");
  EXPECT_EQ(r("-0.004", 2), "0");
  EXPECT_EQ(r("0.005", 2), "0.01");
  EXPECT_EQ(r("2.5", 0), "3");
  EXPECT_EQ(r("-2.5", 0), "-3");
  EXPECT_EQ(r("9.9999999", 6), "10");
  EXPECT_EQ(r("0.1234565", 6), "0.123457");
  EXPECT_EQ(r("17.49", 2), "17.49");
  EXPECT_EQ(r("0." + std::string(5000, '0') + "1", 2), "0");
  EXPECT_EQ(r("9223372036854.775807", 6), "9223372036854.775807");
  EXPECT_EQ(r("9223372036854.7749", 2), "9223372036854.77");
  // Rounding up past the largest value, and values too large before rounding.
  EXPECT_EQ(Decimal::parse_rounded("9223372036854.775", 2).error().code, Errc::out_of_range);
  EXPECT_EQ(Decimal::parse_rounded("9999999999999.995", 2).error().code, Errc::out_of_range);
  EXPECT_EQ(Decimal::parse_rounded("1e300", 2).error().code, Errc::out_of_range);
  EXPECT_EQ(Decimal::parse_rounded("1" + std::string(100, '0'), 2).error().code,
            Errc::out_of_range);
  // The grammar is parse()'s.
  EXPECT_EQ(Decimal::parse_rounded("53.99x", 2).error().code, Errc::invalid_argument);
  EXPECT_EQ(Decimal::parse_rounded(" 1", 2).error().code, Errc::invalid_argument);
  EXPECT_EQ(Decimal::parse_rounded("1", 7).error().code, Errc::invalid_argument);
  // parse() itself still refuses to round.
  EXPECT_EQ(Decimal::parse("53.99100000000001").error().code, Errc::invalid_argument);
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
  EXPECT_EQ(d("1").divide(d("-3"), 2)->to_string(), "-0.33");
  EXPECT_EQ(d("-2").divide(d("-3"), 2)->to_string(), "0.67");
  EXPECT_EQ(d("0.005").divide(d("1"), 2)->to_string(), "0.01");
  // Beyond 64 bits in the middle, exact all the same.
  EXPECT_EQ(d("9000000000000").divide(d("3"), 6)->to_string(), "3000000000000");
  EXPECT_EQ(d("-9000000000000").divide(d("7"), 6)->to_string(), "-1285714285714.285714");
  EXPECT_EQ(d("9000000000000").divide(d("0.5"), 2).error().code, Errc::out_of_range);
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

TEST(Decimal, NormalisesEquivalentSpellings) {
  EXPECT_EQ(d("-0").units(), 0);
  EXPECT_EQ(d("-0.000").units(), 0);
  EXPECT_EQ(d(".5").to_string(), "0.5");
  EXPECT_EQ(d("1E+2").to_string(), "100");
  EXPECT_EQ(d("1234.5e-3").to_string(), "1.2345");
  EXPECT_EQ(d("0.000001e6").to_string(), "1");
  EXPECT_EQ(d("9223372036854775807e-6").units(), INT64_MAX);
  EXPECT_EQ(d("0." + std::string(100'000, '0')).units(), 0);
  EXPECT_EQ(d("1." + std::string(100'000, '0')).to_string(), "1");
  EXPECT_EQ(d(std::string(100'000, '0') + "7").to_string(), "7");
  EXPECT_EQ(d("0.0000010000000000000000000000000000000000").units(), 1);
  EXPECT_EQ(d("100000000000000000000e-8").to_string(), "1000000000000");
  EXPECT_EQ(d("0e-99999999999999999999").units(), 0);
}

TEST(Decimal, AppliesDiscountRatesWithOneRounding) {
  // 100 × (1 − 0.125) = 87.5 exactly; 99.99 × 0.85 = 84.9915 → 84.99.
  EXPECT_EQ(d("100").apply_discount(d("0.125"), 2)->to_string(2), "87.50");
  EXPECT_EQ(d("99.99").apply_discount(d("0.15"), 2)->to_string(2), "84.99");
  // A half cent: 0.30 × 0.95 = 0.285 → 0.29 (a binary double gives 0.28499999...).
  EXPECT_EQ(d("0.30").apply_discount(d("0.05"), 2)->to_string(2), "0.29");
  EXPECT_EQ(d("-0.30").apply_discount(d("0.05"), 2)->to_string(2), "-0.29");
  EXPECT_EQ(d("10").apply_discount(d("0"), 2)->to_string(), "10");
  EXPECT_EQ(d("10").apply_discount(d("1"), 2)->to_string(), "0");
  // JPY has no minor unit: 1999 × 0.9 = 1799.1 → 1799.
  EXPECT_EQ(d("1999").apply_discount(d("0.1"), 0)->to_string(), "1799");
  EXPECT_EQ(d("1").apply_discount(d("0.1"), 7).error().code, Errc::invalid_argument);
  EXPECT_EQ(d("1").multiply(d("1"), -1).error().message, "scale must be 0 to 6");
}

// The 64-bit fast path and the 128-bit path must agree bit for bit; this compares them with a
// plain 128-bit reference over random operands of every magnitude.
TEST(Decimal, FastAndWideMultiplicationAgree) {
  __extension__ using i128 = __int128;
  std::mt19937_64 rng(20261123);
  auto reference = [](int64_t a, int64_t b, int scale) -> std::optional<int64_t> {
    i128 p = static_cast<i128>(a) * b;
    i128 d = 1;
    for (int i = 0; i < 12 - scale; ++i) d *= 10;
    i128 q = p / d;
    i128 r = p % d;
    if (2 * (r < 0 ? -r : r) >= d) q += p < 0 ? -1 : 1;
    for (int i = scale; i < 6; ++i) q *= 10;
    if (q > INT64_MAX || q < INT64_MIN) return std::nullopt;
    return static_cast<int64_t>(q);
  };
  for (int n = 0; n < 200'000; ++n) {
    auto random_units = [&] {
      int bits = static_cast<int>(rng() % 63);
      auto v = static_cast<int64_t>(rng() >> (63 - bits));
      return rng() % 2 ? -v : v;
    };
    int64_t a = random_units();
    int64_t b = random_units();
    int scale = static_cast<int>(rng() % 7);
    auto expected = reference(a, b, scale);
    auto got = Decimal::from_units(a).checked_multiply(Decimal::from_units(b), scale);
    ASSERT_EQ(got.has_value(), expected.has_value()) << a << " * " << b << " @" << scale;
    if (got) {
      ASSERT_EQ(got->units(), *expected) << a << " * " << b << " @" << scale;
    }
  }
  // Exact halves at every scale, both signs.
  EXPECT_EQ(d("0.5").checked_multiply(d("1"), 0)->to_string(), "1");
  EXPECT_EQ(d("-0.5").checked_multiply(d("1"), 0)->to_string(), "-1");
  EXPECT_EQ(d("0.49").checked_multiply(d("1"), 0)->to_string(), "0");
  EXPECT_EQ(d("0.000005").checked_multiply(d("0.1"), 6)->to_string(), "0.000001");
  EXPECT_EQ(d("-0.000005").checked_multiply(d("0.1"), 6)->to_string(), "-0.000001");
  EXPECT_FALSE(Decimal::max().checked_multiply(d("2"), 2));
  EXPECT_FALSE(Decimal::max().checked_add(d("0.000001")));
  EXPECT_FALSE(Decimal::min().checked_subtract(d("0.000001")));
  EXPECT_FALSE(d("1").checked_multiply(d("1"), 9));
}

TEST(Decimal, KnowsItsScale) {
  EXPECT_TRUE(d("12.34").has_scale(2));
  EXPECT_FALSE(d("12.345").has_scale(2));
  EXPECT_TRUE(d("12").has_scale(0));
  EXPECT_TRUE(d("-0.000001").has_scale(6));
  EXPECT_FALSE(d("1").has_scale(7));
}

TEST(Decimal, RejectsJsonValuesThatAreNotNumbers) {
  auto v = boost::json::parse(R"([null, {}, [], false, "", " 1", "1e400", 1e400, 1.0000001])");
  const auto& a = v.as_array();
  EXPECT_EQ(Decimal::from_json(a[0]).error().message, "expected a number, not null");
  EXPECT_EQ(Decimal::from_json(a[1]).error().message, "expected a number, not an object");
  EXPECT_EQ(Decimal::from_json(a[2]).error().message, "expected a number, not an array");
  EXPECT_EQ(Decimal::from_json(a[3]).error().message, "expected a number, not a boolean");
  EXPECT_EQ(Decimal::from_json(a[4]).error().message, "invalid number '': expected digits");
  EXPECT_EQ(Decimal::from_json(a[5]).error().message, "invalid number ' 1': expected digits");
  EXPECT_EQ(Decimal::from_json(a[6]).error().code, Errc::out_of_range);
  EXPECT_EQ(Decimal::from_json(a[7]).error().code, Errc::out_of_range);  // parsed as infinity
  EXPECT_EQ(Decimal::from_json(a[8]).error().code, Errc::invalid_argument);
  EXPECT_EQ(Decimal::from_json(boost::json::value(-9223372036854775807LL - 1)).error().code,
            Errc::out_of_range);
}

TEST(Decimal, ReadsLongNumbersExactlyThroughParseJsonExact) {
  auto doc = parse_json_exact(
      R"({"a": 98765432109.876543, "b": 0.1000000000000000001, "c": 19.99, "d": 12})");
  ASSERT_TRUE(doc) << doc.error().message;
  const auto& o = doc->as_object();
  EXPECT_EQ(Decimal::from_json(o.at("a"))->to_string(), "98765432109.876543");
  EXPECT_EQ(Decimal::from_json(o.at("b")).error().message,
            "invalid number '0.1000000000000000001': more than 6 decimal places");
  EXPECT_EQ(Decimal::from_json(o.at("c"))->to_string(), "19.99");
  EXPECT_EQ(Decimal::from_json(o.at("d"))->to_string(), "12");
  // The same text through boost::json::parse loses digits silently.
  auto lossy = boost::json::parse(R"(98765432109.876543)");
  EXPECT_EQ(Decimal::from_json(lossy)->to_string(), "98765432109.87654");
}

TEST(Decimal, WritesJsonValues) {
  EXPECT_EQ(boost::json::serialize(d("12").to_json(2)), "12");
  EXPECT_EQ(d("17.49").to_json(2).as_double(), 17.49);
  EXPECT_EQ(d("17.495").to_json(2).as_double(), 17.5);
  EXPECT_EQ(d("-0.004").to_json(2).as_int64(), 0);
  EXPECT_EQ(d("9223372036854.77").to_json(2).as_double(), 9223372036854.77);
  std::string out;
  d("0.005").append_json(out, 2);
  out.push_back(',');
  d("-9223372036854.775808").append_json(out, 6);
  EXPECT_EQ(out, "0.01,-9223372036854.775808");
}

}  // namespace
}  // namespace pe
