#include "pubsub/change_event_payload.hpp"

#include "pubsub/avro_codec.hpp"
#include "pubsub/bitmap_fields.hpp"

#include <algorithm>
#include <optional>

namespace pe::pubsub {
namespace {

using avro::Node;
using avro::Type;
using avro::Value;

constexpr std::string_view kHeader = "ChangeEventHeader";

Error bad(std::string_view where, std::string_view problem) {
  return Error{Errc::invalid_argument,
               "pubsub event: " + std::string(where) + ": " + std::string(problem)};
}

// The type a nullable field holds: T for ["null", T] (or the only non-null branch).
const Node& unwrap(const Node& type) {
  if (type.type != Type::union_) return type;
  for (const Node* b : type.branches) {
    if (b->type != Type::null) return *b;
  }
  return type;
}

// The header's field values, looked up by name in the writer's header record.
class HeaderReader {
 public:
  HeaderReader(const Node& type, const Value::Record& value) : type_(type), value_(value) {}

  const Value* find(std::string_view name) const {
    int i = type_.field_index(name);
    if (i < 0) return nullptr;
    const Value& v = value_.fields[static_cast<size_t>(i)];
    return v.is_null() ? nullptr : &v;
  }

  // A string (or an enum's symbol); nullopt when absent or null; an error for another kind.
  Result<std::optional<std::string>> text(std::string_view name) const {
    const Value* v = find(name);
    if (!v) return std::optional<std::string>();
    if (const auto* s = std::get_if<std::string>(&v->datum)) return std::optional(*s);
    if (const auto* e = std::get_if<Value::Enum>(&v->datum)) return std::optional(e->symbol);
    return bad(kHeader, std::string(name) + " must be a string");
  }

  Result<std::string> required_text(std::string_view name) const {
    auto t = text(name);
    if (!t) return t.error();
    if (!*t) return bad(kHeader, std::string(name) + " is missing");
    return std::move(**t);
  }

  Result<int64_t> number(std::string_view name) const {
    const Value* v = find(name);
    if (!v) return int64_t{0};
    if (const auto* i = std::get_if<int64_t>(&v->datum)) return *i;
    return bad(kHeader, std::string(name) + " must be an int or a long");
  }

  // An array of strings; empty when absent or null.
  Result<const std::vector<Value>*> strings(std::string_view name) const {
    static const std::vector<Value> kNone;
    const Value* v = find(name);
    if (!v) return &kNone;
    const auto* a = std::get_if<Value::Array>(&v->datum);
    bool ok = a && std::all_of(a->items.begin(), a->items.end(), [](const Value& item) {
                return std::holds_alternative<std::string>(item.datum);
              });
    if (!ok) return bad(kHeader, std::string(name) + " must be an array of strings");
    return &a->items;
  }

  Result<std::vector<std::string>> field_names(const avro::Schema& writer,
                                               std::string_view name) const {
    auto list = strings(name);
    if (!list) return list.error();
    std::vector<std::string> entries;
    entries.reserve((*list)->size());
    for (const Value& item : **list) entries.push_back(std::get<std::string>(item.datum));
    auto names = expand_bitmap_fields(writer, entries);
    if (!names) return bad(std::string(kHeader) + "." + std::string(name), names.error().message);
    return names;
  }

 private:
  const Node& type_;
  const Value::Record& value_;
};

Result<void> read_record_ids(const HeaderReader& in, const events::ParseLimits& limits,
                             events::ChangeEvent& e) {
  auto ids = in.strings("recordIds");
  if (!ids) return ids.error();
  if (!in.find("recordIds")) return bad(kHeader, "recordIds is missing");
  if ((*ids)->size() > limits.max_record_ids) {
    return bad(kHeader, "more than " + std::to_string(limits.max_record_ids) + " recordIds");
  }
  e.record_ids.reserve((*ids)->size());
  for (size_t i = 0; i < (*ids)->size(); ++i) {
    const auto& text = std::get<std::string>((**ids)[i].datum);
    if (auto added = events::add_record_id(text, e.record_ids, e.wildcard_ids); !added) {
      return bad(std::string(kHeader) + ".recordIds[" + std::to_string(i) + "]",
                 added.error().message);
    }
  }
  return {};
}

Result<void> read_header(const avro::Schema& writer, const HeaderReader& in,
                         const events::ParseLimits& limits, ChangeEventHeader& h) {
  events::ChangeEvent& e = h.event;
  auto entity = in.required_text("entityName");
  if (!entity) return entity.error();
  e.entity = std::move(*entity);
  auto type = in.required_text("changeType");
  if (!type) return type.error();
  e.change_type = std::move(*type);
  auto key = in.required_text("transactionKey");
  if (!key) return key.error();
  if (key->empty() || key->size() > events::kMaxTransactionKeySize) {
    return bad(kHeader, "transactionKey must be 1 to 64 characters");
  }
  e.transaction_key = std::move(*key);
  if (auto ids = read_record_ids(in, limits, e); !ids) return ids;
  auto sequence = in.number("sequenceNumber");
  if (!sequence) return sequence.error();
  if (*sequence < 0) return bad(kHeader, "sequenceNumber must not be negative");
  e.sequence_number = *sequence;
  auto timestamp = in.number("commitTimestamp");
  if (!timestamp) return timestamp.error();
  e.commit_timestamp = *timestamp;
  auto commit_number = in.number("commitNumber");
  if (!commit_number) return commit_number.error();
  h.commit_number = *commit_number;
  auto origin = in.text("changeOrigin");
  if (!origin) return origin.error();
  h.change_origin = origin->value_or("");
  auto user = in.text("commitUser");
  if (!user) return user.error();
  h.commit_user = user->value_or("");
  auto changed = in.field_names(writer, "changedFields");
  if (!changed) return changed.error();
  e.changed_fields = std::move(*changed);
  auto nulled = in.field_names(writer, "nulledFields");
  if (!nulled) return nulled.error();
  h.nulled_fields = std::move(*nulled);
  auto diff = in.field_names(writer, "diffFields");
  if (!diff) return diff.error();
  h.diff_fields = std::move(*diff);
  return {};
}

// ---- Encoding -----------------------------------------------------------------------------------

Value strings(const std::vector<std::string>& list) {
  Value::Array a;
  a.items.reserve(list.size());
  for (const auto& s : list) a.items.push_back(Value::of(s));
  return Value::of(std::move(a));
}

Result<Value> bitmap_value(const avro::Schema& writer, const std::vector<std::string>& names,
                           std::string_view field) {
  auto bits = bitmap_fields_from_names(writer, names);
  if (!bits) return bad(std::string(kHeader) + "." + std::string(field), bits.error().message);
  return strings(*bits);
}

// The value of header field `name` (of type `type`) from the struct.
Result<Value> header_value(const avro::Schema& writer, const ChangeEventHeader& h,
                           const std::string& name, const Node& type) {
  const events::ChangeEvent& e = h.event;
  if (name == "entityName") return Value::of(e.entity);
  if (name == "changeType") {
    if (unwrap(type).type == Type::enum_) return Value::of(Value::Enum{0, e.change_type});
    return Value::of(e.change_type);
  }
  if (name == "recordIds") {
    std::vector<std::string> ids;
    for (const auto& id : e.record_ids) ids.emplace_back(id.str());
    ids.insert(ids.end(), e.wildcard_ids.begin(), e.wildcard_ids.end());
    return strings(ids);
  }
  if (name == "changeOrigin") return Value::of(h.change_origin);
  if (name == "transactionKey") return Value::of(e.transaction_key);
  if (name == "sequenceNumber") return Value::of(e.sequence_number);
  if (name == "commitTimestamp") return Value::of(e.commit_timestamp);
  if (name == "commitNumber") return Value::of(h.commit_number);
  if (name == "commitUser") return Value::of(h.commit_user);
  if (name == "changedFields") return bitmap_value(writer, e.changed_fields, name);
  if (name == "nulledFields") return bitmap_value(writer, h.nulled_fields, name);
  if (name == "diffFields") return bitmap_value(writer, h.diff_fields, name);
  if (type.type == Type::union_ && type.branches[0]->type == Type::null) return Value{};
  return bad(kHeader, "the schema's field " + name + " is not one this encoder knows");
}

}  // namespace

Result<ChangeEventHeader> decode_change_event(const avro::Schema& writer, std::string_view payload,
                                              const events::ParseLimits& limits) {
  const Node& root = writer.root();
  if (root.type != Type::record) return bad("schema", "the event schema must be a record");
  int index = root.field_index(kHeader);
  if (index < 0) return bad("schema", "no ChangeEventHeader field");
  const Node& header_type = unwrap(*root.fields[static_cast<size_t>(index)].type);
  if (header_type.type != Type::record) return bad("schema", "ChangeEventHeader is not a record");

  auto value = avro::decode(writer, payload);
  if (!value) return bad("payload", value.error().message);
  const auto& fields = std::get<Value::Record>(value->datum).fields;
  const auto* header = std::get_if<Value::Record>(&fields[static_cast<size_t>(index)].datum);
  if (!header) return bad(kHeader, "is null");
  ChangeEventHeader out;
  if (auto r = read_header(writer, HeaderReader(header_type, *header), limits, out); !r) {
    return r.error();
  }
  return out;
}

Result<std::string> encode_change_event(const avro::Schema& writer, const ChangeEventHeader& header,
                                        std::span<const BodyField> body) {
  const Node& root = writer.root();
  if (root.type != Type::record) return bad("schema", "the event schema must be a record");
  int index = root.field_index(kHeader);
  if (index < 0) return bad("schema", "no ChangeEventHeader field");
  const Node& header_type = unwrap(*root.fields[static_cast<size_t>(index)].type);
  if (header_type.type != Type::record) return bad("schema", "ChangeEventHeader is not a record");

  Value::Record h;
  h.fields.reserve(header_type.fields.size());
  for (const avro::Field& f : header_type.fields) {
    auto v = header_value(writer, header, f.name, *f.type);
    if (!v) return v.error();
    h.fields.push_back(std::move(*v));
  }
  Value::Record event;
  event.fields.resize(root.fields.size());  // every body field null unless given
  event.fields[static_cast<size_t>(index)] = Value::of(std::move(h));
  for (const auto& [name, value] : body) {
    int i = root.field_index(name);
    if (i < 0 || i == index) return bad("body", root.name + " has no field " + name);
    event.fields[static_cast<size_t>(i)] = value;
  }
  auto bytes = avro::encode(writer, Value::of(std::move(event)));
  if (!bytes) return bad("encode", bytes.error().message);
  return bytes;
}

}  // namespace pe::pubsub
