// sample_data.hpp: deterministic generated opportunities, for tests, benchmarks and demos.
//
// The same seed gives the same opportunities on every platform and compiler: the generator
// draws from std::mt19937_64 (fully specified) and never from std::*_distribution (whose output
// the standard leaves to the library). The golden-file test and the benchmark both use it, so
// the benchmark prices the same kind of data the tests check.
//
//   auto shape = sample_shape_for(rules);            // every region and family of the rules
//   auto opportunities = generate_opportunities(42, 1000, shape);
#pragma once

#include "pricing/opportunity.hpp"
#include "pricing/rules.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace pe::pricing {

struct SampleShape {
  std::vector<std::string> countries;  // billing countries, as written on accounts
  std::vector<std::string> families;   // product families
  int min_lines = 1;
  int max_lines = 8;
  // Adds what real data has: unknown and blank countries and families, odd spacing and case,
  // fractional and large quantities, overrides, opportunities without a price book or lines.
  bool edge_cases = true;
};

// Countries of every region and every family of the rules.
SampleShape sample_shape_for(const Rules& rules);

std::vector<Opportunity> generate_opportunities(uint64_t seed, size_t count,
                                                const SampleShape& shape);

}  // namespace pe::pricing
