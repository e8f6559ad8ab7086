// avro_codec.hpp: decode an Avro binary datum by its writer's schema into a Value, and the
// inverse, encode.
//
// decode follows the writer schema exactly: fields in schema order, union branches and enum
// symbols by index. It is safe on hostile bytes: it never reads past the end; an array or map
// block whose count cannot fit in the bytes left is an error before anything is allocated (items
// of a type that takes no bytes, such as null, are bounded by max_values instead); a negative
// block count is followed by the block's byte size, which must match; nesting deeper than
// max_depth and bytes left over after the datum are errors. Every error is invalid_argument,
// "avro: <problem> at byte <n>" with the path to the value ("ChangeEventHeader.recordIds[2]").
//
// encode writes what decode reads, in the canonical form (one block per array or map, positive
// counts): so encode(decode(b)) == b whenever b is canonical (stats.canonical).
//
//   auto schema = avro::Schema::parse(schema_json);
//   auto value = avro::decode(*schema, event.payload());   // Result<Value>
//   auto bytes = avro::encode(*schema, *value);            // Result<std::string>
#pragma once

#include "common/error.hpp"
#include "pubsub/avro_schema.hpp"
#include "pubsub/avro_value.hpp"

#include <string>
#include <string_view>

namespace pe::pubsub::avro {

struct DecodeLimits {
  size_t max_depth = 64;          // nested values (records, arrays, maps)
  size_t max_values = 1'000'000;  // record fields, array items, map entries: the whole datum
};

struct DecodeStats {
  // False when the input used a form encode does not write: a negative block count, or an
  // array or map in more than one block.
  bool canonical = true;
};

Result<Value> decode(const Schema& writer, std::string_view bytes, const DecodeLimits& limits = {},
                     DecodeStats* stats = nullptr);
// The same, for a value of `type`, a node of `writer`.
Result<Value> decode(const Node& type, std::string_view bytes, const DecodeLimits& limits = {},
                     DecodeStats* stats = nullptr);

// invalid_argument when the value does not fit the schema (the wrong kind, an int out of range,
// a record with the wrong number of fields, an unknown enum symbol, no union branch that fits,
// a fixed of the wrong size), naming the path.
Result<std::string> encode(const Schema& writer, const Value& value);
Result<void> encode(const Node& type, const Value& value, std::string& out);

}  // namespace pe::pubsub::avro
