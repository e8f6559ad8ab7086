#include "demo/demo_text.hpp"

#include "common/money.hpp"

#include <boost/json/value.hpp>

#include <charconv>

namespace pe::demo {

std::string last_lines(std::string_view text, size_t lines) {
  if (lines == 0 || text.empty()) return "";
  size_t end = text.size();
  if (text.back() == '\n') --end;
  size_t start = end;
  size_t found = 0;
  while (start > 0) {
    if (text[start - 1] == '\n' && ++found == lines) break;
    --start;
  }
  return std::string(text.substr(start, end - start)) + "\n";
}

std::map<std::string, std::string> parse_logfmt(std::string_view line) {
  std::map<std::string, std::string> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t key_start = i;
    while (i < line.size() && line[i] != '=' && line[i] != ' ') ++i;
    std::string key(line.substr(key_start, i - key_start));
    std::string value;
    if (i < line.size() && line[i] == '=') {
      ++i;
      if (i < line.size() && line[i] == '"') {
        for (++i; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\' && i + 1 < line.size()) ++i;
          value += line[i];
        }
        ++i;  // the closing quote
      } else {
        size_t value_start = i;
        while (i < line.size() && line[i] != ' ') ++i;
        value = line.substr(value_start, i - value_start);
      }
    }
    if (!key.empty()) fields[std::move(key)] = std::move(value);
  }
  return fields;
}

std::optional<double> metric_value(std::string_view text, std::string_view name) {
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ' ') {
      continue;
    }
    std::string_view number = line.substr(name.size() + 1);
    double value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec == std::errc()) return value;
  }
  return std::nullopt;
}

std::string money_text(const boost::json::value& amount) {
  if (amount.is_null()) return "-";
  auto decimal = Decimal::from_json(amount);
  if (!decimal) return "?";
  return money_text(*decimal);
}

std::string money_text(Decimal amount) {
  std::string plain = amount.to_string(2);
  bool negative = plain.starts_with('-');
  if (negative) plain.erase(0, 1);
  auto dot = plain.find('.');
  std::string whole = plain.substr(0, dot);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return (negative ? "-" : "") + grouped + plain.substr(dot);
}

std::string percent_off(Decimal list, Decimal total) {
  if (!list.is_positive()) return "-";
  auto off = list.subtract(total);
  auto rate = off ? off->divide(list, 4) : off;  // 0.1234: 12.34 %
  if (!rate) return "?";
  return Decimal::from_units(rate->units() * 100).to_string(2) + " %";
}

}  // namespace pe::demo
