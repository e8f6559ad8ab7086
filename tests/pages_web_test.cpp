// The pages' guard end to end: `web` and a real redis-server and local org. Who may look (the
// password, its throttle, sessions kept in Redis only by hash, sign-out), CSRF on every POST,
// invocation headers that are not a login, the pages off without a password, and the Accounts
// page with one failing connection beside a good one. The pages in a browser: tests/browser/.
#include "support/local_org.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace pe {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "correct-horse-battery";

class PagesWeb : public ::testing::Test {
 protected:
  void SetUp() override {}

  void start(std::map<std::string, std::string> extra = {}) {
    web_port = test::free_port();
    org.emplace(test::LocalOrgOptions{.seed = 10, .app_port = web_port});
    env = org->env();
    env["REDIS_URL"] = redis.url();
    env["PORT"] = std::to_string(web_port);
    env["PRICING_INVOCATION_AUTH"] = "dev";
    env["PRICING_UI_PASSWORD"] = kPassword;
    env["LOG_LEVEL"] = "info";
    for (auto& [k, v] : extra) {
      if (v.empty()) {
        env.erase(k);
      } else {
        env[k] = v;
      }
    }
    web.emplace(test::Process::start({PE_BINARY, "web"}, env));
    ASSERT_TRUE(test::wait_for_port(web_port, 30s)) << web->output();
  }

  test::RawResponse request(const std::string& method, const std::string& path,
                            std::vector<std::string> headers = {}, const std::string& body = "") {
    if (!body.empty()) headers.push_back("Content-Type: application/x-www-form-urlencoded");
    auto res = test::http_request(web_port, method, path, headers, body);
    EXPECT_TRUE(res) << method << " " << path;
    return res.value_or(test::RawResponse{});
  }

  test::RawResponse sign_in(const std::string& password, const std::string& client = "") {
    std::vector<std::string> headers;
    if (!client.empty()) headers.push_back("X-Forwarded-For: " + client);
    return request("POST", "/login", headers, "password=" + password + "&next=%2F");
  }

  // The cookie header line of a successful sign-in.
  std::string session_cookie() {
    auto res = sign_in(kPassword);
    EXPECT_EQ(res.status, 303) << res.body;
    std::string set = res.header("set-cookie");
    return "Cookie: " + set.substr(0, set.find(';'));
  }

  static std::string csrf_of(const std::string& html) {
    std::smatch m;
    std::regex field(R"(name="csrf" value="([0-9a-f]{32})\")");
    return std::regex_search(html, m, field) ? m[1].str() : "";
  }

  std::string redis_dump() {
    auto cli = test::Process::start(
        {"sh", "-c",
         "redis-cli -p " + std::to_string(redis.port()) +
             " --scan --pattern 'pe:ui:*' | while read k; do echo \"$k\"; redis-cli -p " +
             std::to_string(redis.port()) + " --raw GET \"$k\" 2>/dev/null; done"});
    cli.wait(5s);
    return cli.output();
  }

  test::RedisServer redis;
  std::optional<test::LocalOrg> org;
  std::map<std::string, std::string> env;
  std::optional<test::Process> web;
  int web_port = 0;
};

TEST_F(PagesWeb, WithoutAPasswordThePagesAreOffAndSayHowToTurnThemOn) {
  start({{"PRICING_UI_PASSWORD", ""}});
  for (const char* path : {"/", "/login", "/bulk", "/ops"}) {
    auto res = request("GET", path);
    EXPECT_EQ(res.status, 503) << path;
    EXPECT_NE(res.body.find("PRICING_UI_PASSWORD"), std::string::npos) << path;
  }
  EXPECT_EQ(sign_in("anything-at-all").status, 503);
}

TEST_F(PagesWeb, AShortPasswordStopsWebAtStart) {
  auto port = test::free_port();
  auto short_env = std::map<std::string, std::string>{{"REDIS_URL", redis.url()},
                                                      {"PORT", std::to_string(port)},
                                                      {"PRICING_UI_PASSWORD", "tiny-pw9"},
                                                      {"PRICING_INVOCATION_AUTH", "dev"}};
  auto process = test::Process::start({PE_BINARY, "web"}, short_env);
  EXPECT_EQ(process.wait(10s), 2);
  EXPECT_NE(process.output().find("PRICING_UI_PASSWORD"), std::string::npos);
  EXPECT_EQ(process.output().find("tiny-pw9"), std::string::npos);  // never echoed
}

TEST_F(PagesWeb, APageWithoutASessionSendsToTheLoginAndComesBack) {
  start();
  auto res = request("GET", "/ops?x=1");
  EXPECT_EQ(res.status, 303);
  EXPECT_EQ(res.header("location"), "/login?next=%2Fops%3Fx%3D1");
  // The script's requests get a JSON 401, not a redirect.
  auto json = request("GET", "/", {"Accept: application/json"});
  EXPECT_EQ(json.status, 401);
  EXPECT_NE(json.body.find("\"unauthenticated\""), std::string::npos);
  // A login page names the next page; a foreign one is not followed.
  auto login = request("POST", "/login", {},
                       std::string("password=") + kPassword + "&next=%2F%2Fevil.example%2F");
  EXPECT_EQ(login.status, 303);
  EXPECT_EQ(login.header("location"), "/");
}

TEST_F(PagesWeb, TheSessionCookieIsStrictAndRedisHoldsOnlyItsHash) {
  start();
  auto res = sign_in(kPassword);
  ASSERT_EQ(res.status, 303);
  std::string set = res.header("set-cookie");
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set.find("Max-Age=28800"), std::string::npos);
  EXPECT_EQ(set.find("Secure"), std::string::npos);  // plain loopback: a laptop's http://
  std::string token = set.substr(set.find('=') + 1, 43);
  std::string dump = redis_dump();
  EXPECT_NE(dump.find("pe:ui:session:"), std::string::npos) << dump;
  EXPECT_EQ(dump.find(token), std::string::npos);
  EXPECT_EQ(web->output().find(token), std::string::npos);
  // Behind Heroku's router (X-Forwarded-Proto: https) the cookie is Secure.
  auto proxied =
      request("POST", "/login", {"X-Forwarded-Proto: https"}, std::string("password=") + kPassword);
  EXPECT_NE(proxied.header("set-cookie").find("; Secure"), std::string::npos);
}

TEST_F(PagesWeb, WrongPasswordsAreThrottledPerClient) {
  start();
  for (int i = 0; i < 5; ++i) {
    auto res = sign_in("wrong-password-" + std::to_string(i), "203.0.113.7");
    EXPECT_EQ(res.status, 401);
    EXPECT_NE(res.body.find("not the right one"), std::string::npos);
  }
  // The sixth attempt is refused before the password is looked at, even the right one.
  auto throttled = sign_in(kPassword, "203.0.113.7");
  EXPECT_EQ(throttled.status, 429);
  EXPECT_FALSE(throttled.header("retry-after").empty());
  EXPECT_NE(throttled.body.find("Too many wrong passwords"), std::string::npos);
  // Another client still signs in.
  EXPECT_EQ(sign_in(kPassword, "198.51.100.4").status, 303);
  EXPECT_EQ(web->output().find("wrong-password-"), std::string::npos);
}

TEST_F(PagesWeb, EveryPostNeedsTheSessionsCsrfTokenAndSignOutEndsTheSession) {
  start();
  std::string cookie = session_cookie();
  auto page = request("GET", "/", {cookie});
  ASSERT_EQ(page.status, 200);
  std::string csrf = csrf_of(page.body);
  ASSERT_EQ(csrf.size(), 32u) << page.body.substr(0, 2000);
  EXPECT_EQ(request("POST", "/logout", {cookie}, "x=1").status, 403);
  EXPECT_EQ(request("POST", "/logout", {cookie}, "csrf=" + std::string(32, '0')).status, 403);
  EXPECT_EQ(request("GET", "/", {cookie}).status, 200);  // still signed in
  auto out = request("POST", "/logout", {cookie}, "csrf=" + csrf);
  EXPECT_EQ(out.status, 303);
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(request("GET", "/", {cookie}).status, 303);  // the session is gone from Redis
}

TEST_F(PagesWeb, InvocationHeadersAreNotALogin) {
  start();
  auto headers = org->invoke(R"({"url": "/api/generatequote", "body": {}, "send": false})");
  ASSERT_TRUE(headers.is_object()) << org->output();
  std::vector<std::string> lines;
  for (const auto& [name, value] : headers.at("headers").as_object()) {
    lines.push_back(std::string(name) + ": " + std::string(value.as_string()));
  }
  EXPECT_EQ(request("GET", "/", lines).status, 303);
}

TEST_F(PagesWeb, AFailingConnectionShowsAReasonWhileTheOthersRender) {
  start({{"CONNECTION_NAMES", "devorg,nosuchorg"}});
  auto res = request("GET", "/", {session_cookie()});
  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("data-org=\"devorg\""), std::string::npos);
  EXPECT_NE(res.body.find("data-org=\"nosuchorg\""), std::string::npos);
  EXPECT_NE(res.body.find("No AppLink authorization has this name."), std::string::npos)
      << res.body;
  auto accounts = org->count("SELECT COUNT() FROM Account");
  EXPECT_NE(res.body.find("<span data-total>" + std::to_string(accounts) + "</span>"),
            std::string::npos);
  EXPECT_NE(res.header("server-timing").find("orgs;dur="), std::string::npos);
  EXPECT_EQ(res.header("cache-control"), "no-store");
  EXPECT_NE(res.header("content-security-policy").find("frame-ancestors 'none'"),
            std::string::npos);
}

TEST_F(PagesWeb, OrgValuesAreEscapedAndForgedCursorsRefused) {
  start();
  auto token = org->access_token();
  auto created = org->call("POST", "/services/data/v62.0/sobjects/Account",
                           R"({"Name": "<img src=x onerror=alert(1)>"})");
  ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "no answer");
  std::string cookie = session_cookie();
  auto res = request("GET", "/?q=onerror", {cookie});
  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_EQ(res.body.find("<img src=x"), std::string::npos);
  EXPECT_NE(res.body.find("<span data-total>1</span>"), std::string::npos);
  EXPECT_EQ(request("GET", "/?after_devorg=bm90LWEtY3Vyc29y", {cookie}).status, 400);
  EXPECT_EQ(request("GET", "/?q=" + std::string(81, 'a'), {cookie}).status, 400);
}

TEST_F(PagesWeb, TheDashboardShowsRecentJobsThroughputAndTheQuotesTotal) {
  start();
  // What web and worker record (jobs/activity_log.hpp), written as they write it.
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string minute = std::to_string(now_ms / 60'000);
  const std::string port = std::to_string(redis.port());
  auto cli = test::Process::start(
      {"sh", "-c",
       "redis-cli -p " + port + " XADD pe:activity '*' kind eventing id 'tx<b>1' conn sales " +
           "status succeeded quotes 7 failed 0 detail '<script>x</script>' at " +
           std::to_string(now_ms) + " && redis-cli -p " + port + " XADD pe:activity '*' kind " +
           "batch id 750000000000001AAA org 00D000000000001AAA status failed quotes 0 failed 4 " +
           "at " + std::to_string(now_ms) + " && redis-cli -p " + port +
           " HSET pe:throughput:" + minute + " quotes 7 jobs 2 failed 1 && redis-cli -p " + port +
           " SET pe:quotes:total 1234"});
  ASSERT_EQ(cli.wait(5s).value_or(-1), 0) << cli.output();

  auto res = request("GET", "/ops", {session_cookie()});
  ASSERT_EQ(res.status, 200);
  const std::string& page = res.body;
  EXPECT_NE(page.find("<b data-figure=\"quotes-total\">1234</b>"), std::string::npos) << page;
  EXPECT_NE(page.find("<b data-figure=\"quotes-hour\">7</b>"), std::string::npos);
  EXPECT_NE(page.find("<b data-figure=\"failed-hour\">1</b>"), std::string::npos);
  EXPECT_NE(page.find("data-minute=\"" + minute + "\" data-quotes=\"7\""), std::string::npos);
  EXPECT_NE(page.find("<svg class=\"chart\""), std::string::npos);
  // The rows, newest first, every value escaped.
  const size_t batch = page.find("data-job=\"750000000000001AAA\"");
  const size_t eventing = page.find("data-job=\"tx&lt;b&gt;1\"");
  ASSERT_NE(batch, std::string::npos);
  ASSERT_NE(eventing, std::string::npos);
  EXPECT_LT(batch, eventing);
  EXPECT_NE(page.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<script>x"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"state-failed\">failed</td>"), std::string::npos);
}

}  // namespace
}  // namespace pe
