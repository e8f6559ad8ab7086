#include "web/webhook.hpp"

#include "applink/applink.hpp"
#include "events/change_event.hpp"
#include "web/metrics.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace pe::web {

namespace asio = boost::asio;
namespace http = net::http;

namespace {

std::optional<Metrics::Gap> gap_kind(std::string_view change_type) {
  if (change_type == "GAP_CREATE") return Metrics::gap_create;
  if (change_type == "GAP_UPDATE") return Metrics::gap_update;
  if (change_type == "GAP_DELETE") return Metrics::gap_delete;
  if (change_type == "GAP_UNDELETE") return Metrics::gap_undelete;
  if (change_type == "GAP_OVERFLOW") return Metrics::gap_overflow;
  return std::nullopt;
}

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

WebhookConfig webhook_config_from(EnvReader& read) {
  WebhookConfig config;
  config.token = read.string("PRICING_WEBHOOK_TOKEN", "");
  config.connection = applink::eventing_connection_from(read);
  config.filter = events::change_filter_from(read);
  config.body_limit = static_cast<size_t>(
      read.integer("PRICING_WEBHOOK_MAX_BYTES", 1 << 20, 1024, int64_t{64} << 20));
  return config;
}

Webhook::Webhook(const WebhookConfig& config, std::shared_ptr<events::TransactionBuffer> buffer)
    : config_(config), buffer_(std::move(buffer)) {
  if (!config_.token.empty()) expected_authorization_ = "Bearer " + config_.token;
}

bool Webhook::authorized(const net::Request& req) const {
  if (config_.token.empty()) return true;
  return constant_time_equal(req.header(http::field::authorization), expected_authorization_);
}

// Whether the event needs a quote (events/change_filter.hpp); counts and logs why not, and logs
// gap events and wildcard Ids loudly.
bool Webhook::needs_quote(const events::ChangeEvent& event, net::Request& req) const {
  auto& m = metrics();
  const events::Verdict verdict = events::judge(config_.filter, event);
  if (verdict.skip == events::Skip::entity) {
    m.count(m.ignored[Metrics::entity]);
    return false;
  }
  if (auto gap = gap_kind(event.change_type)) {
    m.count(m.gaps[*gap]);
    req.log().error("change_event_gap", {{"change_type", event.change_type},
                                         {"transaction", event.transaction_key},
                                         {"record_ids", event.record_ids.size()}});
  }
  if (verdict.wildcard) {
    // Every record of the object changed (a field-type conversion): no Ids to quote from. Loud,
    // never a 4xx that Eventing would retry forever; the explicit Ids beside it still count.
    req.log().error("change_event_wildcard_ids",
                    {{"change_type", event.change_type},
                     {"transaction", event.transaction_key},
                     {"wildcard", event.wildcard_ids.front()},
                     {"action", "reprice the affected opportunities with a batch job"}});
  }
  if (verdict.fields_undecoded) m.count(m.fields_undecoded);
  switch (verdict.skip) {
    case events::Skip::none:
      return true;
    case events::Skip::entity:
      return false;
    case events::Skip::wildcard_ids:
      m.count(m.ignored[Metrics::wildcard_ids]);
      return false;
    case events::Skip::no_ids:
      m.count(m.ignored[Metrics::no_ids]);
      return false;
    case events::Skip::change_type:
      m.count(m.ignored[Metrics::change_type]);
      return false;
    case events::Skip::fields:
      m.count(m.ignored[Metrics::fields]);
      return false;
  }
  return false;
}

asio::awaitable<net::Response> Webhook::handle(net::Request& req) {
  auto& m = metrics();
  if (!authorized(req)) {
    m.count(m.rejected[Metrics::unauthenticated]);
    req.log().warn("webhook_unauthorized");
    co_return net::json_error(req, Errc::unauthenticated,
                              "missing or wrong webhook token (Authorization: Bearer ...)");
  }
  auto parsed =
      events::parse_change_events(req.header(http::field::content_type), req.body(),
                                  [&req](std::string_view name) { return req.header(name); });
  if (!parsed) {
    m.count(m.rejected[Metrics::malformed]);
    req.log().warn("webhook_malformed", {{"error", parsed.error().message}});
    co_return net::json_error(req, parsed.error());
  }
  // Filter every event first, then buffer the ones that need a quote in one call: a batch
  // delivery waits for Redis once, not once per event.
  size_t ignored = 0;
  std::vector<events::BufferedEvent> to_buffer;
  to_buffer.reserve(parsed->size());
  for (const auto& event : *parsed) {
    m.count(m.events_received);
    if (needs_quote(event, req)) {
      to_buffer.push_back({event.transaction_key, config_.connection, event.record_ids});
    } else {
      ++ignored;
    }
  }
  auto added = co_await buffer_->add_all(to_buffer);
  if (!added) {
    if (added.error().code == Errc::invalid_argument) {
      m.count(m.rejected[Metrics::malformed]);
      co_return net::json_error(req, added.error());
    }
    m.count(m.rejected[Metrics::unavailable]);
    req.log().error("webhook_buffer_failed", {{"error", added.error().message}});
    co_return net::json_error(req, Errc::unavailable,
                              "the event store is unavailable; deliver again later");
  }
  size_t buffered = 0;
  for (size_t i = 0; i < added->size(); ++i) {
    const auto& result = (*added)[i];
    buffered += result.added;
    m.count(m.ids_buffered, result.added);
    m.count(m.ids_duplicate, to_buffer[i].ids.size() - result.added);
    if (!result.flushed.latencies_ms.empty()) m.observe_flushes(result.flushed.latencies_ms);
  }
  // One allocation for the answer (a chain of + would make one per part).
  std::string body;
  body.reserve(80);
  body += "{\"received\":";
  body += std::to_string(parsed->size());
  body += ",\"buffered\":";
  body += std::to_string(buffered);
  body += ",\"ignored\":";
  body += std::to_string(ignored);
  body += '}';
  co_return net::json_response(http::status::ok, std::move(body));
}

}  // namespace pe::web
