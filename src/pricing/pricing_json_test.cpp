#include "pricing/pricing_json.hpp"

#include "pricing/rules_engine.hpp"

#include <gtest/gtest.h>

namespace pe::pricing {
namespace {

const std::string kOpp = std::string(SalesforceId::make("006", 1).str());
const std::string kLine = std::string(SalesforceId::make("00k", 1).str());
const std::string kEntry = std::string(SalesforceId::make("01u", 1).str());
const std::string kBook = std::string(SalesforceId::make("01s", 1).str());

std::string one(std::string_view line_fields, std::string_view opp_fields = "") {
  return R"({"opportunities": [{"id": ")" + kOpp + R"(", "pricebook2_id": ")" + kBook + "\"" +
         std::string(opp_fields) + R"(, "lines": [{"id": ")" + kLine +
         R"(", "pricebook_entry_id": ")" + kEntry + "\"" + std::string(line_fields) + "}]}]}";
}

std::string error_of(std::string_view text) {
  auto r = opportunities_from_json(text);
  if (r) return "(no error)";
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  return r.error().message;
}

TEST(PricingJson, ReadsOpportunities) {
  auto r = opportunities_from_json(one(
      R"(, "product_family": "Software", "quantity": 2.5, "list_price": "19.99", "discount_override": 0.1)",
      R"(, "name": "Deal", "account": {"name": "Acme", "billing_country": "Germany"})"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  const Opportunity& o = r->front();
  EXPECT_EQ(o.id.str(), kOpp);
  EXPECT_EQ(o.name, "Deal");
  EXPECT_EQ(o.account.billing_country, "Germany");
  EXPECT_TRUE(o.account.id.is_null());
  EXPECT_EQ(o.pricebook2_id.str(), kBook);
  ASSERT_EQ(o.lines.size(), 1u);
  EXPECT_EQ(o.lines[0].quantity.to_string(), "2.5");
  EXPECT_EQ(o.lines[0].list_price.to_string(), "19.99");
  EXPECT_EQ(o.lines[0].discount_override->to_string(), "0.1");
  EXPECT_EQ(o.lines[0].product_family, "Software");
  // A bare array, 15-character ids and null optional fields are fine too.
  auto bare = opportunities_from_json(
      R"([{"id": "006am000006pSAY", "pricebook2_id": null, "account": null, "lines": null}])");
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->front().id.str(), "006am000006pSAYAA2");
  EXPECT_TRUE(bare->front().lines.empty());
}

TEST(PricingJson, ReportsBadInputWithItsPath) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::string p = "opportunities[0].lines[0]";
  std::vector<Case> cases = {
      {"{", "invalid JSON at line 1, column 2: "},
      {"{}", "expected {\"opportunities\": [...]}"},
      {"7", "expected {\"opportunities\": [...]} or an array"},
      {R"({"opportunities": {}})", "opportunities: must be an array, not {}"},
      {R"({"opportunities": [], "extra": 1})", "extra: unknown field"},
      {R"([1])", "opportunities[0]: must be an object, not 1"},
      {R"([{}])", "opportunities[0].id: missing"},
      {R"([{"id": "001am000019vFalAAE"}])",
       "opportunities[0].id: '001am000019vFalAAE' is not an Opportunity Id (key prefix 006)"},
      {R"([{"id": "006'; DROP TABLE"}])",
       "opportunities[0].id: malformed Salesforce Id '006'; DROP TABLE': must be 15 or 18 "
       "characters, not 16"},
      {R"([{"id": 6}])", "opportunities[0].id: must be a string, not 6"},
      {R"([{"id": "006am000006pSAY", "lines": {}}])",
       "opportunities[0].lines: must be an array, not {}"},
      {R"([{"id": "006am000006pSAY", "stage": "x"}])", "opportunities[0].stage: unknown field"},
      {R"([{"id": "006am000006pSAY", "account": []}])",
       "opportunities[0].account: must be an object, not []"},
      {R"([{"id": "006am000006pSAY", "account": {"billing_country": 49}}])",
       "opportunities[0].account.billing_country: must be a string, not 49"},
      {one(R"(, "list_price": 1)"), p + ".quantity: missing"},
      {one(R"(, "quantity": 0, "list_price": 1)"), p + ".quantity: must be positive, not 0"},
      {one(R"(, "quantity": -2, "list_price": 1)"), p + ".quantity: must be positive, not -2"},
      {one(R"(, "quantity": 1, "list_price": 0)"), p + ".list_price: must be positive, not 0"},
      {one(R"(, "quantity": 1, "list_price": -0.01)"),
       p + ".list_price: must be positive, not -0.01"},
      {one(R"(, "quantity": 1, "list_price": "12,50")"),
       p + ".list_price: invalid number '12,50': unexpected character"},
      {one(R"(, "quantity": 1, "list_price": 1.0000001)"),
       p + ".list_price: invalid number '1.0000001': more than 6 decimal places"},
      {one(R"(, "quantity": 1, "list_price": 12345678901234567890)"),
       p + ".list_price: number out of range"},
      {one(R"(, "quantity": 1, "list_price": 98765432109.8765432)"),
       p + ".list_price: invalid number '98765432109.8765432': more than 6 decimal places"},
      {one(R"(, "quantity": true, "list_price": 1)"), p + ".quantity: must be a number, not true"},
      {one(R"(, "quantity": 1, "list_price": 1, "discount_override": 1.5)"),
       p + ".discount_override: must be a rate from 0 to 1, not 1.5"},
      {one(R"(, "quantity": 1, "list_price": 1, "product_family": ["x"])"),
       p + ".product_family: must be a string, not [\"x\"]"},
      {one(R"(, "quantity": 1, "list_price": 1, "quantitiy": 2)"), p + ".quantitiy: unknown field"},
      {one(R"(, "quantity": 1, "list_price": 1, "product2_id": "01u000000000001")"),
       p + ".product2_id: '01u000000000001AAA' is not a Product2 Id (key prefix 01t)"},
  };
  for (const auto& c : cases) {
    std::string message = error_of(c.text);
    EXPECT_NE(message.find(c.message), std::string::npos)
        << "input: " << c.text << "\nexpected: " << c.message << "\ngot: " << message;
  }
}

TEST(PricingJson, ReportsManyProblemsButNotEndlessly) {
  std::string many = "[";
  for (int i = 0; i < 100; ++i) many += std::string(i ? "," : "") + "{}";
  many += "]";
  std::string message = error_of(many);
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 20);
  EXPECT_NE(message.find("opportunities[19].id: missing\n(stopped after 20 problems)"),
            std::string::npos)
      << message;
}

TEST(PricingJson, WritesQuotesAsJsonAndTable) {
  auto rules = parse_rules(
      R"({"version": "j1", "default_region": "R", "regions": {"R": {"discount": 0.1, "countries": []}}})");
  ASSERT_TRUE(rules);
  RulesEngine engine(std::move(*rules));
  auto opportunities = opportunities_from_json(
      one(R"(, "product_family": "Soft\"ware", "quantity": 3, "list_price": 19.99)",
          R"(, "name": "Deal \u00fc")"));
  ASSERT_TRUE(opportunities) << opportunities.error().message;
  Opportunity skipped = opportunities->front();
  skipped.id = SalesforceId::make("006", 2);
  skipped.lines.clear();
  opportunities->push_back(skipped);
  std::vector<QuotePlan> plans;
  engine.price_batch(*opportunities, plans);
  std::string json;
  write_quotes_json(engine, *opportunities, plans, json);
  std::string v = std::string(engine.version());
  EXPECT_EQ(json, "{\"engine\":\"" + v + "\",\"quotes\":[\n" + "{\"opportunity_id\":\"" + kOpp +
                      "\",\"name\":\"Quote for Deal ü\",\"pricebook2_id\":\"" + kBook +
                      "\",\"status\":\"Draft\",\"description\":\"Priced by " + v +
                      "\",\"valid_days\":30,\"rules\":[\"region R 10%\"],\"subtotal\":59.97,"
                      "\"discount\":6.00,\"total\":53.97,\"discount_rate\":0.10005,"
                      "\"lines\":[{\"line_id\":\"" +
                      kLine + "\",\"pricebook_entry_id\":\"" + kEntry +
                      "\",\"product_family\":\"Soft\\\"ware\",\"quantity\":3,\"list_price\":19.99,"
                      "\"discount_rate\":0.1,\"rules\":[\"region R 10%\"],\"unit_price\":17.99,"
                      "\"total\":53.97}]}\n],\"skipped\":[\n{\"opportunity_id\":\"" +
                      std::string(SalesforceId::make("006", 2).str()) +
                      "\",\"reason\":\"no line items\"}\n]}\n");
  std::string table;
  write_quotes_table(engine, *opportunities, plans, table);
  EXPECT_NE(table.find("Engine: " + v), std::string::npos) << table;
  EXPECT_NE(table.find("  status Draft  |  region R 10%\n"), std::string::npos) << table;
  EXPECT_NE(
      table.find(
          "     1  Soft\"ware             3         19.99       10%         17.99         53.97  "
          "region R 10%\n"),
      std::string::npos)
      << table;
  EXPECT_NE(table.find("subtotal 59.97  discount 6.00 (10.005%)  total 53.97"), std::string::npos)
      << table;
  EXPECT_NE(table.find("Skipped " + std::string(SalesforceId::make("006", 2).str()) +
                       ": no line items\n1 quoted, 1 skipped\n"),
            std::string::npos)
      << table;
}

TEST(PricingJson, WritesOpportunitiesItCanReadBack) {
  auto first = opportunities_from_json(one(
      R"(, "product_family": "Software", "quantity": 2.5, "list_price": "19.99", "discount_override": 0.1)"));
  ASSERT_TRUE(first);
  std::string text;
  write_opportunities_json(*first, text);
  auto second = opportunities_from_json(text);
  ASSERT_TRUE(second) << second.error().message << "\n" << text;
  std::string again;
  write_opportunities_json(*second, again);
  EXPECT_EQ(text, again);
}

}  // namespace
}  // namespace pe::pricing
