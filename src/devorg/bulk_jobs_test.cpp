// Bulk API 2.0 ingest over an in-memory Store. Numbers from clients (README, "Numbers from
// clients"): a CSV cell holds any decimal text — "53.99100000000001" from a binary float, "1e2",
// "-0.125" — and is stored rounded half up to the field's scale; a number out of range fails its
// row with NUMBER_OUTSIDE_VALID_RANGE while the others are written. Relationship columns
// ("Quote.GenerationKey__c") resolve to the parent's Id or fail their row; upsert reports
// sf__Created; delete cascades through master-detail as Salesforce does.
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

  std::vector<std::string> lines(std::string_view which) {
    std::vector<std::string> out;
    std::string text = bulk_->results(id_, which).value();
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find('\n', start);
      out.push_back(text.substr(start, end - start));
      start = end == std::string::npos ? text.size() : end + 1;
    }
    return out;
  }
  int64_t count(const std::string& soql) { return store_->query(soql, {}).value().total_size; }

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

TEST_F(BulkJobsTest, QuoteLinesNameTheirQuoteByGenerationKey) {
  auto info =
      ingest(R"({"object":"Quote","operation":"upsert","externalIdFieldName":"GenerationKey__c"})",
             "GenerationKey__c,Name,OpportunityId\n"
             "job1:q1,Q1," +
                 opportunity_ + "\njob1:q2,Q2," + opportunity_ + "\n");
  EXPECT_EQ(info.at("numberRecordsFailed"), 0);
  auto quotes = lines("successfulResults");
  EXPECT_EQ(quotes[0], "sf__Id,sf__Created,GenerationKey__c,Name,OpportunityId");
  ASSERT_EQ(quotes.size(), 3u);
  std::string q1 = quotes[1].substr(0, 18);
  EXPECT_EQ(quotes[1].substr(18), ",true,job1:q1,Q1," + opportunity_);

  info = ingest(R"({"object":"QuoteLineItem","operation":"upsert",)"
                R"("externalIdFieldName":"GenerationKey__c"})",
                "GenerationKey__c,Quote.GenerationKey__c,PricebookEntryId,Quantity,UnitPrice\n"
                "job1:q1:1,job1:q1," +
                    entry_ +
                    ",2,10\n"
                    "job1:q1:2,JOB1:Q1," +
                    entry_ +
                    ",1,5\n"  // GenerationKey__c is case-insensitive
                    "job1:q9:1,job1:q9," +
                    entry_ + ",1,5\n");  // no such quote
  EXPECT_EQ(info.at("state"), "JobComplete");
  EXPECT_EQ(info.at("numberRecordsProcessed"), 3);
  EXPECT_EQ(info.at("numberRecordsFailed"), 1);
  auto ok = lines("successfulResults");
  EXPECT_EQ(ok[0],
            "sf__Id,sf__Created,GenerationKey__c,Quote.GenerationKey__c,PricebookEntryId,"
            "Quantity,UnitPrice");
  EXPECT_EQ(ok.size(), 3u);
  auto failed = lines("failedResults");
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0],
            "sf__Id,sf__Error,GenerationKey__c,Quote.GenerationKey__c,"
            "PricebookEntryId,Quantity,UnitPrice");
  EXPECT_EQ(failed[1],
            ",INVALID_FIELD:Foreign key external ID: job1:q9 not found for field "
            "GenerationKey__c in entity Quote:--,job1:q9:1,job1:q9," +
                entry_ + ",1,5");
  EXPECT_EQ(count("SELECT Id FROM QuoteLineItem WHERE QuoteId = '" + q1 + "'"), 2);
  EXPECT_EQ(column("SELECT GrandTotal FROM Quote WHERE Id = '" + q1 + "'", "GrandTotal"),
            std::vector<std::string>{"25.00"});

  // The same rows again: updates, not new lines.
  info = ingest(R"({"object":"QuoteLineItem","operation":"upsert",)"
                R"("externalIdFieldName":"GenerationKey__c"})",
                "GenerationKey__c,Quote.GenerationKey__c,Quantity\njob1:q1:1,job1:q1,3\n");
  EXPECT_EQ(info.at("numberRecordsFailed"), 0);
  EXPECT_EQ(lines("successfulResults")[1].substr(18), ",false,job1:q1:1,job1:q1,3");
  EXPECT_EQ(count("SELECT Id FROM QuoteLineItem"), 2);
}

TEST_F(BulkJobsTest, OpportunityLinesNameTheirOpportunityBySampleKey) {
  auto info = ingest(
      R"({"object":"Opportunity","operation":"upsert","externalIdFieldName":"SampleKey__c"})",
      "SampleKey__c,Name,StageName,CloseDate\n"
      "pe-sample:j1:1,Sample 1,Prospecting,2026-12-31\n"
      "pe-sample:j1:2,Sample 2,Prospecting,2026-12-31\n"
      "pe-sample:j1:3,,Prospecting,2026-12-31\n");  // Name is required
  EXPECT_EQ(info.at("numberRecordsFailed"), 1);
  EXPECT_EQ(lines("failedResults")[1],
            ",REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --,pe-sample:j1:3,,"
            "Prospecting,2026-12-31");
  info = ingest(R"({"object":"OpportunityLineItem","operation":"insert"})",
                "SampleKey__c,Opportunity.SampleKey__c,PricebookEntryId,Quantity,UnitPrice\n"
                "pe-sample:j1:1:1,pe-sample:j1:1," +
                    entry_ +
                    ",1,19.99\n"
                    "pe-sample:j1:1:2,PE-SAMPLE:J1:1," +
                    entry_ + ",1,19.99\n");  // case-sensitive
  EXPECT_EQ(info.at("numberRecordsFailed"), 1);
  EXPECT_NE(lines("failedResults")[1].find(
                "INVALID_FIELD:Foreign key external ID: PE-SAMPLE:J1:1 not found for field "
                "SampleKey__c in entity Opportunity:--"),
            std::string::npos);
  EXPECT_EQ(
      column("SELECT Amount FROM Opportunity WHERE SampleKey__c = 'pe-sample:j1:1'", "Amount"),
      std::vector<std::string>{"19.99"});
}

TEST_F(BulkJobsTest, RelationshipHeadersAreCheckedBeforeAnyRow) {
  for (std::string header : {"Quote.Name", "Quote.NoSuch__c", "Nope.GenerationKey__c",
                             "CreatedBy.Username", "QuoteId.GenerationKey__c"}) {
    auto info =
        ingest(R"({"object":"QuoteLineItem","operation":"insert"})", header + ",Quantity\nx,1\n");
    EXPECT_EQ(info.at("state"), "Failed") << header;
    EXPECT_EQ(info.at("errorMessage").as_string(),
              "InvalidBatch : Field name not found : " + header);
    EXPECT_EQ(bulk_->results(id_, "unprocessedrecords").value(), header + ",Quantity\nx,1\n");
  }
  // Only external ids (or Id) key an upsert.
  auto job = bulk_->create_ingest(
      json::parse(R"({"object":"Quote","operation":"upsert","externalIdFieldName":"Name"})")
          .as_object(),
      "62.0");
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().message,
            "InvalidJob : Field name provided, Name does not match an External ID, Salesforce "
            "Id, or indexed field for Quote");
}

TEST_F(BulkJobsTest, DeletingOpportunitiesTakesTheirLinesQuotesAndQuoteLines) {
  std::string other = create("Opportunity", R"({"Name":"Keep","StageName":"Prospecting",)"
                                            R"("CloseDate":"2026-12-31"})");
  create("OpportunityLineItem", R"({"OpportunityId":")" + opportunity_ +
                                    R"(","PricebookEntryId":")" + entry_ +
                                    R"(","Quantity":1,"UnitPrice":1})");
  std::string quote = create("Quote", R"({"Name":"Q","OpportunityId":")" + opportunity_ + R"("})");
  create("QuoteLineItem", R"({"QuoteId":")" + quote + R"(","PricebookEntryId":")" + entry_ +
                              R"(","Quantity":1,"UnitPrice":1})");
  create("Quote", R"({"Name":"Q2","OpportunityId":")" + other + R"("})");
  auto info = ingest(R"({"object":"Opportunity","operation":"delete"})",
                     "Id\n" + opportunity_ + "\n006000000000000AAA\n");
  EXPECT_EQ(info.at("numberRecordsProcessed"), 2);
  EXPECT_EQ(info.at("numberRecordsFailed"), 1);
  EXPECT_EQ(lines("successfulResults")[1], opportunity_ + ",false," + opportunity_);
  EXPECT_EQ(lines("failedResults")[1].substr(0, 19), "006000000000000AAA,");
  EXPECT_EQ(count("SELECT Id FROM Opportunity"), 1);
  EXPECT_EQ(count("SELECT Id FROM OpportunityLineItem"), 0);
  EXPECT_EQ(count("SELECT Id FROM Quote"), 1);  // the other opportunity's
  EXPECT_EQ(count("SELECT Id FROM QuoteLineItem"), 0);
  auto all = store_->query("SELECT Id FROM QuoteLineItem", {.include_deleted = true}).value();
  EXPECT_EQ(all.total_size, 1);  // in the recycle bin, as in Salesforce
}

TEST_F(BulkJobsTest, RowsGoInChunksWithTheirChangesPerChunk) {
  std::vector<size_t> batches;
  size_t pending = 0;
  store_->on_change([&](const Change&) { ++pending; });
  std::string csv = "Name,StageName,CloseDate\n";
  for (int i = 0; i < 450; ++i) csv += "O" + std::to_string(i) + ",Prospecting,2026-12-31\n";
  auto job = bulk_->create_ingest(
      json::parse(R"({"object":"Opportunity","operation":"insert"})").as_object(), "62.0");
  id_ = std::string(job->at("id").as_string());
  ASSERT_TRUE(bulk_->upload(id_, csv));
  ASSERT_TRUE(bulk_->set_state(id_, "UploadComplete"));
  while (bulk_->step(BulkJobs::kChunkRows)) {
    batches.push_back(pending);
    pending = 0;
  }
  batches.push_back(pending);
  EXPECT_EQ(batches, (std::vector<size_t>{200, 200, 50}));
  EXPECT_EQ(bulk_->info(id_).value().at("state"), "JobComplete");
}

}  // namespace
}  // namespace pe::devorg
