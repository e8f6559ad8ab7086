// subscriber_app.hpp: the `subscriber` process role (Procfile: `subscriber:`) — the Pub/Sub API
// path of pattern 4, needing no Eventing add-on and no public webhook: it subscribes to the
// connection's change events over gRPC and feeds them to the same transaction buffer as the
// webhook (pubsub/subscription.hpp has the loop and its guarantees).
//
// Configuration (docs/config.md, "Pub/Sub subscriber"): PRICING_PUBSUB_ENDPOINT
// (api.pubsub.salesforce.com:7443), PRICING_PUBSUB_CA_FILE, PRICING_PUBSUB_TOPIC
// (/data/OpportunityChangeEvent), PRICING_PUBSUB_START (latest | earliest: the first start
// only), PRICING_PUBSUB_ON_LOST_REPLAY (earliest | latest | stop), PRICING_PUBSUB_SILENCE_SECONDS
// (300: the watchdog), PRICING_PUBSUB_LEASE_SECONDS (10), and the webhook's: PRICING_CONNECTION
// or CONNECTION_NAMES, PRICING_CHANGE_TYPES, PRICING_CHANGED_FIELDS, REDIS_URL,
// PRICING_REDIS_PREFIX, PRICING_FLUSH_SECONDS, PRICING_DEDUPE_SECONDS. Credentials come from
// AppLink (HEROKU_APPLINK_*), refreshed on auth errors.
//
// Several subscriber dynos may run: one holds the subscription (a lease in Redis), the others
// wait and take over within seconds. SIGTERM/SIGINT: the stream ends, the lease is let go (the
// next dyno takes over at once), exit 0. Exit 1: an error a person must fix (topic refused,
// limits), logged; 2: bad configuration.
#pragma once

#include "common/config.hpp"

namespace pe::subscriber {

int run_subscriber(const Env& env);

}  // namespace pe::subscriber
