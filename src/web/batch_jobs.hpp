// batch_jobs.hpp: the batch job routes (pattern 3, docs/batch-jobs.md, api-docs.yaml), AppLink
// invocations like the org actions:
//
//   POST /api/executebatch   executeBatch  {"soqlWhereClause"} → 202 {"jobId"}: quote every
//                            Opportunity the clause selects
//   POST /api/data/create    datacreate    {"numberOfOpportunities": 1..1,000,000 (100),
//                            "linesPerOpportunity": 1..10 (2)} → 202 {"jobId"}: sample data
//   POST /api/data/delete    datadelete    {"jobId": <a data create job>} or {} → 202 {"jobId"}:
//                            removes what our sample-data jobs made, nothing else
//   GET  /api/jobs/{jobId}   getJob        the job's status; only for the org that started it
//                            (another org's job is 404, as a missing one)
//
// Every request is verified (applink/invocation.hpp) and its body checked against the schema. The
// where clause is checked before anything is queued (soql/where_clause.hpp): at most 4,000
// characters, one condition on Opportunity, fields that the org's describe of Opportunity knows
// (read with the caller's token, cached per org for 10 minutes: one API request per org now and
// then), 400 with the position otherwise. Then the job's status and its plan task go to Redis in
// one MULTI (jobs/batch_job.hpp) and the caller gets 202.
//
// As whom the work runs: the invoking user by default, whose token is sealed with
// PRICING_SEAL_KEY on every task (never in the status); or, with PRICING_JOB_AUTHORIZATION, a
// named AppLink authorization of the org (`heroku salesforce:authorizations:add`), whose token
// the worker fetches and refreshes itself — the choice for jobs that may outlive a user session.
#pragma once

#include "applink/invocation.hpp"
#include "common/config.hpp"
#include "common/json_schema.hpp"
#include "common/seal.hpp"
#include "jobs/activity_log.hpp"
#include "jobs/batch_job.hpp"
#include "net/http_client.hpp"
#include "net/http_message.hpp"
#include "net/router.hpp"
#include "web/org_actions.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace pe::web {

struct BatchRoutesConfig {
  applink::InvocationConfig invocation;
  std::optional<Sealer> sealer;  // PRICING_SEAL_KEY
  std::string authorization;     // PRICING_JOB_AUTHORIZATION
  jobs::BatchOptions options;    // the status TTL, chunk sizes, the Bulk threshold
};

// PRICING_JOB_AUTHORIZATION and the batch options; the invocation checks and the sealing key are
// the org actions'.
BatchRoutesConfig batch_routes_config_from(EnvReader& read, const OrgActionsConfig& actions);

// Opportunity's describe per org, shared by every server thread (one API request per org every
// 10 minutes, whichever thread asks).
class DescribeCache {
 public:
  std::shared_ptr<const boost::json::object> find(const std::string& org);
  void put(const std::string& org, std::shared_ptr<const boost::json::object> describe);

 private:
  struct Entry {
    std::shared_ptr<const boost::json::object> describe;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

class BatchRoutes {
 public:
  BatchRoutes(const BatchRoutesConfig& config, std::optional<applink::AppLink> applink,
              net::HttpClient& client, std::shared_ptr<jobs::BatchJobs> jobs,
              std::shared_ptr<DescribeCache> described);

  void add_routes(net::Router& router);

  boost::asio::awaitable<net::Response> execute_batch(net::Request& req);
  boost::asio::awaitable<net::Response> data_create(net::Request& req);
  boost::asio::awaitable<net::Response> data_delete(net::Request& req);
  boost::asio::awaitable<net::Response> get_job(net::Request& req);

 private:
  struct Checked;
  boost::asio::awaitable<Result<Checked>> check(net::Request& req,
                                                const boost::json::object* schema);
  // The plan task of a new job, as whom it will run.
  Result<jobs::Job> plan_task(const applink::Invocation& invocation, const std::string& id,
                              std::string_view kind) const;
  boost::asio::awaitable<net::Response> start(net::Request& req, const applink::Invocation& inv,
                                              jobs::BatchStatus status);
  // Opportunity's describe for the invoking org (cached).
  boost::asio::awaitable<Result<std::shared_ptr<const boost::json::object>>> describe(
      const applink::Invocation& invocation);

  const BatchRoutesConfig& config_;
  applink::InvocationVerifier verifier_;
  net::HttpClient& client_;
  std::shared_ptr<jobs::BatchJobs> jobs_;
  jobs::ActivityLog activity_;  // the dashboard's record of each job queued (jobs' Redis)
  std::shared_ptr<DescribeCache> described_;
  SchemaValidator validator_;
  const boost::json::object& execute_schema_;
  const boost::json::object& create_schema_;
  const boost::json::object& delete_schema_;
};

}  // namespace pe::web
