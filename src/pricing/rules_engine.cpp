#include "pricing/rules_engine.hpp"

#include <algorithm>
#include <array>
#include <bit>

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

// x is a multiple of 10^(6 - Scale), tested without a division: x is a multiple of
// 2^k × m (m odd) when x × m⁻¹ (mod 2^64) rotated right by k is at most (2^64 − 1) / (2^k × m)
// (Granlund and Montgomery; Lemire, Kaser and Kurz, "Faster remainder by direct computation").
template <int Scale>
constexpr bool is_multiple_of_step(uint64_t x) {
  constexpr int kTwos = Decimal::kScale - Scale;  // 10^k = 2^k × 5^k
  constexpr uint64_t kOdd = [] {
    uint64_t m = 1;
    for (int i = 0; i < kTwos; ++i) m *= 5;
    return m;
  }();
  constexpr uint64_t kInverse = [] {  // Newton's iteration doubles the correct low bits
    uint64_t inv = kOdd;
    for (int i = 0; i < 6; ++i) inv *= 2 - kOdd * inv;
    return inv;
  }();
  constexpr uint64_t kLimit = UINT64_MAX / (kOdd << kTwos);
  static_assert(kOdd * kInverse == 1);
  const uint64_t y = x * kInverse;
  return (kTwos == 0 ? y : std::rotr(y, kTwos)) <= kLimit;
}
static_assert(is_multiple_of_step<2>(12'340'000) && !is_multiple_of_step<2>(12'345'000) &&
              is_multiple_of_step<0>(3'000'000) && !is_multiple_of_step<0>(3'500'000) &&
              is_multiple_of_step<6>(7) && is_multiple_of_step<5>(UINT64_MAX / 10 * 10) &&
              !is_multiple_of_step<4>(UINT64_MAX));

// line_plainly_valid() without a branch per condition: which check fails is rare, but the
// conditions are data and a chain of && mispredicts.
template <int Scale>
inline bool plainly_valid(const OpportunityLine& line) {
  const int64_t quantity = line.quantity.units();
  const int64_t list = line.list_price.units();
  bool valid = !line.pricebook_entry_id.is_null();
  valid &= quantity > 0;
  valid &= list > 0;
  valid &= is_multiple_of_step<Scale>(static_cast<uint64_t>(list));
  if (line.discount_override) [[unlikely]] {
    valid &= static_cast<uint64_t>(line.discount_override->units()) <=
             static_cast<uint64_t>(Decimal::kUnitsPerOne);
  }
  return valid;
}

constexpr uint8_t bit(RuleKind kind) { return static_cast<uint8_t>(1u << static_cast<int>(kind)); }

}  // namespace

static_assert(std::string().capacity() >= 15, "find_padded() reads 16 bytes at a string's data()");

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
      // Rates are from 0 to 1: a million units at most, two of them fit in 32 bits.
      Level level{static_cast<int32_t>(family_rate.units() + volume.units()),
                  static_cast<int32_t>(volume.units()), 0, -1};
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
  // Every rounding divides by a constant (a multiplication), and with tiers of at most 4 the
  // tier count is four comparisons: one choice here instead of a dispatch per opportunity.
  static constexpr PriceLines (*kByScale[])(uint32_t) = {
      &price_lines_for<0>, &price_lines_for<1>, &price_lines_for<2>, &price_lines_for<3>,
      &price_lines_for<4>, &price_lines_for<5>, &price_lines_for<6>};
  price_lines_ = kByScale[std::clamp(rules_.currency_scale, 0, 6)](tier_width_);
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
  // The usual country needs no trimming and fits the index's two words: folded to lower case
  // in them, looked up directly. Anything else takes the general way.
  const std::string& country = opportunity.account.billing_country;
  size_t region = rules_.default_region;
  if (!country.empty() && country.size() <= 16 && country.front() != ' ' &&
      country.front() != '\t' && country.back() != ' ' && country.back() != '\t') [[likely]] {
    // A std::string has 16 readable bytes at data() whatever its length (find_padded()).
    const int found = countries_.view().find_lowercase_padded(country.data(), country.size());
    if (found >= 0) region = country_region_[static_cast<size_t>(found)];
  } else {
    region = region_of(country);
  }
  out.region = static_cast<int16_t>(region);
  (this->*price_lines_)(opportunity, out);
}

template <int Scale>
RulesEngine::PriceLines RulesEngine::price_lines_for(uint32_t tier_width) {
  return tier_width == 4 ? &RulesEngine::price_lines<Scale, 4>
                         : &RulesEngine::price_lines<Scale, 0>;
}

template <int Scale, int Width>
void RulesEngine::price_lines(const Opportunity& opportunity, QuotePlan& out) const {
  const OpportunityLine* lines = opportunity.lines.data();
  const size_t count = opportunity.lines.size();
  out.lines.resize(count);  // every field of every line is written below
  LinePlan* plans = out.lines.data();

  // Pass 1: everything that does not depend on the deal size. Check each line, sum the list
  // totals (the deal size), and find what its family and quantity give it. Until pass 2
  // overwrites them, a line's plan holds the family + volume rate in discount_rate, the volume
  // rate alone in unit_price (for compounding) and the whole quantity in total (0: fractional).
  const StringIndex::View families = families_.view();
  const uint32_t width = Width > 0 ? Width : tier_width_;
  const int64_t* volume_min = volume_min_.data();
  const Level* levels = levels_.data();
  const bool override_enabled = rules_.override_enabled;
  int64_t subtotal = 0;
  bool in_range = true;
  for (size_t i = 0; i < count; ++i) {
    const OpportunityLine& line = lines[i];
    LinePlan& plan = plans[i];
    if (!plainly_valid<Scale>(line)) [[unlikely]] {
      if (!check_lines(opportunity, Scale, out)) return;
    }
    const int64_t quantity = line.quantity.units();
    const int64_t list = line.list_price.units();
    const uint64_t whole = static_cast<uint64_t>(quantity) / Decimal::kUnitsPerOne;
    const bool is_whole = whole * Decimal::kUnitsPerOne == static_cast<uint64_t>(quantity);
    // Quantities are mostly whole, and then the product of an amount with at most Scale places
    // is exact: one multiplication instead of a multiplication, a division and a rounding,
    // with the same result.
    int64_t list_total = 0;
    if (is_whole) [[likely]] {
      in_range &= !__builtin_mul_overflow(list, static_cast<int64_t>(whole), &list_total);
    } else {
      in_range &= multiply_nonnegative<Scale>(list, quantity, list_total);
    }
    in_range &= !__builtin_add_overflow(subtotal, list_total, &subtotal);
    plan.list_price = line.list_price;
    plan.list_total = Decimal::from_units(list_total);
    plan.total = Decimal::from_units(is_whole ? static_cast<int64_t>(whole) : 0);
    if (line.discount_override && override_enabled) [[unlikely]] {
      plan.discount_rate = *line.discount_override;
      plan.fired = FiredRules::from_bits(bit(RuleKind::discount_override));
      plan.volume_tier = -1;
      plan.family = -1;
      continue;
    }
    // A std::string has 16 readable bytes at data() whatever its length (find_padded()).
    const int family = families.find_padded(line.product_family.data(), line.product_family.size());
    const uint32_t row = family < 0 ? unknown_row_ : static_cast<uint32_t>(family);
    const int64_t* min = volume_min + size_t{row} * width;
    uint32_t reached = 0;
    for (uint32_t t = 0; t < width; t += 4) {  // one step for Width 4: no loop
      reached += (min[t] <= quantity) + (min[t + 1] <= quantity) + (min[t + 2] <= quantity) +
                 (min[t + 3] <= quantity);
    }
    const Level& level = levels[size_t{row} * (width + 1) + reached];
    plan.discount_rate = Decimal::from_units(level.rate);
    plan.unit_price = Decimal::from_units(level.volume_rate);
    plan.fired = FiredRules::from_bits(level.fired);
    plan.volume_tier = level.tier;
    plan.family = static_cast<int16_t>(family);
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
  const bool override_capped = rules_.override_capped;

  // Pass 2: each line's rate, then its unit price (the one rounding) and total; from the plan
  // alone, which pass 1 left in the L1 cache.
  int64_t total = 0;
  for (size_t i = 0; i < count; ++i) {
    LinePlan& plan = plans[i];
    const bool is_override = plan.fired.has(RuleKind::discount_override);
    int64_t rate = plan.discount_rate.units();
    uint8_t fired = plan.fired.bits();
    bool may_cap = true;
    if (is_override) [[unlikely]] {
      may_cap = override_capped;
    } else if (additive) [[likely]] {
      rate += base_rate.units();
      fired |= base_fired;
    } else {
      const Decimal volume = plan.unit_price;
      rate =
          compound(compound(base_rate, Decimal::from_units(rate - volume.units())), volume).units();
      fired |= base_fired;
    }
    const bool capped = may_cap && rate > cap;
    rate = capped ? cap : rate;
    fired |= static_cast<uint8_t>(capped ? bit(RuleKind::cap) : 0);
    int64_t unit = 0;
    int64_t line_total = 0;
    in_range &=
        multiply_nonnegative<Scale>(plan.list_price.units(), Decimal::kUnitsPerOne - rate, unit);
    const int64_t whole = plan.total.units();
    if (whole != 0) [[likely]] {
      in_range &= !__builtin_mul_overflow(unit, whole, &line_total);
    } else {
      in_range &= multiply_nonnegative<Scale>(unit, lines[i].quantity.units(), line_total);
    }
    in_range &= !__builtin_add_overflow(total, line_total, &total);
    plan.discount_rate = Decimal::from_units(rate);
    plan.unit_price = Decimal::from_units(unit);
    plan.total = Decimal::from_units(line_total);
    plan.fired = FiredRules::from_bits(fired);
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
