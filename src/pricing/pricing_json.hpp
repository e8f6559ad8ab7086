// pricing_json.hpp: opportunities from JSON and quote plans to JSON or a table.
//
// The `price` subcommand's formats (docs/pricing-rules.md, "Trying rules"): input is
// {"opportunities": [...]} (or the bare array) with snake_case fields mirroring opportunity.hpp;
// output is the quote plans with the rules that fired, as JSON (one quote per line, exact
// decimals) or as a table for people. Input is checked completely: every problem is reported
// with its JSON path ("opportunities[3].lines[0].quantity: must be positive, not 0"), at most
// 20 of them. Numbers are read exactly (parse_json_exact) and may also be given as strings.
//
//   auto opportunities = opportunities_from_json(text);
//   if (!opportunities) { std::cerr << opportunities.error().message << "\n"; return 2; }
//   std::vector<QuotePlan> plans;
//   engine.price_batch(*opportunities, plans);
//   std::string out;
//   write_quotes_json(engine, *opportunities, plans, out);
#pragma once

#include "common/error.hpp"
#include "pricing/opportunity.hpp"
#include "pricing/pricing_engine.hpp"
#include "pricing/quote_plan.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pe::pricing {

// Errc::invalid_argument with one problem per line, each prefixed by its JSON path.
Result<std::vector<Opportunity>> opportunities_from_json(std::string_view text);

// The inverse of opportunities_from_json (for generated test data and tools).
void write_opportunities_json(std::span<const Opportunity> opportunities, std::string& out);

// {"engine": ..., "quotes": [...], "skipped": [...]}; plans[i] is the plan of opportunities[i].
void write_quotes_json(const PricingEngine& engine, std::span<const Opportunity> opportunities,
                       std::span<const QuotePlan> plans, std::string& out);

// The same as a table for people.
void write_quotes_table(const PricingEngine& engine, std::span<const Opportunity> opportunities,
                        std::span<const QuotePlan> plans, std::string& out);

}  // namespace pe::pricing
