// org_actions.hpp: the org actions — Apex, Flow and Agentforce asking for quotes through AppLink
// invocations (docs/org-actions.md, api-docs.yaml).
//
//   POST /api/generatequote        generateQuote       one opportunity, priced and written now
//   POST /api/generatequote/batch  generateQuotes      up to 200, each with its own result
//   POST /api/generatequote/async  generateQuotesAsync up to 200, 201 {jobId} once on the Redis
//                                  stream; the worker writes them and POSTs the callback
//
// Every request: the invocation is verified first (applink/invocation.hpp: headers, then the
// AppLink add-on in applink mode), then the body is checked against the operation's schema in
// api-docs.yaml (400 naming the field). The work runs as the invoking user, with the token of
// x-client-context: one query for the opportunities with their lines and account, the pricing
// engine, one all-or-none Composite Graph write per quote (quotes/quote_writer.hpp). Generation
// keys come from (org, opportunity, x-request-id): Salesforce's retry of an invocation rewrites
// its quote; a new invocation makes a new one.
//
// The async operation's callback URL must be on the invoking org's domain (400 otherwise), so a
// caller cannot have its token sent elsewhere; the token is sealed with PRICING_SEAL_KEY before it
// reaches Redis (common/seal.hpp) and the job carries no plain secret.
//
// Each action is recorded for the operations dashboard (jobs/activity_log.hpp): a sync one in the
// background (its answer never waits on Redis, which it does not otherwise need), an async one
// right after it is queued (Redis has just answered; the worker's entries then come after it).
#pragma once

#include "applink/invocation.hpp"
#include "common/config.hpp"
#include "common/json_schema.hpp"
#include "common/seal.hpp"
#include "jobs/activity_log.hpp"
#include "jobs/job_queue.hpp"
#include "net/http_client.hpp"
#include "net/http_message.hpp"
#include "net/router.hpp"
#include "pricing/pricing_engine.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace pe::web {

struct OrgActionsConfig {
  applink::InvocationConfig invocation;
  bool discount_overrides = false;         // PRICING_DISCOUNT_OVERRIDES
  std::optional<Sealer> sealer;            // PRICING_SEAL_KEY; without it async is refused
  std::chrono::hours callback_window{24};  // PRICING_CALLBACK_WINDOW_HOURS (1..24)
};

// Reads the variables above (and the invocation's, applink/invocation.hpp).
OrgActionsConfig org_actions_config_from(EnvReader& read, const Env& env);

class OrgActions {
 public:
  // applink: for verifying invocations in applink mode. One per server thread.
  OrgActions(const OrgActionsConfig& config, std::optional<applink::AppLink> applink,
             std::shared_ptr<const pricing::PricingEngine> engine, net::HttpClient& client,
             std::shared_ptr<jobs::JobQueue> queue);

  // Adds the three routes.
  void add_routes(net::Router& router);

  boost::asio::awaitable<net::Response> generate_quote(net::Request& req);
  boost::asio::awaitable<net::Response> generate_quotes(net::Request& req);
  boost::asio::awaitable<net::Response> generate_quotes_async(net::Request& req);

 private:
  struct Checked;
  // Verifies the invocation, then the body against the operation's schema.
  boost::asio::awaitable<Result<Checked>> check(net::Request& req,
                                                const boost::json::object& schema);

  const OrgActionsConfig& config_;
  applink::InvocationVerifier verifier_;
  std::shared_ptr<const pricing::PricingEngine> engine_;
  net::HttpClient& client_;
  std::shared_ptr<jobs::JobQueue> queue_;
  jobs::ActivityLog activity_;  // the dashboard's record of each action (on the queue's Redis)
  SchemaValidator validator_;
  const boost::json::object& one_schema_;
  const boost::json::object& batch_schema_;
  const boost::json::object& async_schema_;
};

}  // namespace pe::web
