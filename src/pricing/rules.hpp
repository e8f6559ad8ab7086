// rules.hpp: the pricing rules, loaded from a JSON file and validated.
//
// Rules are data: a region per billing country with a base discount, discounts per product
// family, volume tiers on the line quantity, deal-size tiers on the opportunity's list total, a
// per-line override, how discounts combine, a cap and a review threshold. The file format is
// documented in docs/pricing-rules.md; config/pricing-rules.example.json is a full example.
// Loading checks everything and reports every problem with the path of the offending entry
// ("regions.EMEA.discount: must be a rate from 0 to 1, not 1.5"), so a bad file never starts a
// worker. label() names the rules by version and by the SHA-256 of their canonical form, so two
// files that mean the same thing have the same label.
//
//   auto rules = load_rules("config/pricing-rules.example.json");
//   if (!rules) { std::cerr << rules.error().message; return 2; }
//   rules->label();   // "rules 2026.11 (sha256:ab12cd34)"
//   auto engine = RulesEngine(std::move(*rules));   // rules_engine.hpp
#pragma once

#include "common/error.hpp"
#include "common/money.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pe::pricing {

enum class Combine : uint8_t {
  additive,     // rate = sum of the rates that fired
  compounding,  // rate = 1 − product of (1 − rate), each product rounded half up to 6 places
};

// A threshold and the discount that applies at or above it.
struct Tier {
  Decimal min;  // a quantity (volume tiers) or an amount (deal-size tiers)
  Decimal discount;
};

struct Region {
  std::string name;
  Decimal discount;
  std::vector<std::string> countries;  // as written in the file
};

struct Family {
  std::string name;  // Product2.Family, matched exactly
  Decimal discount;
  bool own_volume_tiers = false;  // true: volume_tiers replaces the rules' global tiers
  std::vector<Tier> volume_tiers;
};

struct Rules {
  std::string version = "builtin";
  int currency_scale = 2;
  Combine combine = Combine::additive;
  Decimal max_total_discount = Decimal::one();
  Decimal review_threshold = Decimal::one();  // quote discount rate above this: review status

  std::vector<Region> regions;  // at least one
  size_t default_region = 0;    // for empty and unknown countries

  std::vector<Family> families;
  Decimal unknown_family_discount;  // for families not listed (and lines without a family)

  std::vector<Tier> volume_tiers;     // ascending min, min > 0
  std::vector<Tier> deal_size_tiers;  // ascending min

  bool override_enabled = true;  // DiscountOverride__c replaces the rules when present
  bool override_capped = true;   // ... and is still cut to max_total_discount

  int valid_days = 30;
  std::string draft_status = "Draft";
  std::string review_status = "Needs Review";

  // The rules in a canonical JSON form: keys sorted, regions and families by name, numbers as
  // exact decimal strings. Formatting and ordering of the file do not change it.
  std::string canonical_json() const;
  // "sha256:" + the first 8 hex digits of the SHA-256 of canonical_json().
  std::string fingerprint() const;
  // "rules <version> (sha256:ab12cd34)": logged at start and written on every quote.
  std::string label() const;
};

// Parses and validates rules text. Errc::invalid_argument listing every problem, one per line,
// each starting with the path of the entry ("families.Software.volume_tiers[1].min_quantity: ...").
Result<Rules> parse_rules(std::string_view json_text);
// Reads and parses a rules file; the error messages start with the file name.
Result<Rules> load_rules(const std::filesystem::path& path);
// The built-in rules used when PRICING_RULES is unset: one region, no discounts but a 10 %
// base discount (what the samples apply), cap 50 %, review above 30 %.
Rules default_rules();
// The text of the built-in rules, in the file format (for docs and `price --print-default-rules`).
std::string_view default_rules_json();

// Lower-cases ASCII letters and trims spaces, the form country names are matched in.
std::string normalize_country(std::string_view country);

}  // namespace pe::pricing
