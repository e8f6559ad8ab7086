#include "demo/demo_text.hpp"

#include <gtest/gtest.h>
#include <boost/json/value.hpp>

namespace pe::demo {
namespace {

TEST(LastLines, KeepsTheEnd) {
  EXPECT_EQ(last_lines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(last_lines("a\nb\nc", 2), "b\nc\n");
  EXPECT_EQ(last_lines("a\nb\n", 5), "a\nb\n");
  EXPECT_EQ(last_lines("", 3), "");
  EXPECT_EQ(last_lines("a\n", 0), "");
}

TEST(ParseLogfmt, ReadsPlainAndQuotedValues) {
  auto f = parse_logfmt(
      R"(ts=2026-01-01T00:00:00.000Z level=info msg=job_done job=17-0 status="Quotes Generated: 50" q="a \"b\" \\ c" empty= flag)");
  EXPECT_EQ(f["msg"], "job_done");
  EXPECT_EQ(f["job"], "17-0");
  EXPECT_EQ(f["status"], "Quotes Generated: 50");
  EXPECT_EQ(f["q"], R"(a "b" \ c)");
  EXPECT_EQ(f["empty"], "");
  EXPECT_TRUE(f.contains("flag"));
}

TEST(MetricValue, FindsTheUnlabelledSample) {
  std::string text =
      "# HELP pricing_webhook_events_received_total events\n"
      "# TYPE pricing_webhook_events_received_total counter\n"
      "pricing_webhook_events_received_total_x 9\n"
      "pricing_webhook_requests_rejected_total{reason=\"malformed\"} 2\n"
      "pricing_webhook_events_received_total 3\n";
  EXPECT_EQ(metric_value(text, "pricing_webhook_events_received_total"), 3.0);
  EXPECT_EQ(metric_value(text, "pricing_webhook_requests_rejected_total"), std::nullopt);
  EXPECT_EQ(metric_value(text, "absent"), std::nullopt);
}

TEST(MoneyText, GroupsThousandsWithTwoDecimals) {
  EXPECT_EQ(money_text(boost::json::value(12345.6)), "12,345.60");
  EXPECT_EQ(money_text(boost::json::value(999)), "999.00");
  EXPECT_EQ(money_text(boost::json::value(-1234567.891)), "-1,234,567.89");
  EXPECT_EQ(money_text(boost::json::value("1000000.005")), "1,000,000.01");
  EXPECT_EQ(money_text(boost::json::value(nullptr)), "-");
}

TEST(PercentOff, IsTheDiscountFromListToTotalInHundredths) {
  auto d = [](const char* text) { return Decimal::parse(text).value(); };
  EXPECT_EQ(percent_off(d("200"), d("180")), "10.00 %");
  EXPECT_EQ(percent_off(d("706025.25"), d("706025.25")), "0.00 %");
  EXPECT_EQ(percent_off(d("3"), d("2")), "33.33 %");         // 0.33333 rounds down
  EXPECT_EQ(percent_off(d("3"), d("1")), "66.67 %");         // 0.66666 rounds up
  EXPECT_EQ(percent_off(d("100"), d("100.50")), "-0.50 %");  // a total above list shows as such
  EXPECT_EQ(percent_off(d("0"), d("0")), "-");
  EXPECT_EQ(money_text(d("1234567.005")), "1,234,567.01");
}

}  // namespace
}  // namespace pe::demo
