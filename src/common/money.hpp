// money.hpp: Decimal, the exact fixed-point number for money, quantities and rates.
//
// No binary floating point is used in any price computation. A Decimal is a count of millionths
// (6 fractional digits) in an int64: exact for every currency amount Salesforce stores (2 to 6
// places), for quantities (2 places) and for discount rates (0.125 = 12.5 %), up to
// ±9,223,372,036,854.775807. Arithmetic is checked: a result out of range is an error, never a
// wrap-around.
//
// Rounding: one mode, ROUND_HALF_UP (half away from zero: 2.345 → 2.35, -2.345 → -2.35), applied
// only where a caller asks for it: multiply() computes the exact product in 128 bits and rounds
// it once to the scale requested, so "unit price = list × (1 − discount), rounded to cents" is
// one rounding, not two.
//
//   auto list = Decimal::parse("19.99").value();
//   auto rate = Decimal::parse("0.125").value();
//   auto unit = list.multiply(Decimal::one() - rate, 2).value();    // 17.49
//   auto total = unit.multiply(Decimal::parse("3").value(), 2).value();  // 52.47
//   total.to_string(2);   // "52.47"
#pragma once

#include "common/error.hpp"

#include <boost/json/fwd.hpp>

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace pe {

class Decimal {
 public:
  static constexpr int kScale = 6;
  static constexpr int64_t kUnitsPerOne = 1'000'000;

  constexpr Decimal() = default;
  // From a count of millionths.
  static constexpr Decimal from_units(int64_t units) { return Decimal(units); }
  static constexpr Decimal one() { return Decimal(kUnitsPerOne); }
  static Result<Decimal> from_integer(int64_t value);

  // Decimal text as JSON writes numbers: "-12.5", "0.125", "1e3", "1.5E-2". No spaces, no '+',
  // at most 6 fractional digits once the exponent is applied (more is an error, not a silent
  // rounding). Errc::invalid_argument for bad text, Errc::out_of_range for values too large.
  static Result<Decimal> parse(std::string_view text);
  // A JSON number or a JSON string holding a number. Numbers Boost.JSON stored as double are
  // read from their shortest round-trip text, which is exact up to 15 significant digits; send
  // longer values as strings.
  static Result<Decimal> from_json(const boost::json::value& value);

  constexpr int64_t units() const { return units_; }
  bool is_zero() const { return units_ == 0; }
  bool is_negative() const { return units_ < 0; }

  Result<Decimal> add(Decimal other) const;
  Result<Decimal> subtract(Decimal other) const;
  // The exact product, rounded once (half up) to `scale` fractional digits (0 to 6).
  Result<Decimal> multiply(Decimal other, int scale = kScale) const;
  // this / other rounded once (half up) to `scale` digits; Errc::invalid_argument for / 0.
  Result<Decimal> divide(Decimal other, int scale = kScale) const;
  // Rounded half up to `scale` fractional digits (0 to 6).
  Decimal round(int scale) const;

  // Unchecked operators for values known to be in range (rates, small sums); they still trap
  // on overflow by throwing std::overflow_error rather than wrapping.
  friend Decimal operator+(Decimal a, Decimal b);
  friend Decimal operator-(Decimal a, Decimal b);
  friend Decimal operator-(Decimal a) { return Decimal(0) - a; }
  friend constexpr auto operator<=>(Decimal, Decimal) = default;

  // The shortest exact text: "12.5", "-0.000001", "0".
  std::string to_string() const;
  // Exactly `scale` fractional digits after rounding half up: to_string(2) == "12.50".
  std::string to_string(int scale) const;
  // Appends the value as a JSON number literal with `scale` digits (rounded half up).
  void append_json(std::string& out, int scale) const;

 private:
  constexpr explicit Decimal(int64_t units) : units_(units) {}
  int64_t units_ = 0;
};

}  // namespace pe
