// org_action.hpp: what the sync org actions (web) and the async ones (worker) share — the
// answer for a list of quoted opportunities, the callback body, and what a Salesforce failure
// means to the invoking user.
//
// A Salesforce error becomes an Error the caller can act on: the invoking user lacking field-level
// access to DiscountOverride__c → permission_denied naming the permission set that grants it
// (never a 500); an invalid session → unauthenticated; 5xx, 429, timeouts → unavailable; another
// refusal → failed_precondition with Salesforce's code and message (it holds no token).
//
//   auto outcomes = co_await quote_opportunities(api, engine, tasks, options);
//   if (!outcomes) return json_error(req, invocation_error(outcomes.error()));
//   auto body = batch_answer(*outcomes);   // {"results": [...], "summary": {...}}
#pragma once

#include "common/error.hpp"
#include "quotes/quote_writer.hpp"
#include "salesforce/salesforce_error.hpp"

#include <boost/json/object.hpp>

#include <span>
#include <string_view>

namespace pe::quotes {

// The session permission set that grants read access to OpportunityLineItem.DiscountOverride__c
// (src-org/, api-docs.yaml x-sfdc).
inline constexpr std::string_view kElevationPermissionSet = "GenerateQuotePermissions";

Error invocation_error(const salesforce::SalesforceError& error);

// {"results": [{"opportunityId", "success", "quote" | "error": {"code", "message"}}],
//  "summary": {"total", "succeeded", "failed"}}
boost::json::object batch_answer(std::span<const QuoteOutcome> outcomes);

// The async operation's callback body (api-docs.yaml, quoteGenerationStatus):
// {"jobId", "status": succeeded | partially_failed | failed, "quotes": [...], "summary",
//  "errors": [{"opportunityId", "code", "message"}]}. `failure`: the whole job failed (no
// outcomes), with this error for every opportunity.
boost::json::object callback_body(std::string_view job_id, std::span<const QuoteOutcome> outcomes,
                                  std::span<const SalesforceId> opportunities,
                                  const Error* failure = nullptr);

}  // namespace pe::quotes
