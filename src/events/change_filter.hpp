// change_filter.hpp: which Opportunity change events need a quote — one rule for both ways
// change events arrive (the Eventing webhook, web/webhook.hpp, and the Pub/Sub subscriber,
// pubsub/), so the same configuration prices the same changes on either path.
//
// Configuration (docs/config.md): PRICING_CHANGE_TYPES (default CREATE, UPDATE, UNDELETE; a GAP_
// event counts as its base type) and PRICING_CHANGED_FIELDS (an UPDATE must change one of them;
// default: any). The subscriber decodes changedFields into names with the event's Avro schema;
// the webhook gets them as Eventing sends them, which is a bitmap over a schema it does not
// have: such events pass the field filter (never a lost change) and are counted. A GAP_OVERFLOW
// event carries no Ids, and a field-type conversion's event carries a key prefix wildcard
// ("006*") instead of them: the caller logs those as errors, since those changes cannot be
// quoted from the event (a wildcard beside real Ids does not stop those Ids being buffered).
//
//   auto filter = change_filter_from(read);
//   auto verdict = judge(filter, event);
//   if (verdict.skip == Skip::none) buffer(event);
#pragma once

#include "common/config.hpp"
#include "events/change_event.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pe::events {

struct ChangeFilter {
  std::vector<std::string> change_types = {"CREATE", "UPDATE", "UNDELETE"};
  std::vector<std::string> changed_fields;  // empty: any
};

// PRICING_CHANGE_TYPES (upper-cased) and PRICING_CHANGED_FIELDS; problems go to `read`.
ChangeFilter change_filter_from(EnvReader& read);

// Why an event needs no quote; none: it does.
enum class Skip { none, entity, no_ids, wildcard_ids, change_type, fields };

struct Verdict {
  Skip skip = Skip::none;
  bool gap = false;               // a GAP_ event (judged as its base type)
  bool wildcard = false;          // carries a key prefix wildcard ("006*")
  bool fields_undecoded = false;  // changedFields were bitmaps: the field filter let it pass
};

Verdict judge(const ChangeFilter& filter, const ChangeEvent& event);

// Pub/Sub's bitmap form of a changedFields entry: "0x01000080" or "2-0x03".
bool is_bitmap_field(std::string_view field);

}  // namespace pe::events
