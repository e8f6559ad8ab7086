#include "common/json_exact.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_stack.hpp>

#include <charconv>
#include <string>

namespace pe {
namespace {

// Significant digits of a JSON number's text: the mantissa's digits without leading zeros (of
// the whole mantissa) and trailing zeros; the exponent is not counted.
int significant_digits(std::string_view number) {
  int count = 0;
  int pending_zeros = 0;
  bool started = false;
  for (char c : number) {
    if (c == 'e' || c == 'E') break;
    if (c < '0' || c > '9') continue;
    if (c == '0') {
      if (started) ++pending_zeros;
      continue;
    }
    started = true;
    count += pending_zeros + 1;
    pending_zeros = 0;
  }
  return count;
}

// The handler boost::json::parser uses (detail/handler.hpp), except for on_double, which sees
// the number's source text and keeps it when a double would not hold it exactly.
struct ExactHandler {
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  using ec_t = boost::json::error_code;
  using sv = boost::json::string_view;

  // A constructor, not aggregate initialisation with parentheses: clang 14 (scripts/fuzz) lacks it.
  explicit ExactHandler(boost::json::storage_ptr sp) : st(std::move(sp)) {}

  boost::json::value_stack st;
  std::string number;  // the parts of a number split across write_some calls

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_object_begin(ec_t&) { return true; }
  bool on_object_end(std::size_t n, ec_t&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(ec_t&) { return true; }
  bool on_array_end(std::size_t n, ec_t&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(sv s, std::size_t, ec_t&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(sv s, std::size_t, ec_t&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(sv s, std::size_t, ec_t&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(sv s, std::size_t, ec_t&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(sv s, ec_t&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, sv, ec_t&) {
    number.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, sv, ec_t&) {
    number.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, sv s, ec_t&) {
    number.append(s.data(), s.size());
    if (significant_digits(number) <= 15) {
      // Boost 1.81 does not always round to the nearest double; from_chars does.
      std::from_chars(number.data(), number.data() + number.size(), d);
      st.push_double(d);
    } else {
      st.push_string(number);
    }
    number.clear();
    return true;
  }
  bool on_bool(bool b, ec_t&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(ec_t&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(sv, ec_t&) { return true; }
  bool on_comment(sv, ec_t&) { return true; }
};

}  // namespace

Error json_syntax_error(std::string_view text, size_t offset, const boost::json::error_code& ec) {
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return Error{Errc::invalid_argument, "invalid JSON at line " + std::to_string(line) +
                                           ", column " + std::to_string(column) + ": " +
                                           ec.message()};
}

Result<boost::json::value> parse_json_exact(std::string_view text, size_t max_depth) {
  boost::json::parse_options options;
  options.max_depth = max_depth;
  boost::json::basic_parser<ExactHandler> parser(options, boost::json::storage_ptr());
  parser.handler().st.reset();
  boost::json::error_code ec;
  size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec) return json_syntax_error(text, used, ec);
  if (used != text.size()) {
    return Error{Errc::invalid_argument, "invalid JSON: text after the document"};
  }
  return parser.handler().st.release();
}

std::string double_to_plain_text(double value) {
  char buffer[64];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  if (ec != std::errc()) return "?";
  std::string_view sci(buffer, static_cast<size_t>(end - buffer));
  size_t e = sci.find('e');
  if (e == std::string_view::npos) return std::string(sci);  // inf, nan
  int exponent = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exponent);
  if (exponent > 40 || exponent < -40) {
    auto [short_end, short_ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return short_ec == std::errc() ? std::string(buffer, short_end) : "?";
  }
  // sci is [-]d[.ddd]e±x: the digits, then placed around the decimal point.
  bool negative = sci.front() == '-';
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  int point = exponent + 1;  // digits before the decimal point
  std::string out = negative ? "-" : "";
  if (point <= 0) {
    out += "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out += digits + std::string(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(point)) + "." +
           digits.substr(static_cast<size_t>(point));
  }
  return out;
}

std::string describe_json(const boost::json::value& value, size_t max_size) {
  std::string text =
      value.is_double() ? double_to_plain_text(value.get_double()) : boost::json::serialize(value);
  if (text.size() > max_size) text = text.substr(0, max_size) + "...";
  for (auto& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return text;
}

}  // namespace pe
