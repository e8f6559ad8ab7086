// batch_quotes.hpp: one chunk of a batch quote job (pattern 3): read its opportunities, price
// them, write their quotes, by one of two write paths (docs/batch-jobs.md):
//
//   graph  quote_opportunities() (quote_writer.hpp): Composite Graph, 500 nodes a request, each
//          quote and its lines one all-or-none group. Latency first: a 2,000-opportunity chunk
//          with 3 lines each is 1 read and 16 graph requests.
//   bulk   Bulk API 2.0, API budget first: the chunk's rows are read page by page and written as
//          CSV as they are priced (no JSON object per row is kept), then two ingest jobs: upsert
//          Quote on GenerationKey__c, then upsert QuoteLineItem on GenerationKey__c with the
//          relationship column Quote.GenerationKey__c, so the lines need no Quote Ids. About 5
//          requests a job whatever its size (create, upload, close, a poll or more, failedResults).
//          A quote some of whose lines failed is deleted again (its Ids come from
//          successfulResults, read only then), so no quote stands without all its lines; its
//          opportunity is failed with the line's error.
//
// Both use the job's generation keys ("job-<jobId>:<Opportunity Id>[:<line Id>]"): a chunk run
// again, after a reclaim or a retry, rewrites its quotes and lines, never adds to them.
// A Salesforce failure of the whole read or write (transport, 5xx after the retries, an ended
// session) is the call's error: the caller retries the chunk; what concerns one opportunity is in
// the result.
//
//   auto result = co_await quote_chunk(api, engine, ids, "job-" + id, WritePath::bulk, options);
//   result->quotes, result->failed, result->errors[0].subject == "opportunity 006..."
#pragma once

#include "pricing/pricing_engine.hpp"
#include "quotes/quote_writer.hpp"
#include "salesforce/data_api.hpp"

#include <boost/asio/awaitable.hpp>

#include <span>
#include <string>
#include <vector>

namespace pe::quotes {

enum class WritePath { graph, bulk };

struct ChunkError {
  std::string subject;  // "opportunity 006..."
  std::string message;
};

struct ChunkResult {
  int64_t done = 0;     // opportunities the chunk dealt with (found or not)
  int64_t quotes = 0;   // quotes written
  int64_t skipped = 0;  // cannot be quoted (no lines, no price book)
  int64_t failed = 0;   // not found, or Salesforce refused the write
  std::vector<ChunkError> errors;
  uint64_t requests = 0;  // Salesforce requests the chunk took
};

// The generation key part of a batch job.
std::string batch_job_key(std::string_view job_id);

boost::asio::awaitable<salesforce::SfResult<ChunkResult>> quote_chunk(
    salesforce::DataApi& api, const pricing::PricingEngine& engine,
    std::span<const SalesforceId> ids, const std::string& key, WritePath path,
    const QuoteOptions& options);

}  // namespace pe::quotes
