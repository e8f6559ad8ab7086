#include "pubsub/bitmap_fields.hpp"

#include <algorithm>
#include <map>

namespace pe::pubsub {
namespace {

constexpr size_t kMaxHexDigits = 1024;  // 4,096 fields: the schema parser's limit per record

Error bad(std::string_view entry, std::string_view problem) {
  std::string message = "field bitmap '";
  message.append(entry.substr(0, 64));
  if (entry.size() > 64) message += "...";
  message += "': ";
  message.append(problem);
  return Error{Errc::invalid_argument, std::move(message)};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The field indexes a "0x.." bitmap sets, in increasing order, each below record.fields.size().
Result<std::vector<size_t>> set_bits(std::string_view entry, std::string_view hex,
                                     const avro::Node& record) {
  if (!hex.starts_with("0x")) return bad(entry, "expected 0x followed by hex digits");
  hex.remove_prefix(2);
  if (hex.empty() || hex.size() > kMaxHexDigits) {
    return bad(entry, "expected 1 to " + std::to_string(kMaxHexDigits) + " hex digits");
  }
  std::vector<size_t> bits;
  for (size_t k = 0; k < hex.size(); ++k) {  // k counts digits from the right
    int d = hex_digit(hex[hex.size() - 1 - k]);
    if (d < 0) return bad(entry, "not a hex digit");
    for (size_t j = 0; j < 4; ++j) {
      if (!(d & (1 << j))) continue;
      size_t bit = 4 * k + j;
      if (bit >= record.fields.size()) {
        return bad(entry, "bit " + std::to_string(bit) + " is set but " + record.name + " has " +
                              std::to_string(record.fields.size()) + " fields");
      }
      bits.push_back(bit);
    }
  }
  return bits;
}

// A compound field's record: the field's type itself, or the one record branch of its union
// (["null", Address], or ["null", "string", PersonName] for Switchable_PersonName).
const avro::Node* compound_record(const avro::Node& type) {
  if (type.type == avro::Type::record) return &type;
  if (type.type != avro::Type::union_) return nullptr;
  const avro::Node* found = nullptr;
  for (const avro::Node* b : type.branches) {
    if (b->type != avro::Type::record) continue;
    if (found) return nullptr;  // two records: which one the bits index is unknown
    found = b;
  }
  return found;
}

// "12-0x.." → 12 and "0x.."; the index must be decimal digits only.
Result<size_t> parent_index(std::string_view entry, std::string_view digits,
                            const avro::Node& root) {
  if (digits.empty() || digits.size() > 5 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad(entry, "the parent must be a decimal field index");
  }
  size_t index = std::stoul(std::string(digits));
  if (index >= root.fields.size()) {
    return bad(entry, "no field " + std::to_string(index) + " (" + root.name + " has " +
                          std::to_string(root.fields.size()) + ")");
  }
  return index;
}

std::string render(const std::vector<bool>& bits) {
  size_t top = 0;
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) top = i;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "0x";
  for (size_t byte = top / 8 + 1; byte-- > 0;) {
    unsigned v = 0;
    for (size_t j = 0; j < 8; ++j) {
      size_t i = byte * 8 + j;
      if (i < bits.size() && bits[i]) v |= 1u << j;
    }
    out += kHex[v >> 4];
    out += kHex[v & 15];
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> expand_bitmap_fields(const avro::Schema& writer,
                                                      std::span<const std::string> entries) {
  const avro::Node& root = writer.root();
  if (root.type != avro::Type::record) {
    return Error{Errc::invalid_argument, "field bitmaps: the schema is not a record"};
  }
  std::vector<std::string> names;
  std::vector<std::string> nested;
  bool seen_top = false;
  std::vector<size_t> parents;
  for (const std::string& entry : entries) {
    auto dash = entry.find('-');
    if (dash == std::string::npos) {
      if (seen_top) return bad(entry, "a second top-level bitmap");
      seen_top = true;
      auto bits = set_bits(entry, entry, root);
      if (!bits) return bits.error();
      for (size_t b : *bits) names.push_back(root.fields[b].name);
      continue;
    }
    std::string_view text(entry);
    auto parent = parent_index(entry, text.substr(0, dash), root);
    if (!parent) return parent.error();
    if (std::find(parents.begin(), parents.end(), *parent) != parents.end()) {
      return bad(entry, "field " + std::to_string(*parent) + " has a second bitmap");
    }
    parents.push_back(*parent);
    const avro::Field& field = root.fields[*parent];
    const avro::Node* record = compound_record(*field.type);
    if (!record) return bad(entry, "field " + field.name + " is not a compound field (a record)");
    auto bits = set_bits(entry, text.substr(dash + 1), *record);
    if (!bits) return bits.error();
    for (size_t b : *bits) nested.push_back(field.name + "." + record->fields[b].name);
  }
  names.insert(names.end(), std::make_move_iterator(nested.begin()),
               std::make_move_iterator(nested.end()));
  return names;
}

Result<std::vector<std::string>> bitmap_fields_from_names(const avro::Schema& writer,
                                                          std::span<const std::string> names) {
  const avro::Node& root = writer.root();
  if (root.type != avro::Type::record) {
    return Error{Errc::invalid_argument, "field bitmaps: the schema is not a record"};
  }
  std::vector<std::string> out;
  if (names.empty()) return out;
  std::vector<bool> top(root.fields.size());
  std::map<size_t, std::vector<bool>> children;  // by parent index, so in field order
  for (const std::string& name : names) {
    std::string_view text(name);
    auto dot = text.find('.');
    int index = root.field_index(text.substr(0, dot));
    if (index < 0) {
      return Error{Errc::invalid_argument,
                   "field bitmaps: " + root.name + " has no field '" + name + "'"};
    }
    if (dot == std::string_view::npos) {
      top[static_cast<size_t>(index)] = true;
      continue;
    }
    const avro::Node* record = compound_record(*root.fields[static_cast<size_t>(index)].type);
    int child = record ? record->field_index(text.substr(dot + 1)) : -1;
    if (child < 0) {
      return Error{Errc::invalid_argument, "field bitmaps: no compound field '" + name + "'"};
    }
    auto& bits = children[static_cast<size_t>(index)];
    bits.resize(record->fields.size());
    bits[static_cast<size_t>(child)] = true;
  }
  out.push_back(render(top));
  for (const auto& [parent, bits] : children) {
    out.push_back(std::to_string(parent) + "-" + render(bits));
  }
  return out;
}

}  // namespace pe::pubsub
