// quote_writer.hpp: what every pattern does with an opportunity — read it with its lines and
// account, price it, write its Quote and QuoteLineItems — in one place, called by the eventing
// worker, the async org actions (worker) and the sync org actions (web).
//
// quote_opportunities() takes tasks (an opportunity and the key of what caused it: a CDC
// transaction, an invocation, a job) and does three things, each coalesced:
//   1. one query statement per ~100,000 characters of Ids reads every opportunity once
//      (salesforce::split_in_list; long statements travel inside Composite);
//   2. the pricing engine prices each;
//   3. one unit of work writes them all (Composite Graph, 500 nodes a request), each quote and its
//      lines one all-or-none group, upserted on generation keys derived from (key, opportunity,
//      line): a retried task rewrites its quote, never adds a second; an orphan Quote without its
//      lines cannot happen.
// Each task gets its own outcome: written (with the quote's Id and what was priced), skipped (not
// found: not_found; no lines, no price book: failed_precondition; with the reason) or failed (its
// group's Salesforce error). A failure of the whole read or of the write request comes back as the
// call's error instead, so the caller can tell "this opportunity" from "Salesforce".
//
//   std::vector<QuoteTask> tasks{{.opportunity = id, .key = invocation_key(org, request_id)}};
//   auto outcomes = co_await quote_opportunities(api, engine, tasks, {.discount_overrides = on});
//   if (outcomes && (*outcomes)[0].state == QuoteOutcome::State::written)
//     respond(quote_json((*outcomes)[0]));
#pragma once

#include "common/error.hpp"
#include "common/sfid.hpp"
#include "pricing/opportunity.hpp"
#include "pricing/pricing_engine.hpp"
#include "pricing/quote_plan.hpp"
#include "salesforce/data_api.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pe::quotes {

struct QuoteTask {
  SalesforceId opportunity;
  std::string key;  // the generation keys' first part: what caused this quote
};

struct QuoteOutcome {
  enum class State { written, skipped, failed };
  SalesforceId opportunity;
  State state = State::failed;
  Error error;  // skipped or failed: why
  SalesforceId quote_id;
  bool created = false;  // false: an earlier run of the same task had written it
  pricing::Opportunity input;
  pricing::QuotePlan plan;
  std::vector<std::string> reasons;  // per line, which rules set its discount
};

struct QuoteOptions {
  // Read OpportunityLineItem.DiscountOverride__c (PRICING_DISCOUNT_OVERRIDES). The invoking user
  // needs field-level access to it, else the read fails with INVALID_FIELD.
  bool discount_overrides = true;
};

struct WriteStats {
  size_t opportunities = 0;  // distinct opportunities read
  size_t queries = 0;        // query statements
  size_t graph_requests = 0;
};

boost::asio::awaitable<salesforce::SfResult<std::vector<QuoteOutcome>>> quote_opportunities(
    salesforce::DataApi& api, const pricing::PricingEngine& engine,
    std::span<const QuoteTask> tasks, const QuoteOptions& options = {},
    WriteStats* stats = nullptr);

// A written quote as the org actions answer it (api-docs.yaml, QuoteGenerationResponse):
// quoteId, opportunityId, name, status, subtotal, discount, discountPercent, totalPrice, lines.
boost::json::object quote_json(const QuoteOutcome& outcome);

// The generation key part of an invocation: "inv-" and 32 hex digits of SHA-256 over the org and
// the invocation's request id (a request id may be long; the key must fit GenerationKey__c).
std::string invocation_key(const SalesforceId& org, std::string_view request_id);

// True when a Salesforce error is the invoking user lacking field-level access to a field the
// read needs (INVALID_FIELD "No such column 'F' ..."): the org actions answer 403 for it.
bool is_missing_field_access(const salesforce::SalesforceError& error, std::string_view field);

}  // namespace pe::quotes
