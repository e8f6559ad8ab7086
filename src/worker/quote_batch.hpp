// quote_batch.hpp: the worker's work — the opportunities of several claimed jobs of one org,
// read, priced and written together, and each job's own completion event.
//
// Coalescing is what keeps the API bill low (DESIGN.md, "Few Salesforce API calls"): the
// opportunities of every job in the batch are read with as few queries as the SOQL limits allow
// (long IN lists travel inside a Composite request, data_api.hpp), the quotes of every job are
// written by one unit of work (Composite Graph, 500 nodes a request, each opportunity's quote and
// lines one all-or-none group), and the completion events go out together (sObject Collections
// through the REST API, or one post each through Eventing's publish URL).
//
// Each job still succeeds or fails on its own: a job succeeds when every quote it needed was
// written and its event published; otherwise it carries the first error, and the caller retries
// it. Retrying is safe: quotes and lines are upserted on generation keys (quote_records.hpp).
// Opportunities that cannot be quoted (deleted, no price book, no lines) are skipped with a
// reason and do not fail the job.
//
//   auto outcomes = co_await quote_jobs(api, engine, jobs, publisher);   // one per job, in order
#pragma once

#include "jobs/job.hpp"
#include "pricing/pricing_engine.hpp"
#include "salesforce/data_api.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace pe::worker {

struct JobOutcome {
  bool success = false;
  size_t quotes = 0;                 // quotes written (created or rewritten)
  size_t lines = 0;                  // quote lines written
  std::vector<std::string> skipped;  // "006...: no price book"
  std::string status;                // Status__c of its completion event
  std::string error;                 // why it failed
  bool transient = true;             // false: retrying the same input cannot help
};

struct BatchStats {
  size_t opportunities = 0;  // distinct opportunities read
  size_t queries = 0;        // query statements (their pages are API requests too)
  size_t graph_requests = 0;
};

// Publishes one completion event per successful job: given the Status__c values, answers one
// Result per event, in order. The default (publish_with_rest) uses sObject Collections.
using CompletionPublisher = std::function<boost::asio::awaitable<std::vector<Result<void>>>(
    const std::vector<std::string>& statuses)>;

CompletionPublisher publish_with_rest(salesforce::DataApi& api);

boost::asio::awaitable<std::vector<JobOutcome>> quote_jobs(salesforce::DataApi& api,
                                                           const pricing::PricingEngine& engine,
                                                           std::span<const jobs::Job> jobs,
                                                           const CompletionPublisher& publish,
                                                           BatchStats* stats = nullptr);

}  // namespace pe::worker
