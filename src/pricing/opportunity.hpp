// opportunity.hpp: what the pricing engine prices, as plain structs.
//
// An Opportunity with its Account and its line items, independent of where they came from: the
// worker maps SOQL query results onto these, the `price` subcommand reads them from JSON
// (pricing_json.hpp), benchmarks and tests generate them (sample_data.hpp). Money and
// quantities are exact Decimals; a discount override is a rate (0.15 = 15 %), so whoever maps a
// Salesforce Percent field (15 = 15 %) divides it by 100 first.
//
//   Opportunity opp;
//   opp.id = SalesforceId::parse("006am000006pSAY").value();
//   opp.account.billing_country = "Germany";
//   opp.pricebook2_id = SalesforceId::make("01s", 1);
//   opp.lines.push_back({.pricebook_entry_id = SalesforceId::make("01u", 7),
//                        .product_family = "Hardware",
//                        .quantity = Decimal::parse("10").value(),
//                        .list_price = Decimal::parse("199.99").value()});
#pragma once

#include "common/money.hpp"
#include "common/sfid.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pe::pricing {

struct Account {
  SalesforceId id;
  std::string name;
  std::string billing_country;  // Account.BillingCountry as typed: "Germany", "DE", "" ...
};

struct OpportunityLine {
  SalesforceId id;                  // OpportunityLineItem.Id
  SalesforceId product2_id;         // OpportunityLineItem.Product2Id
  SalesforceId pricebook_entry_id;  // null: the line cannot become a QuoteLineItem
  std::string product_family;       // Product2.Family; "" when the product has none
  Decimal quantity;                 // must be positive
  Decimal list_price;  // the price before our discounts (OpportunityLineItem.UnitPrice); > 0
  std::optional<Decimal> discount_override;  // DiscountOverride__c as a rate, 0 to 1
};

struct Opportunity {
  SalesforceId id;
  std::string name;
  Account account;
  SalesforceId pricebook2_id;  // null: no price book, no quote
  std::vector<OpportunityLine> lines;
};

}  // namespace pe::pricing
