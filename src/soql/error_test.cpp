#include "soql/error.hpp"

#include <gtest/gtest.h>

namespace pe::soql {
namespace {

TEST(QueryErrorMessage, MatchesSalesforcesRecordedPointer) {
  // Recorded from a real org (heroku-applink-nodejs mappings/query-unknown-column.json).
  EXPECT_EQ(query_error_message("SELECT Bacon__c FROM Account LIMIT 2", 7,
                                "No such column 'Bacon__c' on entity 'Account'."),
            "\nSELECT Bacon__c FROM Account LIMIT 2\n       ^\nERROR at Row:1:Column:8\n"
            "No such column 'Bacon__c' on entity 'Account'.");
}

TEST(QueryErrorMessage, ShowsAboutThirtyCharactersEachSideCutAtWords) {
  // Org-verified: the " 1" after LIMIT is outside the window.
  EXPECT_EQ(query_error_message("SELECT Id, DepProbeField__c FROM Account LIMIT 1", 11, "x"),
            "\nSELECT Id, DepProbeField__c FROM Account LIMIT\n           ^\n"
            "ERROR at Row:1:Column:12\nx");
  // A long field list: the window starts at the word 30 characters before the error
  // (shape of a recorded error at Column:114).
  std::string prefix = "SELECT Id,Name,OwnerId,IsDeleted,LastModifiedDate,LastModifiedById,";
  prefix += "Status__c,CreatedById,OCE__ActualCap__c,";
  std::string soql = prefix + "TPI_Product__c,Name,OCE__JobId__c,Foo__c FROM OCE__ActivityPlan__c";
  ASSERT_EQ(prefix.size(), 113u - 6u);
  std::string message = query_error_message(soql, prefix.size(), "x");
  EXPECT_EQ(message, "\nCreatedById,OCE__ActualCap__c,TPI_Product__c,Name,OCE__JobId__c\n" +
                         std::string(30, ' ') + "^\nERROR at Row:1:Column:108\nx");
}

TEST(QueryErrorMessage, CountsRowsAndColumnsPerLine) {
  EXPECT_EQ(query_error_message("SELECT Id\nFROM Account\nWHERE Nope__c = 1", 29, "x"),
            "\nWHERE Nope__c = 1\n      ^\nERROR at Row:3:Column:7\nx");
  // At the very end of the statement (unexpected <EOF>).
  EXPECT_EQ(query_error_message("SELECT Id FROM Account WHERE", 28, "x"),
            "\nSELECT Id FROM Account WHERE\n                            ^\n"
            "ERROR at Row:1:Column:29\nx");
  // Columns count characters, not bytes.
  EXPECT_EQ(
      query_error_message("SELECT Id FROM Account WHERE Name = 'Zürich' AND Foo = 1", 50, "x"),
      "\nAccount WHERE Name = 'Zürich' AND Foo = 1\n" + std::string(34, ' ') +
          "^\nERROR at Row:1:Column:50\nx");
}

TEST(QueryErrorMessage, HandlesAnErrorAtTheEndAfterWhitespace) {
  // Found by the fuzzer: the window start skipped the spaces up to the end of the statement.
  std::string soql = "SeLECT" + std::string(40, '\r');
  EXPECT_EQ(query_error_message(soql, soql.size(), "x"), "\n\n^\nERROR at Row:1:Column:47\nx");
}

TEST(QueryErrorMessage, NeverEchoesInvalidUtf8) {
  std::string soql = "SELECT \xff\xfe FROM Account";
  std::string message = query_error_message(soql, 7, "bad");
  EXPECT_EQ(message,
            "\nSELECT \xEF\xBF\xBD\xEF\xBF\xBD FROM Account\n       ^\n"
            "ERROR at Row:1:Column:8\nbad");
}

TEST(Printable, ClipsAndReplacesWhatJsonCannotCarry) {
  EXPECT_EQ(printable("abc"), "abc");
  EXPECT_EQ(printable(std::string_view("a\0b", 3)), "a\\0b");
  EXPECT_EQ(printable("a\xc3"), "a\xEF\xBF\xBD");
  EXPECT_EQ(printable(std::string(300, 'x'), 255), std::string(255, 'x') + "...");
  EXPECT_EQ(printable("ééé", 2), "éé...");
}

TEST(SoqlError, ValueThrowsTheErrorAsAnException) {
  SoqlResult<int> failed =
      SoqlError{"MALFORMED_QUERY", "unexpected token: SELEKT", 0, "unexpected token: SELEKT"};
  try {
    (void)failed.value();
    FAIL() << "no exception";
  } catch (const ErrorException& e) {
    EXPECT_EQ(e.error().code, Errc::invalid_argument);
    EXPECT_EQ(e.error().message, "MALFORMED_QUERY: unexpected token: SELEKT");
  }
}

}  // namespace
}  // namespace pe::soql
