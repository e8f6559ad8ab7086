#include "quotes/quote_records.hpp"

#include "common/json_exact.hpp"
#include "pricing/pricing_engine.hpp"

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

namespace pe::quotes {
namespace {

namespace json = boost::json;
using namespace std::chrono;

const std::string kOpp(SalesforceId::make("006", 1).str());
const std::string kLine1(SalesforceId::make("00k", 1).str());
const std::string kLine2(SalesforceId::make("00k", 2).str());
const std::string kEntry(SalesforceId::make("01u", 1).str());
const std::string kProduct(SalesforceId::make("01t", 1).str());
const std::string kBook(SalesforceId::make("01s", 1).str());
const std::string kAccount(SalesforceId::make("001", 1).str());

// A query record as devorg and Salesforce answer opportunity_soql().
std::string record_text(std::string_view line2_override = "null") {
  return R"({"attributes":{"type":"Opportunity","url":"/x"},"Id":")" + kOpp +
         R"(","Name":"Acme renewal","Pricebook2Id":")" + kBook + R"(","AccountId":")" + kAccount +
         R"(","Account":{"attributes":{"type":"Account"},"Name":"Acme","BillingCountry":"Germany"},)"
         R"("OpportunityLineItems":{"totalSize":2,"done":true,"records":[)"
         R"({"attributes":{"type":"OpportunityLineItem"},"Id":")" +
         kLine1 + R"(","Product2Id":")" + kProduct +
         R"(","Product2":{"Family":"Software"},"PricebookEntryId":")" + kEntry +
         R"(","Quantity":100,"UnitPrice":19.99,"DiscountOverride__c":null},)"
         R"({"attributes":{"type":"OpportunityLineItem"},"Id":")" +
         kLine2 + R"(","Product2Id":null,"Product2":null,"PricebookEntryId":")" + kEntry +
         R"(","Quantity":2.5,"UnitPrice":1234567890.123456,"DiscountOverride__c":)" +
         std::string(line2_override) + "}]}}";
}

json::object parse(const std::string& text) { return parse_json_exact(text).value().as_object(); }

TEST(QuoteRecords, MapsAnOpportunityRecordExactly) {
  auto opp = opportunity_from_record(parse(record_text("12.5")));
  ASSERT_TRUE(opp) << opp.error().message;
  EXPECT_EQ(opp->id.str(), kOpp);
  EXPECT_EQ(opp->name, "Acme renewal");
  EXPECT_EQ(opp->pricebook2_id.str(), kBook);
  EXPECT_EQ(opp->account.billing_country, "Germany");
  ASSERT_EQ(opp->lines.size(), 2u);
  EXPECT_EQ(opp->lines[0].product_family, "Software");
  EXPECT_EQ(opp->lines[0].quantity.to_string(), "100");
  EXPECT_EQ(opp->lines[0].list_price.to_string(), "19.99");
  EXPECT_FALSE(opp->lines[0].discount_override);
  EXPECT_EQ(opp->lines[1].product_family, "");
  EXPECT_TRUE(opp->lines[1].product2_id.is_null());
  EXPECT_EQ(opp->lines[1].list_price.to_string(), "1234567890.123456");  // 16 digits, kept exact
  ASSERT_TRUE(opp->lines[1].discount_override);
  EXPECT_EQ(opp->lines[1].discount_override->to_string(), "0.125");  // 12.5 % as a rate
}

TEST(QuoteRecords, AnOpportunityWithoutLinesOrPriceBookMapsForTheEngineToSkip) {
  auto opp = opportunity_from_record(parse(R"({"Id":")" + kOpp +
                                           R"(","Name":"x","Pricebook2Id":null,"AccountId":null,)"
                                           R"("Account":null,"OpportunityLineItems":null})"));
  ASSERT_TRUE(opp) << opp.error().message;
  EXPECT_TRUE(opp->pricebook2_id.is_null());
  EXPECT_TRUE(opp->lines.empty());
}

TEST(QuoteRecords, MalformedRecordsGiveErrorsNamingTheField) {
  auto bad = [](const std::string& text) {
    auto r = opportunity_from_record(parse(text));
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(bad(R"({"Name":"x"})"), "record (no Id): Id is missing");
  EXPECT_EQ(bad(R"({"Id":")" + kAccount + R"("})"),
            "record " + kAccount + ": Id is not Opportunity Id: " + kAccount);
  EXPECT_NE(bad(R"({"Id":"006x"})").find("record 006x: Id "), std::string::npos);
  std::string wrong_quantity = record_text();
  wrong_quantity.replace(wrong_quantity.find("\"Quantity\":100"), 14, "\"Quantity\":\"lots\"");
  EXPECT_NE(bad(wrong_quantity).find("record " + kLine1 + ": Quantity "), std::string::npos);
  std::string partial = record_text();
  partial.replace(partial.find("\"done\":true"), 11, "\"done\":false");
  EXPECT_EQ(bad(partial),
            "record " + kOpp + ": OpportunityLineItems has more lines than one page holds");
}

TEST(QuoteRecords, GenerationKeysDependOnTransactionOpportunityAndLine) {
  auto opp = SalesforceId::make("006", 1);
  auto line = SalesforceId::make("00k", 1);
  EXPECT_EQ(quote_generation_key("tx1", opp), "tx1:" + kOpp);
  EXPECT_EQ(line_generation_key("tx1", opp, line), "tx1:" + kOpp + ":" + kLine1);
  EXPECT_NE(quote_generation_key("tx2", opp), quote_generation_key("tx1", opp));
}

TEST(QuoteRecords, QuoteAndLineFieldsCarryThePlanAndTheKeys) {
  auto opp = opportunity_from_record(parse(record_text())).value();
  opp.lines.resize(1);
  pricing::QuotePlan plan;
  plan.opportunity_id = opp.id;
  plan.pricebook2_id = opp.pricebook2_id;
  plan.name = "Quote for Acme renewal";
  plan.description = "Priced by rules v1 (sha256:ab12cd34)";
  plan.status_label = "Draft";
  plan.valid_days = 30;
  plan.lines.resize(1);
  plan.lines[0].unit_price = Decimal::parse("17.99").value();

  auto quote = quote_fields(plan, "tx1", sys_days(year(2026) / 11 / 23));
  EXPECT_EQ(json::serialize(quote), R"({"Name":"Quote for Acme renewal","OpportunityId":")" + kOpp +
                                        R"(","Pricebook2Id":")" + kBook +
                                        R"(","ExpirationDate":"2026-12-23","Status":"Draft",)"
                                        R"j("Description":"Priced by rules v1 (sha256:ab12cd34)",)j"
                                        R"("GenerationKey__c":"tx1:)" +
                                        kOpp + R"("})");
  auto line = quote_line_fields(plan, opp, 0, "tx1", std::string(300, 'w'));
  EXPECT_EQ(line.at("PricebookEntryId").as_string(), kEntry);
  EXPECT_EQ(line.at("Product2Id").as_string(), kProduct);
  EXPECT_EQ(Decimal::from_json(line.at("Quantity")).value().to_string(), "100");
  EXPECT_EQ(Decimal::from_json(line.at("UnitPrice")).value().to_string(), "17.99");
  EXPECT_EQ(line.at("Description").as_string().size(), 255u);
  EXPECT_EQ(line.at("GenerationKey__c").as_string(), "tx1:" + kOpp + ":" + kLine1);
  EXPECT_FALSE(line.contains("QuoteId"));  // the caller's reference
}

TEST(QuoteRecords, CompletionStatusSummarisesTheJob) {
  EXPECT_EQ(completion_status(50, 0), "Quotes Generated: 50");
  EXPECT_EQ(completion_status(48, 2), "Quotes Generated: 48, Skipped: 2");
}

}  // namespace
}  // namespace pe::quotes
