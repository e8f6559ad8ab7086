#include "events/change_filter.hpp"

#include <algorithm>
#include <cctype>

namespace pe::events {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

ChangeFilter change_filter_from(EnvReader& read) {
  ChangeFilter filter;
  filter.change_types = read.list("PRICING_CHANGE_TYPES", "CREATE,UPDATE,UNDELETE");
  for (auto& type : filter.change_types) {
    for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  filter.changed_fields = read.list("PRICING_CHANGED_FIELDS");
  return filter;
}

bool is_bitmap_field(std::string_view field) {
  return field.starts_with("0x") || field.find("-0x") != std::string_view::npos;
}

Verdict judge(const ChangeFilter& filter, const ChangeEvent& event) {
  Verdict v;
  if (event.entity != "Opportunity") {
    v.skip = Skip::entity;
    return v;
  }
  std::string_view base_type = event.change_type;
  if (event.is_gap()) {
    v.gap = true;
    base_type.remove_prefix(4);
  }
  v.wildcard = !event.wildcard_ids.empty();
  if (event.record_ids.empty()) {
    v.skip = v.wildcard ? Skip::wildcard_ids : Skip::no_ids;
    return v;
  }
  if (!contains(filter.change_types, base_type)) {
    v.skip = Skip::change_type;
    return v;
  }
  if (!filter.changed_fields.empty() && base_type == "UPDATE" && !v.gap) {
    const auto& fields = event.changed_fields;
    if (std::any_of(fields.begin(), fields.end(), is_bitmap_field)) {
      v.fields_undecoded = true;
    } else if (std::none_of(fields.begin(), fields.end(), [&](const std::string& f) {
                 return contains(filter.changed_fields, f);
               })) {
      v.skip = Skip::fields;
    }
  }
  return v;
}

}  // namespace pe::events
