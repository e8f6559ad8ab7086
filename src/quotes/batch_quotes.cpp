#include "quotes/batch_quotes.hpp"

#include "common/csv.hpp"
#include "common/json_text.hpp"
#include "quotes/quote_records.hpp"
#include "salesforce/bulk_api.hpp"
#include "salesforce/soql.hpp"

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

std::string subject(const SalesforceId& opportunity) {
  return "opportunity " + std::string(opportunity.str());
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += "; ";
    out += part;
  }
  return out;
}

std::string cell(const json::value& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return std::string(v.as_string());
  return json_text(v);
}

// Rows of one object, all with the same columns (those of the first row, in its order).
class CsvRows {
 public:
  void add(const json::object& row) {
    if (columns_.empty()) {
      for (const auto& kv : row) columns_.emplace_back(kv.key());
      csv_.row(columns_);
    }
    values_.assign(columns_.size(), std::string());
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (const auto* v = row.if_contains(columns_[c])) values_[c] = cell(*v);
    }
    csv_.row(values_);
    ++rows_;
  }
  size_t rows() const { return rows_; }
  const std::vector<std::string>& columns() const { return columns_; }
  std::string take() { return csv_.take(); }

 private:
  CsvWriter csv_{',', "\n"};
  std::vector<std::string> columns_;
  std::vector<std::string> values_;
  size_t rows_ = 0;
};

// "<key>:<Opportunity Id>[:<line Id>]" → the opportunity.
std::optional<SalesforceId> opportunity_of_key(std::string_view key, std::string_view job_key) {
  if (key.size() < job_key.size() + 19 || key.substr(0, job_key.size()) != job_key) return {};
  auto id = SalesforceId::parse(key.substr(job_key.size() + 1, 18));
  if (!id) return {};
  return *id;
}

std::string value_at(const salesforce::IngestRow& row, const std::vector<std::string>& columns,
                     std::string_view column) {
  for (size_t c = 0; c < columns.size() && c < row.values.size(); ++c) {
    if (columns[c] == column) return row.values[c];
  }
  return {};
}

asio::awaitable<SfResult<ChunkResult>> by_graph(DataApi& api, const pricing::PricingEngine& engine,
                                                std::span<const SalesforceId> ids,
                                                const std::string& key,
                                                const QuoteOptions& options) {
  std::vector<QuoteTask> tasks;
  tasks.reserve(ids.size());
  for (const auto& id : ids) tasks.push_back({.opportunity = id, .key = key});
  auto outcomes = co_await quote_opportunities(api, engine, tasks, options);
  if (!outcomes) co_return outcomes.error();
  ChunkResult result;
  for (const auto& outcome : *outcomes) {
    ++result.done;
    switch (outcome.state) {
      case QuoteOutcome::State::written:
        ++result.quotes;
        break;
      case QuoteOutcome::State::skipped:
        if (outcome.error.code == Errc::not_found) {
          ++result.failed;
          result.errors.push_back({subject(outcome.opportunity), outcome.error.message});
        } else {
          ++result.skipped;
        }
        break;
      case QuoteOutcome::State::failed:
        ++result.failed;
        result.errors.push_back({subject(outcome.opportunity), outcome.error.message});
        break;
    }
  }
  co_return result;
}

asio::awaitable<SfResult<ChunkResult>> by_bulk(DataApi& api, const pricing::PricingEngine& engine,
                                               std::span<const SalesforceId> ids,
                                               const std::string& key,
                                               const QuoteOptions& options) {
  ChunkResult result;
  CsvRows quotes;
  CsvRows lines;
  std::set<SalesforceId> found;
  pricing::QuotePlan plan;
  std::string head = std::string(opportunity_soql(options.discount_overrides)) + " WHERE Id IN (";
  auto statements = salesforce::split_in_list(head, ids, ")", salesforce::kMaxSoqlChars, SIZE_MAX);
  for (const auto& soql : statements) {
    auto page = co_await api.query_page(soql);
    while (true) {
      if (!page) co_return page.error();
      for (const auto& value : page->records) {
        if (!value.is_object()) continue;
        auto opportunity = opportunity_from_record(value.as_object());
        if (!opportunity) {
          auto id = SalesforceId::parse(salesforce::text_field(value.as_object(), "Id"));
          if (id) {
            found.insert(*id);
            ++result.failed;
            result.errors.push_back({subject(*id), opportunity.error().message});
          }
          continue;
        }
        found.insert(opportunity->id);
        engine.price_into(*opportunity, plan);
        if (plan.status == pricing::QuoteStatus::skipped) {
          ++result.skipped;
          continue;
        }
        auto quote = quote_fields(plan, key, today());
        quotes.add(quote);
        for (size_t i = 0; i < plan.lines.size(); ++i) {
          auto line = quote_line_fields(plan, *opportunity, i, key, join(engine.explain(plan, i)));
          // The parent by its external id: the lines need no Quote Ids.
          line["Quote.GenerationKey__c"] = quote.at("GenerationKey__c");
          lines.add(line);
        }
      }
      if (page->done || page->next_records_url.empty()) break;
      auto next = page->next_records_url;
      page = co_await api.query_more(next);
    }
  }
  result.done = static_cast<int64_t>(ids.size());
  for (const auto& id : ids) {
    if (!found.contains(id)) {
      ++result.failed;
      result.errors.push_back({subject(id), "was not found (deleted, or not visible to the user)"});
    }
  }
  if (quotes.rows() == 0) co_return result;

  salesforce::BulkApi bulk(api);
  std::map<SalesforceId, std::string> failed;  // opportunity → why
  const auto quote_rows = static_cast<int64_t>(quotes.rows());
  auto quote_columns = quotes.columns();
  salesforce::IngestJob quote_job{
      .object = "Quote", .operation = "upsert", .external_id_field = "GenerationKey__c"};
  auto written = co_await bulk.ingest_csv(quote_job, quotes.take(), quote_columns,
                                          {.successful = false, .unprocessed = false});
  if (!written) co_return written.error();
  for (const auto& row : written->failed) {
    if (auto opp = opportunity_of_key(value_at(row, quote_columns, "GenerationKey__c"), key)) {
      failed.emplace(*opp, "Quote: " + row.error);
    }
  }
  std::set<SalesforceId> broken;  // quotes written whose lines did not all make it
  if (lines.rows() > 0) {
    auto line_columns = lines.columns();
    salesforce::IngestJob line_job{
        .object = "QuoteLineItem", .operation = "upsert", .external_id_field = "GenerationKey__c"};
    auto lines_written = co_await bulk.ingest_csv(line_job, lines.take(), line_columns,
                                                  {.successful = false, .unprocessed = false});
    if (!lines_written) co_return lines_written.error();
    for (const auto& row : lines_written->failed) {
      auto opp = opportunity_of_key(value_at(row, line_columns, "GenerationKey__c"), key);
      if (!opp || failed.contains(*opp)) continue;
      failed.emplace(*opp, "QuoteLineItem: " + row.error);
      broken.insert(*opp);
    }
  }
  if (!broken.empty()) {
    auto successful = co_await bulk.successful_results(written->job_id);
    if (!successful) co_return successful.error();
    std::vector<SalesforceId> doomed;
    for (const auto& row : *successful) {
      auto opp = opportunity_of_key(value_at(row, quote_columns, "GenerationKey__c"), key);
      auto id = SalesforceId::parse(row.id);
      if (opp && id && broken.contains(*opp)) doomed.push_back(*id);
    }
    auto removed = co_await api.remove_many(doomed, false);
    if (!removed) co_return removed.error();
  }
  for (const auto& [opp, why] : failed) {
    ++result.failed;
    result.errors.push_back({subject(opp), why});
  }
  result.quotes = quote_rows - static_cast<int64_t>(failed.size());
  co_return result;
}

}  // namespace

std::string batch_job_key(std::string_view job_id) { return "job-" + std::string(job_id); }

asio::awaitable<SfResult<ChunkResult>> quote_chunk(DataApi& api,
                                                   const pricing::PricingEngine& engine,
                                                   std::span<const SalesforceId> ids,
                                                   const std::string& key, WritePath path,
                                                   const QuoteOptions& options) {
  uint64_t before = api.requests();
  SfResult<ChunkResult> result = ChunkResult{};
  if (path == WritePath::bulk) {
    result = co_await by_bulk(api, engine, ids, key, options);
  } else {
    result = co_await by_graph(api, engine, ids, key, options);
  }
  if (result) result->requests = api.requests() - before;
  co_return result;
}

}  // namespace pe::quotes
