// price_command.hpp: `pricing-engine price`, pricing without an org.
//
// A pricing analyst tries rules on opportunities given as JSON and reads the quote plans:
//   pricing-engine price --rules config/pricing-rules.example.json --input opps.json
//   pricing-engine price --format table < opps.json
// Only the result goes to stdout; every problem (bad rules, bad input with its JSON path) goes
// to stderr and the exit code is 2. main.cpp parses the flags and calls run_price().
#pragma once

#include "common/config.hpp"

#include <iosfwd>
#include <string>

namespace pe::pricing {

struct PriceOptions {
  std::string rules_path;       // --rules; empty: PRICING_RULES, else the built-in rules
  std::string input_path;       // --input; empty or "-": stdin
  std::string format = "json";  // --format json|table
  std::string engine;           // --engine; empty: PRICING_ENGINE, else "rules"
};

// 0 when priced (even if some opportunities were skipped; the output lists them), 2 for bad
// rules, bad input or an unknown engine.
int run_price(const PriceOptions& options, const Env& env, std::istream& in, std::ostream& out,
              std::ostream& err);

}  // namespace pe::pricing
