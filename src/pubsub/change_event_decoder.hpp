// change_event_decoder.hpp: Pub/Sub change events into the ChangeEvent the webhook's path uses
// too: each payload decoded with its writer schema (by schema id, as GetSchema gave it), the
// ChangeEventHeader read whole, and changedFields, nulledFields and diffFields turned from
// bitmaps into field names (avro_*.hpp, bitmap_fields.hpp).
//
// Schemas are parsed once and kept by id, at most kMaxSchemas (the oldest goes first): a schema
// changes only when the object's fields change, and a peer sending endless new ids cannot make
// it grow.
//
//   ChangeEventDecoder decoder;
//   if (!decoder.has_schema(event.schema_id)) decoder.add_schema(event.schema_id, json);
//   auto change = decoder.decode(event.schema_id, event.payload);   // Result<ChangeEvent>
#pragma once

#include "common/error.hpp"
#include "events/change_event.hpp"

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace pe::pubsub {

class ChangeEventDecoder {
 public:
  static constexpr size_t kMaxSchemas = 64;

  ChangeEventDecoder();
  ~ChangeEventDecoder();

  bool has_schema(const std::string& schema_id) const;
  // invalid_argument when the JSON is not an Avro schema of a change event (a record whose first
  // field is the ChangeEventHeader record).
  Result<void> add_schema(const std::string& schema_id, std::string_view schema_json);
  // not_found when the schema id was never added; invalid_argument for a payload the schema
  // does not read.
  Result<events::ChangeEvent> decode(const std::string& schema_id, std::string_view payload) const;

 private:
  struct Schema;
  std::map<std::string, std::shared_ptr<const Schema>, std::less<>> schemas_;
  std::deque<std::string> order_;  // oldest first
};

}  // namespace pe::pubsub
