// quote_records.hpp: the translation between Salesforce records and the pricing engine.
//
// In: the records of opportunity_soql() (an Opportunity with its Account fields and its
// OpportunityLineItems) become pricing::Opportunity values, money read exactly (the query answer
// must be parsed with parse_json_exact, json_exact.hpp). Out: a QuotePlan becomes the fields of
// one Quote and its QuoteLineItems, each carrying a generation key so that writing them by
// upsert on GenerationKey__c is idempotent: a retried or reclaimed job rewrites the same records
// instead of adding new ones.
//
// Generation keys: "<transactionKey>:<Opportunity Id>" for the
// Quote, "<transactionKey>:<Opportunity Id>:<OpportunityLineItem Id>" for each line, with
// 18-character Ids. A new transaction that changes the same opportunity gets a new quote, as
// the Node.js sample does; the same transaction never gets two.
//
// The quote's lines carry the discounted unit price (rounded once by the engine) and no Discount,
// so that Salesforce's own TotalPrice (Quantity × UnitPrice, rounded to cents) equals the
// engine's line total exactly.
//
//   auto opp = opportunity_from_record(record);            // Result<pricing::Opportunity>
//   auto plan = engine.price(*opp);
//   auto quote = quote_fields(plan, tx_key, today);         // {"Name", "OpportunityId", ...}
//   auto line = quote_line_fields(plan, *opp, 0, tx_key, "region EMEA 5%");
#pragma once

#include "common/error.hpp"
#include "common/sfid.hpp"
#include "pricing/opportunity.hpp"
#include "pricing/quote_plan.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <span>
#include <string>
#include <string_view>

namespace pe::quotes {

// "SELECT Id, Name, Pricebook2Id, ... FROM Opportunity": add " WHERE Id IN (...)". With
// discount_overrides, the lines' DiscountOverride__c is read too (the reading user needs
// field-level access to it).
std::string_view opportunity_soql(bool discount_overrides = true);

// One record of opportunity_soql(). Errors (Errc::invalid_argument) name the record and the
// field: a missing or malformed Id, a quantity or price that is not a number. Values the engine
// judges (a zero quantity, no price book) are passed on for it to skip with a reason.
Result<pricing::Opportunity> opportunity_from_record(const boost::json::object& record);

std::string quote_generation_key(std::string_view transaction_key, const SalesforceId& opportunity);
std::string line_generation_key(std::string_view transaction_key, const SalesforceId& opportunity,
                                const SalesforceId& line);

// Quote fields for an upsert on GenerationKey__c: Name, OpportunityId, Pricebook2Id,
// ExpirationDate (today + valid_days), Status, Description (the engine's version, truncated to
// 255 characters by the caller's org limit: 32,000 for Quote.Description), GenerationKey__c.
boost::json::object quote_fields(const pricing::QuotePlan& plan, std::string_view transaction_key,
                                 std::chrono::sys_days today);

// QuoteLineItem fields for line i (QuoteId is the caller's: a reference to the quote being
// written): PricebookEntryId, Product2Id, Quantity, UnitPrice, Description (`why`, cut to 255),
// GenerationKey__c.
boost::json::object quote_line_fields(const pricing::QuotePlan& plan,
                                      const pricing::Opportunity& opportunity, size_t i,
                                      std::string_view transaction_key, std::string_view why);

// What a job did, in QuoteGenerationComplete__e.Status__c: "Quotes Generated: 50", with
// ", Skipped: 2" when some opportunities could not be quoted.
std::string completion_status(size_t quotes, size_t skipped);

}  // namespace pe::quotes
