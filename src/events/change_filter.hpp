// change_filter.hpp: whether a change event asks for a quote by its change type and changed
// fields — the one rule the webhook (web/webhook.cpp) and the Pub/Sub path apply alike.
//
// A GAP_ event counts as its base type (GAP_UPDATE as UPDATE). With a changed-field list, an
// UPDATE must change one of those fields, by name: Pub/Sub events reach this point with their
// bitmaps already expanded into names (pubsub/change_event_payload.hpp), so they are filtered
// like any other. Only an event that still carries a raw bitmap ("0x01000080", as Eventing
// delivers) cannot be judged: it passes (never a lost change) and says so.
//
//   switch (events::filter_change(event, {"CREATE", "UPDATE"}, {"StageName", "Amount"})) {
//     case events::FilterVerdict::pass: buffer(event); break;
//     ...
//   }
#pragma once

#include "events/change_event.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pe::events {

enum class FilterVerdict {
  pass,
  pass_undecoded_fields,  // passed because changedFields holds bitmaps, not names
  wrong_change_type,
  no_wanted_field,
};

// `change_types` in upper case; `changed_fields` empty means any.
FilterVerdict filter_change(const ChangeEvent& event, const std::vector<std::string>& change_types,
                            const std::vector<std::string>& changed_fields);

// "UPDATE" for "GAP_UPDATE"; other types unchanged.
std::string_view base_change_type(std::string_view change_type);

// A Pub/Sub field bitmap ("0x01000080", "2-0x03") rather than a field name.
bool is_bitmap_field(std::string_view field);

}  // namespace pe::events
