#include "pubsub/avro_codec.hpp"

#include "pubsub/avro_binary.hpp"

#include <limits>

namespace pe::pubsub::avro {
namespace {

// Where the codec is in the datum, kept as it descends (a pointer or an index a level) and
// spelt out only for an error message: "ChangeEventHeader.recordIds[2]".
class Path {
 public:
  void push_field(const std::string& name) { steps_.push_back({&name, 0}); }
  void push_index(size_t index) { steps_.push_back({nullptr, index}); }
  void pop() { steps_.pop_back(); }

  Error locate(Error e) const {
    if (steps_.empty()) return e;
    std::string path;
    for (const Step& s : steps_) {
      if (s.field) {
        if (!path.empty()) path += '.';
        path += *s.field;
      } else {
        path += '[' + std::to_string(s.index) + ']';
      }
    }
    e.message += " (in " + path + ")";
    return e;
  }

 private:
  struct Step {
    const std::string* field;
    size_t index;
  };
  std::vector<Step> steps_;
};

class Decoder {
 public:
  Decoder(std::string_view bytes, const DecodeLimits& limits, DecodeStats& stats)
      : in_(bytes), limits_(limits), stats_(stats) {}

  Result<Value> run(const Node& type) {
    Value value;
    if (auto r = read(type, value); !r) return path_.locate(r.error());
    if (!in_.at_end()) {
      return in_.error(std::to_string(in_.remaining()) + " bytes after the datum");
    }
    return value;
  }

 private:
  template <class T, class R>
  static Result<void> store(Value& out, R&& result) {
    if (!result) return result.error();
    out.datum.emplace<T>(*result);
    return {};
  }

  Result<void> read(const Node& t, Value& out) {
    switch (t.type) {
      case Type::null:
        return {};
      case Type::boolean:
        return store<bool>(out, in_.read_boolean());
      case Type::int_:
        return store<int64_t>(out, in_.read_int());
      case Type::long_:
        return store<int64_t>(out, in_.read_long());
      case Type::float_:
        return store<float>(out, in_.read_float());
      case Type::double_:
        return store<double>(out, in_.read_double());
      case Type::bytes:
      case Type::string:
        return store<std::string>(out, in_.read_bytes());
      case Type::fixed:
        return store<std::string>(out, in_.read_fixed(t.size));
      case Type::enum_: {
        const size_t at = in_.position();
        auto index = in_.read_int();
        if (!index) return index.error();
        if (*index < 0 || static_cast<size_t>(*index) >= t.symbols.size()) {
          return error_at(at, "enum index " + std::to_string(*index) + " out of range for " +
                                  t.name + " (" + std::to_string(t.symbols.size()) + " symbols)");
        }
        out.datum =
            Value::Enum{static_cast<size_t>(*index), t.symbols[static_cast<size_t>(*index)]};
        return {};
      }
      case Type::union_: {
        const size_t at = in_.position();
        auto branch = in_.read_long();
        if (!branch) return branch.error();
        if (*branch < 0 || static_cast<uint64_t>(*branch) >= t.branches.size()) {
          return error_at(at, "union branch " + std::to_string(*branch) + " out of range (" +
                                  std::to_string(t.branches.size()) + " branches)");
        }
        out.branch = static_cast<int>(*branch);
        return read(*t.branches[static_cast<size_t>(*branch)], out);
      }
      case Type::record:
        return read_record(t, out);
      case Type::array:
      case Type::map:
        return read_blocks(t, out);
    }
    return in_.error("unknown type");
  }

  Error error_at(size_t position, std::string_view problem) const {
    return Error{Errc::invalid_argument,
                 "avro: " + std::string(problem) + " at byte " + std::to_string(position)};
  }

  Result<void> enter() {
    if (++depth_ > limits_.max_depth) {
      return in_.error("nested deeper than " + std::to_string(limits_.max_depth) + " values");
    }
    return {};
  }

  // Every value made (record fields, array items, map entries) is counted against max_values
  // before it is allocated: items that take no bytes (null, records of nulls) are bounded so.
  Result<void> charge(uint64_t n, size_t at = SIZE_MAX) {
    if (n > limits_.max_values - values_) {
      return error_at(at == SIZE_MAX ? in_.position() : at,
                      "more than " + std::to_string(limits_.max_values) + " values");
    }
    values_ += n;
    return {};
  }

  Result<void> read_record(const Node& t, Value& out) {
    if (auto r = enter(); !r) return r;
    if (auto r = charge(t.fields.size()); !r) return r;
    auto& record = out.datum.emplace<Value::Record>();
    record.fields.resize(t.fields.size());
    for (size_t i = 0; i < t.fields.size(); ++i) {
      path_.push_field(t.fields[i].name);
      if (auto r = read(*t.fields[i].type, record.fields[i]); !r) return r;
      path_.pop();
    }
    --depth_;
    return {};
  }

  // Arrays and maps: blocks of (count, items), ending with a count of 0.
  Result<void> read_blocks(const Node& t, Value& out) {
    if (auto r = enter(); !r) return r;
    const bool is_map = t.type == Type::map;
    std::vector<Value>* items = nullptr;
    Value::Map* map = nullptr;
    if (is_map) {
      map = &out.datum.emplace<Value::Map>();
    } else {
      items = &out.datum.emplace<Value::Array>().items;
    }
    const size_t least = t.items->min_size + (is_map ? 1 : 0);  // a map key takes a byte
    size_t blocks = 0;
    size_t index = 0;
    while (true) {
      const size_t at = in_.position();
      auto count = in_.read_long();
      if (!count) return count.error();
      if (*count == 0) break;
      int64_t block_size = -1;
      size_t block_start = 0;
      if (*count < 0) {
        if (*count == std::numeric_limits<int64_t>::min()) return error_at(at, "bad block count");
        *count = -*count;
        auto size = in_.read_long();
        if (!size) return size.error();
        if (*size < 0 || static_cast<uint64_t>(*size) > in_.remaining()) {
          return error_at(at, "block byte size " + std::to_string(*size) + " past the end");
        }
        block_size = *size;
        block_start = in_.position();
        stats_.canonical = false;
      }
      if (++blocks > 1) stats_.canonical = false;
      const auto n = static_cast<uint64_t>(*count);
      if (least > 0 && n > in_.remaining() / least) {
        return error_at(at, std::to_string(n) + " items cannot fit in the " +
                                std::to_string(in_.remaining()) + " bytes left");
      }
      if (auto r = charge(n, at); !r) return r;
      if (blocks == 1) {  // later blocks grow geometrically: reserving each is quadratic
        if (is_map) {
          map->keys.reserve(n);
          map->values.reserve(n);
        } else {
          items->reserve(n);
        }
      }
      for (uint64_t i = 0; i < n; ++i, ++index) {
        path_.push_index(index);
        if (is_map) {
          auto key = in_.read_string();
          if (!key) return key.error();
          map->keys.emplace_back(*key);
          map->values.emplace_back();
          if (auto r = read(*t.items, map->values.back()); !r) return r;
        } else {
          items->emplace_back();
          if (auto r = read(*t.items, items->back()); !r) return r;
        }
        path_.pop();
      }
      if (block_size >= 0 && in_.position() - block_start != static_cast<size_t>(block_size)) {
        return error_at(at, "block of " + std::to_string(block_size) + " bytes held " +
                                std::to_string(in_.position() - block_start));
      }
    }
    --depth_;
    return {};
  }

  BinaryReader in_;
  const DecodeLimits& limits_;
  DecodeStats& stats_;
  size_t depth_ = 0;
  uint64_t values_ = 0;
  Path path_;
};

// Whether a datum of this kind can be written as this type.
bool fits(const Node& t, const Value::Datum& d) {
  switch (t.type) {
    case Type::null:
      return std::holds_alternative<std::monostate>(d);
    case Type::boolean:
      return std::holds_alternative<bool>(d);
    case Type::int_:
    case Type::long_:
      return std::holds_alternative<int64_t>(d);
    case Type::float_:
      return std::holds_alternative<float>(d);
    case Type::double_:
      return std::holds_alternative<double>(d);
    case Type::bytes:
    case Type::string:
      return std::holds_alternative<std::string>(d);
    case Type::fixed:
      return std::holds_alternative<std::string>(d) && std::get<std::string>(d).size() == t.size;
    case Type::enum_:
      return std::holds_alternative<Value::Enum>(d);
    case Type::array:
      return std::holds_alternative<Value::Array>(d);
    case Type::map:
      return std::holds_alternative<Value::Map>(d);
    case Type::record:
      return std::holds_alternative<Value::Record>(d) &&
             std::get<Value::Record>(d).fields.size() == t.fields.size();
    case Type::union_:
      return false;
  }
  return false;
}

class Encoder {
 public:
  explicit Encoder(std::string& out) : w_(out) {}

  Result<void> run(const Node& t, const Value& v) {
    if (auto r = write(t, v, 0); !r) return path_.locate(r.error());
    return {};
  }

 private:
  static Error mismatch(const Node& t, std::string_view problem) {
    std::string what = t.is_named() ? t.name : std::string(to_string(t.type));
    return Error{Errc::invalid_argument, "avro encode: " + std::string(problem) + " for " + what};
  }

  Result<void> write(const Node& t, const Value& v, size_t depth) {
    if (depth > 256) return mismatch(t, "value nested too deep");
    if (t.type == Type::union_) return write_union(t, v, depth);
    if (!fits(t, v.datum)) {
      if (t.type == Type::fixed && std::holds_alternative<std::string>(v.datum)) {
        return mismatch(t, "a fixed of " + std::to_string(t.size) + " bytes expected");
      }
      if (t.type == Type::record && std::holds_alternative<Value::Record>(v.datum)) {
        return mismatch(t, std::to_string(t.fields.size()) + " fields expected");
      }
      return mismatch(t, "a value of the wrong kind");
    }
    switch (t.type) {
      case Type::null:
        return {};
      case Type::boolean:
        w_.write_boolean(std::get<bool>(v.datum));
        return {};
      case Type::int_: {
        int64_t i = std::get<int64_t>(v.datum);
        if (i < std::numeric_limits<int32_t>::min() || i > std::numeric_limits<int32_t>::max()) {
          return mismatch(t, std::to_string(i) + " is out of range");
        }
        w_.write_int(static_cast<int32_t>(i));
        return {};
      }
      case Type::long_:
        w_.write_long(std::get<int64_t>(v.datum));
        return {};
      case Type::float_:
        w_.write_float(std::get<float>(v.datum));
        return {};
      case Type::double_:
        w_.write_double(std::get<double>(v.datum));
        return {};
      case Type::bytes:
      case Type::string:
        w_.write_bytes(std::get<std::string>(v.datum));
        return {};
      case Type::fixed:
        w_.write_fixed(std::get<std::string>(v.datum));
        return {};
      case Type::enum_: {
        const auto& e = std::get<Value::Enum>(v.datum);
        size_t index = e.index;
        if (!e.symbol.empty()) {
          int i = t.symbol_index(e.symbol);
          if (i < 0) return mismatch(t, "unknown symbol '" + e.symbol + "'");
          index = static_cast<size_t>(i);
        } else if (index >= t.symbols.size()) {
          return mismatch(t, "enum index " + std::to_string(index) + " out of range");
        }
        w_.write_int(static_cast<int32_t>(index));
        return {};
      }
      case Type::record: {
        const auto& fields = std::get<Value::Record>(v.datum).fields;
        for (size_t i = 0; i < fields.size(); ++i) {
          path_.push_field(t.fields[i].name);
          if (auto r = write(*t.fields[i].type, fields[i], depth + 1); !r) return r;
          path_.pop();
        }
        return {};
      }
      case Type::array: {
        const auto& items = std::get<Value::Array>(v.datum).items;
        if (!items.empty()) w_.write_long(static_cast<int64_t>(items.size()));
        for (size_t i = 0; i < items.size(); ++i) {
          path_.push_index(i);
          if (auto r = write(*t.items, items[i], depth + 1); !r) return r;
          path_.pop();
        }
        w_.write_long(0);
        return {};
      }
      case Type::map: {
        const auto& map = std::get<Value::Map>(v.datum);
        if (map.keys.size() != map.values.size())
          return mismatch(t, "a map of unequal keys and values");
        if (!map.keys.empty()) w_.write_long(static_cast<int64_t>(map.keys.size()));
        for (size_t i = 0; i < map.keys.size(); ++i) {
          path_.push_index(i);
          w_.write_string(map.keys[i]);
          if (auto r = write(*t.items, map.values[i], depth + 1); !r) return r;
          path_.pop();
        }
        w_.write_long(0);
        return {};
      }
      case Type::union_:
        break;
    }
    return mismatch(t, "unknown type");
  }

  Result<void> write_union(const Node& t, const Value& v, size_t depth) {
    size_t branch = t.branches.size();
    if (v.branch >= 0) {
      branch = static_cast<size_t>(v.branch);
      if (branch >= t.branches.size()) {
        return mismatch(t, "union branch " + std::to_string(branch) + " out of range");
      }
    } else {
      for (size_t i = 0; i < t.branches.size(); ++i) {
        if (fits(*t.branches[i], v.datum)) {
          branch = i;
          break;
        }
      }
      if (branch == t.branches.size()) return mismatch(t, "no union branch fits the value");
    }
    w_.write_long(static_cast<int64_t>(branch));
    return write(*t.branches[branch], v, depth + 1);
  }

  BinaryWriter w_;
  Path path_;
};

}  // namespace

Result<Value> decode(const Node& type, std::string_view bytes, const DecodeLimits& limits,
                     DecodeStats* stats) {
  DecodeStats local;
  return Decoder(bytes, limits, stats ? *stats : local).run(type);
}

Result<Value> decode(const Schema& writer, std::string_view bytes, const DecodeLimits& limits,
                     DecodeStats* stats) {
  return decode(writer.root(), bytes, limits, stats);
}

Result<void> encode(const Node& type, const Value& value, std::string& out) {
  return Encoder(out).run(type, value);
}

Result<std::string> encode(const Schema& writer, const Value& value) {
  std::string out;
  if (auto r = encode(writer.root(), value, out); !r) return r.error();
  return out;
}

}  // namespace pe::pubsub::avro
