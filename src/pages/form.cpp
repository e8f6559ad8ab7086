#include "pages/form.hpp"

#include "soql/utf8.hpp"

#include <algorithm>

namespace pe::pages {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes '+' and %XX; nullopt for a malformed escape or an encoded NUL.
std::optional<std::string> decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return std::nullopt;
      out += decoded;
      i += 2;
    } else if (c == '\0') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

Error refused(std::string why) { return Error{Errc::invalid_argument, "form: " + std::move(why)}; }

}  // namespace

std::string_view Form::get(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (key == name) return value;
  }
  return {};
}

bool Form::has(std::string_view name) const {
  return std::any_of(fields_.begin(), fields_.end(),
                     [name](const auto& field) { return field.first == name; });
}

Result<Form> parse_form(std::string_view text, const FormLimits& limits) {
  Form form;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view pair = text.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    if (form.fields_.size() == limits.max_fields) {
      return refused("more than " + std::to_string(limits.max_fields) + " fields");
    }
    size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    // Decoding never lengthens text: the raw lengths bound the work before it is done.
    if (raw_name.size() > 3 * limits.max_name || raw_value.size() > 3 * limits.max_value) {
      return refused("a field is longer than its limit");
    }
    auto name = decode(raw_name);
    auto value = decode(raw_value);
    if (!name || !value) return refused("a malformed %-escape");
    if (name->empty()) return refused("a field without a name");
    if (name->size() > limits.max_name) {
      return refused("a field name is longer than " + std::to_string(limits.max_name) + " bytes");
    }
    if (value->size() > limits.max_value) {
      return refused("a value is longer than " + std::to_string(limits.max_value) + " bytes");
    }
    if (!soql::is_valid_utf8(*name) || !soql::is_valid_utf8(*value)) {
      return refused("text that is not UTF-8");
    }
    if (form.has(*name)) return refused("a field given twice");
    form.fields_.emplace_back(std::move(*name), std::move(*value));
  }
  return form;
}

}  // namespace pe::pages
