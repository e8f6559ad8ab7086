#include "pricing/rules_engine.hpp"

#include <algorithm>
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

// a × b rounded half up to Scale places, for a, b >= 0 (every product a line needs: prices,
// quantities and 1 − rate are never negative). The same result as Decimal::multiply_into, with
// the rounding of a non-negative product done as one addition and one division by a constant.
template <int Scale>
inline bool multiply_nonnegative(int64_t a, int64_t b, int64_t& out) {
  constexpr uint64_t kDivisor = [] {
    uint64_t d = 1;
    for (int i = Scale; i < 12; ++i) d *= 10;
    return d;
  }();
  constexpr uint64_t kBack = [] {
    uint64_t d = 1;
    for (int i = Scale; i < Decimal::kScale; ++i) d *= 10;
    return d;
  }();
  int64_t p;
  if (__builtin_mul_overflow(a, b, &p)) [[unlikely]] {
    Decimal wide;
    if (!Decimal::from_units(a).template multiply_into<Scale>(Decimal::from_units(b), wide)) {
      return false;
    }
    out = wide.units();
    return true;
  }
  // p <= INT64_MAX, so adding half the divisor cannot overflow in 64 unsigned bits.
  out = static_cast<int64_t>((static_cast<uint64_t>(p) + kDivisor / 2) / kDivisor * kBack);
  return true;
}

// amount × quantity rounded half up to Scale places, for an amount >= 0 that already has at
// most Scale places (list prices are checked, unit prices are rounded) and a quantity > 0.
// Quantities are mostly whole, and then the product is exact: one multiplication instead of a
// multiplication, a division and a rounding. The result is the same either way.
template <int Scale>
inline bool times_quantity(int64_t amount, int64_t quantity, int64_t& out) {
  const uint64_t whole = static_cast<uint64_t>(quantity) / Decimal::kUnitsPerOne;
  if (whole * Decimal::kUnitsPerOne == static_cast<uint64_t>(quantity)) [[likely]] {
    return !__builtin_mul_overflow(amount, static_cast<int64_t>(whole), &out);
  }
  return multiply_nonnegative<Scale>(amount, quantity, out);
}

// line_plainly_valid() without a branch per condition: which check fails is rare, but the
// conditions are data and a chain of && mispredicts.
template <int Scale>
inline bool plainly_valid(const OpportunityLine& line) {
  constexpr uint64_t kStep = [] {
    uint64_t step = 1;
    for (int i = Scale; i < Decimal::kScale; ++i) step *= 10;
    return step;
  }();
  const int64_t quantity = line.quantity.units();
  const int64_t list = line.list_price.units();
  bool valid = !line.pricebook_entry_id.is_null();
  valid &= quantity > 0;
  valid &= list > 0;
  valid &= static_cast<uint64_t>(list) % kStep == 0;  // unsigned: cheaper, and list > 0
  if (line.discount_override) [[unlikely]] {
    valid &= static_cast<uint64_t>(line.discount_override->units()) <=
             static_cast<uint64_t>(Decimal::kUnitsPerOne);
  }
  return valid;
}

constexpr uint8_t bit(RuleKind kind) { return static_cast<uint8_t>(1u << static_cast<int>(kind)); }

}  // namespace

static_assert(std::string().capacity() >= 15, "find_padded() reads 16 bytes at a string's data()");

RulesEngine::RulesEngine(Rules rules)
    : rules_(std::move(rules)), label_(rules_.label()), description_("Priced by " + label_) {
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

  // One row of volume tiers per family, then one for unknown families.
  std::vector<std::string> family_names;
  std::vector<std::pair<Decimal, const std::vector<Tier>*>> rows;
  for (const auto& f : rules_.families) {
    family_names.push_back(f.name);
    rows.emplace_back(f.discount, f.own_volume_tiers ? &f.volume_tiers : &rules_.volume_tiers);
  }
  rows.emplace_back(rules_.unknown_family_discount, &rules_.volume_tiers);
  families_ = StringIndex(family_names);
  unknown_row_ = static_cast<uint32_t>(rules_.families.size());
  size_t widest = 0;
  for (const auto& row : rows) widest = std::max(widest, row.second->size());
  tier_width_ = static_cast<uint32_t>((widest + 3) / 4 * 4);
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& [family_rate, tiers] = rows[r];
    const bool known = r != unknown_row_;
    for (size_t i = 0; i < tier_width_; ++i) {
      volume_min_.push_back(i < tiers->size() ? (*tiers)[i].min.units() : INT64_MAX);
    }
    // Level n: n tiers reached. Counts past the last tier (only a quantity of exactly
    // INT64_MAX units reaches the padding) repeat the last level.
    for (size_t n = 0; n <= tier_width_; ++n) {
      const size_t reached = std::min(n, tiers->size());
      const Decimal volume = reached > 0 ? (*tiers)[reached - 1].discount : Decimal();
      Level level{family_rate.units() + volume.units(), volume.units(), 0, -1};
      if (known && family_rate.is_positive()) level.fired |= bit(RuleKind::family);
      if (volume.is_positive()) {
        level.fired |= bit(RuleKind::volume);
        level.tier = static_cast<int8_t>(reached - 1);
      }
      levels_.push_back(level);
    }
  }
  for (const auto& t : rules_.deal_size_tiers) {
    deal_min_.push_back(t.min.units());
    deal_discount_.push_back(t.discount);
  }
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
  int found = countries_.find_padded(buffer.data(), billing_country.size());  // 16 bytes or more
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
  const OpportunityLine* lines = opportunity.lines.data();
  const size_t count = opportunity.lines.size();
  out.lines.resize(count);  // every field of every line is written below
  LinePlan* plans = out.lines.data();

  // Pass 1: check the lines and sum the list totals: the deal size.
  int64_t subtotal = 0;
  bool in_range = true;
  for (size_t i = 0; i < count; ++i) {
    const OpportunityLine& line = lines[i];
    if (!plainly_valid<Scale>(line)) [[unlikely]] {
      if (!check_lines(opportunity, Scale, out)) return;
    }
    int64_t list_total = 0;
    in_range &= times_quantity<Scale>(line.list_price.units(), line.quantity.units(), list_total);
    in_range &= !__builtin_add_overflow(subtotal, list_total, &subtotal);
    plans[i].list_price = line.list_price;
    plans[i].list_total = Decimal::from_units(list_total);
  }
  if (!in_range) return skip_quote(out, "quote total out of range");
  const int deal_tier = find_deal_tier(subtotal);
  out.deal_tier = static_cast<int8_t>(deal_tier);

  // What every line of this opportunity shares: region and deal-size discounts.
  uint8_t base_fired = 0;
  const Decimal region_rate = rules_.regions[static_cast<size_t>(out.region)].discount;
  Decimal deal_rate;
  if (region_rate.is_positive()) base_fired |= bit(RuleKind::region);
  if (deal_tier >= 0) {
    deal_rate = deal_discount_[static_cast<size_t>(deal_tier)];
    if (deal_rate.is_positive()) base_fired |= bit(RuleKind::deal_size);
  }
  const bool additive = rules_.combine == Combine::additive;
  // Rates are checked to be within 0 and 1, so sums of a few of them cannot overflow.
  const Decimal base_rate = additive ? Decimal::from_units(region_rate.units() + deal_rate.units())
                                     : compound(region_rate, deal_rate);
  const int64_t cap = rules_.max_total_discount.units();
  const bool override_enabled = rules_.override_enabled;
  const bool override_capped = rules_.override_capped;
  const uint32_t width = tier_width_;
  const int64_t* volume_min = volume_min_.data();
  const Level* levels = levels_.data();

  // Pass 2: each line's rate, then its unit price (the one rounding) and total.
  int64_t total = 0;
  for (size_t i = 0; i < count; ++i) {
    const OpportunityLine& line = lines[i];
    LinePlan& plan = plans[i];
    const int64_t quantity = line.quantity.units();
    int64_t rate;
    uint8_t fired;
    int family = -1;
    int tier = -1;
    if (line.discount_override && override_enabled) [[unlikely]] {
      rate = line.discount_override->units();
      fired = bit(RuleKind::discount_override);
      if (override_capped && rate > cap) {
        rate = cap;
        fired |= bit(RuleKind::cap);
      }
    } else {
      // A std::string has 16 readable bytes at data() whatever its length (find_padded()).
      family = families_.find_padded(line.product_family.data(), line.product_family.size());
      const uint32_t row = family < 0 ? unknown_row_ : static_cast<uint32_t>(family);
      const int64_t* min = volume_min + size_t{row} * width;
      uint32_t reached = 0;
      if (width == 4) [[likely]] {  // up to 4 tiers everywhere: no loop
        reached = (min[0] <= quantity) + (min[1] <= quantity) + (min[2] <= quantity) +
                  (min[3] <= quantity);
      } else {
        for (uint32_t t = 0; t < width; t += 4) {
          reached += (min[t] <= quantity) + (min[t + 1] <= quantity) + (min[t + 2] <= quantity) +
                     (min[t + 3] <= quantity);
        }
      }
      const Level& level = levels[size_t{row} * (width + 1) + reached];
      rate =
          additive
              ? base_rate.units() + level.rate
              : compound(compound(base_rate, Decimal::from_units(level.rate - level.volume_rate)),
                         Decimal::from_units(level.volume_rate))
                    .units();
      fired = static_cast<uint8_t>(base_fired | level.fired);
      tier = level.tier;
      const bool capped = rate > cap;
      rate = capped ? cap : rate;
      fired |= static_cast<uint8_t>(capped ? bit(RuleKind::cap) : 0);
    }
    int64_t unit = 0;
    int64_t line_total = 0;
    in_range &=
        multiply_nonnegative<Scale>(line.list_price.units(), Decimal::kUnitsPerOne - rate, unit);
    in_range &= times_quantity<Scale>(unit, quantity, line_total);
    in_range &= !__builtin_add_overflow(total, line_total, &total);
    plan.discount_rate = Decimal::from_units(rate);
    plan.unit_price = Decimal::from_units(unit);
    plan.total = Decimal::from_units(line_total);
    plan.fired = FiredRules::from_bits(fired);
    plan.volume_tier = static_cast<int8_t>(tier);
    plan.family = static_cast<int16_t>(family);
  }
  if (!in_range) return skip_quote(out, "line amount out of range");
  finish_quote(settings_, Decimal::from_units(subtotal), Decimal::from_units(total), out);
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
