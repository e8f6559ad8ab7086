#include "common/money.hpp"

#include "common/json_exact.hpp"

#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace pe {
namespace {

// __extension__: GCC and Clang provide 128-bit integers; -Wpedantic would flag the name.
__extension__ using i128 = __int128;

constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

Error bad_number(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 40));
  for (auto& c : shown) {
    if (c < 0x20 || c >= 0x7f) c = '?';
  }
  if (text.size() > 40) shown += "...";
  return Error{Errc::invalid_argument, "invalid number '" + shown + "': " + std::string(why)};
}

Error out_of_range() {
  return Error{Errc::out_of_range, "number out of range (at most ±9223372036854.775807)"};
}

bool fits(i128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

// v / d rounded half away from zero; d > 0.
i128 divide_half_up(i128 v, i128 d) {
  i128 q = v / d;
  i128 r = v % d;
  if (r < 0) r = -r;
  if (2 * r >= d) q += v < 0 ? -1 : 1;
  return q;
}

// The value -?int.frac × 10^exponent, from its validated parts. With round_to = -1 it must have
// at most 6 fractional digits; with a scale (0 to 6) it is rounded half up to that scale.
Result<Decimal> from_digits(std::string_view text, bool negative, std::string_view int_part,
                            std::string_view frac_part, int64_t exponent, int round_to) {
  // Significant digits: int_part + frac_part without leading and trailing zeros; the value is
  // sig × 10^power.
  std::string_view sig_int = int_part;
  std::string_view sig_frac = frac_part;
  int64_t power = exponent - static_cast<int64_t>(frac_part.size());
  while (!sig_frac.empty() && sig_frac.back() == '0') {
    sig_frac.remove_suffix(1);
    ++power;
  }
  if (sig_frac.empty()) {
    while (!sig_int.empty() && sig_int.back() == '0') {
      sig_int.remove_suffix(1);
      ++power;
    }
  }
  while (!sig_int.empty() && sig_int.front() == '0') sig_int.remove_prefix(1);
  if (sig_int.empty()) {
    while (!sig_frac.empty() && sig_frac.front() == '0') sig_frac.remove_prefix(1);
  }
  const auto count = static_cast<int64_t>(sig_int.size() + sig_frac.size());
  if (count == 0) return Decimal();
  // Whole digits of the value: count + power; the largest value has 13.
  if (count + power > 13) return out_of_range();
  const int scale = round_to < 0 ? Decimal::kScale : round_to;
  if (round_to < 0 && power < -Decimal::kScale) {
    return bad_number(text, "more than 6 decimal places");
  }
  // The digits down to 10^-scale (at most 13 + scale <= 19 of them: fits in uint64), counted in
  // 10^-scale; the first digit dropped decides the rounding (half away from zero).
  auto digit = [&](int64_t i) {
    const auto at = static_cast<size_t>(i);
    return static_cast<uint64_t>(
        (at < sig_int.size() ? sig_int[at] : sig_frac[at - sig_int.size()]) - '0');
  };
  const int64_t kept = std::min(count, count + power + scale);
  uint64_t units = 0;
  for (int64_t i = 0; i < kept; ++i) units = units * 10 + digit(i);
  if (kept >= 0 && kept < count && digit(kept) >= 5) ++units;
  for (int64_t k = power + scale; k > 0; --k) units *= 10;
  // Then to millionths: still at most 10^19.
  for (int k = scale; k < Decimal::kScale; ++k) units *= 10;
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  if (units > limit) return out_of_range();
  return Decimal::from_units(negative ? static_cast<int64_t>(0 - units)
                                      : static_cast<int64_t>(units));
}

bool valid_scale(int scale) { return scale >= 0 && scale <= Decimal::kScale; }

Error bad_scale() { return Error{Errc::invalid_argument, "scale must be 0 to 6"}; }

}  // namespace

Result<Decimal> Decimal::from_integer(int64_t value) {
  i128 units = static_cast<i128>(value) * kUnitsPerOne;
  if (!fits(units)) return out_of_range();
  return Decimal(static_cast<int64_t>(units));
}

Result<Decimal> Decimal::parse(std::string_view text) { return parse_text(text, -1); }

Result<Decimal> Decimal::parse_rounded(std::string_view text, int scale) {
  if (!valid_scale(scale)) return bad_scale();
  return parse_text(text, scale);
}

Result<Decimal> Decimal::parse_text(std::string_view text, int round_to) {
  // Grammar: -?digits*(.digits+)?([eE][+-]?digits+)? with at least one digit before the
  // exponent. Leading zeros are allowed; nothing else (no spaces, '+', hex, "NaN", "inf").
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++i;
  auto digits_from = [&](size_t from) {
    size_t end = from;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    return end;
  };
  const size_t int_begin = i;
  const size_t int_end = digits_from(int_begin);
  size_t frac_begin = int_end;
  size_t frac_end = int_end;
  i = int_end;
  if (i < text.size() && text[i] == '.') {
    frac_begin = i + 1;
    frac_end = digits_from(frac_begin);
    if (frac_end == frac_begin) return bad_number(text, "digits must follow the decimal point");
    i = frac_end;
  }
  if (int_end == int_begin && frac_end == frac_begin) return bad_number(text, "expected digits");
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    size_t exp_end = digits_from(i);
    if (exp_end == i) return bad_number(text, "bad exponent");
    for (; i < exp_end; ++i) {
      // Clamped: any exponent this large is out of range or too precise anyway.
      exponent = std::min<int64_t>(exponent * 10 + (text[i] - '0'), 1'000'000'000);
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return bad_number(text, "unexpected character");
  return from_digits(text, negative, text.substr(int_begin, int_end - int_begin),
                     text.substr(frac_begin, frac_end - frac_begin), exponent, round_to);
}

Result<Decimal> Decimal::from_json(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::int64:
      return from_integer(value.get_int64());
    case boost::json::kind::uint64:
      if (value.get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return out_of_range();
      }
      return from_integer(static_cast<int64_t>(value.get_uint64()));
    case boost::json::kind::double_:
      // Boost.JSON reads 1e400 as infinity; NaN only comes from code, never from JSON text.
      if (std::isinf(value.get_double())) return out_of_range();
      return parse(double_to_plain_text(value.get_double()));
    case boost::json::kind::string:
      return parse(value.get_string());
    case boost::json::kind::bool_:
      return Error{Errc::invalid_argument, "expected a number, not a boolean"};
    case boost::json::kind::null:
      return Error{Errc::invalid_argument, "expected a number, not null"};
    case boost::json::kind::array:
      return Error{Errc::invalid_argument, "expected a number, not an array"};
    case boost::json::kind::object:
      return Error{Errc::invalid_argument, "expected a number, not an object"};
  }
  return Error{Errc::invalid_argument, "expected a number"};
}

Result<Decimal> Decimal::add(Decimal other) const {
  int64_t out;
  if (__builtin_add_overflow(units_, other.units_, &out)) return out_of_range();
  return Decimal(out);
}

Result<Decimal> Decimal::subtract(Decimal other) const {
  int64_t out;
  if (__builtin_sub_overflow(units_, other.units_, &out)) return out_of_range();
  return Decimal(out);
}

Result<Decimal> Decimal::multiply(Decimal other, int scale) const {
  if (!valid_scale(scale)) return bad_scale();
  if (auto product = checked_multiply(other, scale)) return *product;
  return out_of_range();
}

bool Decimal::multiply_wide(int64_t a, int64_t b, int scale, int64_t& out) noexcept {
  if (!valid_scale(scale)) return false;
  // |a * b| in 10^-12, divided once (half up) by 10^(12 - scale), then back to millionths.
  __extension__ using u128 = unsigned __int128;
  const bool negative = (a < 0) != (b < 0);
  const u128 magnitude =
      static_cast<u128>(a < 0 ? 0 - static_cast<uint64_t>(a) : static_cast<uint64_t>(a)) *
      (b < 0 ? 0 - static_cast<uint64_t>(b) : static_cast<uint64_t>(b));
  const uint64_t divisor = static_cast<uint64_t>(kUnitsPerOne * kPow10[kScale - scale]);
  const auto high = static_cast<uint64_t>(magnitude >> 64);
  const auto low = static_cast<uint64_t>(magnitude);
  // A quotient of 2^64 or more is far out of range; below that one 128/64 division does.
  if (high >= divisor) return false;
  uint64_t quotient;
  uint64_t remainder;
#if defined(__x86_64__)
  __asm__("divq %4" : "=a"(quotient), "=d"(remainder) : "a"(low), "d"(high), "rm"(divisor));
#else
  quotient = static_cast<uint64_t>(magnitude / divisor);
  remainder = static_cast<uint64_t>(magnitude % divisor);
#endif
  if (remainder >= divisor - remainder) {  // 2r >= d without overflow: half up
    if (quotient == UINT64_MAX) return false;
    ++quotient;
  }
  uint64_t units;
  if (__builtin_mul_overflow(quotient, static_cast<uint64_t>(kPow10[kScale - scale]), &units)) {
    return false;
  }
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  if (units > limit) return false;
  out = negative ? static_cast<int64_t>(0 - units) : static_cast<int64_t>(units);
  return true;
}

Result<Decimal> Decimal::apply_discount(Decimal rate, int scale) const {
  if (!valid_scale(scale)) return bad_scale();
  auto factor = one().checked_subtract(rate);
  if (!factor) return out_of_range();
  return multiply(*factor, scale);
}

Result<Decimal> Decimal::divide(Decimal other, int scale) const {
  if (!valid_scale(scale)) return bad_scale();
  if (other.units_ == 0) return Error{Errc::invalid_argument, "division by zero"};
  // Within 64 bits (the usual case: a quote's discount rate) a hardware division does.
  int64_t n;
  if (!__builtin_mul_overflow(units_, kPow10[scale], &n) && n != INT64_MIN &&
      other.units_ != INT64_MIN) {
    int64_t d = other.units_;
    if (d < 0) {
      d = -d;
      n = -n;
    }
    int64_t q = n / d;
    int64_t r = n < 0 ? -(n % d) : n % d;
    if (r >= d - r) q += n < 0 ? -1 : 1;  // 2|r| >= d: half away from zero
    int64_t units;
    if (__builtin_mul_overflow(q, kPow10[kScale - scale], &units)) return out_of_range();
    return Decimal(units);
  }
  i128 numerator = static_cast<i128>(units_) * kPow10[scale];
  i128 rounded = divide_half_up(numerator * (other.units_ < 0 ? -1 : 1),
                                other.units_ < 0 ? -static_cast<i128>(other.units_) : other.units_);
  i128 units = rounded * kPow10[kScale - scale];
  if (!fits(units)) return out_of_range();
  return Decimal(static_cast<int64_t>(units));
}

Decimal Decimal::round(int scale) const {
  if (!valid_scale(scale)) throw std::invalid_argument("scale must be 0 to 6");
  i128 step = kPow10[kScale - scale];
  i128 units = divide_half_up(units_, step) * step;
  // Rounding the largest values up can leave the range.
  if (!fits(units)) throw std::overflow_error("Decimal::round out of range");
  return Decimal(static_cast<int64_t>(units));
}

Decimal operator+(Decimal a, Decimal b) {
  auto r = a.add(b);
  if (!r) throw std::overflow_error(r.error().message);
  return *r;
}

Decimal operator-(Decimal a, Decimal b) {
  auto r = a.subtract(b);
  if (!r) throw std::overflow_error(r.error().message);
  return *r;
}

std::string Decimal::to_string(int scale) const {
  std::string out;
  append_json(out, scale);
  return out;
}

std::string Decimal::to_string() const {
  std::string out = to_string(kScale);
  if (auto dot = out.find('.'); dot != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out;
}

void Decimal::append_json(std::string& out, int scale) const {
  auto rounded = round(scale).units_;
  // Work with the magnitude as unsigned: -INT64_MIN does not fit in int64.
  uint64_t magnitude =
      rounded < 0 ? 0 - static_cast<uint64_t>(rounded) : static_cast<uint64_t>(rounded);
  if (rounded < 0) out.push_back('-');
  out.append(std::to_string(magnitude / kUnitsPerOne));
  if (scale > 0) {
    out.push_back('.');
    std::string frac = std::to_string(magnitude % kUnitsPerOne + kUnitsPerOne).substr(1);
    out.append(frac.substr(0, static_cast<size_t>(scale)));
  }
}

}  // namespace pe

namespace pe {

boost::json::value Decimal::to_json(int scale) const {
  Decimal rounded = round(scale);
  if (rounded.units_ % kUnitsPerOne == 0) return boost::json::value(rounded.units_ / kUnitsPerOne);
  // Output only, never computed with: the double nearest to the decimal text (from_chars
  // rounds correctly), whose shortest text is that decimal for up to 15 significant digits.
  std::string text = rounded.to_string();
  double nearest = 0;
  std::from_chars(text.data(), text.data() + text.size(), nearest);
  return boost::json::value(nearest);
}

}  // namespace pe
