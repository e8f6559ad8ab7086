#include "quotes/quote_records.hpp"

#include "common/json_exact.hpp"
#include "common/money.hpp"

#include <boost/json/array.hpp>

#include <cstdio>

namespace pe::quotes {
namespace {

namespace json = boost::json;

constexpr size_t kMaxDescription = 255;

Error bad_field(const json::object& record, std::string_view field, std::string_view problem) {
  std::string id = "(no Id)";
  if (auto* v = record.if_contains("Id"); v && v->is_string()) id = std::string(v->get_string());
  return Error{Errc::invalid_argument, "record " + id.substr(0, 18) + ": " + std::string(field) +
                                           " " + std::string(problem)};
}

// An Id field of the given object type; null or absent gives the null Id unless required.
Result<SalesforceId> id_field(const json::object& record, std::string_view field,
                              std::string_view type, bool required) {
  const json::value* v = record.if_contains(field);
  if (!v || v->is_null()) {
    if (required) return bad_field(record, field, "is missing");
    return SalesforceId();
  }
  if (!v->is_string()) return bad_field(record, field, "is not a string: " + describe_json(*v));
  auto id = SalesforceId::parse(v->get_string());
  if (!id) return bad_field(record, field, id.error().message);
  if (id->sobject_type() != type) {
    return bad_field(record, field,
                     "is not " + std::string(type) + " Id: " + std::string(id->str()));
  }
  return *id;
}

std::string text_field(const json::object& record, std::string_view field) {
  const json::value* v = record.if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// A nested parent object ("Account": {...}) or nullptr when null or absent.
const json::object* parent(const json::object& record, std::string_view relationship) {
  const json::value* v = record.if_contains(relationship);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

Result<Decimal> decimal_field(const json::object& record, std::string_view field) {
  const json::value* v = record.if_contains(field);
  if (!v || v->is_null()) return bad_field(record, field, "is missing");
  auto d = Decimal::from_json(*v);
  if (!d) return bad_field(record, field, d.error().message);
  return *d;
}

Result<pricing::OpportunityLine> line_from_record(const json::object& record) {
  pricing::OpportunityLine line;
  auto id = id_field(record, "Id", "OpportunityLineItem", true);
  if (!id) return id.error();
  line.id = *id;
  auto product = id_field(record, "Product2Id", "Product2", false);
  if (!product) return product.error();
  line.product2_id = *product;
  auto entry = id_field(record, "PricebookEntryId", "PricebookEntry", false);
  if (!entry) return entry.error();
  line.pricebook_entry_id = *entry;
  if (const json::object* p = parent(record, "Product2"))
    line.product_family = text_field(*p, "Family");
  auto quantity = decimal_field(record, "Quantity");
  if (!quantity) return quantity.error();
  line.quantity = *quantity;
  auto price = decimal_field(record, "UnitPrice");
  if (!price) return price.error();
  line.list_price = *price;
  if (const json::value* v = record.if_contains("DiscountOverride__c"); v && !v->is_null()) {
    auto percent = Decimal::from_json(*v);
    if (!percent) return bad_field(record, "DiscountOverride__c", percent.error().message);
    // A Percent field holds 15 for 15 %; the engine takes a rate.
    auto rate = percent->divide(Decimal::from_units(100 * Decimal::kUnitsPerOne));
    if (!rate) return bad_field(record, "DiscountOverride__c", rate.error().message);
    line.discount_override = *rate;
  }
  return line;
}

std::string cut(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  // Do not split a UTF-8 sequence.
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string iso_date(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()) % 10000,
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace

std::string_view opportunity_soql(bool discount_overrides) {
  if (!discount_overrides) {
    return "SELECT Id, Name, Pricebook2Id, AccountId, Account.Name, Account.BillingCountry, "
           "(SELECT Id, Product2Id, Product2.Family, PricebookEntryId, Quantity, UnitPrice "
           "FROM OpportunityLineItems ORDER BY Id) FROM Opportunity";
  }
  return "SELECT Id, Name, Pricebook2Id, AccountId, Account.Name, Account.BillingCountry, "
         "(SELECT Id, Product2Id, Product2.Family, PricebookEntryId, Quantity, UnitPrice, "
         "DiscountOverride__c FROM OpportunityLineItems ORDER BY Id) FROM Opportunity";
}

Result<pricing::Opportunity> opportunity_from_record(const json::object& record) {
  pricing::Opportunity opp;
  auto id = id_field(record, "Id", "Opportunity", true);
  if (!id) return id.error();
  opp.id = *id;
  opp.name = text_field(record, "Name");
  auto book = id_field(record, "Pricebook2Id", "Pricebook2", false);
  if (!book) return book.error();
  opp.pricebook2_id = *book;
  auto account = id_field(record, "AccountId", "Account", false);
  if (!account) return account.error();
  opp.account.id = *account;
  if (const json::object* a = parent(record, "Account")) {
    opp.account.name = text_field(*a, "Name");
    opp.account.billing_country = text_field(*a, "BillingCountry");
  }
  const json::value* children = record.if_contains("OpportunityLineItems");
  if (children && children->is_object()) {
    const json::object& page = children->get_object();
    const json::value* done = page.if_contains("done");
    if (done && done->is_bool() && !done->get_bool()) {
      // A child page that is not complete would price a partial opportunity.
      return bad_field(record, "OpportunityLineItems", "has more lines than one page holds");
    }
    const json::value* records = page.if_contains("records");
    if (!records || !records->is_array()) {
      return bad_field(record, "OpportunityLineItems", "has no records array");
    }
    for (const json::value& child : records->get_array()) {
      if (!child.is_object())
        return bad_field(record, "OpportunityLineItems", "holds a non-object");
      auto line = line_from_record(child.get_object());
      if (!line) return line.error();
      opp.lines.push_back(std::move(*line));
    }
  } else if (children && !children->is_null()) {
    return bad_field(record, "OpportunityLineItems", "is not a query result");
  }
  return opp;
}

std::string quote_generation_key(std::string_view transaction_key,
                                 const SalesforceId& opportunity) {
  std::string key(transaction_key);
  key += ':';
  key += opportunity.str();
  return key;
}

std::string line_generation_key(std::string_view transaction_key, const SalesforceId& opportunity,
                                const SalesforceId& line) {
  std::string key = quote_generation_key(transaction_key, opportunity);
  key += ':';
  key += line.str();
  return key;
}

json::object quote_fields(const pricing::QuotePlan& plan, std::string_view transaction_key,
                          std::chrono::sys_days today) {
  json::object fields;
  fields["Name"] = cut(plan.name, 80);
  fields["OpportunityId"] = plan.opportunity_id.str();
  fields["Pricebook2Id"] = plan.pricebook2_id.str();
  fields["ExpirationDate"] = iso_date(today + std::chrono::days(plan.valid_days));
  fields["Status"] = plan.status_label;
  fields["Description"] = cut(plan.description, kMaxDescription);
  fields["GenerationKey__c"] = quote_generation_key(transaction_key, plan.opportunity_id);
  return fields;
}

json::object quote_line_fields(const pricing::QuotePlan& plan,
                               const pricing::Opportunity& opportunity, size_t i,
                               std::string_view transaction_key, std::string_view why) {
  const pricing::OpportunityLine& line = opportunity.lines.at(i);
  const pricing::LinePlan& priced = plan.lines.at(i);
  json::object fields;
  fields["PricebookEntryId"] = line.pricebook_entry_id.str();
  if (!line.product2_id.is_null()) fields["Product2Id"] = line.product2_id.str();
  fields["Quantity"] = line.quantity.to_json(Decimal::kScale);
  fields["UnitPrice"] = priced.unit_price.to_json(plan.currency_scale);
  fields["Description"] = cut(why, kMaxDescription);
  fields["GenerationKey__c"] = line_generation_key(transaction_key, opportunity.id, line.id);
  return fields;
}

std::string completion_status(size_t quotes, size_t skipped) {
  std::string status = "Quotes Generated: " + std::to_string(quotes);
  if (skipped > 0) status += ", Skipped: " + std::to_string(skipped);
  return status;
}

}  // namespace pe::quotes
