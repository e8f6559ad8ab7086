// avro_schema.hpp: an Avro schema (Apache Avro 1.11 specification), parsed from its JSON into an
// immutable tree that the decoder (avro_codec.hpp) follows.
//
// The Pub/Sub API hands out the writer's schema as JSON (GetSchema); a change event's payload
// can only be read with that exact schema, which changes when the org's object changes
// (reference/pubsub.md, section 2). So the schema is data, parsed at run time: the primitives
// (null, boolean, int, long, float, double, bytes, string), record, enum, array, map, union and
// fixed; named types referenced by full or namespace-relative name, recursion included;
// logicalType kept as text. The input is hostile until proven otherwise: size, depth, field and
// symbol counts are bounded, and unknown type names, duplicate names, bad names, nested unions
// and duplicate union branches are invalid_argument errors that say what and where.
//
//   auto schema = avro::Schema::parse(schema_json);          // Result<Schema>
//   if (!schema) return schema.error();
//   const avro::Node& root = schema->root();                 // a record for change events
//   int stage = root.field_index("StageName");               // -1 when absent
//   const avro::Node& type = *root.fields[stage].type;       // ["null","string"]: a union
#pragma once

#include "common/error.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pe::pubsub::avro {

enum class Type : uint8_t {
  null,
  boolean,
  int_,
  long_,
  float_,
  double_,
  bytes,
  string,
  record,
  enum_,
  array,
  map,
  union_,
  fixed,
};

// "record", "long", ...: the type's name in the specification.
std::string_view to_string(Type type);

struct Node;

struct Field {
  std::string name;
  const Node* type = nullptr;
};

// One node of the tree. Named types (record, enum, fixed) appear once, however often they are
// referenced; a recursive record's field points back at it.
struct Node {
  Type type = Type::null;
  std::string name;           // named types: the full name ("com.sforce.eventbus.ChangeType")
  std::string logical_type;   // "date", "timestamp-millis", ... or ""; not interpreted
  std::vector<Field> fields;  // record, in schema order
  std::vector<std::string> symbols;   // enum, in schema order: the index is the wire value
  std::vector<const Node*> branches;  // union, in schema order: the index is the wire value
  const Node* items = nullptr;        // array items, map values
  size_t size = 0;                    // fixed
  size_t min_size = 0;                // the fewest bytes a value of this type takes on the wire

  bool is_named() const {
    return type == Type::record || type == Type::enum_ || type == Type::fixed;
  }
  // The index of the record field or enum symbol with this name, or -1.
  int field_index(std::string_view field_name) const;
  int symbol_index(std::string_view symbol) const;
  // The record field by name, or nullptr.
  const Field* field(std::string_view field_name) const;
};

struct SchemaLimits {
  size_t max_bytes = 1 << 20;  // the schema's JSON text
  size_t max_depth = 32;       // nested types (records in unions in arrays ...)
  size_t max_fields = 4096;    // per record (Salesforce objects have at most ~800 fields)
  size_t max_symbols = 4096;   // per enum
  size_t max_branches = 64;    // per union
  size_t max_nodes = 1 << 16;  // in the whole schema
  size_t max_fixed_size = 1 << 20;
};

class Schema {
 public:
  // invalid_argument for anything that is not a valid Avro schema (the message says where:
  // "field 'Amount' of com.sforce.eventbus.OpportunityChangeEvent: unknown type 'decimal'"),
  // payload_too_large for JSON over max_bytes.
  static Result<Schema> parse(std::string_view json, const SchemaLimits& limits = {});

  const Node& root() const { return *root_; }
  // A named type by its full name, or nullptr.
  const Node* find(std::string_view full_name) const;

  Schema(Schema&&) noexcept = default;
  Schema& operator=(Schema&&) noexcept = default;

 private:
  Schema() = default;
  friend class SchemaParser;

  std::vector<std::unique_ptr<Node>> nodes_;  // owns every node; their addresses never move
  const Node* root_ = nullptr;
};

}  // namespace pe::pubsub::avro
