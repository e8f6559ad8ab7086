#include "pubsub/change_event_decoder.hpp"

#include "pubsub/avro_schema.hpp"
#include "pubsub/change_event_payload.hpp"

namespace pe::pubsub {

struct ChangeEventDecoder::Schema {
  avro::Schema writer;
};

ChangeEventDecoder::ChangeEventDecoder() = default;
ChangeEventDecoder::~ChangeEventDecoder() = default;

bool ChangeEventDecoder::has_schema(const std::string& schema_id) const {
  return schemas_.contains(schema_id);
}

Result<void> ChangeEventDecoder::add_schema(const std::string& schema_id,
                                            std::string_view schema_json) {
  auto parsed = avro::Schema::parse(schema_json);
  if (!parsed) return parsed.error();
  if (schemas_.size() >= kMaxSchemas && !schemas_.contains(schema_id)) {
    schemas_.erase(order_.front());
    order_.pop_front();
  }
  if (!schemas_.contains(schema_id)) order_.push_back(schema_id);
  schemas_[schema_id] = std::make_shared<const Schema>(Schema{std::move(*parsed)});
  return {};
}

Result<events::ChangeEvent> ChangeEventDecoder::decode(const std::string& schema_id,
                                                       std::string_view payload) const {
  auto it = schemas_.find(schema_id);
  if (it == schemas_.end()) {
    return Error{Errc::not_found, "no schema " + schema_id.substr(0, 64) + " was fetched"};
  }
  auto header = decode_change_event(it->second->writer, payload);
  if (!header) return header.error();
  return std::move(header->event);
}

}  // namespace pe::pubsub
