// libFuzzer target: parse_form on any bytes (scripts/fuzz). Properties checked beyond "no crash":
// an accepted form keeps within its limits, holds no empty or repeated name, and parsing the
// form written back out gives the same fields.
#include "pages/form.hpp"
#include "salesforce/soql.hpp"

#include <cstdint>
#include <cstdlib>
#include <set>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  pe::pages::FormLimits limits{.max_fields = 16, .max_name = 32, .max_value = 256};
  auto form = pe::pages::parse_form(text, limits);
  if (!form) return 0;
  if (form->fields().size() > limits.max_fields) std::abort();
  std::set<std::string> names;
  std::string written;
  for (const auto& [name, value] : form->fields()) {
    if (name.empty() || name.size() > limits.max_name || value.size() > limits.max_value) {
      std::abort();
    }
    if (!names.insert(name).second) std::abort();
    if (!written.empty()) written += '&';
    written += pe::salesforce::url_encode(name) + "=" + pe::salesforce::url_encode(value);
  }
  auto again = pe::pages::parse_form(written, limits);
  if (!again || again->fields() != form->fields()) std::abort();
  return 0;
}
