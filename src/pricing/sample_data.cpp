#include "pricing/sample_data.hpp"

#include <random>

namespace pe::pricing {
namespace {

class Draw {
 public:
  explicit Draw(uint64_t seed) : rng_(seed) {}
  // Uniform enough in [0, n) for test data; n > 0.
  uint64_t below(uint64_t n) { return rng_() % n; }
  bool percent(int p) { return below(100) < static_cast<uint64_t>(p); }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 rng_;
};

Decimal cents(int64_t n) { return Decimal::from_units(n * 10'000); }

Decimal quantity(Draw& d, bool edge_cases) {
  if (edge_cases && d.percent(5))
    return Decimal::from_units(static_cast<int64_t>(1 + d.below(400)) * 250'000);  // 0.25 steps
  if (edge_cases && d.percent(3))
    return Decimal::from_units(static_cast<int64_t>(1000 + d.below(50'000)) * 1'000'000);
  static constexpr int64_t kCommon[] = {1, 1, 2, 3, 5, 10, 12, 20, 25, 50, 75, 100, 150, 250, 500};
  if (d.percent(70)) return Decimal::from_units(kCommon[d.below(std::size(kCommon))] * 1'000'000);
  return Decimal::from_units(static_cast<int64_t>(1 + d.below(999)) * 1'000'000);
}

Decimal list_price(Draw& d) {
  // Prices with cents that make half-cent products likely (x.x5, x.x9) and round prices.
  switch (d.below(4)) {
    case 0:
      return cents(static_cast<int64_t>(1 + d.below(2000)) * 100 - 1);  // 19.99 style
    case 1:
      return cents(static_cast<int64_t>(1 + d.below(400)) * 2500);  // 25.00 steps
    case 2:
      return cents(static_cast<int64_t>(100 + d.below(2'000'000)));  // any cents
    default:
      return cents(static_cast<int64_t>(1 + d.below(20'000)) * 10 + 5);  // x.x5
  }
}

std::string odd_spelling(Draw& d, std::string country) {
  switch (d.below(3)) {
    case 0:
      for (auto& c : country) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      return country;
    case 1:
      return "  " + country + " ";
    default:
      for (auto& c : country) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      return country;
  }
}

std::string country(Draw& d, const SampleShape& shape) {
  if (shape.edge_cases) {
    if (d.percent(3)) return "";
    if (d.percent(3)) return "Atlantis";
    if (d.percent(5) && !shape.countries.empty()) return odd_spelling(d, d.pick(shape.countries));
  }
  return shape.countries.empty() ? std::string() : d.pick(shape.countries);
}

std::string family(Draw& d, const SampleShape& shape) {
  if (shape.edge_cases) {
    if (d.percent(2)) return "";
    if (d.percent(2)) return "Discontinued Line";
  }
  return shape.families.empty() ? std::string() : d.pick(shape.families);
}

}  // namespace

SampleShape sample_shape_for(const Rules& rules) {
  SampleShape shape;
  for (const auto& region : rules.regions) {
    for (const auto& c : region.countries) shape.countries.push_back(c);
  }
  for (const auto& f : rules.families) shape.families.push_back(f.name);
  return shape;
}

std::vector<Opportunity> generate_opportunities(uint64_t seed, size_t count,
                                                const SampleShape& shape) {
  Draw d(seed);
  std::vector<Opportunity> out(count);
  uint64_t line_serial = 1;
  const int span = std::max(1, shape.max_lines - shape.min_lines + 1);
  for (size_t i = 0; i < count; ++i) {
    Opportunity& opp = out[i];
    opp.id = SalesforceId::make("006", seed * 1'000'000 + i + 1);
    opp.name = "Deal " + std::to_string(i + 1);
    opp.account.id = SalesforceId::make("001", seed * 1'000'000 + i / 3 + 1);
    opp.account.name = "Account " + std::to_string(i / 3 + 1);
    opp.account.billing_country = country(d, shape);
    opp.pricebook2_id = SalesforceId::make("01s", 1);
    if (shape.edge_cases && d.percent(2)) opp.pricebook2_id = SalesforceId();
    int lines = shape.min_lines + static_cast<int>(d.below(static_cast<uint64_t>(span)));
    if (shape.edge_cases && d.percent(2)) lines = 0;
    opp.lines.resize(static_cast<size_t>(lines));
    for (auto& line : opp.lines) {
      uint64_t product = 1 + d.below(5000);
      line.id = SalesforceId::make("00k", line_serial++);
      line.product2_id = SalesforceId::make("01t", product);
      line.pricebook_entry_id = SalesforceId::make("01u", product);
      line.product_family = family(d, shape);
      line.quantity = quantity(d, shape.edge_cases);
      line.list_price = list_price(d);
      if (shape.edge_cases && d.percent(4)) {
        line.discount_override = Decimal::from_units(static_cast<int64_t>(d.below(61)) * 10'000);
      }
    }
  }
  return out;
}

}  // namespace pe::pricing
