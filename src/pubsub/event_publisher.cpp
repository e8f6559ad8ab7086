#include "pubsub/event_publisher.hpp"

#include "pubsub/avro_codec.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pe::pubsub {

namespace asio = boost::asio;

Result<std::string> encode_record(const avro::Schema& writer,
                                  const std::vector<EventField>& fields) {
  const avro::Node& root = writer.root();
  if (root.type != avro::Type::record) {
    return Error{Errc::invalid_argument, "the event schema is not a record"};
  }
  avro::Value::Record record;
  record.fields.resize(root.fields.size());  // null unless given
  for (const auto& [name, value] : fields) {
    const int i = root.field_index(name);
    if (i < 0) return Error{Errc::invalid_argument, root.name + " has no field " + name};
    record.fields[static_cast<size_t>(i)] = value;
  }
  return avro::encode(writer, avro::Value::of(std::move(record)));
}

PubSubPublisher::PubSubPublisher(ChannelOptions options) : client_(std::move(options)) {}

PubSubPublisher::~PubSubPublisher() { pool_.join(); }

Result<PubSubPublisher::TopicSchema> PubSubPublisher::schema_of(const Credentials& creds,
                                                                const std::string& topic,
                                                                bool fresh) {
  {
    std::lock_guard lock(mutex_);
    auto it = schemas_.find(topic);
    if (it != schemas_.end() && !fresh) return it->second;
  }
  auto info = client_.get_topic(creds, topic);
  if (!info) return Error{Errc::unavailable, "GetTopic " + topic + ": " + info.error.message};
  if (!info.value->can_publish) {
    return Error{Errc::permission_denied,
                 "the org does not let this user publish " + topic + " (GetTopic: can_publish)"};
  }
  auto json = client_.get_schema(creds, info.value->schema_id);
  if (!json) return Error{Errc::unavailable, "GetSchema: " + json.error.message};
  auto parsed = avro::Schema::parse(*json.value);
  if (!parsed) return parsed.error();
  TopicSchema schema{info.value->schema_id,
                     std::make_shared<const avro::Schema>(std::move(*parsed))};
  std::lock_guard lock(mutex_);
  schemas_[topic] = schema;
  return schema;
}

Result<std::string> PubSubPublisher::publish_now(const Credentials& creds, const std::string& topic,
                                                 const std::vector<EventField>& fields) {
  Result<std::string> last = Error{Errc::internal, "not published"};
  for (bool fresh : {false, true}) {
    auto schema = schema_of(creds, topic, fresh);
    if (!schema) return schema.error();
    auto payload = encode_record(*schema->schema, fields);
    if (!payload) return payload.error();
    auto published = client_.publish(creds, topic, schema->id, *payload);
    if (published) return std::move(*published.value);
    const Errc code = recovery_for(published.error) == Recovery::refresh_auth
                          ? Errc::unauthenticated
                          : Errc::unavailable;
    last = Error{code, "Publish " + topic + ": " + published.error.message};
    if (code == Errc::unauthenticated) break;  // new credentials first: the caller's to get
  }
  return last;
}

asio::awaitable<Result<std::string>> PubSubPublisher::publish(Credentials creds, std::string topic,
                                                              std::vector<EventField> fields) {
  // Runs on the pool's thread; the caller resumes on its own executor.
  co_return co_await asio::co_spawn(
      pool_,
      [this, creds = std::move(creds), topic = std::move(topic), fields = std::move(fields)]()
          -> asio::awaitable<Result<std::string>> { co_return publish_now(creds, topic, fields); },
      asio::use_awaitable);
}

}  // namespace pe::pubsub
