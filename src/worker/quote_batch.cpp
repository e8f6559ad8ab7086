#include "worker/quote_batch.hpp"

#include "common/json_exact.hpp"
#include "salesforce/soql.hpp"
#include "salesforce/unit_of_work.hpp"
#include "worker/quote_records.hpp"

#include <boost/json/value.hpp>

#include <map>
#include <set>

namespace pe::worker {

namespace asio = boost::asio;
namespace json = boost::json;
using salesforce::DataApi;

namespace {

std::chrono::sys_days today() {
  return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// An opportunity of one job, priced, with the unit-of-work group it was written in.
struct Planned {
  size_t job;
  std::string group;
};

// The first Salesforce error of a failed group, as one line.
std::string describe(const salesforce::GroupResult& group) {
  if (group.errors.empty()) return "rolled back";
  const auto& e = group.errors.front();
  return e.error_code + ": " + e.message;
}

}  // namespace

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
  auto fail_all = [&](const std::string& error, bool transient) {
    for (auto& o : outcomes) {
      if (o.error.empty()) {
        o.success = false;
        o.error = error;
        o.transient = transient;
      }
    }
  };

  // 1. Read every opportunity once, in as few statements as the limits allow.
  std::set<SalesforceId> unique;
  for (const auto& job : jobs) unique.insert(job.record_ids.begin(), job.record_ids.end());
  std::vector<SalesforceId> ids(unique.begin(), unique.end());
  std::string head = std::string(opportunity_soql()) + " WHERE Id IN (";
  auto statements = salesforce::split_in_list(head, ids, ")", salesforce::kMaxSoqlChars, SIZE_MAX);
  std::map<SalesforceId, json::object> records;
  for (const auto& soql : statements) {
    auto result = co_await api.query(soql);
    if (!result) {
      fail_all("reading the opportunities: " + result.error().describe(),
               result.error().is_transient());
      co_return outcomes;
    }
    for (auto& record : result->records) {
      if (!record.is_object()) continue;
      auto id = SalesforceId::parse(salesforce::text_field(record.as_object(), "Id"));
      if (id) records.emplace(*id, std::move(record.as_object()));
    }
  }
  if (stats) {
    stats->opportunities = ids.size();
    stats->queries = statements.size();
  }

  // 2. Price each job's opportunities and register their quotes.
  salesforce::UnitOfWork work;
  std::vector<Planned> planned;
  pricing::QuotePlan plan;
  for (size_t j = 0; j < jobs.size(); ++j) {
    const auto& job = jobs[j];
    for (const auto& id : job.record_ids) {
      auto found = records.find(id);
      if (found == records.end()) {
        outcomes[j].skipped.push_back(std::string(id.str()) + ": not found (deleted?)");
        continue;
      }
      auto opportunity = opportunity_from_record(found->second);
      if (!opportunity) {
        outcomes[j].skipped.push_back(opportunity.error().message);
        continue;
      }
      engine.price_into(*opportunity, plan);
      if (plan.status == pricing::QuoteStatus::skipped) {
        outcomes[j].skipped.push_back(std::string(id.str()) + ": " + plan.skip_reason);
        continue;
      }
      std::string group = quote_generation_key(job.transaction_key, id);
      auto quote = work.upsert(group, "Quote", "GenerationKey__c", group,
                               quote_fields(plan, job.transaction_key, today()));
      for (size_t i = 0; i < plan.lines.size(); ++i) {
        auto line = quote_line_fields(plan, *opportunity, i, job.transaction_key,
                                      join(engine.explain(plan, i), "; "));
        line["QuoteId"] = salesforce::UnitOfWork::id_of(quote);
        auto key = line_generation_key(job.transaction_key, id, opportunity->lines[i].id);
        work.upsert(group, "QuoteLineItem", "GenerationKey__c", key, std::move(line));
      }
      outcomes[j].lines += plan.lines.size();
      planned.push_back({j, std::move(group)});
    }
  }

  // 3. Write them all.
  if (!work.empty()) {
    auto committed = co_await work.commit(api);
    if (!committed) {
      fail_all("writing the quotes: " + committed.error().describe(),
               committed.error().is_transient());
      co_return outcomes;
    }
    if (stats) stats->graph_requests = committed->requests;
    for (const auto& p : planned) {
      const auto& group = committed->groups[p.group];
      auto& outcome = outcomes[p.job];
      if (group.success) {
        ++outcome.quotes;
      } else if (outcome.error.empty()) {
        outcome.error = "quote " + p.group + ": " + describe(group);
      }
    }
  }

  // 4. One completion event per job that is done.
  std::vector<std::string> statuses;
  std::vector<size_t> publishing;
  for (size_t j = 0; j < jobs.size(); ++j) {
    auto& outcome = outcomes[j];
    if (!outcome.error.empty()) continue;
    outcome.status = completion_status(outcome.quotes, outcome.skipped.size());
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
