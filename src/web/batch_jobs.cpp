#include "web/batch_jobs.hpp"

#include "applink/api_document.hpp"
#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "common/random.hpp"
#include "quotes/batch_quotes.hpp"
#include "salesforce/data_api.hpp"
#include "soql/where_clause.hpp"

#include <boost/json/parse.hpp>

namespace pe::web {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = net::http;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kExecute = "/api/executebatch";
constexpr std::string_view kCreate = "/api/data/create";
constexpr std::string_view kDelete = "/api/data/delete";
constexpr std::string_view kJob = "/api/jobs/{jobId}";
constexpr size_t kBodyLimit = 16 * 1024;
constexpr auto kDescribeFor = 10min;

// A job id as we make them (random_uuid: 36 characters of hex and dashes); anything else is
// refused before it reaches a Redis key.
bool is_job_id(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

int64_t integer_or(const json::object& body, std::string_view name, int64_t fallback) {
  const json::value* v = body.if_contains(name);
  if (!v || !v->is_int64()) return fallback;
  return v->as_int64();
}

net::Response accepted(const std::string& id) {
  return net::json_response(http::status::accepted, json_text(json::object{{"jobId", id}}));
}

}  // namespace

BatchRoutesConfig batch_routes_config_from(EnvReader& read, const OrgActionsConfig& actions) {
  BatchRoutesConfig config;
  config.invocation = actions.invocation;
  config.sealer = actions.sealer;
  config.authorization = read.string("PRICING_JOB_AUTHORIZATION", "");
  config.options = jobs::batch_options_from(read);
  return config;
}

struct BatchRoutes::Checked {
  applink::Invocation invocation;
  json::object body;
};

std::shared_ptr<const json::object> DescribeCache::find(const std::string& org) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(org);
  if (it == entries_.end() || std::chrono::steady_clock::now() - it->second.at >= kDescribeFor) {
    return nullptr;
  }
  return it->second.describe;
}

void DescribeCache::put(const std::string& org, std::shared_ptr<const json::object> describe) {
  std::lock_guard lock(mutex_);
  entries_[org] = {std::move(describe), std::chrono::steady_clock::now()};
}

BatchRoutes::BatchRoutes(const BatchRoutesConfig& config, std::optional<applink::AppLink> applink,
                         net::HttpClient& client, std::shared_ptr<jobs::BatchJobs> jobs,
                         std::shared_ptr<DescribeCache> described)
    : config_(config),
      verifier_(config.invocation, std::move(applink)),
      client_(client),
      jobs_(std::move(jobs)),
      activity_(jobs_->redis(), {.prefix = jobs_->options().prefix}),
      described_(std::move(described)),
      validator_(applink::api_document()),
      execute_schema_(applink::post_request_schema(kExecute)),
      create_schema_(applink::post_request_schema(kCreate)),
      delete_schema_(applink::post_request_schema(kDelete)) {}

void BatchRoutes::add_routes(net::Router& router) {
  net::RouteOptions options{.body_limit = kBodyLimit, .content_types = {"application/json"}};
  router.add(
      http::verb::post, kExecute, [this](net::Request& req) { return execute_batch(req); },
      options);
  router.add(
      http::verb::post, kCreate, [this](net::Request& req) { return data_create(req); }, options);
  router.add(
      http::verb::post, kDelete, [this](net::Request& req) { return data_delete(req); }, options);
  router.add(http::verb::get, kJob, [this](net::Request& req) { return get_job(req); });
}

asio::awaitable<Result<BatchRoutes::Checked>> BatchRoutes::check(net::Request& req,
                                                                 const json::object* schema) {
  applink::InvocationHeaders headers{.request_id = req.header("x-request-id"),
                                     .request_context = req.header("x-request-context"),
                                     .client_context = req.header("x-client-context")};
  auto invocation = co_await verifier_.verify(client_, headers);
  if (!invocation) co_return invocation.error();
  json::value body = json::object{};
  if (schema) {
    // Apex's generated datacreate() and datadelete() may send no body at all: {} then.
    if (!req.body().empty()) {
      auto parsed = parse_json_exact(req.body(), 16);
      if (!parsed) co_return Error{Errc::invalid_argument, "the body is not valid JSON"};
      body = std::move(*parsed);
    }
    auto valid = validator_.validate(body, *schema);
    if (!valid) co_return valid.error();
  }
  co_return Checked{std::move(*invocation), std::move(body.as_object())};
}

Result<jobs::Job> BatchRoutes::plan_task(const applink::Invocation& invocation,
                                         const std::string& id, std::string_view kind) const {
  jobs::BatchTask task;
  task.job_id = id;
  task.kind = std::string(kind);
  task.step = jobs::BatchTask::Step::plan;
  task.org_id = invocation.client.org_id;
  task.user_id = invocation.client.user_id;
  task.instance_url = invocation.client.org.instance_url;
  task.api_version = invocation.client.org.api_version;
  if (!config_.authorization.empty()) {
    task.authorization = config_.authorization;
  } else if (config_.sealer) {
    task.sealed_token = config_.sealer->seal(invocation.client.org.access_token, id);
  } else {
    return Error{Errc::unavailable,
                 "batch jobs are off: set PRICING_SEAL_KEY (32 random bytes, e.g. openssl rand "
                 "-hex 32) on web and worker, or PRICING_JOB_AUTHORIZATION to a named AppLink "
                 "authorization"};
  }
  jobs::Job job;
  job.transaction_key = quotes::batch_job_key(id);
  job.connection = std::string(invocation.client.org_id.str());
  job.batch = std::move(task);
  return job;
}

asio::awaitable<net::Response> BatchRoutes::start(net::Request& req,
                                                  const applink::Invocation& invocation,
                                                  jobs::BatchStatus status) {
  status.id = random_uuid();
  status.org = invocation.client.org_id;
  status.user = invocation.client.user_id;
  auto plan = plan_task(invocation, status.id, status.kind);
  if (!plan) co_return net::json_error(req, plan.error());
  auto created = co_await jobs_->create(status, *plan);
  if (!created) {
    co_return net::json_error(req, Errc::unavailable,
                              "the job could not be queued: redis is unreachable");
  }
  co_await activity_.record(jobs::batch_activity(status));
  req.log().info("batch_job_queued", {{"kind", status.kind},
                                      {"job", status.id},
                                      {"org", status.org.str()},
                                      {"user", status.user.str()}});
  co_return accepted(status.id);
}

asio::awaitable<Result<std::shared_ptr<const json::object>>> BatchRoutes::describe(
    const applink::Invocation& invocation) {
  std::string org(invocation.client.org_id.str());
  if (auto cached = described_->find(org)) co_return cached;
  salesforce::DataApi api(client_, invocation.client.org);
  auto res = co_await api.send(http::verb::get, api.base_path() + "/sobjects/Opportunity/describe",
                               "", true);
  if (!res) co_return Error{Errc::unavailable, "describing Opportunity: " + res.error().message};
  boost::system::error_code ec;
  auto parsed = json::parse(res->body, ec);
  if (ec || !parsed.is_object()) {
    co_return Error{Errc::unavailable, "describing Opportunity: the answer is not a JSON object"};
  }
  auto shared = std::make_shared<const json::object>(std::move(parsed.as_object()));
  described_->put(org, shared);
  co_return shared;
}

asio::awaitable<net::Response> BatchRoutes::execute_batch(net::Request& req) {
  auto checked = co_await check(req, &execute_schema_);
  if (!checked) co_return net::json_error(req, checked.error());
  std::string clause(checked->body.at("soqlWhereClause").as_string());
  auto described = co_await describe(checked->invocation);
  if (!described) co_return net::json_error(req, described.error());
  auto fields = soql::fields_from_describe(**described);
  if (auto problem = soql::check_where_clause(clause, fields)) {
    co_return net::json_error(req, Errc::invalid_argument, "soqlWhereClause: " + problem->message);
  }
  jobs::BatchStatus status;
  status.kind = "quote";
  status.where = std::move(clause);
  co_return co_await start(req, checked->invocation, std::move(status));
}

asio::awaitable<net::Response> BatchRoutes::data_create(net::Request& req) {
  auto checked = co_await check(req, &create_schema_);
  if (!checked) co_return net::json_error(req, checked.error());
  jobs::BatchStatus status;
  status.kind = "data_create";
  status.requested = integer_or(checked->body, "numberOfOpportunities", 100);
  status.lines = integer_or(checked->body, "linesPerOpportunity", 2);
  co_return co_await start(req, checked->invocation, std::move(status));
}

asio::awaitable<net::Response> BatchRoutes::data_delete(net::Request& req) {
  auto checked = co_await check(req, &delete_schema_);
  if (!checked) co_return net::json_error(req, checked.error());
  jobs::BatchStatus status;
  status.kind = "data_delete";
  if (const json::value* target = checked->body.if_contains("jobId")) {
    std::string id(target->as_string());
    if (!is_job_id(id)) {
      co_return net::json_error(req, Errc::invalid_argument, "jobId: is not a job id (a UUID)");
    }
    auto found = co_await jobs_->read(id);
    if (!found) co_return net::json_error(req, Errc::unavailable, "redis is unreachable");
    if (!*found || (*found)->org != checked->invocation.client.org_id) {
      co_return net::json_error(req, Errc::not_found, "jobId: no such job for this org");
    }
    if ((*found)->kind != "data_create") {
      co_return net::json_error(req, Errc::invalid_argument,
                                "jobId: is not a data create job (it is " + (*found)->kind + ")");
    }
    status.target = id;
  }
  co_return co_await start(req, checked->invocation, std::move(status));
}

asio::awaitable<net::Response> BatchRoutes::get_job(net::Request& req) {
  auto checked = co_await check(req, nullptr);
  if (!checked) co_return net::json_error(req, checked.error());
  std::string id(req.param("jobId"));
  if (!is_job_id(id)) {
    co_return net::json_error(req, Errc::invalid_argument, "jobId: is not a job id (a UUID)");
  }
  auto found = co_await jobs_->read(id);
  if (!found) co_return net::json_error(req, Errc::unavailable, "redis is unreachable");
  // Another org's job is as missing as one that never was: its existence is not told.
  if (!*found || (*found)->org != checked->invocation.client.org_id) {
    co_return net::json_error(req, Errc::not_found, "no such job (or it has expired)");
  }
  auto res = net::json_response(http::status::ok, json_text(jobs::status_json(**found)));
  res.set(http::field::cache_control, "no-store");
  co_return res;
}

}  // namespace pe::web
