// money.hpp: Decimal, the exact fixed-point number for money, quantities and rates.
//
// No binary floating point is used in any price computation. A Decimal is a count of millionths
// (6 fractional digits) in an int64: exact for every currency amount Salesforce stores (2 to 6
// places), for quantities (2 places) and for discount rates (0.125 = 12.5 %), in the range
// ±9,223,372,036,854.775807 (about ±9.2 trillion). Arithmetic is checked: a result out of range
// is an Errc::out_of_range error, never a wrap-around.
//
// Rounding: one mode, ROUND_HALF_UP (half away from zero: 2.345 → 2.35, -2.345 → -2.35), which
// is how Salesforce rounds a value to a currency field's scale; it is our one choice and no other
// mode exists here. It is applied only where a caller asks for it: multiply() computes the exact
// product in 128 bits and rounds it once to the scale requested, so "unit price = list × (1 −
// discount), rounded to cents" (apply_discount) is one rounding, not two.
//
// Hot loops (the pricing engine prices tens of millions of lines a second) use the inline,
// allocation-free checked_*() forms, which return std::nullopt instead of an Error.
//
//   auto list = Decimal::parse("19.99").value();
//   auto rate = Decimal::parse("0.125").value();
//   auto unit = list.apply_discount(rate, 2).value();                    // 17.49
//   auto total = unit.multiply(Decimal::parse("3").value(), 2).value();  // 52.47
//   total.to_string(2);   // "52.47"
#pragma once

#include "common/error.hpp"

#include <boost/json/fwd.hpp>

#include <compare>
#include <cstdint>
#include <optional>
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
  static constexpr Decimal max() { return Decimal(INT64_MAX); }
  static constexpr Decimal min() { return Decimal(INT64_MIN); }
  static Result<Decimal> from_integer(int64_t value);

  // Decimal text as JSON writes numbers: "-12.5", "0.125", "1e3", "1.5E-2". No spaces, no '+',
  // at most 6 fractional digits once the exponent is applied (more is an error, not a silent
  // rounding). Errc::invalid_argument for bad text, Errc::out_of_range for values too large.
  static Result<Decimal> parse(std::string_view text);
  // The same text with any number of digits, rounded once (half up) to `scale` fractional digits
  // (0 to 6), exactly from the decimal text: "53.99100000000001" → 53.99, "0.125" → 0.13 at
  // scale 2, "5.3991e1" → 53.99, "1e-9" → 0. Only for numbers a client sends for a field of known
  // scale (the local org stores them the way Salesforce does); the product's own amounts are
  // read with parse(), which never rounds. Errc::out_of_range when the rounded value is.
  static Result<Decimal> parse_rounded(std::string_view text, int scale);
  // A JSON number or a JSON string holding a number (parsed as above). A JSON number stored as a
  // double is read from its shortest round-trip text, which is exact when the source text had
  // at most 15 significant digits. Documents parsed with parse_json_exact() (json_exact.hpp) keep
  // longer numbers as their source text, so every value is read exactly or rejected.
  static Result<Decimal> from_json(const boost::json::value& value);

  constexpr int64_t units() const { return units_; }
  constexpr bool is_zero() const { return units_ == 0; }
  constexpr bool is_negative() const { return units_ < 0; }
  constexpr bool is_positive() const { return units_ > 0; }
  // True when the value has no more than `scale` fractional digits (0 to 6).
  constexpr bool has_scale(int scale) const {
    if (scale < 0 || scale > kScale) return false;
    int64_t step = 1;
    for (int i = scale; i < kScale; ++i) step *= 10;
    return units_ % step == 0;
  }
  template <int Scale>
  constexpr bool has_scale() const {
    static_assert(Scale >= 0 && Scale <= kScale);
    constexpr int64_t kStep = [] {
      int64_t step = 1;
      for (int i = Scale; i < kScale; ++i) step *= 10;
      return step;
    }();
    return units_ % kStep == 0;
  }

  Result<Decimal> add(Decimal other) const;
  Result<Decimal> subtract(Decimal other) const;
  // The exact product, rounded once (half up) to `scale` fractional digits (0 to 6): a price
  // times a quantity, an amount times a rate.
  Result<Decimal> multiply(Decimal other, int scale = kScale) const;
  // this × (1 − rate), the exact value rounded once (half up) to `scale` digits: the discounted
  // price for a discount rate (0.15 = 15 %).
  Result<Decimal> apply_discount(Decimal rate, int scale) const;
  // this / other rounded once (half up) to `scale` digits; Errc::invalid_argument for / 0.
  Result<Decimal> divide(Decimal other, int scale = kScale) const;
  // Rounded half up to `scale` fractional digits (0 to 6). Throws std::invalid_argument for a
  // bad scale and std::overflow_error when rounding leaves the range (only within 0.5 of max()).
  Decimal round(int scale) const;

  // Hot-path forms of the above: inline, no allocation, std::nullopt when the result is out of
  // range or the scale is not 0 to 6. Same results, bit for bit.
  constexpr std::optional<Decimal> checked_add(Decimal other) const noexcept;
  constexpr std::optional<Decimal> checked_subtract(Decimal other) const noexcept;
  constexpr std::optional<Decimal> checked_multiply(Decimal other, int scale) const noexcept;
  // The same again for the tightest loops: the result goes to `out` and the return value says
  // whether it is valid. Without a std::optional in between, the compiler keeps it in a
  // register (an optional is written to memory and read back, costing a store-forwarding stall).
  constexpr bool add_into(Decimal other, Decimal& out) const noexcept {
    return !__builtin_add_overflow(units_, other.units_, &out.units_);
  }
  constexpr bool subtract_into(Decimal other, Decimal& out) const noexcept {
    return !__builtin_sub_overflow(units_, other.units_, &out.units_);
  }
  constexpr bool multiply_into(Decimal other, int scale, Decimal& out) const noexcept;
  // this × n for a whole number n: exact, no rounding needed.
  constexpr bool multiply_into(int64_t n, Decimal& out) const noexcept {
    return !__builtin_mul_overflow(units_, n, &out.units_);
  }
  // With the scale known at compile time (an engine dispatches on its currency scale once).
  template <int Scale>
  constexpr bool multiply_into(Decimal other, Decimal& out) const noexcept;

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
  // Appends the value as a JSON number literal with `scale` digits (rounded half up): "17.50".
  // This is the exact way to write money into JSON text.
  void append_json(std::string& out, int scale) const;
  // The value rounded half up to `scale` digits as a JSON number: an int64 when whole, else the
  // double nearest to it, which is exact (its shortest text is the decimal) for up to 15
  // significant digits, i.e. every amount below 10^13 at scale 2. Boost.JSON serialises doubles
  // in exponent form ("1.749E1"); use append_json() for plain text.
  boost::json::value to_json(int scale) const;

 private:
  constexpr explicit Decimal(int64_t units) : units_(units) {}
  // parse() (round_to = -1) and parse_rounded() (round_to = the scale).
  static Result<Decimal> parse_text(std::string_view text, int round_to);
  // The 128-bit path of multiply_into, for products beyond int64.
  static bool multiply_wide(int64_t a, int64_t b, int scale, int64_t& out) noexcept;

  int64_t units_ = 0;
};

namespace detail {

// v / 10^K rounded half away from zero. K is a constant so the division is a multiplication.
template <int K>
constexpr int64_t divide_pow10_half_up(int64_t v) {
  if constexpr (K == 0) {
    return v;
  } else {
    constexpr int64_t kDivisor = [] {
      int64_t d = 1;
      for (int i = 0; i < K; ++i) d *= 10;
      return d;
    }();
    int64_t q = v / kDivisor;
    int64_t r = v % kDivisor;
    // Branch-free: which way a price rounds is data, and a mispredicted branch costs more than
    // the whole division.
    return q + static_cast<int64_t>(r >= kDivisor / 2) - static_cast<int64_t>(r <= -kDivisor / 2);
  }
}

// The product p of two unit counts is in 10^-12; rounds it to `Scale` digits and returns
// millionths. Cannot overflow: |result| <= |p| / 10^6 + 1.
template <int Scale>
constexpr int64_t product_to_units(int64_t p) {
  constexpr int64_t kBack = [] {
    int64_t d = 1;
    for (int i = Scale; i < 6; ++i) d *= 10;
    return d;
  }();
  return divide_pow10_half_up<12 - Scale>(p) * kBack;
}

}  // namespace detail

constexpr std::optional<Decimal> Decimal::checked_add(Decimal other) const noexcept {
  Decimal out;
  if (!add_into(other, out)) return std::nullopt;
  return out;
}

constexpr std::optional<Decimal> Decimal::checked_subtract(Decimal other) const noexcept {
  Decimal out;
  if (!subtract_into(other, out)) return std::nullopt;
  return out;
}

constexpr std::optional<Decimal> Decimal::checked_multiply(Decimal other,
                                                           int scale) const noexcept {
  Decimal out;
  if (!multiply_into(other, scale, out)) return std::nullopt;
  return out;
}

template <int Scale>
constexpr bool Decimal::multiply_into(Decimal other, Decimal& out) const noexcept {
  static_assert(Scale >= 0 && Scale <= kScale);
  int64_t p;
  if (__builtin_mul_overflow(units_, other.units_, &p)) [[unlikely]] {
    return multiply_wide(units_, other.units_, Scale, out.units_);
  }
  out.units_ = detail::product_to_units<Scale>(p);
  return true;
}

constexpr bool Decimal::multiply_into(Decimal other, int scale, Decimal& out) const noexcept {
  switch (scale) {
    case 0:
      return multiply_into<0>(other, out);
    case 1:
      return multiply_into<1>(other, out);
    case 2:
      return multiply_into<2>(other, out);
    case 3:
      return multiply_into<3>(other, out);
    case 4:
      return multiply_into<4>(other, out);
    case 5:
      return multiply_into<5>(other, out);
    case 6:
      return multiply_into<6>(other, out);
    default:
      return false;
  }
}

}  // namespace pe
