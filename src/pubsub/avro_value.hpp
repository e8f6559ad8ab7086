// avro_value.hpp: a decoded Avro datum, generic over any schema (what avro_codec.hpp's decode
// returns and encode takes).
//
// One Value per datum, the schema telling what it is: null (std::monostate), boolean, int and
// long (int64_t), float, double, string and bytes and fixed (std::string), array, map (entries in
// wire order, duplicates kept), record (fields by schema index), enum (symbol index and name).
// A union's value is its branch's value with `branch` set to the branch index; no extra node, as
// Avro forbids a union directly inside a union. Plain data: copy, move, compare.
//
//   Value v = Value::of(std::string("Closed Won"));      // for ["null","string"]: branch -1
//   const auto& header = std::get<Value::Record>(event.datum).fields[0];
//   if (const auto* s = std::get_if<std::string>(&field.datum)) use(*s);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pe::pubsub::avro {

struct Value {
  struct Record {
    std::vector<Value> fields;
    friend bool operator==(const Record&, const Record&) = default;
  };
  struct Array {
    std::vector<Value> items;
    friend bool operator==(const Array&, const Array&) = default;
  };
  struct Map {  // entry i is keys[i] → values[i]
    std::vector<std::string> keys;
    std::vector<Value> values;
    friend bool operator==(const Map&, const Map&) = default;
  };
  struct Enum {
    size_t index = 0;
    std::string symbol;  // filled by decode; encode goes by `symbol` when it is set
    friend bool operator==(const Enum&, const Enum&) = default;
  };
  using Datum = std::variant<std::monostate, bool, int64_t, float, double, std::string, Array, Map,
                             Record, Enum>;

  Datum datum;
  // For a union: the branch the value was written with. -1 elsewhere, and for encode, "the
  // first branch whose type fits the datum" (null to "null", a string to "string", ...).
  int branch = -1;

  template <class T>
  static Value of(T&& v, int branch = -1) {
    return Value{Datum(std::forward<T>(v)), branch};
  }
  bool is_null() const { return std::holds_alternative<std::monostate>(datum); }

  friend bool operator==(const Value&, const Value&) = default;
};

}  // namespace pe::pubsub::avro
