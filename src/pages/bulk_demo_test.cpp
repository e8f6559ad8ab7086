// Unit tests of the Bulk API demo's pure parts: the generated rows, which rows are refused, the
// Ids read from successfulResults, the failed rows kept, the stored fields, and the load's page
// escaping what came from the org. End to end: tests/pages_bulk_test.cpp.
#include "pages/bulk_demo_job.hpp"
#include "pages/bulk_demo_page.hpp"
#include "pages/bulk_demo_store.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pe::pages {
namespace {

TEST(BulkDemo, RefusesExactlyTheAskedNumberOfRowsSpreadOut) {
  for (int64_t rows : {1, 3, 7, 100, 500, 1000, 99'999}) {
    for (int64_t refused : {0, 1, 2, 3, 7, 100}) {
      if (refused > rows) continue;
      int64_t n = 0;
      for (int64_t i = 0; i < rows; ++i) n += bulk_row_refused(i, rows, refused) ? 1 : 0;
      EXPECT_EQ(n, refused) << rows << " rows, " << refused << " refused";
    }
  }
  EXPECT_TRUE(bulk_row_refused(0, 500, 3));
  EXPECT_TRUE(bulk_row_refused(166, 500, 3));
  EXPECT_TRUE(bulk_row_refused(333, 500, 3));
  EXPECT_FALSE(bulk_row_refused(499, 500, 3));
}

TEST(BulkDemo, GeneratesDeterministicRowsWithTheLoadsMarker) {
  std::string csv = bulk_csv_header();
  append_bulk_rows(csv, "0123456789abcdef", 12, 1, 0, 5);
  append_bulk_rows(csv, "0123456789abcdef", 12, 1, 5, 100);  // stops at the last row
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "Name,AccountNumber,BillingStreet,BillingCity,BillingState,BillingPostalCode,"
            "BillingCountry");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 13);
  EXPECT_NE(csv.find("\n,pe-bulk:0123456789abcdef,1 Market Street,San Francisco,CA,94105,"
                     "United States\n"),
            std::string::npos);  // row 1 is the refused one: no Name
  EXPECT_NE(csv.find("\nBulk Account 000002,pe-bulk:0123456789abcdef,2 Market Street,Toronto,"),
            std::string::npos);
  EXPECT_NE(csv.find("\nBulk Account 000012,"), std::string::npos);
  EXPECT_EQ(csv.find("Bulk Account 000013"), std::string::npos);
}

TEST(BulkDemo, ReadsOnlyTheIdsOfSuccessfulResults) {
  int64_t count = 0;
  std::string csv = delete_csv_from_results(
      "\"sf__Id\",\"sf__Created\",Name,BillingStreet\n"
      "001000000000001AAA,true,Bulk Account 000001,\"1 Market\nStreet\"\n"
      "\"001000000000002AAA\",\"true\",\"Bulk, Account\",x\n"
      "not-an-id,true,x,y\n",
      count);
  EXPECT_EQ(count, 2);
  EXPECT_EQ(csv, "Id\n001000000000001AAA\n001000000000002AAA\n");
  EXPECT_EQ(delete_csv_from_results("\"sf__Id\",\"sf__Created\"\n", count), "Id\n");
  EXPECT_EQ(count, 0);
}

TEST(BulkDemo, KeepsTheFirstFailedRowsWithTheirError) {
  std::string results = "\"sf__Id\",\"sf__Error\",Name,BillingStreet,BillingCity,BillingCountry\n";
  for (int i = 0; i < 5; ++i) {
    results += ",REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --,," +
               std::to_string(i) + " Market Street,\"Multi\nline\",Japan\n";
  }
  auto rows = boost::json::parse(failed_rows_json(results, 3)).as_array();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("error"),
            "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --");
  EXPECT_EQ(rows[2].at("street"), "2 Market Street");
  EXPECT_EQ(rows[2].at("city"), "Multi\nline");
  EXPECT_EQ(rows[2].at("country"), "Japan");
  EXPECT_EQ(failed_rows_json("garbage \"", 3), "[]");
}

TEST(BulkDemo, StoredFieldsReadBackTheSame) {
  BulkLoad load{.id = "0123456789abcdef",
                .org = "sales",
                .rows = 5000,
                .refused = 3,
                .state = "running",
                .sf_state = "InProgress",
                .job_id = "750000000000001AAA",
                .processed = 200,
                .failed = 1,
                .abort_requested = true,
                .cleanup_total = 7};
  std::vector<std::string> flat;
  for (auto& [k, v] : to_fields(load)) {
    flat.push_back(k);
    flat.push_back(v);
  }
  BulkLoad back = from_fields(load.id, flat);
  EXPECT_EQ(to_fields(back), to_fields(load));
  EXPECT_TRUE(bulk_state_moving("running"));
  EXPECT_FALSE(bulk_state_moving("complete"));
}

TEST(BulkDemo, TheLoadsPageEscapesWhatCameFromTheOrg) {
  BulkLoad load{.id = "0123456789abcdef",
                .org = "sales",
                .rows = 10,
                .refused = 1,
                .state = "complete",
                .sf_state = "<i>JobComplete</i>",
                .job_id = "750\"><script>x</script>",
                .processed = 10,
                .failed = 1,
                .error = "<img src=x onerror=alert(1)>",
                .failed_rows =
                    R"([{"error":"<b>BAD</b> & 'worse'","name":"<script>alert(1)</script>",)"
                    R"("street":"1 Market Street","city":"\"x\"","country":"Japan"}])"};
  std::string body = render_bulk_load(load, "c0ffee");
  EXPECT_EQ(body.find("<script"), std::string::npos) << body;
  EXPECT_EQ(body.find("<img"), std::string::npos);
  EXPECT_EQ(body.find("<b>BAD"), std::string::npos);
  EXPECT_EQ(body.find("<i>"), std::string::npos);
  EXPECT_NE(body.find("<td>&lt;b&gt;BAD&lt;/b&gt; &amp; &#39;worse&#39;</td>"), std::string::npos);
  EXPECT_NE(body.find("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"), std::string::npos);
  EXPECT_NE(body.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  // Ended with rows created: Clean up is offered (with the CSRF token), Abort is not.
  EXPECT_NE(body.find("action=\"/bulk/loads/0123456789abcdef/cleanup\""), std::string::npos);
  EXPECT_NE(body.find("name=\"csrf\" value=\"c0ffee\""), std::string::npos);
  EXPECT_EQ(body.find("/abort"), std::string::npos);
  EXPECT_EQ(body.find("data-poll"), std::string::npos);
}

TEST(BulkDemo, ARunningLoadsPageIsPolledAndOffersAbort) {
  BulkLoad load{.id = "0123456789abcdef", .org = "sales", .rows = 100, .state = "running"};
  std::string body = render_bulk_load(load, "c0ffee");
  EXPECT_NE(body.find("data-poll=\"/bulk/loads/0123456789abcdef/progress\""), std::string::npos);
  EXPECT_NE(body.find("data-reload-when-done=\"1\""), std::string::npos);
  EXPECT_NE(body.find("data-done=\"false\""), std::string::npos);
  EXPECT_NE(body.find("action=\"/bulk/loads/0123456789abcdef/abort\""), std::string::npos);
  EXPECT_EQ(body.find("/cleanup"), std::string::npos);
}

}  // namespace
}  // namespace pe::pages
