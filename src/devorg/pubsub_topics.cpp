// pubsub_topics.cpp: the local org's Pub/Sub topics, fed by its change events and platform
// events (org_state.hpp: enable_pubsub, publish_to_pubsub).
#include "common/log.hpp"
#include "devorg/org_state.hpp"
#include "devorg/pubsub_payloads.hpp"

namespace pe::devorg {

namespace json = boost::json;

void enable_pubsub(OrgState& org, const BusOptions& options) {
  org.pubsub = std::make_unique<PubSubBus>(options);
  auto cdc = change_event_schema(*find_object("Opportunity"));
  org.pubsub->add_topic(TopicLog("/data/OpportunityChangeEvent", cdc.id, cdc.json, false));
  std::string type = "QuoteGenerationComplete__e";
  auto event = platform_event_schema(type, platform_event_fields(type));
  org.pubsub->add_topic(TopicLog("/event/" + type, event.id, event.json, true));
  OrgState* self = &org;
  org.events.on_publish([self](const PlatformEvent& e) {
    self->pubsub->publish("/event/" + e.type, random_uuid(),
                          encode_platform_event(e, platform_event_fields(e.type)));
  });
}

void publish_to_pubsub(OrgState& org, std::span<const json::object> events) {
  if (!org.pubsub) return;
  for (const json::object& event : events) {
    const auto& header = event.at("data").at("ChangeEventHeader").as_object();
    const ObjectSchema* object = find_object(header.at("entityName").as_string());
    if (object == nullptr) continue;
    auto payload = encode_change_event(*object, header);
    if (!payload) {
      log::Logger().error("pubsub_encode_failed", {{"error", payload.error().message}});
      continue;
    }
    org.pubsub->publish(event.at("subject").as_string(), std::string(event.at("id").as_string()),
                        std::move(*payload));
  }
}

}  // namespace pe::devorg
