#include "common/csv.hpp"

#include <gtest/gtest.h>

namespace pe {
namespace {

TEST(Csv, WritesAndQuotesOnlyWhatMustBeQuoted) {
  CsvWriter csv;
  csv.row({"Id", "Name", "Note"});
  csv.row({"001", "Acme, \"Inc\"", "two\nlines"});
  csv.row({"002", " padded ", ""});
  EXPECT_EQ(csv.text(),
            "Id,Name,Note\n"
            "001,\"Acme, \"\"Inc\"\"\",\"two\nlines\"\n"
            "002,\" padded \",\n");
  EXPECT_EQ(csv.rows(), 3u);
}

TEST(Csv, RoundTripsEveryAwkwardValueWithAnyDelimiterAndLineEnding) {
  std::vector<std::string> values = {"plain",      "a,b",    "a\"b",   "\"",     "line\nbreak",
                                     "cr\r\nlf",   "",       " lead",  "trail ", "tab\there",
                                     "semi;colon", "pipe|x", "ünïcödé"};
  for (char delimiter : {',', ';', '|', '\t', '^', '`'}) {
    for (std::string_view ending : {"\n", "\r\n"}) {
      CsvWriter csv(delimiter, ending);
      std::vector<std::string> header;
      for (size_t i = 0; i < values.size(); ++i) header.push_back("c" + std::to_string(i));
      csv.row(header);
      csv.row(values);
      csv.row(values);
      auto table = parse_csv(csv.text(), delimiter);
      ASSERT_TRUE(table) << table.error().message;
      EXPECT_EQ(table->header, header);
      ASSERT_EQ(table->rows.size(), 2u);
      EXPECT_EQ(table->rows[0], values) << "delimiter " << delimiter;
      EXPECT_EQ(table->rows[1], values);
    }
  }
}

TEST(Csv, AOneColumnRowWithAnEmptyValueSurvives) {
  CsvWriter csv;
  csv.row({"Name"});
  csv.row({""});
  EXPECT_EQ(csv.text(), "Name\n\"\"\n");
  auto table = parse_csv(csv.text());
  ASSERT_TRUE(table);
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0][0], "");
}

TEST(Csv, ReadsLfAndCrlfAndSkipsEmptyLines) {
  auto table = parse_csv("a,b\r\n1,2\n\n3,\r\n");
  ASSERT_TRUE(table) << table.error().message;
  ASSERT_EQ(table->rows.size(), 2u);
  EXPECT_EQ(table->rows[1], (std::vector<std::string>{"3", ""}));
  auto no_final_newline = parse_csv("a,b\n1,2");
  ASSERT_TRUE(no_final_newline);
  EXPECT_EQ(no_final_newline->rows[0][1], "2");
  auto header_only = parse_csv("a,b\n");
  ASSERT_TRUE(header_only);
  EXPECT_TRUE(header_only->rows.empty());
}

TEST(Csv, RejectsMalformedInputWithRowAndColumn) {
  auto message = [](std::string_view text, CsvLimits limits = {}) {
    auto r = parse_csv(text, ',', limits);
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(message(""), "the CSV has no header row");
  EXPECT_EQ(message("a,b\n1,\"open\n"), "row 2, column 2: unterminated quoted field");
  EXPECT_EQ(message("a,b\n1,x\"y\n"), "row 2, column 2: a quote inside an unquoted field");
  EXPECT_EQ(message("a,b\n\"q\"x,1\n"), "row 2, column 1: text after a closing quote");
  EXPECT_EQ(message("a,b\n1,2,3\n"), "row 2, column 3: the row has 3 fields, the header 2");
  EXPECT_EQ(message("a\n1\n2\n3\n", {.max_rows = 2}), "row 4, column 1: more than 2 rows");
  EXPECT_EQ(message("a,b,c\n", {.max_columns = 2}), "row 1, column 3: more than 2 columns");
  EXPECT_EQ(message("a\n12345\n", {.max_field = 4}),
            "row 2, column 1: a field is longer than 4 characters");
}

TEST(Csv, KnowsBulkApiDelimiterNames) {
  EXPECT_EQ(csv_delimiter("COMMA"), ',');
  EXPECT_EQ(csv_delimiter("TAB"), '\t');
  EXPECT_EQ(csv_delimiter("BACKQUOTE"), '`');
  EXPECT_EQ(csv_delimiter("comma"), 0);
}

}  // namespace
}  // namespace pe
