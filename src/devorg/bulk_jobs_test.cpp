// Bulk API 2.0 ingest over an in-memory Store, here for numbers from clients (README, "Numbers
// from clients"): a CSV cell holds any decimal text — "53.99100000000001" from a binary float,
// "1e2", "-0.125" — and is stored rounded half up to the field's scale; a number out of range
// fails its row with NUMBER_OUTSIDE_VALID_RANGE while the others are written.
#include "devorg/bulk_jobs.hpp"

#include "common/money.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <algorithm>

namespace pe::devorg {
namespace {

namespace json = boost::json;

class BulkJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::open({.path = ""}).value();
    auto book = store_->query("SELECT Id FROM Pricebook2 WHERE IsStandard = true", {}).value();
    std::string book_id(book.records[0].as_object().at("Id").as_string());
    std::string product = create("Product2", R"({"Name":"Widget"})");
    entry_ = create("PricebookEntry", R"({"Pricebook2Id":")" + book_id + R"(","Product2Id":")" +
                                          product + R"(","UnitPrice":19.99,"IsActive":true})");
    opportunity_ = create("Opportunity", R"({"Name":"Deal","StageName":"Prospecting",)"
                                         R"("CloseDate":"2026-12-31","Pricebook2Id":")" +
                                             book_id + R"("})");
    bulk_ = std::make_unique<BulkJobs>(*store_, SalesforceId::make("005", 1));
  }
  std::string create(std::string_view object, const std::string& fields) {
    auto id = store_->create(object, json::parse(fields).as_object());
    EXPECT_TRUE(id) << (id ? "" : id.error().message);
    return id ? std::string(id->str()) : "";
  }
  // Runs an ingest job to completion; returns its JobInfo.
  json::object ingest(std::string_view job_json, std::string_view csv) {
    auto job = bulk_->create_ingest(json::parse(job_json).as_object(), "62.0");
    EXPECT_TRUE(job) << (job ? "" : job.error().message);
    if (!job) return {};
    id_ = std::string(job->at("id").as_string());
    EXPECT_TRUE(bulk_->upload(id_, csv));
    EXPECT_TRUE(bulk_->set_state(id_, "UploadComplete"));
    for (int i = 0; i < 100 && bulk_->step(1000); ++i) {
    }
    return bulk_->info(id_).value();
  }
  std::vector<std::string> column(std::string_view soql, std::string_view field) {
    auto page = store_->query(soql, {}).value();
    std::vector<std::string> out;
    for (const auto& r : page.records) {
      out.push_back(Decimal::from_json(r.as_object().at(field)).value().to_string(2));
    }
    return out;
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<BulkJobs> bulk_;
  std::string entry_, opportunity_, id_;
};

TEST_F(BulkJobsTest, InsertRoundsCsvNumbersAndFailsRowsOutOfRange) {
  std::string csv = "OpportunityId,PricebookEntryId,Quantity,UnitPrice,Discount\n";
  auto row = [&](std::string_view quantity, std::string_view price, std::string_view discount) {
    csv += opportunity_ + "," + entry_ + "," + std::string(quantity) + "," + std::string(price) +
           "," + std::string(discount) + "\n";
  };
  row("2", "53.99100000000001", "");
  row("1", "0.125", "12.345");
  row("1", "-0.125", "");
  row("1e0", "1e2", "33.33333333333333");
  row("2.9999999999999996", "5.3991e1", "");
  row("1", "1e20", "");   // fails
  row("1", "lots", "");   // fails
  row("1", "10", "1e3");  // Discount percent(5, 2): fails
  auto info = ingest(R"({"object":"OpportunityLineItem","operation":"insert"})", csv);
  EXPECT_EQ(info.at("state"), "JobComplete");
  EXPECT_EQ(info.at("numberRecordsProcessed"), 8);
  EXPECT_EQ(info.at("numberRecordsFailed"), 3);
  EXPECT_EQ(column("SELECT UnitPrice FROM OpportunityLineItem ORDER BY Id", "UnitPrice"),
            (std::vector<std::string>{"53.99", "0.13", "-0.13", "100.00", "53.99"}));
  EXPECT_EQ(column("SELECT Quantity FROM OpportunityLineItem ORDER BY Id", "Quantity"),
            (std::vector<std::string>{"2.00", "1.00", "1.00", "1.00", "3.00"}));
  EXPECT_EQ(column("SELECT TotalPrice FROM OpportunityLineItem ORDER BY Id", "TotalPrice"),
            (std::vector<std::string>{"107.98", "0.11", "-0.13", "66.67", "161.97"}));
  auto failed = bulk_->results(id_, "failedResults").value();
  EXPECT_EQ(std::count(failed.begin(), failed.end(), '\n'), 4);
  EXPECT_NE(failed.find("NUMBER_OUTSIDE_VALID_RANGE:Sales Price: value outside of valid range "
                        "on numeric field: 1e20:UnitPrice --"),
            std::string::npos)
      << failed;
  EXPECT_NE(failed.find("JSON_PARSER_ERROR:"), std::string::npos);
  EXPECT_NE(failed.find("NUMBER_OUTSIDE_VALID_RANGE:Discount:"), std::string::npos) << failed;
}

TEST_F(BulkJobsTest, UpdateAndUpsertRoundCsvNumbers) {
  std::string quote = create("Quote", R"({"Name":"Q","OpportunityId":")" + opportunity_ + R"("})");
  std::string prefix = quote + "," + entry_ + ",";
  auto info = ingest(R"({"object":"QuoteLineItem","operation":"upsert",)"
                     R"("externalIdFieldName":"GenerationKey__c"})",
                     "GenerationKey__c,QuoteId,PricebookEntryId,Quantity,UnitPrice\n"
                     "k1," +
                         prefix + "1.5,53.99100000000001\nk2," + prefix + "1,-1.005\n");
  EXPECT_EQ(info.at("numberRecordsFailed"), 0);
  EXPECT_EQ(column("SELECT UnitPrice FROM QuoteLineItem ORDER BY Id", "UnitPrice"),
            (std::vector<std::string>{"53.99", "-1.01"}));
  EXPECT_EQ(column("SELECT TotalPrice FROM Quote", "TotalPrice"),
            std::vector<std::string>{"79.98"});  // 80.985 → 80.99, then −1.01

  auto lines = store_->query("SELECT Id FROM QuoteLineItem ORDER BY Id", {}).value();
  std::string first(lines.records[0].as_object().at("Id").as_string());
  info = ingest(R"({"object":"QuoteLineItem","operation":"update"})",
                "Id,UnitPrice\n" + first + ",0.125E1\n");
  EXPECT_EQ(info.at("numberRecordsFailed"), 0);
  EXPECT_EQ(column("SELECT UnitPrice FROM QuoteLineItem ORDER BY Id", "UnitPrice"),
            (std::vector<std::string>{"1.25", "-1.01"}));
}

}  // namespace
}  // namespace pe::devorg
