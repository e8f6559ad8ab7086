#include "soql/dates.hpp"

#include <gtest/gtest.h>

namespace pe::soql {
namespace {

using namespace std::chrono;

sys_days day(int y, unsigned m, unsigned d) { return sys_days(year{y} / month{m} / d); }

std::string range(std::string_view name, int64_t n, sys_days today) {
  auto r = relative_date_range(name, n, today);
  if (!r) return "none";
  return format_date(r->first) + ".." + format_date(r->end);
}

TEST(SoqlDates, ParsesStrictCalendarDates) {
  EXPECT_EQ(parse_soql_date("2024-02-29"), day(2024, 2, 29));
  EXPECT_EQ(parse_soql_date("2023-02-29"), std::nullopt);
  EXPECT_EQ(parse_soql_date("2024-13-01"), std::nullopt);
  EXPECT_EQ(parse_soql_date("2024-00-10"), std::nullopt);
  EXPECT_EQ(parse_soql_date("2024-1-01"), std::nullopt);
  EXPECT_EQ(parse_soql_date("0000-01-01"), std::nullopt);
  EXPECT_EQ(parse_soql_date("2024-01-01x"), std::nullopt);
  EXPECT_EQ(format_date(day(2024, 1, 5)), "2024-01-05");
  EXPECT_EQ(format_date(day(999, 12, 31)), "0999-12-31");
}

TEST(SoqlDates, ParsesDatetimesIntoUtc) {
  auto utc = [](std::string_view text) {
    auto t = parse_soql_datetime(text);
    return t ? format_datetime(*t) : std::string("invalid");
  };
  EXPECT_EQ(utc("2024-01-31T10:00:00Z"), "2024-01-31T10:00:00.000+0000");
  EXPECT_EQ(utc("2024-01-31t10:00:00z"), "2024-01-31T10:00:00.000+0000");
  EXPECT_EQ(utc("2024-01-31T10:00:00+02:00"), "2024-01-31T08:00:00.000+0000");
  EXPECT_EQ(utc("2024-01-31T23:30:00-05:30"), "2024-02-01T05:00:00.000+0000");
  EXPECT_EQ(utc("2024-01-01T00:00:00.5Z"), "2024-01-01T00:00:00.500+0000");
  EXPECT_EQ(utc("2024-01-01T00:00:00.123456789Z"), "2024-01-01T00:00:00.123+0000");
  // Salesforce (Summer '24): "Invalid datetime: 2020-12-12t12:12:00-25:00".
  EXPECT_EQ(utc("2020-12-12t12:12:00-25:00"), "invalid");
  EXPECT_EQ(utc("2020-52-12t12:12:00-05:00"), "invalid");
  EXPECT_EQ(utc("2024-01-31T24:00:00Z"), "invalid");
  EXPECT_EQ(utc("2024-01-31T10:00:00"), "invalid");
  EXPECT_EQ(utc("2024-01-31T10:00Z"), "invalid");
  EXPECT_EQ(utc("2024-01-31T10:00:00.Z"), "invalid");
  EXPECT_EQ(utc("2024-01-31T10:00:00+0200"), "invalid");
}

TEST(SoqlDates, ResolvesRelativeLiteralsAgainstToday) {
  sys_days today = day(2024, 3, 13);  // a Wednesday
  EXPECT_EQ(range("TODAY", 0, today), "2024-03-13..2024-03-14");
  EXPECT_EQ(range("YESTERDAY", 0, today), "2024-03-12..2024-03-13");
  EXPECT_EQ(range("TOMORROW", 0, today), "2024-03-14..2024-03-15");
  EXPECT_EQ(range("THIS_WEEK", 0, today), "2024-03-10..2024-03-17");  // Sunday to Saturday
  EXPECT_EQ(range("LAST_WEEK", 0, today), "2024-03-03..2024-03-10");
  EXPECT_EQ(range("NEXT_WEEK", 0, today), "2024-03-17..2024-03-24");
  EXPECT_EQ(range("THIS_MONTH", 0, today), "2024-03-01..2024-04-01");
  EXPECT_EQ(range("LAST_MONTH", 0, today), "2024-02-01..2024-03-01");
  EXPECT_EQ(range("NEXT_MONTH", 0, today), "2024-04-01..2024-05-01");
  EXPECT_EQ(range("THIS_QUARTER", 0, today), "2024-01-01..2024-04-01");
  EXPECT_EQ(range("LAST_QUARTER", 0, today), "2023-10-01..2024-01-01");
  EXPECT_EQ(range("NEXT_QUARTER", 0, today), "2024-04-01..2024-07-01");
  EXPECT_EQ(range("THIS_YEAR", 0, today), "2024-01-01..2025-01-01");
  EXPECT_EQ(range("LAST_YEAR", 0, today), "2023-01-01..2024-01-01");
  EXPECT_EQ(range("NEXT_YEAR", 0, today), "2025-01-01..2026-01-01");
  EXPECT_EQ(range("LAST_90_DAYS", 0, today), "2023-12-14..2024-03-14");
  EXPECT_EQ(range("NEXT_90_DAYS", 0, today), "2024-03-14..2024-06-12");
  EXPECT_EQ(range("LAST_N_DAYS", 7, today), "2024-03-06..2024-03-14");
  EXPECT_EQ(range("NEXT_N_DAYS", 7, today), "2024-03-14..2024-03-21");
  EXPECT_EQ(range("LAST_N_WEEKS", 2, today), "2024-02-25..2024-03-10");
  EXPECT_EQ(range("NEXT_N_WEEKS", 2, today), "2024-03-17..2024-03-31");
  EXPECT_EQ(range("LAST_N_MONTHS", 2, today), "2024-01-01..2024-03-01");
  EXPECT_EQ(range("NEXT_N_MONTHS", 2, today), "2024-04-01..2024-06-01");
  EXPECT_EQ(range("LAST_N_QUARTERS", 1, today), "2023-10-01..2024-01-01");
  EXPECT_EQ(range("NEXT_N_QUARTERS", 2, today), "2024-04-01..2024-10-01");
  EXPECT_EQ(range("LAST_N_YEARS", 2, today), "2022-01-01..2024-01-01");
  EXPECT_EQ(range("NEXT_N_YEARS", 1, today), "2025-01-01..2026-01-01");
  EXPECT_EQ(range("N_DAYS_AGO", 3, today), "2024-03-10..2024-03-11");
  EXPECT_EQ(range("THIS_FISCAL_YEAR", 0, today), "none");
  EXPECT_EQ(range("today", 0, today), "none");  // names arrive upper-cased from the parser
}

TEST(SoqlDates, CrossesMonthAndYearBoundaries) {
  EXPECT_EQ(range("THIS_WEEK", 0, day(2024, 1, 1)), "2023-12-31..2024-01-07");
  EXPECT_EQ(range("LAST_MONTH", 0, day(2024, 1, 15)), "2023-12-01..2024-01-01");
  EXPECT_EQ(range("NEXT_MONTH", 0, day(2024, 12, 15)), "2025-01-01..2025-02-01");
  EXPECT_EQ(range("YESTERDAY", 0, day(2024, 3, 1)), "2024-02-29..2024-03-01");
}

TEST(SoqlDates, ClampsHugeParametersInsteadOfOverflowing) {
  sys_days today = day(2024, 3, 13);
  EXPECT_EQ(range("LAST_N_DAYS", 2147483647, today), "0001-01-01..2024-03-14");
  EXPECT_EQ(range("NEXT_N_YEARS", 2147483647, today), "2025-01-01..10000-01-01");
  EXPECT_EQ(range("LAST_N_MONTHS", 2147483647, today), "0001-01-01..2024-03-01");
  EXPECT_EQ(range("NEXT_N_WEEKS", 2147483647, today), "2024-03-17..10000-01-01");
}

TEST(SoqlDates, KnowsWhichLiteralsTakeAParameter) {
  EXPECT_TRUE(is_relative_date_literal("LAST_N_DAYS"));
  EXPECT_TRUE(relative_date_literal_takes_n("LAST_N_DAYS"));
  EXPECT_TRUE(relative_date_literal_takes_n("N_DAYS_AGO"));
  EXPECT_FALSE(relative_date_literal_takes_n("TODAY"));
  EXPECT_FALSE(is_relative_date_literal("LAST_FISCAL_YEAR"));
  EXPECT_TRUE(is_fiscal_date_literal("LAST_FISCAL_YEAR"));
  EXPECT_TRUE(is_fiscal_date_literal("NEXT_N_FISCAL_QUARTERS"));
  EXPECT_FALSE(is_fiscal_date_literal("THIS_YEAR"));
}

}  // namespace
}  // namespace pe::soql
