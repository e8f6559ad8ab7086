// Unit tests of the pages' pure parts: escaping, forms, cursors and their SOQL, redirects,
// cookies. The pages themselves are tested in a real browser (tests/browser/) and end to end.
#include "pages/pages.hpp"
#include "pages/accounts_page.hpp"
#include "pages/form.hpp"
#include "pages/html.hpp"
#include "pages/throughput_chart.hpp"
#include "pages/ui_auth.hpp"

#include <gtest/gtest.h>

namespace pe::pages {
namespace {

TEST(Html, EscapesEveryCharacterThatOpensMarkup) {
  EXPECT_EQ(escaped("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
  EXPECT_EQ(escaped("a&b \"q\" 'p'"), "a&amp;b &quot;q&quot; &#39;p&#39;");
  Html h;
  h.raw("<td>").text("<b>").raw("</td>");
  EXPECT_EQ(h.view(), "<td>&lt;b&gt;</td>");
}

TEST(Html, UtcTime) {
  EXPECT_EQ(utc_time(1'796'601'600'000), "2026-12-07 00:00:00");
  EXPECT_EQ(utc_time(1'796'601'660'000, "%H:%M"), "00:01");
  EXPECT_EQ(utc_time(0), "");
}

TEST(ThroughputChart, ScaleTopReadsWell) {
  EXPECT_EQ(chart_scale_top(0), 1);
  EXPECT_EQ(chart_scale_top(1), 1);
  EXPECT_EQ(chart_scale_top(3), 5);
  EXPECT_EQ(chart_scale_top(7), 10);
  EXPECT_EQ(chart_scale_top(11), 20);
  EXPECT_EQ(chart_scale_top(200), 200);
  EXPECT_EQ(chart_scale_top(201), 500);
  EXPECT_EQ(chart_scale_top(1'234'567), 2'000'000);
}

size_t count_of(const std::string& text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ThroughputChart, OneBarAMinuteScaledToTheBusiest) {
  std::vector<jobs::ThroughputPoint> points;
  const int64_t first = 1'796'601'600 / 60;  // 2026-12-07 00:00 UTC
  for (int64_t i = 0; i < 60; ++i) points.push_back({.minute = first + i});
  points[10].quotes = 40;  // the busiest: the scale's top is 50
  points[59].quotes = 25;
  points[59].jobs = 3;
  points[59].failed = 1;
  const std::string svg = throughput_chart(points);
  EXPECT_TRUE(svg.starts_with("<svg class=\"chart\" role=\"img\""));
  EXPECT_EQ(count_of(svg, "class=\"bar\""), 60u);
  EXPECT_EQ(count_of(svg, "class=\"fail\""), 1u);
  // Heights are quotes / 50 of the 140 units between the top line and the bottom one.
  EXPECT_NE(svg.find("height=\"112.0\""), std::string::npos) << svg;  // 40 quotes
  EXPECT_NE(svg.find("height=\"70.0\""), std::string::npos);          // 25 quotes
  EXPECT_NE(svg.find(">50</text>"), std::string::npos);
  EXPECT_NE(svg.find(">25</text>"), std::string::npos);
  EXPECT_NE(svg.find(">0</text>"), std::string::npos);
  EXPECT_NE(svg.find("00:00 to 00:59 UTC: 65 in all, at most 40 in a minute"), std::string::npos);
  EXPECT_NE(svg.find("00:59 UTC: 25 quotes, 3 jobs ended, 1 not succeeded"), std::string::npos);
  EXPECT_EQ(throughput_chart({}), "");
  // A scale of 1 has its top and its zero, no middle.
  const std::string small = throughput_chart(std::span(points).first(2));
  EXPECT_NE(small.find(">1</text>"), std::string::npos);
  EXPECT_NE(small.find(">0</text>"), std::string::npos);
  EXPECT_EQ(count_of(small, "class=\"axis\""), 2u);
}

TEST(Form, ReadsPairsPlusAndEscapes) {
  auto form = parse_form("q=O%27Brien+%26+Sons&org=sales&&empty=");
  ASSERT_TRUE(form) << form.error().message;
  EXPECT_EQ(form->get("q"), "O'Brien & Sons");
  EXPECT_EQ(form->get("org"), "sales");
  EXPECT_TRUE(form->has("empty"));
  EXPECT_EQ(form->get("empty"), "");
  EXPECT_EQ(form->get("missing"), "");
  EXPECT_EQ(form->fields().size(), 3u);
}

TEST(Form, RefusesWhatCouldMislead) {
  EXPECT_FALSE(parse_form("csrf=a&csrf=b"));  // which one would win?
  EXPECT_FALSE(parse_form("a=%zz"));          // malformed escape
  EXPECT_FALSE(parse_form("a=%2"));           // truncated escape
  EXPECT_FALSE(parse_form("a=%00"));          // encoded NUL
  EXPECT_FALSE(parse_form("=value"));         // no name
  EXPECT_FALSE(parse_form("a=%ff%fe"));       // not UTF-8
  EXPECT_FALSE(parse_form("a=1&b=2&c=3", {.max_fields = 2}));
  EXPECT_FALSE(parse_form("a=" + std::string(20, 'x'), {.max_value = 10}));
  auto error = parse_form("password=%zz-secret");
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().message.find("secret"), std::string::npos);  // never echoes a value
}

TEST(AccountsPage, CursorsRoundTripAndRefuseForgeries) {
  AccountCursor cursor{.name = "O'Brien\nCo", .id = "001000000000001AAA"};
  auto back = decode_cursor(encode_cursor(cursor));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, cursor.name);
  EXPECT_EQ(back->id, cursor.id);
  EXPECT_FALSE(decode_cursor("not base64 !"));
  EXPECT_FALSE(decode_cursor(encode_cursor({.name = "x", .id = "' OR Name != '"})));
}

TEST(AccountsPage, QueriesQuoteTheSearchAndTheCursor) {
  EXPECT_EQ(accounts_query("", "", nullptr, 51),
            "SELECT Id, Name, BillingCountry, CreatedDate FROM Account ORDER BY Name ASC, Id "
            "ASC LIMIT 51");
  AccountCursor cursor{.name = "A'B", .id = "001000000000001AAA"};
  EXPECT_EQ(accounts_query("50%_x'", "after", &cursor, 51),
            "SELECT Id, Name, BillingCountry, CreatedDate FROM Account WHERE Name LIKE "
            "'%50\\%\\_x\\'%' AND (Name > 'A\\'B' OR (Name = 'A\\'B' AND Id > "
            "'001000000000001AAA')) ORDER BY Name ASC, Id ASC LIMIT 51");
  EXPECT_EQ(accounts_query("", "before", &cursor, 51),
            "SELECT Id, Name, BillingCountry, CreatedDate FROM Account WHERE (Name < 'A\\'B' OR "
            "(Name = 'A\\'B' AND Id < '001000000000001AAA')) ORDER BY Name DESC, Id DESC LIMIT "
            "51");
  EXPECT_EQ(accounts_count_query("a"), "SELECT COUNT() FROM Account WHERE Name LIKE '%a%'");
}

TEST(Pages, NextStaysOnThisSite) {
  EXPECT_EQ(safe_next("/bulk?x=1"), "/bulk?x=1");
  EXPECT_EQ(safe_next("//evil.example/"), "/");
  EXPECT_EQ(safe_next("/\\evil.example"), "/");
  EXPECT_EQ(safe_next("https://evil.example/"), "/");
  EXPECT_EQ(safe_next("/a\r\nSet-Cookie: x=1"), "/");
  EXPECT_EQ(safe_next(""), "/");
}

TEST(UiAuth, ReadsTheSessionCookieAmongOthers) {
  net::Request req;
  req.message.set(net::http::field::cookie, "a=1; pe_session=abc; b=2");
  EXPECT_EQ(cookie_value(req, "pe_session"), "abc");
  EXPECT_EQ(cookie_value(req, "missing"), "");
}

TEST(UiAuth, CookieFlagsAndCsrf) {
  UiAuth auth(nullptr, {.password = std::string("a-long-password"),
                        .session_ttl = std::chrono::seconds(3600)});
  UiSession session{.token = "t", .csrf = "0123456789abcdef0123456789abcdef"};
  EXPECT_EQ(auth.cookie(session, true),
            "pe_session=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600; Secure");
  EXPECT_EQ(auth.cookie(session, false).find("Secure"), std::string::npos);
  EXPECT_TRUE(auth.csrf_matches(session, "0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(auth.csrf_matches(session, "0123456789abcdef0123456789abcdee"));
  EXPECT_FALSE(auth.csrf_matches(session, ""));
}

TEST(UiAuth, SecureCookieUnlessPlainLoopback) {
  net::Request local;
  local.from_loopback = true;
  EXPECT_FALSE(wants_secure_cookie(local));
  local.message.set("X-Forwarded-Proto", "https");
  EXPECT_TRUE(wants_secure_cookie(local));
  net::Request remote;
  EXPECT_TRUE(wants_secure_cookie(remote));
}

TEST(UiAuth, CountsAttemptsAgainstTheLastForwardedHop) {
  net::Request req;
  req.peer_address = "10.0.0.5";
  EXPECT_EQ(client_key(req), "10.0.0.5");
  req.message.set("X-Forwarded-For", "1.2.3.4, 203.0.113.9");
  EXPECT_EQ(client_key(req), "203.0.113.9");
}

}  // namespace
}  // namespace pe::pages
