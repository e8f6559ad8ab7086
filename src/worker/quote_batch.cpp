#include "worker/quote_batch.hpp"

#include "common/json_exact.hpp"
#include "quotes/quote_records.hpp"
#include "quotes/quote_writer.hpp"

#include <boost/json/value.hpp>

namespace pe::worker {

namespace asio = boost::asio;
namespace json = boost::json;
using salesforce::DataApi;

CompletionPublisher publish_with_rest(DataApi& api) {
  return [&api](const std::vector<std::string>& statuses)
             -> asio::awaitable<std::vector<Result<void>>> {
    std::vector<json::object> records;
    records.reserve(statuses.size());
    for (const auto& status : statuses) records.push_back(json::object{{"Status__c", status}});
    auto saved = co_await api.create_many("QuoteGenerationComplete__e", std::move(records), false);
    std::vector<Result<void>> results;
    for (size_t i = 0; i < statuses.size(); ++i) {
      if (!saved) {
        results.push_back(Error{Errc::unavailable, saved.error().describe()});
      } else if (i >= saved->size() || !(*saved)[i].success) {
        std::string why = i < saved->size() && !(*saved)[i].errors.empty()
                              ? (*saved)[i].errors.front().message
                              : "no result";
        results.push_back(Error{Errc::unavailable, "publishing the completion event: " + why});
      } else {
        results.push_back(Result<void>{});
      }
    }
    co_return results;
  };
}

asio::awaitable<std::vector<JobOutcome>> quote_jobs(DataApi& api,
                                                    const pricing::PricingEngine& engine,
                                                    std::span<const jobs::Job> jobs,
                                                    const CompletionPublisher& publish,
                                                    BatchStats* stats) {
  std::vector<JobOutcome> outcomes(jobs.size());
  std::vector<quotes::QuoteTask> tasks;
  std::vector<size_t> job_of;  // task → job
  for (size_t j = 0; j < jobs.size(); ++j) {
    for (const auto& id : jobs[j].record_ids) {
      tasks.push_back({.opportunity = id, .key = jobs[j].transaction_key});
      job_of.push_back(j);
    }
  }
  quotes::WriteStats written;
  auto quoted = co_await quotes::quote_opportunities(api, engine, tasks, {}, &written);
  if (stats) {
    stats->opportunities = written.opportunities;
    stats->queries = written.queries;
    stats->graph_requests = written.graph_requests;
  }
  if (!quoted) {
    for (auto& o : outcomes) {
      o.error = "quoting: " + quoted.error().describe();
      o.transient = quoted.error().is_transient();
    }
    co_return outcomes;
  }
  for (size_t t = 0; t < tasks.size(); ++t) {
    const auto& q = (*quoted)[t];
    auto& outcome = outcomes[job_of[t]];
    switch (q.state) {
      case quotes::QuoteOutcome::State::written:
        ++outcome.quotes;
        outcome.lines += q.plan.lines.size();
        break;
      case quotes::QuoteOutcome::State::skipped:
        outcome.skipped.push_back(q.error.message);
        break;
      case quotes::QuoteOutcome::State::failed:
        if (outcome.error.empty()) {
          outcome.error = "quote " + quotes::quote_generation_key(tasks[t].key, q.opportunity) +
                          ": " + q.error.message;
        }
        break;
    }
  }

  // One completion event per job that is done.
  std::vector<std::string> statuses;
  std::vector<size_t> publishing;
  for (size_t j = 0; j < jobs.size(); ++j) {
    auto& outcome = outcomes[j];
    if (!outcome.error.empty()) continue;
    outcome.status = quotes::completion_status(outcome.quotes, outcome.skipped.size());
    statuses.push_back(outcome.status);
    publishing.push_back(j);
  }
  if (!statuses.empty()) {
    auto published = co_await publish(statuses);
    for (size_t k = 0; k < publishing.size(); ++k) {
      auto& outcome = outcomes[publishing[k]];
      if (k < published.size() && published[k]) {
        outcome.success = true;
      } else {
        outcome.error = k < published.size() ? published[k].error().message : "not published";
      }
    }
  }
  co_return outcomes;
}

}  // namespace pe::worker
