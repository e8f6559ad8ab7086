#include "events/change_event.hpp"

#include "common/json_exact.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <array>
#include <optional>

namespace pe::events {
namespace {

namespace json = boost::json;

// True when the media type (parameters aside) starts with `prefix`, in any case.
bool media_type_starts_with(std::string_view content_type, std::string_view prefix) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  if (type.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    const char c = type[i];  // ASCII, as media types are
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != prefix[i]) return false;
  }
  return true;
}

Error bad(std::string_view where, std::string_view problem) {
  return Error{Errc::invalid_argument, std::string(where) + ": " + std::string(problem)};
}

// ---- What one event said, as the reader goes ---------------------------------------------------

// A string attribute: absent, null, a string, or some other JSON value (then `text` describes it).
struct TextSlot {
  enum State : uint8_t { absent, null, text, other } state = absent;
  std::string value;

  void set(std::string_view s, bool keep) {
    state = text;
    if (keep) value.assign(s.data(), s.size());
  }
  void set_other(std::string description) {
    state = other;
    value = std::move(description);
  }
};

struct NumberSlot {
  enum State : uint8_t { absent, null, whole, other } state = absent;
  int64_t value = 0;
};

// A value that must be an object or an array: absent, the expected kind, or something else.
enum class Shape : uint8_t { absent, expected, other };

struct Draft {
  TextSlot specversion, id;
  std::array<TextSlot, 4> attributes;  // source, type, subject, datacontenttype
  Shape data = Shape::absent;
  Shape header = Shape::absent;
  TextSlot entity, change_type, transaction_key, change_origin;
  NumberSlot sequence_number, commit_timestamp;
  Shape record_ids = Shape::absent;
  size_t id_count = 0;
  std::optional<std::pair<size_t, std::string>> bad_id;  // the first: index and problem
  std::vector<SalesforceId> ids;
  std::vector<std::string> wildcards;
  Shape changed_fields = Shape::absent;
  bool field_not_string = false;
  std::vector<std::string> fields;
};

// "006*": a key prefix and the wildcard, what Salesforce sends in recordIds when a field-type
// conversion changed every record of the object.
bool is_wildcard_id(std::string_view value) {
  return value.size() == 4 && value[3] == '*' && is_key_prefix(value.substr(0, 3));
}

constexpr std::array<std::string_view, 4> kAttributeNames = {"source", "type", "subject",
                                                             "datacontenttype"};

// Where a problem is: "event 3", or "event 3: ChangeEventHeader". Put together only for a
// message, so that a good event costs no strings.
struct Where {
  std::string_view event;
  bool in_header = false;

  Error bad(std::string_view problem, std::string_view suffix = {}) const {
    std::string at(event);
    if (in_header) at += ": ChangeEventHeader";
    at += suffix;
    return events::bad(at, problem);
  }
};

Result<std::string> required_text(TextSlot& slot, std::string_view name, const Where& where) {
  if (slot.state == TextSlot::absent || slot.state == TextSlot::null) {
    return where.bad(std::string(name) + " is missing");
  }
  if (slot.state == TextSlot::other) {
    return where.bad(std::string(name) + " must be a string, not " + slot.value);
  }
  return std::move(slot.value);
}

Result<void> check_optional_text(const TextSlot& slot, std::string_view name, const Where& where) {
  if (slot.state == TextSlot::other) {
    return where.bad(std::string(name) + " must be a string, not " + slot.value);
  }
  return {};
}

// The ChangeEventHeader's checks, in the order they are reported.
Result<void> finish_header(Draft& d, ChangeEvent& e, std::string_view event_where,
                           const ParseLimits& limits) {
  if (d.data != Shape::expected) return bad(event_where, "data must be an object");
  if (d.header != Shape::expected) return bad(event_where, "data.ChangeEventHeader is missing");
  const Where at{event_where, true};
  auto entity = required_text(d.entity, "entityName", at);
  if (!entity) return entity.error();
  e.entity = std::move(*entity);
  auto type = required_text(d.change_type, "changeType", at);
  if (!type) return type.error();
  e.change_type = std::move(*type);
  auto key = required_text(d.transaction_key, "transactionKey", at);
  if (!key) return key.error();
  if (key->empty() || key->size() > kMaxTransactionKeySize) {
    return at.bad("transactionKey must be 1 to 64 characters");
  }
  e.transaction_key = std::move(*key);
  if (auto origin = check_optional_text(d.change_origin, "changeOrigin", at); !origin) {
    return origin.error();
  }
  if (d.sequence_number.state == NumberSlot::other) {
    return at.bad("sequenceNumber must be a whole number");
  }
  if (d.sequence_number.state == NumberSlot::whole) e.sequence_number = d.sequence_number.value;
  if (d.commit_timestamp.state == NumberSlot::other) {
    return at.bad("commitTimestamp must be epoch milliseconds");
  }
  if (d.commit_timestamp.state == NumberSlot::whole) e.commit_timestamp = d.commit_timestamp.value;
  if (d.record_ids != Shape::expected) return at.bad("recordIds must be an array");
  if (d.id_count > limits.max_record_ids) {
    return at.bad("more than " + std::to_string(limits.max_record_ids) + " recordIds");
  }
  if (d.bad_id) {
    return at.bad(d.bad_id->second, ".recordIds[" + std::to_string(d.bad_id->first) + "]");
  }
  e.record_ids = std::move(d.ids);
  e.wildcard_ids = std::move(d.wildcards);
  if (d.field_not_string) return at.bad("changedFields must hold strings");
  e.changed_fields = std::move(d.fields);
  return {};
}

// A structured-mode event's checks (its attributes, then its header), in the order they are
// reported.
Result<ChangeEvent> finish_structured(Draft& d, std::string_view where, const ParseLimits& limits) {
  const Where at{where};
  auto version = required_text(d.specversion, "specversion", at);
  if (!version) return version.error();
  if (*version != "1.0") return bad(where, "specversion must be \"1.0\"");
  ChangeEvent e;
  auto id = required_text(d.id, "id", at);
  if (!id) return id.error();
  e.id = std::move(*id);
  // source and type are required by CloudEvents but empty in Eventing's deliveries: tolerated.
  for (size_t i = 0; i < kAttributeNames.size(); ++i) {
    auto text = check_optional_text(d.attributes[i], kAttributeNames[i], at);
    if (!text) return text.error();
  }
  if (d.data == Shape::absent) return bad(where, "data is missing (data_base64 is not supported)");
  auto header = finish_header(d, e, where, limits);
  if (!header) return header.error();
  return e;
}

// ---- The reader ---------------------------------------------------------------------------------

enum class Mode : uint8_t { structured, batch, binary };

// What a JSON value is to the reader, decided from where it stands: its container and key.
enum class Role : uint8_t {
  skip,  // not read (its contents are still checked as JSON)
  batch,
  event,
  data,
  header,
  record_ids,
  changed_fields,
  specversion,
  id,
  attribute,  // source, type, subject, datacontenttype (index in attribute_)
  entity,
  change_type,
  transaction_key,
  change_origin,
  sequence_number,
  commit_timestamp,
  record_id,
  changed_field,
};

// A boost::json::basic_parser handler that reads change events straight from the text, without
// building a document: each value's role comes from its place (container and key), the event's
// fields are kept in a Draft, and the Draft is checked when its object ends. Every check and
// message is the one a document-based reader would give, in the same order: a syntax error
// anywhere wins, then the batch size, then the first event at fault.
class EventReader {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  using ec_t = json::error_code;
  using sv = json::string_view;

  EventReader(Mode mode, ParseLimits limits) : mode_(mode), limits_(limits) {}

  std::vector<ChangeEvent> events;
  std::optional<Error> error;  // the first problem found in an event, or in the batch's shape
  bool too_many_events = false;

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_comment_part(sv, ec_t&) { return true; }
  bool on_comment(sv, ec_t&) { return true; }

  bool on_object_begin(ec_t&) {
    push(begin_object(next_role()));
    return true;
  }

  bool on_object_end(std::size_t, ec_t&) {
    Role role = pop();
    if (role == Role::event) finish_event();
    if (role == Role::data && mode_ == Mode::binary && depth_ == 0) finish_binary();
    return true;
  }

  bool on_array_begin(ec_t&) {
    push(begin_array(next_role()));
    return true;
  }

  bool on_array_end(std::size_t, ec_t&) {
    pop();
    return true;
  }

  bool on_key_part(sv s, std::size_t, ec_t&) {
    key_.append(s.data(), s.size());
    return true;
  }

  bool on_key(sv s, std::size_t, ec_t&) {
    key_role_ = role_of_key(whole(key_, s));
    key_.clear();
    return true;
  }

  bool on_string_part(sv s, std::size_t, ec_t&) {
    text_.append(s.data(), s.size());
    return true;
  }

  bool on_string(sv s, std::size_t, ec_t&) {
    read_string(next_role(), whole(text_, s));
    text_.clear();
    return true;
  }

  bool on_number_part(sv s, ec_t&) {
    text_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, sv s, ec_t&) {
    read_number(next_role(), i >= 0, i, s);
    return true;
  }
  bool on_uint64(std::uint64_t, sv s, ec_t&) {
    read_number(next_role(), false, 0, s);
    return true;
  }
  bool on_double(double, sv s, ec_t&) {
    read_number(next_role(), false, 0, s);
    return true;
  }
  bool on_bool(bool b, ec_t&) {
    Role role = next_role();
    if (role == Role::sequence_number || role == Role::commit_timestamp) {
      number_slot(role).state = NumberSlot::other;
    } else {
      wrong(role, b ? "true" : "false");
    }
    return true;
  }
  bool on_null(ec_t&) {
    Role role = next_role();
    if (TextSlot* slot = text_slot(role)) {
      slot->state = TextSlot::null;
    } else if (role == Role::sequence_number || role == Role::commit_timestamp) {
      number_slot(role).state = NumberSlot::null;
    } else if (role == Role::data) {
      wrong(role, "null");  // present, but not an object
    } else {
      wrong(role, "null");
    }
    return true;
  }

 private:
  // The frame an object in this role opens, once the draft is ready for its contents.
  Role begin_object(Role role) {
    switch (role) {
      case Role::event:
        draft_ = Draft{};
        return role;
      case Role::data:
        if (mode_ == Mode::binary && depth_ == 0) draft_ = Draft{};
        draft_.data = Shape::expected;
        return role;
      case Role::header:
        draft_.header = Shape::expected;
        return role;
      default:
        wrong(role, "an object");
        return Role::skip;
    }
  }

  // The same for an array.
  Role begin_array(Role role) {
    switch (role) {
      case Role::batch:
        return role;
      case Role::record_ids:
        draft_.record_ids = Shape::expected;
        draft_.id_count = 0;
        draft_.bad_id.reset();
        draft_.ids.clear();
        draft_.wildcards.clear();
        return role;
      case Role::changed_fields:
        draft_.changed_fields = Shape::expected;
        draft_.field_not_string = false;
        draft_.fields.clear();
        return role;
      default:
        wrong(role, "an array");
        return Role::skip;
    }
  }

  // A key or string whose last part is `last`: the parser gives one in parts (kept in `parts`)
  // only when it spans its buffers or holds escapes; usually it is `last` alone, in the body.
  static std::string_view whole(std::string& parts, sv last) {
    if (parts.empty()) return {last.data(), last.size()};
    parts.append(last.data(), last.size());
    return parts;
  }

  // The role of the value that starts now.
  Role next_role() {
    if (depth_ == 0) {
      switch (mode_) {
        case Mode::structured:
          return Role::event;
        case Mode::batch:
          return Role::batch;
        case Mode::binary:
          return Role::data;
      }
    }
    switch (frames_[depth_ - 1]) {
      case Role::batch:
        if (event_index_ >= limits_.max_events) {
          too_many_events = true;
          return Role::skip;
        }
        return Role::event;
      case Role::record_ids:
        return Role::record_id;
      case Role::changed_fields:
        return Role::changed_field;
      case Role::event:
      case Role::data:
      case Role::header:
        return key_role_;
      default:
        return Role::skip;
    }
  }

  Role role_of_key(std::string_view key) {
    switch (frames_[depth_ - 1]) {
      case Role::event:
        if (key == "specversion") return Role::specversion;
        if (key == "id") return Role::id;
        if (key == "data") return Role::data;
        for (size_t i = 0; i < kAttributeNames.size(); ++i) {
          if (key == kAttributeNames[i]) {
            attribute_ = i;
            return Role::attribute;
          }
        }
        return Role::skip;
      case Role::data:
        return key == "ChangeEventHeader" ? Role::header : Role::skip;
      case Role::header:
        if (key == "entityName") return Role::entity;
        if (key == "changeType") return Role::change_type;
        if (key == "transactionKey") return Role::transaction_key;
        if (key == "changeOrigin") return Role::change_origin;
        if (key == "sequenceNumber") return Role::sequence_number;
        if (key == "commitTimestamp") return Role::commit_timestamp;
        if (key == "recordIds") return Role::record_ids;
        if (key == "changedFields") return Role::changed_fields;
        return Role::skip;
      default:
        return Role::skip;
    }
  }

  TextSlot* text_slot(Role role) {
    switch (role) {
      case Role::specversion:
        return &draft_.specversion;
      case Role::id:
        return &draft_.id;
      case Role::attribute:
        return &draft_.attributes[attribute_];
      case Role::entity:
        return &draft_.entity;
      case Role::change_type:
        return &draft_.change_type;
      case Role::transaction_key:
        return &draft_.transaction_key;
      case Role::change_origin:
        return &draft_.change_origin;
      default:
        return nullptr;
    }
  }

  NumberSlot& number_slot(Role role) {
    return role == Role::sequence_number ? draft_.sequence_number : draft_.commit_timestamp;
  }

  void read_string(Role role, std::string_view value) {
    if (TextSlot* slot = text_slot(role)) {
      // Only the fields the webhook uses are kept; the others are checked for their type.
      slot->set(value, role != Role::attribute && role != Role::change_origin);
      return;
    }
    switch (role) {
      case Role::record_id:
        read_record_id(value);
        return;
      case Role::changed_field:
        draft_.fields.emplace_back(value);
        return;
      case Role::sequence_number:
      case Role::commit_timestamp:
        number_slot(role).state = NumberSlot::other;
        return;
      default:
        wrong(role, "a string");
    }
  }

  void read_record_id(std::string_view value) {
    size_t index = draft_.id_count++;
    if (draft_.id_count > limits_.max_record_ids || draft_.bad_id) return;
    if (auto added = add_record_id(value, draft_.ids, draft_.wildcards); !added) {
      draft_.bad_id.emplace(index, std::move(added.error().message));
    }
  }

  void read_number(Role role, bool whole, int64_t value, sv text) {
    text_.clear();  // the parts of a number, when it came in several
    if (role == Role::sequence_number || role == Role::commit_timestamp) {
      auto& slot = number_slot(role);
      // A negative commitTimestamp is a whole number; a negative sequenceNumber is not.
      bool ok = whole || (role == Role::commit_timestamp && value < 0);
      slot.state = ok ? NumberSlot::whole : NumberSlot::other;
      slot.value = value;
      return;
    }
    wrong(role, std::string(text.data(), std::min<size_t>(text.size(), 40)));
  }

  // A value of the wrong kind for its role (`what` describes it for the message).
  void wrong(Role role, std::string what) {
    if (TextSlot* slot = text_slot(role)) {
      slot->set_other(std::move(what));
      return;
    }
    switch (role) {
      case Role::batch:
        record(bad("body", "a batch must be a JSON array"));
        return;
      case Role::event:
        record(bad(event_where(), "an event must be a JSON object"));
        ++event_index_;
        return;
      case Role::data:
        // Binary mode's body is the data itself: then nothing else will report it.
        if (depth_ == 0) record(bad("event", "data must be an object"));
        draft_.data = Shape::other;
        return;
      case Role::header:
        draft_.header = Shape::other;
        return;
      case Role::record_ids:
        draft_.record_ids = Shape::other;
        return;
      case Role::record_id:
        if (draft_.id_count++ < limits_.max_record_ids && !draft_.bad_id) {
          draft_.bad_id.emplace(draft_.id_count - 1, "must be a string");
        }
        return;
      case Role::changed_field:
        draft_.field_not_string = true;
        return;
      case Role::sequence_number:
      case Role::commit_timestamp:
        number_slot(role).state = NumberSlot::other;
        return;
      default:
        return;  // changedFields that is not an array is ignored, as is anything unread
    }
  }

  void finish_event() {
    auto where = event_where();
    ++event_index_;
    if (error) return;  // only the first problem is reported
    auto event = finish_structured(draft_, where, limits_);
    if (!event) {
      record(event.error());
      return;
    }
    events.push_back(std::move(*event));
  }

  void finish_binary() {
    ChangeEvent e;
    auto header = finish_header(draft_, e, "event", limits_);
    if (!header) {
      record(header.error());
      return;
    }
    events.push_back(std::move(e));
  }

  std::string event_where() const {
    return mode_ == Mode::batch ? "event " + std::to_string(event_index_) : "event";
  }

  void record(Error e) {
    if (!error) error = std::move(e);
  }

  void push(Role role) {
    // The parser's max_depth (32) keeps depth_ below the array's size.
    frames_[depth_++] = role;
  }
  Role pop() { return frames_[--depth_]; }

  Mode mode_;
  ParseLimits limits_;
  std::array<Role, 64> frames_{};
  size_t depth_ = 0;
  Role key_role_ = Role::skip;
  size_t attribute_ = 0;
  size_t event_index_ = 0;
  Draft draft_;
  std::string key_;   // a key that came in parts
  std::string text_;  // a string or number that came in parts
};

constexpr size_t kMaxDepth = 32;

}  // namespace

Result<void> add_record_id(std::string_view value, std::vector<SalesforceId>& ids,
                           std::vector<std::string>& wildcards) {
  if (is_wildcard_id(value)) {
    wildcards.emplace_back(value);
    return {};
  }
  auto id = SalesforceId::parse(value);
  if (!id) return id.error();
  ids.push_back(*id);
  return {};
}

Result<std::vector<ChangeEvent>> parse_change_events(
    std::string_view content_type, std::string_view body,
    const std::function<std::string_view(std::string_view)>& header, ParseLimits limits) {
  Mode mode = Mode::binary;
  if (media_type_starts_with(content_type, "application/cloudevents-batch")) {
    mode = Mode::batch;
  } else if (media_type_starts_with(content_type, "application/cloudevents")) {
    mode = Mode::structured;
  }
  std::string binary_id;
  if (mode == Mode::binary) {
    // Binary mode: attributes in ce-* headers, the body is the data.
    std::string_view version = header("ce-specversion");
    if (version.empty()) {
      return Error{Errc::unsupported_media_type,
                   "expected a CloudEvent: application/cloudevents+json, "
                   "application/cloudevents-batch+json, or ce-* headers with a JSON body"};
    }
    if (version != "1.0") return bad("ce-specversion", "must be 1.0");
    binary_id = std::string(header("ce-id"));
    if (binary_id.empty()) return bad("ce-id", "is missing");
  }

  json::parse_options options;
  options.max_depth = kMaxDepth;
  json::basic_parser<EventReader> parser(options, mode, limits);
  json::error_code ec;
  size_t used = parser.write_some(false, body.data(), body.size(), ec);
  if (ec) return bad("body", json_syntax_error(body, used, ec).message);
  if (used != body.size()) return bad("body", "invalid JSON: text after the document");
  EventReader& reader = parser.handler();
  if (reader.too_many_events) {
    return bad("body", "more than " + std::to_string(limits.max_events) + " events in a batch");
  }
  if (reader.error) return std::move(*reader.error);
  if (mode == Mode::binary && !reader.events.empty()) reader.events[0].id = std::move(binary_id);
  return std::move(reader.events);
}

}  // namespace pe::events
