// seed_data.cpp: deterministic sample data — accounts in several countries, products in
// families with standard prices, opportunities with line items — written through create(), so
// that every derived field is what Salesforce would compute.
#include "common/money.hpp"
#include "devorg/store_sqlite.hpp"

#include <array>
#include <cstdio>
#include <random>

namespace pe::devorg {
namespace {

namespace json = boost::json;

// The generator's own draws, not std::uniform_*_distribution, whose results differ between
// standard libraries: the same seed gives the same data everywhere.
class Draw {
 public:
  explicit Draw(uint64_t seed) : rng_(seed) {}
  size_t below(size_t n) { return static_cast<size_t>(rng_() % n); }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
  template <class T, size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[below(N)];
  }

 private:
  std::mt19937_64 rng_;
};

// Countries as users type them (the pricing rules map several spellings to one region).
constexpr std::array<std::string_view, 20> kCountries = {
    "United States",  "USA",       "Canada",       "Germany",     "France",
    "United Kingdom", "UK",        "Japan",        "Australia",   "Brazil",
    "India",          "Mexico",    "Spain",        "Italy",       "Netherlands",
    "Sweden",         "Singapore", "South Africa", "Switzerland", "Poland"};
constexpr std::array<std::string_view, 16> kNameStarts = {
    "Acme",  "Globex",   "Initech", "Umbrella", "Stark",    "Wayne",     "Cyberdyne", "Soylent",
    "Hooli", "Vandelay", "Wonka",   "Tyrell",   "Aperture", "Gringotts", "Oscorp",    "Massive"};
constexpr std::array<std::string_view, 8> kNameEnds = {
    "Industries", "Corp", "Systems", "Labs", "Holdings", "Group", "Logistics", "Partners"};
constexpr std::array<std::string_view, 6> kIndustries = {"Technology", "Manufacturing", "Retail",
                                                         "Finance",    "Healthcare",    "Energy"};
constexpr std::array<std::string_view, 8> kOpenStages = {
    "Prospecting",         "Qualification",       "Needs Analysis",       "Value Proposition",
    "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review"};

struct Product {
  std::string_view name;
  std::string_view family;
  std::string_view code;
  std::string_view price;
};

constexpr std::array<Product, 20> kProducts = {{
    {"Edge Server X1", "Hardware", "HW-X1", "4999.00"},
    {"Edge Server X2", "Hardware", "HW-X2", "7999.00"},
    {"Storage Array 48TB", "Hardware", "HW-SA48", "12500.00"},
    {"Network Switch 24p", "Hardware", "HW-NS24", "1299.99"},
    {"Rugged Tablet", "Hardware", "HW-RT", "899.50"},
    {"Thin Client", "Hardware", "HW-TC", "349.00"},
    {"Analytics Suite (per seat)", "Software", "SW-AS", "59.99"},
    {"Quote Automation (per seat)", "Software", "SW-QA", "39.00"},
    {"Integration Platform", "Software", "SW-IP", "2400.00"},
    {"Security Pack", "Software", "SW-SP", "1250.00"},
    {"Data Connector", "Software", "SW-DC", "199.00"},
    {"Mobile Add-on (per seat)", "Software", "SW-MA", "12.50"},
    {"Implementation Day", "Services", "SV-ID", "1400.00"},
    {"Training Workshop", "Services", "SV-TW", "2200.00"},
    {"Data Migration", "Services", "SV-DM", "5200.00"},
    {"Architecture Review", "Services", "SV-AR", "3100.00"},
    {"Premier Support (yearly)", "Support", "SP-PR", "9000.00"},
    {"Standard Support (yearly)", "Support", "SP-ST", "3600.00"},
    {"Extended Warranty", "Support", "SP-EW", "450.00"},
    {"On-site Response 4h", "Support", "SP-OR", "7200.00"},
}};

std::string two_digits(int n) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", n % 100);
  return buf;
}

}  // namespace

ApiResult<void> SqliteStore::seed(const SeedOptions& options) {
  if (options.opportunities < 0) {
    return ApiError("INVALID_INPUT", "the number of opportunities to seed must not be negative");
  }
  Draw draw(options.seed);
  begin();
  auto fail = [&](const ApiError& error) -> ApiResult<void> {
    rollback();
    return ApiError(error.error_code, "seeding failed: " + error.message, 500);
  };

  // Products and their standard prices.
  std::vector<std::pair<std::string, const Product*>> entries;
  for (const auto& p : kProducts) {
    auto product = create(
        "Product2",
        json::object{
            {"Name", p.name}, {"Family", p.family}, {"ProductCode", p.code}, {"IsActive", true}});
    if (!product) return fail(product.error());
    auto entry = create("PricebookEntry", json::object{{"Pricebook2Id", standard_pricebook_.str()},
                                                       {"Product2Id", product->str()},
                                                       {"UnitPrice", p.price},
                                                       {"IsActive", true}});
    if (!entry) return fail(entry.error());
    entries.emplace_back(std::string(entry->str()), &p);
  }

  // Accounts: one for every five opportunities, at least ten.
  size_t account_count = std::max<size_t>(10, static_cast<size_t>(options.opportunities) / 5);
  std::vector<std::pair<std::string, std::string>> accounts;  // id, name
  for (size_t i = 0; i < account_count; ++i) {
    std::string name = std::string(draw.pick(kNameStarts)) + " " +
                       std::string(draw.pick(kNameEnds)) + " " + std::to_string(i + 1);
    auto account = create("Account", json::object{{"Name", name},
                                                  {"BillingCountry", draw.pick(kCountries)},
                                                  {"Industry", draw.pick(kIndustries)},
                                                  {"Type", "Customer - Direct"}});
    if (!account) return fail(account.error());
    accounts.emplace_back(std::string(account->str()), name);
  }

  // Opportunities with 1 to 5 lines, closing within 2026.
  for (int i = 0; i < options.opportunities; ++i) {
    const auto& [account_id, account_name] = accounts[draw.below(accounts.size())];
    int month = 1 + static_cast<int>(draw.below(12));
    int day = 1 + static_cast<int>(draw.below(28));
    auto opportunity =
        create("Opportunity",
               json::object{{"Name", account_name + " - deal " + std::to_string(i + 1)},
                            {"AccountId", account_id},
                            {"StageName", draw.pick(kOpenStages)},
                            {"CloseDate", "2026-" + two_digits(month) + "-" + two_digits(day)},
                            {"Pricebook2Id", standard_pricebook_.str()}});
    if (!opportunity) return fail(opportunity.error());
    size_t lines = 1 + draw.below(5);
    for (size_t l = 0; l < lines; ++l) {
      const auto& [entry_id, product] = entries[draw.below(entries.size())];
      std::string quantity = std::to_string(1 + draw.below(100));
      if (draw.chance(10)) quantity += ".5";
      json::object line{{"OpportunityId", opportunity->str()},
                        {"PricebookEntryId", entry_id},
                        {"Quantity", quantity},
                        {"UnitPrice", product->price}};
      if (draw.chance(5)) line["DiscountOverride__c"] = std::to_string(5 + draw.below(26));
      auto created = create("OpportunityLineItem", line);
      if (!created) return fail(created.error());
    }
  }
  commit();
  return {};
}

}  // namespace pe::devorg
