// rules.cpp: the canonical form, fingerprint and label of Rules, and the built-in rules.
// Parsing and validation of the file format live in rules_parse.cpp.
#include "pricing/rules.hpp"

#include <openssl/evp.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <stdexcept>

namespace pe::pricing {
namespace {

constexpr std::string_view kDefaultRules = R"({
  "version": "builtin-1",
  "currency_scale": 2,
  "combine": "additive",
  "max_total_discount": 0.5,
  "review_threshold": 0.3,
  "default_region": "ALL",
  "regions": {
    "ALL": {"discount": 0.10, "countries": []}
  },
  "families": {},
  "volume_tiers": [],
  "deal_size_tiers": [],
  "discount_override": {"enabled": true, "capped": true},
  "quote": {"valid_days": 30, "draft_status": "Draft", "review_status": "Needs Review"}
}
)";

boost::json::array tiers_json(const std::vector<Tier>& tiers, std::string_view min_key) {
  boost::json::array out;
  for (const auto& t : tiers) {
    boost::json::object o;
    o["discount"] = t.discount.to_string();
    o[min_key] = t.min.to_string();
    out.push_back(std::move(o));
  }
  return out;
}

template <class T>
std::vector<const T*> sorted_by_name(const std::vector<T>& items) {
  std::vector<const T*> out;
  for (const auto& item : items) out.push_back(&item);
  std::sort(out.begin(), out.end(), [](const T* a, const T* b) { return a->name < b->name; });
  return out;
}

}  // namespace

std::string normalize_country(std::string_view country) {
  while (!country.empty() && (country.front() == ' ' || country.front() == '\t')) {
    country.remove_prefix(1);
  }
  while (!country.empty() && (country.back() == ' ' || country.back() == '\t')) {
    country.remove_suffix(1);
  }
  std::string out(country);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Rules::canonical_json() const {
  // Keys are inserted in sorted order; boost::json::object keeps insertion order.
  boost::json::object root;
  root["combine"] = combine == Combine::additive ? "additive" : "compounding";
  root["currency_scale"] = currency_scale;
  root["deal_size_tiers"] = tiers_json(deal_size_tiers, "min_total");
  root["default_region"] = regions.at(default_region).name;
  root["discount_override"] = {{"capped", override_capped}, {"enabled", override_enabled}};
  boost::json::object families_json;
  for (const Family* f : sorted_by_name(families)) {
    boost::json::object o;
    o["discount"] = f->discount.to_string();
    if (f->own_volume_tiers) o["volume_tiers"] = tiers_json(f->volume_tiers, "min_quantity");
    families_json[f->name] = std::move(o);
  }
  root["families"] = std::move(families_json);
  root["max_total_discount"] = max_total_discount.to_string();
  root["quote"] = {
      {"draft_status", draft_status}, {"review_status", review_status}, {"valid_days", valid_days}};
  boost::json::object regions_json;
  for (const Region* r : sorted_by_name(regions)) {
    std::vector<std::string> countries;
    for (const auto& c : r->countries) countries.push_back(normalize_country(c));
    std::sort(countries.begin(), countries.end());
    boost::json::array list;
    for (auto& c : countries) list.emplace_back(c);
    regions_json[r->name] = {{"countries", std::move(list)}, {"discount", r->discount.to_string()}};
  }
  root["regions"] = std::move(regions_json);
  root["review_threshold"] = review_threshold.to_string();
  root["unknown_family_discount"] = unknown_family_discount.to_string();
  root["version"] = version;
  root["volume_tiers"] = tiers_json(volume_tiers, "min_quantity");
  return boost::json::serialize(root);
}

std::string Rules::fingerprint() const {
  std::string text = canonical_json();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < 4 && i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

std::string Rules::label() const { return "rules " + version + " (" + fingerprint() + ")"; }

std::string_view default_rules_json() { return kDefaultRules; }

Rules default_rules() {
  auto rules = parse_rules(kDefaultRules);
  if (!rules) throw std::logic_error("built-in rules are invalid: " + rules.error().message);
  return std::move(*rules);
}

}  // namespace pe::pricing
