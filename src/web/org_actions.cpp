#include "web/org_actions.hpp"

#include "applink/api_document.hpp"
#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "common/random.hpp"
#include "quotes/org_action.hpp"
#include "quotes/quote_writer.hpp"

#include <boost/json/array.hpp>

namespace pe::web {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = net::http;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kOne = "/api/generatequote";
constexpr std::string_view kBatch = "/api/generatequote/batch";
constexpr std::string_view kAsync = "/api/generatequote/async";
constexpr size_t kBodyLimit = 64 * 1024;
// Named: GCC 12 mishandles string literals passed inside a co_await expression.
constexpr std::string_view kGenerateQuote = "generateQuote";
constexpr std::string_view kGenerateQuotes = "generateQuotes";

net::Response answer(http::status status, const json::value& body) {
  return net::json_response(status, json_text(body));
}

int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The schema has checked the shape; an Id whose checksum suffix is wrong is still refused here.
Result<std::vector<SalesforceId>> ids_of(const json::value& list) {
  std::vector<SalesforceId> ids;
  const auto& items = list.get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    auto id = SalesforceId::parse(items[i].get_string());
    if (!id) {
      return Error{Errc::invalid_argument,
                   "opportunityIds[" + std::to_string(i) + "]: " + id.error().message};
    }
    ids.push_back(*id);
  }
  return ids;
}

// A sync action's entry for the dashboard: quotes written, opportunities not, the first reason.
jobs::ActivityEntry sync_activity(const applink::Invocation& invocation, std::string_view operation,
                                  std::span<const quotes::QuoteOutcome> outcomes) {
  int64_t written = 0;
  std::string detail(operation);
  for (const auto& o : outcomes) {
    if (o.state == quotes::QuoteOutcome::State::written) {
      ++written;
    } else if (detail.size() == operation.size()) {
      detail += ": " + std::string(o.opportunity.str()) + ": " + o.error.message;
    }
  }
  return jobs::org_action_activity(invocation.request_id, invocation.client.org_id, written,
                                   static_cast<int64_t>(outcomes.size()) - written, detail);
}

// One that failed as a whole (Salesforce refused the query, the session ended, ...).
jobs::ActivityEntry sync_failure(const applink::Invocation& invocation, std::string_view operation,
                                 size_t opportunities, const Error& error) {
  return jobs::org_action_activity(invocation.request_id, invocation.client.org_id, 0,
                                   static_cast<int64_t>(opportunities),
                                   std::string(operation) + ": " + error.message);
}

}  // namespace

OrgActionsConfig org_actions_config_from(EnvReader& read, const Env& env) {
  OrgActionsConfig config;
  bool applink = env.get("HEROKU_APPLINK_API_URL").has_value();
  config.invocation = applink::invocation_config_from(read, applink);
  config.discount_overrides = read.boolean("PRICING_DISCOUNT_OVERRIDES", false);
  config.sealer = sealer_from(read);
  config.callback_window =
      std::chrono::hours(read.integer("PRICING_CALLBACK_WINDOW_HOURS", 24, 1, 24));
  return config;
}

struct OrgActions::Checked {
  applink::Invocation invocation;
  json::value body;
};

OrgActions::OrgActions(const OrgActionsConfig& config, std::optional<applink::AppLink> applink,
                       std::shared_ptr<const pricing::PricingEngine> engine,
                       net::HttpClient& client, std::shared_ptr<jobs::JobQueue> queue)
    : config_(config),
      verifier_(config.invocation, std::move(applink)),
      engine_(std::move(engine)),
      client_(client),
      queue_(std::move(queue)),
      activity_(queue_->redis(), {.prefix = queue_->keys().prefix}),
      validator_(applink::api_document()),
      one_schema_(applink::post_request_schema(kOne)),
      batch_schema_(applink::post_request_schema(kBatch)),
      async_schema_(applink::post_request_schema(kAsync)) {}

void OrgActions::add_routes(net::Router& router) {
  net::RouteOptions options{.body_limit = kBodyLimit, .content_types = {"application/json"}};
  router.add(
      http::verb::post, kOne, [this](net::Request& req) { return generate_quote(req); }, options);
  router.add(
      http::verb::post, kBatch, [this](net::Request& req) { return generate_quotes(req); },
      options);
  router.add(
      http::verb::post, kAsync, [this](net::Request& req) { return generate_quotes_async(req); },
      options);
}

asio::awaitable<Result<OrgActions::Checked>> OrgActions::check(net::Request& req,
                                                               const json::object& schema) {
  applink::InvocationHeaders headers{.request_id = req.header("x-request-id"),
                                     .request_context = req.header("x-request-context"),
                                     .client_context = req.header("x-client-context")};
  auto invocation = co_await verifier_.verify(client_, headers);
  if (!invocation) co_return invocation.error();
  auto body = parse_json_exact(req.body(), 16);
  if (!body) co_return Error{Errc::invalid_argument, "the body is not valid JSON"};
  auto valid = validator_.validate(*body, schema);
  if (!valid) co_return valid.error();
  co_return Checked{std::move(*invocation), std::move(*body)};
}

asio::awaitable<net::Response> OrgActions::generate_quote(net::Request& req) {
  auto checked = co_await check(req, one_schema_);
  if (!checked) co_return net::json_error(req, checked.error());
  const auto& invocation = checked->invocation;
  auto id = SalesforceId::parse(checked->body.get_object().at("opportunityId").get_string());
  if (!id || id->prefix() != "006") {
    co_return net::json_error(req, Errc::invalid_argument,
                              "opportunityId: is not an Opportunity Id (006...)");
  }
  salesforce::DataApi api(client_, invocation.client.org);
  std::vector<quotes::QuoteTask> tasks{
      {.opportunity = *id,
       .key = quotes::invocation_key(invocation.client.org_id, invocation.request_id)}};
  auto outcomes = co_await quotes::quote_opportunities(
      api, *engine_, tasks, {.discount_overrides = config_.discount_overrides});
  if (!outcomes) {
    Error e = quotes::invocation_error(outcomes.error());
    co_await activity_.record_later(sync_failure(invocation, kGenerateQuote, 1, e));
    co_return net::json_error(req, e);
  }
  co_await activity_.record_later(sync_activity(invocation, kGenerateQuote, *outcomes));
  const auto& outcome = outcomes->front();
  req.log().info("org_action", {{"operation", "generateQuote"},
                                {"org", invocation.client.org_id.str()},
                                {"user", invocation.client.user_id.str()},
                                {"opportunity", id->str()},
                                {"written", outcome.state == quotes::QuoteOutcome::State::written},
                                {"api_requests", api.requests()}});
  if (outcome.state != quotes::QuoteOutcome::State::written) {
    Error e = outcome.error;
    // An opportunity that is missing or cannot be quoted (no lines) is "not found" to the caller.
    if (e.code == Errc::failed_precondition &&
        outcome.state == quotes::QuoteOutcome::State::skipped) {
      e.code = Errc::not_found;
    }
    co_return net::json_error(req, e);
  }
  co_return answer(http::status::ok, quotes::quote_json(outcome));
}

asio::awaitable<net::Response> OrgActions::generate_quotes(net::Request& req) {
  auto checked = co_await check(req, batch_schema_);
  if (!checked) co_return net::json_error(req, checked.error());
  const auto& invocation = checked->invocation;
  auto ids = ids_of(checked->body.get_object().at("opportunityIds"));
  if (!ids) co_return net::json_error(req, ids.error());
  std::string key = quotes::invocation_key(invocation.client.org_id, invocation.request_id);
  std::vector<quotes::QuoteTask> tasks;
  for (const auto& id : *ids) tasks.push_back({.opportunity = id, .key = key});
  salesforce::DataApi api(client_, invocation.client.org);
  auto outcomes = co_await quotes::quote_opportunities(
      api, *engine_, tasks, {.discount_overrides = config_.discount_overrides});
  if (!outcomes) {
    Error e = quotes::invocation_error(outcomes.error());
    co_await activity_.record_later(sync_failure(invocation, kGenerateQuotes, ids->size(), e));
    co_return net::json_error(req, e);
  }
  co_await activity_.record_later(sync_activity(invocation, kGenerateQuotes, *outcomes));
  auto body = quotes::batch_answer(*outcomes);
  req.log().info("org_action", {{"operation", "generateQuotes"},
                                {"org", invocation.client.org_id.str()},
                                {"user", invocation.client.user_id.str()},
                                {"opportunities", ids->size()},
                                {"api_requests", api.requests()}});
  co_return answer(http::status::ok, body);
}

asio::awaitable<net::Response> OrgActions::generate_quotes_async(net::Request& req) {
  auto checked = co_await check(req, async_schema_);
  if (!checked) co_return net::json_error(req, checked.error());
  if (!config_.sealer) {
    co_return net::json_error(req, Errc::unavailable,
                              "async org actions are off: set PRICING_SEAL_KEY (32 random bytes, "
                              "e.g. openssl rand -hex 32) on web and worker");
  }
  const auto& invocation = checked->invocation;
  const auto& body = checked->body.get_object();
  const json::value* callback = body.if_contains("callbackUrl");
  if (!callback || !callback->is_string() ||
      !applink::same_origin(callback->get_string(), invocation.client.org.instance_url)) {
    co_return net::json_error(req, Errc::invalid_argument,
                              "callbackUrl: must be a URL on the invoking org's domain (" +
                                  invocation.client.org.instance_url + ")");
  }
  auto ids = ids_of(body.at("opportunityIds"));
  if (!ids) co_return net::json_error(req, ids.error());
  jobs::Job job;
  job.transaction_key = quotes::invocation_key(invocation.client.org_id, invocation.request_id);
  job.connection = std::string(invocation.client.org_id.str());
  job.record_ids = std::move(*ids);
  jobs::OrgAction action;
  action.job_id = random_uuid();
  action.callback_url = std::string(callback->get_string());
  action.instance_url = invocation.client.org.instance_url;
  action.api_version = invocation.client.org.api_version;
  action.sealed_token = config_.sealer->seal(invocation.client.org.access_token, action.job_id);
  action.org_id = invocation.client.org_id;
  action.user_id = invocation.client.user_id;
  action.deadline_ms =
      epoch_ms() +
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.callback_window).count();
  std::string job_id = action.job_id;
  job.action = std::move(action);
  auto enqueued = co_await queue_->enqueue(job);
  if (!enqueued) {
    co_return net::json_error(req, Errc::unavailable,
                              "the job could not be queued: redis is unreachable");
  }
  co_await activity_.record(jobs::job_activity(job, jobs::ActivityStatus::queued));
  req.log().info("org_action_queued", {{"operation", "generateQuotesAsync"},
                                       {"org", invocation.client.org_id.str()},
                                       {"user", invocation.client.user_id.str()},
                                       {"job", job_id},
                                       {"entry", *enqueued},
                                       {"opportunities", job.record_ids.size()}});
  co_return answer(http::status::created, json::object{{"jobId", job_id}});
}

}  // namespace pe::web
