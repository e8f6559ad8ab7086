// rules_parse.cpp: the rules file format (docs/pricing-rules.md) into validated Rules.
//
// A RulesReader walks the JSON document and records every problem with the path of the entry,
// then parse_rules() reports them all at once: an analyst fixing a file sees every mistake in
// one run, not one per run.
#include "pricing/rules.hpp"

#include "common/json_exact.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace pe::pricing {
namespace {

namespace json = boost::json;

constexpr size_t kMaxRegions = 1000;
constexpr size_t kMaxFamilies = 30000;  // indexes are int16
constexpr size_t kMaxTiers = 100;       // indexes are int8
constexpr size_t kMaxErrors = 50;

bool is_plain_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string shown(const json::value& v) { return describe_json(v); }

std::string member(const std::string& path, std::string_view key) {
  if (is_plain_key(key)) return path.empty() ? std::string(key) : path + "." + std::string(key);
  return path + "[" + json::serialize(json::value(key)) + "]";
}

std::string element(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

class RulesReader {
 public:
  void fail(const std::string& path, std::string_view problem) {
    if (errors_.size() < kMaxErrors) errors_.push_back(path + ": " + std::string(problem));
  }
  const std::vector<std::string>& errors() const { return errors_; }

  const json::object* object(const json::value& v, const std::string& path) {
    if (!v.is_object()) fail(path, "must be an object, not " + shown(v));
    return v.if_object();
  }
  const json::array* array(const json::value& v, const std::string& path) {
    if (!v.is_array()) fail(path, "must be an array, not " + shown(v));
    return v.if_array();
  }
  // Unknown keys are errors: a misspelt key would otherwise silently fall back to a default.
  void only_keys(const json::object& o, const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
    for (const auto& kv : o) {
      if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) {
        fail(member(path, kv.key()), "unknown key");
      }
    }
  }
  std::optional<Decimal> decimal(const json::value& v, const std::string& path) {
    if (!v.is_number() && !v.is_string()) {
      fail(path, "must be a number, not " + shown(v));
      return std::nullopt;
    }
    auto d = Decimal::from_json(v);
    if (!d) {
      fail(path, d.error().message);
      return std::nullopt;
    }
    return *d;
  }
  std::optional<Decimal> rate(const json::value& v, const std::string& path) {
    auto d = decimal(v, path);
    if (d && (d->is_negative() || *d > Decimal::one())) {
      fail(path, "must be a rate from 0 to 1, not " + d->to_string());
      return std::nullopt;
    }
    return d;
  }
  std::optional<int64_t> integer(const json::value& v, const std::string& path, int64_t min,
                                 int64_t max) {
    if (!v.is_int64() && !v.is_uint64()) {
      fail(path, "must be a whole number, not " + shown(v));
      return std::nullopt;
    }
    if (v.is_uint64() || v.get_int64() < min || v.get_int64() > max) {
      fail(path, "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", not " +
                     shown(v));
      return std::nullopt;
    }
    return v.get_int64();
  }
  std::optional<std::string> string(const json::value& v, const std::string& path,
                                    size_t max_size) {
    if (!v.is_string()) {
      fail(path, "must be a string, not " + shown(v));
      return std::nullopt;
    }
    std::string_view s = v.get_string();
    if (s.empty() || s.size() > max_size) {
      fail(path, "must be 1 to " + std::to_string(max_size) + " characters");
      return std::nullopt;
    }
    return std::string(s);
  }
  std::optional<bool> boolean(const json::value& v, const std::string& path) {
    if (!v.is_bool()) {
      fail(path, "must be true or false, not " + shown(v));
      return std::nullopt;
    }
    return v.get_bool();
  }

  // A tier list: [{"<min_key>": n, "discount": r}, ...] with strictly ascending minimums.
  std::vector<Tier> tiers(const json::value& v, const std::string& path, std::string_view min_key,
                          bool min_positive) {
    std::vector<Tier> out;
    const json::array* list = array(v, path);
    if (!list) return out;
    if (list->size() > kMaxTiers) {
      fail(path, "at most " + std::to_string(kMaxTiers) + " tiers");
      return out;
    }
    for (size_t i = 0; i < list->size(); ++i) {
      std::string at = element(path, i);
      const json::object* o = object((*list)[i], at);
      if (!o) continue;
      only_keys(*o, at, {min_key, "discount"});
      std::optional<Decimal> min;
      std::optional<Decimal> discount;
      if (auto* m = o->if_contains(min_key)) {
        min = decimal(*m, member(at, min_key));
      } else {
        fail(at, "missing " + std::string(min_key));
      }
      if (auto* d = o->if_contains("discount")) {
        discount = rate(*d, member(at, "discount"));
      } else {
        fail(at, "missing discount");
      }
      if (!min || !discount) continue;
      if (min_positive ? !min->is_positive() : min->is_negative()) {
        fail(member(at, min_key),
             std::string(min_positive ? "must be positive" : "must not be negative") + ", not " +
                 min->to_string());
        continue;
      }
      if (!out.empty() && *min <= out.back().min) {
        fail(member(at, min_key),
             "must be greater than the previous tier's (" + out.back().min.to_string() + ")");
        continue;
      }
      out.push_back({*min, *discount});
    }
    return out;
  }

 private:
  std::vector<std::string> errors_;
};

void read_regions(RulesReader& r, const json::value& v, Rules& rules) {
  const json::object* regions = r.object(v, "regions");
  if (!regions) return;
  if (regions->empty()) r.fail("regions", "must name at least one region");
  if (regions->size() > kMaxRegions) r.fail("regions", "too many regions");
  std::map<std::string, std::string> region_of_country;  // normalized country -> region
  for (const auto& kv : *regions) {
    std::string path = member("regions", kv.key());
    Region region;
    region.name = kv.key();
    if (region.name.empty() || region.name.size() > 40)
      r.fail(path, "name must be 1 to 40 characters");
    const json::object* o = r.object(kv.value(), path);
    if (!o) continue;
    r.only_keys(*o, path, {"discount", "countries"});
    if (auto* d = o->if_contains("discount")) {
      if (auto rate = r.rate(*d, member(path, "discount"))) region.discount = *rate;
    } else {
      r.fail(path, "missing discount");
    }
    if (auto* c = o->if_contains("countries")) {
      if (const json::array* list = r.array(*c, member(path, "countries"))) {
        for (size_t i = 0; i < list->size(); ++i) {
          std::string at = element(member(path, "countries"), i);
          auto country = r.string((*list)[i], at, 100);
          if (!country) continue;
          std::string key = normalize_country(*country);
          if (key.empty()) {
            r.fail(at, "must not be blank");
            continue;
          }
          auto [it, fresh] = region_of_country.emplace(key, region.name);
          if (!fresh) {
            r.fail(at, json::serialize(json::value(*country)) + " is already in region " +
                           json::serialize(json::value(it->second)));
            continue;
          }
          region.countries.push_back(*country);
        }
      }
    }
    rules.regions.push_back(std::move(region));
  }
}

void read_families(RulesReader& r, const json::value& v, Rules& rules) {
  const json::object* families = r.object(v, "families");
  if (!families) return;
  if (families->size() > kMaxFamilies) r.fail("families", "too many families");
  for (const auto& kv : *families) {
    std::string path = member("families", kv.key());
    Family family;
    family.name = kv.key();
    if (family.name.empty() || family.name.size() > 255) {
      r.fail(path, "name must be 1 to 255 characters");
    }
    const json::object* o = r.object(kv.value(), path);
    if (!o) continue;
    r.only_keys(*o, path, {"discount", "volume_tiers"});
    if (auto* d = o->if_contains("discount")) {
      if (auto rate = r.rate(*d, member(path, "discount"))) family.discount = *rate;
    } else {
      r.fail(path, "missing discount");
    }
    if (auto* t = o->if_contains("volume_tiers")) {
      family.own_volume_tiers = true;
      family.volume_tiers = r.tiers(*t, member(path, "volume_tiers"), "min_quantity", true);
    }
    rules.families.push_back(std::move(family));
  }
}

void read_override(RulesReader& r, const json::value& v, Rules& rules) {
  const json::object* o = r.object(v, "discount_override");
  if (!o) return;
  r.only_keys(*o, "discount_override", {"enabled", "capped"});
  if (auto* e = o->if_contains("enabled")) {
    if (auto b = r.boolean(*e, "discount_override.enabled")) rules.override_enabled = *b;
  }
  if (auto* c = o->if_contains("capped")) {
    if (auto b = r.boolean(*c, "discount_override.capped")) rules.override_capped = *b;
  }
}

void read_quote(RulesReader& r, const json::value& v, Rules& rules) {
  const json::object* o = r.object(v, "quote");
  if (!o) return;
  r.only_keys(*o, "quote", {"valid_days", "draft_status", "review_status"});
  if (auto* d = o->if_contains("valid_days")) {
    if (auto n = r.integer(*d, "quote.valid_days", 1, 3650))
      rules.valid_days = static_cast<int>(*n);
  }
  if (auto* s = o->if_contains("draft_status")) {
    if (auto t = r.string(*s, "quote.draft_status", 40)) rules.draft_status = *t;
  }
  if (auto* s = o->if_contains("review_status")) {
    if (auto t = r.string(*s, "quote.review_status", 40)) rules.review_status = *t;
  }
}

bool valid_version(std::string_view v) {
  return v.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+") ==
         std::string_view::npos;
}

void read_top_level(RulesReader& r, const json::object& root, Rules& rules) {
  r.only_keys(root, "rules",
              {"version", "currency_scale", "combine", "max_total_discount", "review_threshold",
               "default_region", "regions", "families", "unknown_family_discount", "volume_tiers",
               "deal_size_tiers", "discount_override", "quote", "description"});
  if (auto* v = root.if_contains("version")) {
    if (auto s = r.string(*v, "version", 40)) {
      if (valid_version(*s)) {
        rules.version = *s;
      } else {
        r.fail("version", "may only hold letters, digits and . _ - +");
      }
    }
  } else {
    r.fail("version", "missing (a short name for this set of rules, e.g. \"2026.11\")");
  }
  if (auto* v = root.if_contains("currency_scale")) {
    if (auto n = r.integer(*v, "currency_scale", 0, Decimal::kScale)) {
      rules.currency_scale = static_cast<int>(*n);
    }
  }
  if (auto* v = root.if_contains("combine")) {
    if (v->is_string() && v->get_string() == "additive") {
      rules.combine = Combine::additive;
    } else if (v->is_string() && v->get_string() == "compounding") {
      rules.combine = Combine::compounding;
    } else {
      r.fail("combine", "must be \"additive\" or \"compounding\", not " + shown(*v));
    }
  }
  if (auto* v = root.if_contains("max_total_discount")) {
    if (auto d = r.rate(*v, "max_total_discount")) rules.max_total_discount = *d;
  }
  if (auto* v = root.if_contains("review_threshold")) {
    if (auto d = r.rate(*v, "review_threshold")) rules.review_threshold = *d;
  }
  if (auto* v = root.if_contains("unknown_family_discount")) {
    if (auto d = r.rate(*v, "unknown_family_discount")) rules.unknown_family_discount = *d;
  }
  if (auto* v = root.if_contains("description")) r.string(*v, "description", 10'000);
}

}  // namespace

Result<Rules> parse_rules(std::string_view json_text) {
  auto doc = parse_json_exact(json_text);
  if (!doc) return doc.error();
  RulesReader r;
  Rules rules;
  const json::object* root = r.object(*doc, "rules");
  if (root) {
    read_top_level(r, *root, rules);
    if (auto* v = root->if_contains("regions")) {
      read_regions(r, *v, rules);
    } else {
      r.fail("regions", "missing (at least one region with its countries)");
    }
    if (auto* v = root->if_contains("default_region")) {
      if (auto name = r.string(*v, "default_region", 40)) {
        auto it = std::find_if(rules.regions.begin(), rules.regions.end(),
                               [&](const Region& region) { return region.name == *name; });
        if (it != rules.regions.end()) {
          rules.default_region = static_cast<size_t>(it - rules.regions.begin());
        } else if (!rules.regions.empty()) {
          r.fail("default_region", json::serialize(json::value(*name)) + " is not a region");
        }
      }
    } else {
      r.fail("default_region", "missing (the region of unknown and empty countries)");
    }
    if (auto* v = root->if_contains("families")) read_families(r, *v, rules);
    if (auto* v = root->if_contains("volume_tiers")) {
      rules.volume_tiers = r.tiers(*v, "volume_tiers", "min_quantity", true);
    }
    if (auto* v = root->if_contains("deal_size_tiers")) {
      rules.deal_size_tiers = r.tiers(*v, "deal_size_tiers", "min_total", false);
    }
    if (auto* v = root->if_contains("discount_override")) read_override(r, *v, rules);
    if (auto* v = root->if_contains("quote")) read_quote(r, *v, rules);
  }
  if (!r.errors().empty()) {
    std::string message;
    for (const auto& e : r.errors()) {
      if (!message.empty()) message += "\n";
      message += e;
    }
    return Error{Errc::invalid_argument, std::move(message)};
  }
  return rules;
}

Result<Rules> load_rules(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{Errc::invalid_argument, path.string() + ": cannot read the pricing rules file"};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 16 * 1024 * 1024) {
    return Error{Errc::invalid_argument, path.string() + ": larger than 16 MiB"};
  }
  auto rules = parse_rules(text.str());
  if (!rules) {
    // Prefix each line with the file, as compilers do.
    std::string message;
    // result::error() returns a copy: keep it alive while we point into it.
    const std::string all = rules.error().message;
    std::string_view rest = all;
    while (!rest.empty()) {
      size_t eol = rest.find('\n');
      if (!message.empty()) message += "\n";
      message += path.string() + ": " + std::string(rest.substr(0, eol));
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    }
    return Error{Errc::invalid_argument, std::move(message)};
  }
  return rules;
}

}  // namespace pe::pricing
