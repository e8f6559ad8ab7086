#include "quotes/quote_writer.hpp"

#include "common/json_exact.hpp"
#include "quotes/quote_records.hpp"
#include "salesforce/soql.hpp"
#include "salesforce/unit_of_work.hpp"

#include <openssl/evp.h>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <set>

namespace pe::quotes {

namespace asio = boost::asio;
namespace json = boost::json;
using salesforce::DataApi;
using salesforce::SfResult;

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

// The first Salesforce error of a failed group.
Error group_error(const salesforce::GroupResult& group) {
  if (group.errors.empty()) return Error{Errc::aborted, "rolled back"};
  const auto& e = group.errors.front();
  return Error{e.is_transient() ? Errc::unavailable : Errc::failed_precondition,
               e.error_code + ": " + e.message};
}

// Reads every task's opportunity once: Id → record.
asio::awaitable<SfResult<std::map<SalesforceId, json::object>>> read_opportunities(
    DataApi& api, std::span<const QuoteTask> tasks, const QuoteOptions& options,
    WriteStats* stats) {
  std::set<SalesforceId> unique;
  for (const auto& task : tasks) unique.insert(task.opportunity);
  std::vector<SalesforceId> ids(unique.begin(), unique.end());
  std::string head = std::string(opportunity_soql(options.discount_overrides)) + " WHERE Id IN (";
  auto statements = salesforce::split_in_list(head, ids, ")", salesforce::kMaxSoqlChars, SIZE_MAX);
  std::map<SalesforceId, json::object> records;
  for (const auto& soql : statements) {
    auto result = co_await api.query(soql);
    if (!result) co_return result.error();
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
  co_return records;
}

}  // namespace

asio::awaitable<SfResult<std::vector<QuoteOutcome>>> quote_opportunities(
    DataApi& api, const pricing::PricingEngine& engine, std::span<const QuoteTask> tasks,
    const QuoteOptions& options, WriteStats* stats) {
  std::vector<QuoteOutcome> outcomes(tasks.size());
  auto records = co_await read_opportunities(api, tasks, options, stats);
  if (!records) co_return records.error();

  salesforce::UnitOfWork work;
  struct Planned {
    size_t task;
    salesforce::NodeRef quote;
    std::string group;
  };
  std::vector<Planned> planned;
  std::map<std::string, size_t> first_of_group;    // group → the task that writes it
  std::vector<std::pair<size_t, size_t>> repeats;  // a task listed again → its first
  for (size_t t = 0; t < tasks.size(); ++t) {
    const auto& task = tasks[t];
    auto& outcome = outcomes[t];
    outcome.opportunity = task.opportunity;
    outcome.state = QuoteOutcome::State::skipped;
    auto found = records->find(task.opportunity);
    if (found == records->end()) {
      outcome.error = Error{Errc::not_found, "opportunity " + std::string(task.opportunity.str()) +
                                                 " was not found (deleted, or not visible to "
                                                 "the user)"};
      continue;
    }
    auto opportunity = opportunity_from_record(found->second);
    if (!opportunity) {
      outcome.error = Error{Errc::failed_precondition, opportunity.error().message};
      continue;
    }
    engine.price_into(*opportunity, outcome.plan);
    if (outcome.plan.status == pricing::QuoteStatus::skipped) {
      outcome.error =
          Error{Errc::failed_precondition, "opportunity " + std::string(task.opportunity.str()) +
                                               " cannot be quoted: " + outcome.plan.skip_reason};
      continue;
    }
    std::string group = quote_generation_key(task.key, task.opportunity);
    if (auto [first, added] = first_of_group.emplace(group, t); !added) {
      // The same opportunity twice under one key: one quote, written once, shared.
      repeats.emplace_back(t, first->second);
      continue;
    }
    auto quote = work.upsert(group, "Quote", "GenerationKey__c", group,
                             quote_fields(outcome.plan, task.key, today()));
    for (size_t i = 0; i < outcome.plan.lines.size(); ++i) {
      std::string why = join(engine.explain(outcome.plan, i), "; ");
      auto line = quote_line_fields(outcome.plan, *opportunity, i, task.key, why);
      line["QuoteId"] = salesforce::UnitOfWork::id_of(quote);
      auto key = line_generation_key(task.key, task.opportunity, opportunity->lines[i].id);
      work.upsert(group, "QuoteLineItem", "GenerationKey__c", key, std::move(line));
      outcome.reasons.push_back(std::move(why));
    }
    outcome.input = std::move(*opportunity);
    outcome.state = QuoteOutcome::State::failed;  // until the write says otherwise
    planned.push_back({t, quote, std::move(group)});
  }

  if (!work.empty()) {
    auto committed = co_await work.commit(api);
    if (!committed) co_return committed.error();
    if (stats) stats->graph_requests = committed->requests;
    for (const auto& p : planned) {
      auto& outcome = outcomes[p.task];
      const auto& group = committed->groups[p.group];
      if (!group.success) {
        outcome.error = group_error(group);
        continue;
      }
      outcome.state = QuoteOutcome::State::written;
      outcome.quote_id = committed->nodes[p.quote.index].id;
      outcome.created = committed->nodes[p.quote.index].created;
    }
  }
  for (const auto& [repeat, first] : repeats) outcomes[repeat] = outcomes[first];
  co_return outcomes;
}

json::object quote_json(const QuoteOutcome& outcome) {
  const auto& plan = outcome.plan;
  const int scale = plan.currency_scale;
  json::array lines;
  for (size_t i = 0; i < plan.lines.size() && i < outcome.input.lines.size(); ++i) {
    const auto& in = outcome.input.lines[i];
    const auto& priced = plan.lines[i];
    auto percent = priced.discount_rate.multiply(Decimal::from_units(100 * Decimal::kUnitsPerOne));
    json::object line{{"opportunityLineItemId", in.id.str()},
                      {"product2Id", in.product2_id.is_null() ? json::value(nullptr)
                                                              : json::value(in.product2_id.str())},
                      {"quantity", in.quantity.to_json(Decimal::kScale)},
                      {"listPrice", priced.list_price.to_json(scale)},
                      {"unitPrice", priced.unit_price.to_json(scale)},
                      {"totalPrice", priced.total.to_json(scale)},
                      {"discountPercent", percent ? percent->to_json(4) : json::value(nullptr)},
                      {"reason", i < outcome.reasons.size() ? outcome.reasons[i] : std::string()}};
    lines.push_back(std::move(line));
  }
  auto percent = plan.discount_rate.multiply(Decimal::from_units(100 * Decimal::kUnitsPerOne));
  return json::object{{"quoteId", outcome.quote_id.str()},
                      {"opportunityId", outcome.opportunity.str()},
                      {"name", plan.name},
                      {"status", plan.status_label},
                      {"subtotal", plan.subtotal.to_json(scale)},
                      {"discount", plan.discount.to_json(scale)},
                      {"discountPercent", percent ? percent->to_json(4) : json::value(nullptr)},
                      {"totalPrice", plan.total.to_json(scale)},
                      {"lines", std::move(lines)}};
}

std::string invocation_key(const SalesforceId& org, std::string_view request_id) {
  std::string input = std::string(org.str()) + "\n" + std::string(request_id);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = "inv-";
  for (unsigned int i = 0; i < 16; ++i) {
    key += kHex[digest[i] >> 4];
    key += kHex[digest[i] & 15];
  }
  return key;
}

bool is_missing_field_access(const salesforce::SalesforceError& error, std::string_view field) {
  return error.error_code == "INVALID_FIELD" &&
         error.message.find("No such column '" + std::string(field) + "'") != std::string::npos;
}

}  // namespace pe::quotes
