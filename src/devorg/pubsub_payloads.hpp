// pubsub_payloads.hpp (internal to devorg): the Avro side of the local org's Pub/Sub API — the
// schemas of its topics and the payloads of their events.
//
// Change events and platform events are written (and platform events read) by the product's
// schema-driven codec (src/pubsub/: the same code the subscriber decodes with, and its bitmaps):
// one Avro codec in the tree.
//
// OpportunityChangeEvent's schema is derived from the org's own Opportunity object (schema.hpp):
// field 0 is the standard ChangeEventHeader record (the twelve header fields, in the CDC docs'
// order), then every Opportunity field but Id as a nullable union ["null", T] with default null.
// Body values are sent null (the header, with changedFields as a bitmap over these field
// positions, is what subscribers act on). A schema's id is a hash of its JSON text (the first 16
// bytes of its SHA-256, base64url), so it changes exactly when the schema does.
//
//   auto schema = change_event_schema(*find_object("Opportunity"));
//   auto payload = encode_change_event(*find_object("Opportunity"), header);  // Avro
//   auto body = decode_platform_event(type, payload_from_publish, fields);  // {"CreatedById", ...}
#pragma once

#include "common/error.hpp"
#include "devorg/api_error.hpp"
#include "devorg/event_bus.hpp"
#include "devorg/schema.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pe::devorg {

struct TopicSchema {
  std::string id;    // stable: a hash of json
  std::string json;  // the Avro schema
};

TopicSchema change_event_schema(const ObjectSchema& object);
// The custom fields of a platform event type, in schema order ({"Status__c"} for
// QuoteGenerationComplete__e).
std::vector<std::string> platform_event_fields(std::string_view type);
// QuoteGenerationComplete__e: CreatedDate (long, epoch ms), CreatedById (string), then its custom
// fields as ["null", "string"].
TopicSchema platform_event_schema(std::string_view type, const std::vector<std::string>& fields);

// The Avro datum of one change event, from the ChangeEventHeader JSON build_change_events() made
// (changedFields etc. as names), written by the product's codec (pubsub/change_event_payload.hpp:
// the bitmaps over this schema's field positions, body fields null). invalid_argument when the
// header does not fit (an Id that is not one).
Result<std::string> encode_change_event(const ObjectSchema& object,
                                        const boost::json::object& header);
// The Avro datum of a platform event with platform_event_schema()'s layout.
std::string encode_platform_event(const PlatformEvent& event,
                                  const std::vector<std::string>& fields);
// The inverse, as the Eventing-style body EventBus::publish_eventing() takes:
// {"CreatedDate": ms, "CreatedById": "005...", "Status__c": {"string": "..."} or null}.
// INVALID_ARGUMENT-like ApiError (code "INVALID_PAYLOAD") when the bytes do not fit the schema.
ApiResult<boost::json::object> decode_platform_event(std::string_view type,
                                                     std::string_view payload,
                                                     const std::vector<std::string>& fields);

}  // namespace pe::devorg
