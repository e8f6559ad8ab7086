// webhook.hpp: POST /api/generatequotes — Opportunity change events in, buffered in Redis.
//
// The route Heroku Eventing (or any CloudEvents sender) delivers to. Per request: check the
// token, parse every event (events/change_event.hpp: structured, binary or batch mode), keep
// the Opportunity changes that need a quote, and add their record Ids to their transaction's
// buffer in Redis (events/transaction_buffer.hpp) before answering. The answer means:
//   200  every event was parsed; what needed a quote is stored: {"received","buffered","ignored"}
//   400  malformed (nothing stored)            401  missing or wrong token (nothing read)
//   503  Redis unreachable: Eventing retries; redelivered Ids fold into the same transaction
// (413 and 415 come from the router, before the body is read.)
//
// Which events need a quote: events/change_filter.hpp, the rule the Pub/Sub subscriber follows
// too. In Eventing deliveries changedFields is a Pub/Sub bitmap over the event's Avro schema,
// which the webhook does not have: such events pass the field filter (never a lost change) and
// are counted. Gap events and wildcard Ids are logged as errors and counted.
//
// Authentication: with PRICING_WEBHOOK_TOKEN set, `Authorization: Bearer <token>` is required,
// compared in constant time (CRYPTO_memcmp: only the token's length shows in the timing, as with
// Go's subtle.ConstantTimeCompare; use a long random token). This is our reading of how
// Eventing presents a publication's --token (unconfirmed, salesforce-facts.md section 6).
#pragma once

#include "common/config.hpp"
#include "events/change_event.hpp"
#include "events/change_filter.hpp"
#include "events/transaction_buffer.hpp"
#include "net/http_message.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <vector>

namespace pe::web {

struct WebhookConfig {
  std::string token;            // PRICING_WEBHOOK_TOKEN; empty: no authentication
  std::string connection;       // PRICING_CONNECTION, else the first of CONNECTION_NAMES
  events::ChangeFilter filter;  // PRICING_CHANGE_TYPES, PRICING_CHANGED_FIELDS
  size_t body_limit = 1 << 20;  // PRICING_WEBHOOK_MAX_BYTES
};

// Reads the variables above; errors are added to `read`.
WebhookConfig webhook_config_from(EnvReader& read);

class Webhook {
 public:
  Webhook(const WebhookConfig& config, std::shared_ptr<events::TransactionBuffer> buffer);

  boost::asio::awaitable<net::Response> handle(net::Request& req);

 private:
  bool authorized(const net::Request& req) const;
  bool needs_quote(const events::ChangeEvent& event, net::Request& req) const;

  const WebhookConfig& config_;
  std::shared_ptr<events::TransactionBuffer> buffer_;
  std::string expected_authorization_;  // "Bearer <token>"
};

// True when a and b are equal, in time that depends only on their lengths. (Hashing both first
// hid the lengths too, at 7,000 instructions a request: half the cost of parsing the event.)
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace pe::web
