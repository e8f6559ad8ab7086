#include "events/change_filter.hpp"

#include <algorithm>

namespace pe::events {

std::string_view base_change_type(std::string_view change_type) {
  if (change_type.starts_with("GAP_")) change_type.remove_prefix(4);
  return change_type;
}

bool is_bitmap_field(std::string_view field) {
  // Field names start with a letter, so "0x" never begins one.
  return field.starts_with("0x") || field.find("-0x") != std::string_view::npos;
}

FilterVerdict filter_change(const ChangeEvent& event, const std::vector<std::string>& change_types,
                            const std::vector<std::string>& changed_fields) {
  std::string_view base = base_change_type(event.change_type);
  if (std::find(change_types.begin(), change_types.end(), base) == change_types.end()) {
    return FilterVerdict::wrong_change_type;
  }
  if (changed_fields.empty() || base != "UPDATE" || event.is_gap()) return FilterVerdict::pass;
  const auto& fields = event.changed_fields;
  if (std::any_of(fields.begin(), fields.end(), [](const auto& f) { return is_bitmap_field(f); })) {
    return FilterVerdict::pass_undecoded_fields;
  }
  bool wanted = std::any_of(fields.begin(), fields.end(), [&](const std::string& f) {
    return std::find(changed_fields.begin(), changed_fields.end(), f) != changed_fields.end();
  });
  return wanted ? FilterVerdict::pass : FilterVerdict::no_wanted_field;
}

}  // namespace pe::events
