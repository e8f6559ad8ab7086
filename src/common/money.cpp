#include "common/money.hpp"

#include <boost/json/value.hpp>

#include <charconv>
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

bool valid_scale(int scale) { return scale >= 0 && scale <= Decimal::kScale; }

}  // namespace

Result<Decimal> Decimal::from_integer(int64_t value) {
  i128 units = static_cast<i128>(value) * kUnitsPerOne;
  if (!fits(units)) return out_of_range();
  return Decimal(static_cast<int64_t>(units));
}

Result<Decimal> Decimal::parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  i128 mantissa = 0;
  int digits = 0;    // significant digits kept in mantissa
  int exponent = 0;  // value = mantissa * 10^exponent
  bool any_digit = false;
  bool overflow = false;
  auto take_digit = [&](char c) {
    any_digit = true;
    if (mantissa == 0 && c == '0') return;  // leading zeros cost nothing
    if (digits >= 36) {
      overflow = true;
      return;
    }
    mantissa = mantissa * 10 + (c - '0');
    ++digits;
  };
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') take_digit(text[i++]);
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t frac_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      take_digit(text[i++]);
      --exponent;
    }
    if (i == frac_start) return bad_number(text, "digits must follow the decimal point");
  }
  if (!any_digit) return bad_number(text, "expected digits");
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    int e = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), e);
    if (ec == std::errc::result_out_of_range) return out_of_range();
    if (ec != std::errc() || end == text.data() + i) return bad_number(text, "bad exponent");
    i = static_cast<size_t>(end - text.data());
    if (e > 1000)
      return mantissa == 0 ? Result<Decimal>(Decimal()) : Result<Decimal>(out_of_range());
    exponent += exp_negative ? -e : e;
  }
  if (i != text.size()) return bad_number(text, "unexpected character");
  if (overflow) return out_of_range();
  if (mantissa == 0) return Decimal();
  int shift = exponent + kScale;  // units = mantissa * 10^shift
  while (shift > 0) {
    mantissa *= 10;
    --shift;
    if (!fits(mantissa)) return out_of_range();
  }
  while (shift < 0) {
    if (mantissa % 10 != 0) return bad_number(text, "more than 6 decimal places");
    mantissa /= 10;
    ++shift;
  }
  if (negative) mantissa = -mantissa;
  if (!fits(mantissa)) return out_of_range();
  return Decimal(static_cast<int64_t>(mantissa));
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
    case boost::json::kind::double_: {
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value.get_double());
      if (ec != std::errc()) return bad_number("?", "not representable");
      return parse(std::string_view(buf, static_cast<size_t>(end - buf)));
    }
    case boost::json::kind::string:
      return parse(value.get_string());
    default:
      return Error{Errc::invalid_argument, "expected a number"};
  }
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
  if (!valid_scale(scale)) return Error{Errc::invalid_argument, "scale must be 0 to 6"};
  // units_a * units_b is in 10^-12; rounding once to 10^-scale, then back to millionths.
  i128 product = static_cast<i128>(units_) * other.units_;
  i128 rounded = divide_half_up(product, static_cast<i128>(kUnitsPerOne) * kPow10[kScale - scale]);
  i128 units = rounded * kPow10[kScale - scale];
  if (!fits(units)) return out_of_range();
  return Decimal(static_cast<int64_t>(units));
}

Result<Decimal> Decimal::divide(Decimal other, int scale) const {
  if (!valid_scale(scale)) return Error{Errc::invalid_argument, "scale must be 0 to 6"};
  if (other.units_ == 0) return Error{Errc::invalid_argument, "division by zero"};
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
