// change_event_payload.hpp: a Change Data Capture event as the Pub/Sub API carries it (an Avro
// payload written with the topic's schema) to and from the product's events::ChangeEvent.
//
// decode_change_event reads the payload with its writer schema (avro_codec.hpp), then the whole
// ChangeEventHeader by field NAME, wherever the schema puts it: changeType is the enum's symbol as
// the schema spells it (never an index of ours), every recordIds element is checked exactly as
// the webhook checks it (events::add_record_id: a Salesforce Id or a "006*" wildcard), at most
// ParseLimits::max_record_ids of them, transactionKey 1 to 64 characters, and the bitmaps
// changedFields, nulledFields and diffFields are expanded into field names (bitmap_fields.hpp).
// So the event that comes out is filtered and buffered exactly as a webhook event is
// (events/change_filter.hpp). Errors are invalid_argument: "pubsub event: <where>: <problem>".
//
// encode_change_event is the inverse, for whoever publishes (the local org, tests, benchmarks):
// header values and field names in, the payload Salesforce would send out.
//
//   auto schema = avro::Schema::parse(schema_info.schema_json());
//   auto header = pubsub::decode_change_event(*schema, consumer_event.event().payload());
//   if (header) buffer(header->event);   // ChangeEvent: entity, Ids, changed field names, ...
//   auto payload = pubsub::encode_change_event(*schema, *header);   // the same bytes
#pragma once

#include "common/error.hpp"
#include "events/change_event.hpp"
#include "pubsub/avro_schema.hpp"
#include "pubsub/avro_value.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pe::pubsub {

// The whole ChangeEventHeader. `event` holds what the webhook keeps too (its `id` is left empty:
// the subscriber sets it from the ProducerEvent); the rest is what only Pub/Sub delivers read.
struct ChangeEventHeader {
  events::ChangeEvent event;  // changed_fields: names ("StageName", "ShippingAddress__c.City")
  std::string change_origin;  // "com/salesforce/api/rest/62.0;client=..." or ""
  int64_t commit_number = 0;  // the SCN; beyond 2^53, so int64
  std::string commit_user;    // a user Id, as sent
  std::vector<std::string> nulled_fields;  // names
  std::vector<std::string> diff_fields;    // names
};

Result<ChangeEventHeader> decode_change_event(const avro::Schema& writer, std::string_view payload,
                                              const events::ParseLimits& limits = {});

// A body field's value by name; every body field not given is written as null (as Pub/Sub does
// for unchanged fields). Union branches are chosen by the value's kind (avro_value.hpp).
using BodyField = std::pair<std::string, avro::Value>;

// invalid_argument for a changed, nulled or diff field name or body field the schema does not
// have, a header field the schema requires that the struct cannot fill, or a value that does not
// fit its field's type.
Result<std::string> encode_change_event(const avro::Schema& writer, const ChangeEventHeader& header,
                                        std::span<const BodyField> body = {});

}  // namespace pe::pubsub
