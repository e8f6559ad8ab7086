// form.hpp: application/x-www-form-urlencoded bodies and URL query strings, read as hostile.
//
// A form is name=value pairs joined by '&', '+' for a space and %XX escapes. Refused with
// invalid_argument (the message names the rule, never echoes a value): more than max_fields
// pairs, a name longer than max_name or a value longer than max_value, a malformed or NUL escape,
// text that is not UTF-8, a name given twice (a second csrf or org could otherwise win
// silently), an empty name. Empty pairs ("a=1&&b=2") are skipped.
//
//   auto form = parse_form(req.body());          // Result<Form>
//   std::string_view org = form->get("org");     // "" when absent
#pragma once

#include "common/error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pe::pages {

struct FormLimits {
  size_t max_fields = 32;
  size_t max_name = 128;
  size_t max_value = 4096;
};

class Form {
 public:
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  friend Result<Form> parse_form(std::string_view text, const FormLimits& limits);
  std::vector<std::pair<std::string, std::string>> fields_;
};

Result<Form> parse_form(std::string_view text, const FormLimits& limits = {});

}  // namespace pe::pages
