#include "pricing/rules_engine.hpp"

#include <array>

namespace pe::pricing {
namespace {

// A rate as a percentage for people: 0.125 -> "12.5%".
std::string percent(Decimal rate) {
  return Decimal::from_units(rate.units() * 100).to_string() + "%";
}

// 1 − (1 − a)(1 − b), the product rounded half up to 6 places (the only rounding of a rate).
Decimal compound(Decimal a, Decimal b) {
  Decimal keep = (Decimal::one() - a).checked_multiply(Decimal::one() - b, Decimal::kScale).value();
  return Decimal::one() - keep;
}

// amount × quantity rounded half up to Scale places, for an amount that already has at most
// Scale places (list prices are checked, unit prices are rounded). Quantities are mostly whole,
// and then the product is exact: one multiplication instead of a multiplication, a division and
// a rounding. The result is the same either way.
template <int Scale>
inline bool times_quantity(Decimal amount, Decimal quantity, Decimal& out) {
  if (quantity.units() % Decimal::kUnitsPerOne == 0) [[likely]] {
    return amount.multiply_into(quantity.units() / Decimal::kUnitsPerOne, out);
  }
  return amount.template multiply_into<Scale>(quantity, out);
}

}  // namespace

RulesEngine::RulesEngine(Rules rules) : rules_(std::move(rules)), label_(rules_.label()) {
  settings_.version = label_;
  settings_.currency_scale = rules_.currency_scale;
  settings_.valid_days = rules_.valid_days;
  settings_.review_threshold = rules_.review_threshold;
  settings_.draft_status = rules_.draft_status;
  settings_.review_status = rules_.review_status;

  std::vector<std::string> country_keys;
  for (size_t r = 0; r < rules_.regions.size(); ++r) {
    for (const auto& c : rules_.regions[r].countries) {
      country_keys.push_back(normalize_country(c));
      country_region_.push_back(static_cast<uint16_t>(r));
    }
  }
  countries_ = StringIndex(country_keys);

  auto add_tiers = [this](const std::vector<Tier>& tiers) {
    TierRange range{static_cast<uint32_t>(tier_min_.size()), 0};
    for (const auto& t : tiers) {
      tier_min_.push_back(t.min.units());
      tier_discount_.push_back(t.discount);
    }
    range.end = static_cast<uint32_t>(tier_min_.size());
    return range;
  };
  TierRange global_volume = add_tiers(rules_.volume_tiers);
  std::vector<std::string> family_names;
  for (const auto& f : rules_.families) {
    family_names.push_back(f.name);
    family_rules_.push_back(
        {f.discount, f.own_volume_tiers ? add_tiers(f.volume_tiers) : global_volume});
  }
  family_rules_.push_back({rules_.unknown_family_discount, global_volume});
  families_ = StringIndex(family_names);
  deal_tiers_ = add_tiers(rules_.deal_size_tiers);
}

size_t RulesEngine::region_of(std::string_view billing_country) const {
  // Normalised in a stack buffer: no allocation per opportunity.
  while (!billing_country.empty() &&
         (billing_country.front() == ' ' || billing_country.front() == '\t')) {
    billing_country.remove_prefix(1);
  }
  while (!billing_country.empty() &&
         (billing_country.back() == ' ' || billing_country.back() == '\t')) {
    billing_country.remove_suffix(1);
  }
  std::array<char, 128> buffer;
  if (billing_country.empty() || billing_country.size() > buffer.size()) {
    return rules_.default_region;
  }
  for (size_t i = 0; i < billing_country.size(); ++i) {
    char c = billing_country[i];
    buffer[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  int found = countries_.find(std::string_view(buffer.data(), billing_country.size()));
  return found < 0 ? rules_.default_region : country_region_[static_cast<size_t>(found)];
}

void RulesEngine::price_into(const Opportunity& opportunity, QuotePlan& out) const {
  if (!start_quote(opportunity, settings_, out)) return;
  out.region = static_cast<int16_t>(region_of(opportunity.account.billing_country));
  // One dispatch on the currency scale per opportunity, so every rounding below divides by a
  // constant (a multiplication) instead of a variable.
  switch (rules_.currency_scale) {
    case 0:
      return price_lines<0>(opportunity, out);
    case 1:
      return price_lines<1>(opportunity, out);
    case 2:
      return price_lines<2>(opportunity, out);
    case 3:
      return price_lines<3>(opportunity, out);
    case 4:
      return price_lines<4>(opportunity, out);
    case 5:
      return price_lines<5>(opportunity, out);
    default:
      return price_lines<6>(opportunity, out);
  }
}

template <int Scale>
void RulesEngine::price_lines(const Opportunity& opportunity, QuotePlan& out) const {
  const auto& lines = opportunity.lines;
  const size_t count = lines.size();
  out.lines.resize(count);  // every field of every line is written below

  // Pass 1: check the lines and sum the list totals: the deal size.
  Decimal subtotal;
  bool in_range = true;
  for (size_t i = 0; i < count; ++i) {
    const OpportunityLine& line = lines[i];
    if (!line_plainly_valid<Scale>(line)) [[unlikely]] {
      if (!check_lines(opportunity, Scale, out)) return;
    }
    Decimal& list_total = out.lines[i].list_total;
    in_range &= times_quantity<Scale>(line.list_price, line.quantity, list_total);
    in_range &= subtotal.add_into(list_total, subtotal);
  }
  if (!in_range) return skip_quote(out, "quote total out of range");
  const int deal_tier = find_tier(deal_tiers_, subtotal.units());
  out.deal_tier = static_cast<int8_t>(deal_tier);

  // What every line of this opportunity shares: region and deal-size discounts.
  FiredRules base_fired;
  const Decimal region_rate = rules_.regions[static_cast<size_t>(out.region)].discount;
  Decimal deal_rate;
  if (region_rate.is_positive()) base_fired.add(RuleKind::region);
  if (deal_tier >= 0) {
    deal_rate = tier_discount_[deal_tiers_.begin + static_cast<uint32_t>(deal_tier)];
    if (deal_rate.is_positive()) base_fired.add(RuleKind::deal_size);
  }
  const bool additive = rules_.combine == Combine::additive;
  // Rates are checked to be within 0 and 1, so sums of a few of them cannot overflow.
  const Decimal base_rate = additive ? Decimal::from_units(region_rate.units() + deal_rate.units())
                                     : compound(region_rate, deal_rate);
  const Decimal cap = rules_.max_total_discount;
  const FamilyRule* family_rules = family_rules_.data();
  const size_t unknown_family = family_rules_.size() - 1;

  // Pass 2: each line's rate, then its unit price (the one rounding) and total.
  Decimal total;
  for (size_t i = 0; i < count; ++i) {
    const OpportunityLine& line = lines[i];
    LinePlan& plan = out.lines[i];
    FiredRules fired = base_fired;
    Decimal rate;
    int family = -1;
    int tier = -1;
    if (line.discount_override && rules_.override_enabled) [[unlikely]] {
      rate = *line.discount_override;
      fired = FiredRules();
      fired.add(RuleKind::discount_override);
      if (rules_.override_capped && rate > cap) {
        rate = cap;
        fired.add(RuleKind::cap);
      }
    } else {
      family = families_.find(line.product_family);
      const FamilyRule& rule =
          family_rules[family < 0 ? unknown_family : static_cast<size_t>(family)];
      if (family >= 0 && rule.discount.is_positive()) fired.add(RuleKind::family);
      tier = find_tier(rule.volume, line.quantity.units());
      Decimal volume_rate;
      if (tier >= 0) {
        volume_rate = tier_discount_[rule.volume.begin + static_cast<uint32_t>(tier)];
        if (volume_rate.is_positive()) {
          fired.add(RuleKind::volume);
        } else {
          tier = -1;
        }
      }
      rate =
          additive
              ? Decimal::from_units(base_rate.units() + rule.discount.units() + volume_rate.units())
              : compound(compound(base_rate, rule.discount), volume_rate);
      if (rate > cap) {
        rate = cap;
        fired.add(RuleKind::cap);
      }
    }
    Decimal unit;
    Decimal line_total;
    in_range &= line.list_price.template multiply_into<Scale>(
        Decimal::from_units(Decimal::kUnitsPerOne - rate.units()), unit);
    in_range &= times_quantity<Scale>(unit, line.quantity, line_total);
    in_range &= total.add_into(line_total, total);
    plan.list_price = line.list_price;
    plan.discount_rate = rate;
    plan.unit_price = unit;
    plan.total = line_total;
    plan.fired = fired;
    plan.volume_tier = static_cast<int8_t>(tier);
    plan.family = static_cast<int16_t>(family);
  }
  if (!in_range) return skip_quote(out, "line amount out of range");
  finish_quote(settings_, subtotal, total, out);
}

std::vector<std::string> RulesEngine::explain_quote(const QuotePlan& plan) const {
  std::vector<std::string> out;
  if (plan.region >= 0) {
    const auto& region = rules_.regions[static_cast<size_t>(plan.region)];
    out.push_back("region " + region.name + " " + percent(region.discount));
  }
  if (plan.deal_tier >= 0) {
    const Tier& t = rules_.deal_size_tiers.at(static_cast<size_t>(plan.deal_tier));
    out.push_back("deal size >= " + t.min.to_string() + " " + percent(t.discount));
  }
  return out;
}

std::vector<std::string> RulesEngine::explain(const QuotePlan& plan, size_t line) const {
  std::vector<std::string> out;
  if (line >= plan.lines.size()) return out;
  const LinePlan& l = plan.lines[line];
  if (l.fired.has(RuleKind::discount_override)) {
    out.push_back(l.fired.has(RuleKind::cap) ? std::string("override")
                                             : "override " + percent(l.discount_rate));
  }
  if (l.fired.has(RuleKind::region) && plan.region >= 0) {
    const auto& region = rules_.regions[static_cast<size_t>(plan.region)];
    out.push_back("region " + region.name + " " + percent(region.discount));
  }
  if (l.fired.has(RuleKind::family) && l.family >= 0) {
    const auto& family = rules_.families[static_cast<size_t>(l.family)];
    out.push_back("family " + family.name + " " + percent(family.discount));
  }
  if (l.fired.has(RuleKind::volume) && l.volume_tier >= 0) {
    // The tier list the engine used: the family's own, else the global one.
    const std::vector<Tier>* tiers = &rules_.volume_tiers;
    if (l.family >= 0 && rules_.families[static_cast<size_t>(l.family)].own_volume_tiers) {
      tiers = &rules_.families[static_cast<size_t>(l.family)].volume_tiers;
    }
    const Tier& t = tiers->at(static_cast<size_t>(l.volume_tier));
    out.push_back("volume >= " + t.min.to_string() + " " + percent(t.discount));
  }
  if (l.fired.has(RuleKind::deal_size) && plan.deal_tier >= 0) {
    const Tier& t = rules_.deal_size_tiers.at(static_cast<size_t>(plan.deal_tier));
    out.push_back("deal size >= " + t.min.to_string() + " " + percent(t.discount));
  }
  if (l.fired.has(RuleKind::cap)) out.push_back("cap " + percent(rules_.max_total_discount));
  return out;
}

}  // namespace pe::pricing
