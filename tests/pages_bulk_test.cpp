// The Bulk API demo page (/bulk, src/pages/bulk_demo_page.hpp) end to end, every part a real
// process: redis-server, the local org serving Bulk API 2.0, and web with the pages on, signed in
// as a browser is (POST /login, the pe_session cookie, the form's csrf). Checked: a load with
// refused rows ends with Salesforce's counts and lists the refused rows with their sf__Error; the
// cleanup deletes exactly the rows the load created (a look-alike Account made outside the demo
// survives); a POST without its CSRF token and bad values change nothing; a web killed mid-load
// and restarted still carries the load to its end; a running load is aborted and then cleaned up
// back to the count before; the cap on loads running at once.
#include "support/local_org.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>
#include <regex>

namespace pe {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kPassword = "correct-horse-battery-staple";
constexpr const char* kSealKey = "4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8";
constexpr const char* kForm = "Content-Type: application/x-www-form-urlencoded";

class PagesBulk : public ::testing::Test {
 protected:
  void SetUp() override {
    web_port = test::free_port();
    org.emplace(test::LocalOrgOptions{.seed = 2, .app_port = web_port});
    env = org->env();
    env["REDIS_URL"] = redis.url();
    env["PORT"] = std::to_string(web_port);
    env["PRICING_UI_PASSWORD"] = kPassword;
    env["PRICING_SEAL_KEY"] = kSealKey;
    env["LOG_LEVEL"] = "info";
    start_web();
    sign_in();
  }

  void start_web() {
    web.emplace(test::Process::start({PE_BINARY, "web"}, env));
    ASSERT_TRUE(test::wait_for_port(web_port, 30s)) << web->output();
  }

  void sign_in() {
    auto r = test::http_request(web_port, "POST", "/login", std::vector<std::string>{kForm},
                                std::string("password=") + kPassword + "&next=%2Fbulk");
    ASSERT_TRUE(r && r->status == 303) << (r ? r->body : "no answer");
    std::string set_cookie = r->header("set-cookie");
    cookie = set_cookie.substr(0, set_cookie.find(';'));
    ASSERT_EQ(cookie.rfind("pe_session=", 0), 0u) << set_cookie;
    auto page = get("/bulk");
    std::smatch m;
    static const std::regex kCsrf("name=\"csrf\" value=\"([0-9a-f]+)\"");
    ASSERT_TRUE(std::regex_search(page.body, m, kCsrf)) << page.body;
    csrf = m[1];
  }

  test::RawResponse get(const std::string& path, bool json_accept = false) {
    std::vector<std::string> headers{"Cookie: " + cookie};
    if (json_accept) headers.push_back("Accept: application/json");
    auto r = test::http_request(web_port, "GET", path, headers, "");
    EXPECT_TRUE(r) << path << "\n" << web->output();
    return r ? *r : test::RawResponse{};
  }

  test::RawResponse post(const std::string& path, const std::string& body) {
    auto r = test::http_request(web_port, "POST", path,
                                std::vector<std::string>{"Cookie: " + cookie, kForm}, body);
    EXPECT_TRUE(r) << path << "\n" << web->output();
    return r ? *r : test::RawResponse{};
  }

  // POST /bulk/loads; the load id from the 303's Location.
  std::string start_load(int rows, int refused) {
    auto r = post("/bulk/loads", "csrf=" + csrf + "&org=devorg&rows=" + std::to_string(rows) +
                                     "&refused=" + std::to_string(refused));
    EXPECT_EQ(r.status, 303) << r.body;
    static const std::regex kLocation("^/bulk/loads/([0-9a-f]{16})\\?notice=started$");
    std::smatch m;
    std::string location = r.header("location");
    EXPECT_TRUE(std::regex_match(location, m, kLocation)) << location;
    return m.size() > 1 ? std::string(m[1]) : std::string();
  }

  json::object progress(const std::string& id) {
    auto r = get("/bulk/loads/" + id + "/progress", true);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    return json::parse(r.body).as_object();
  }

  // Polls the progress, as the page's script does, until it says done.
  json::object until_done(const std::string& id, std::chrono::seconds cap = 20s) {
    json::object last;
    bool done = test::wait_until(
        [&] {
          last = progress(id);
          return last.contains("done") && last.at("done").as_bool();
        },
        cap);
    EXPECT_TRUE(done) << last << "\n" << web->output();
    return last;
  }

  json::object until_state(const std::string& id, std::string_view state) {
    json::object last;
    bool reached = test::wait_until(
        [&] {
          last = progress(id);
          return last.contains("state") && last.at("state").as_string() == state;
        },
        15s);
    EXPECT_TRUE(reached) << state << ": " << last;
    return last;
  }

  int64_t accounts(const std::string& where = "") {
    return org->count("SELECT COUNT() FROM Account" + (where.empty() ? "" : " WHERE " + where));
  }

  int64_t recorded_loads() {
    auto cli = test::Process::start(
        {"redis-cli", "-p", std::to_string(redis.port()), "ZCARD", "pe:ui:bulk:recent"});
    cli.wait(5s);
    return std::stoll(cli.output());
  }

  std::string load_field(const std::string& id, const std::string& field) {
    auto cli = test::Process::start(
        {"redis-cli", "-p", std::to_string(redis.port()), "HGET", "pe:ui:bulk:" + id, field});
    cli.wait(5s);
    std::string out = cli.output();
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  static int64_t num(const json::object& o, std::string_view key) {
    return o.at(key).to_number<int64_t>();
  }

  test::RedisServer redis;
  std::optional<test::LocalOrg> org;
  std::map<std::string, std::string> env;
  std::optional<test::Process> web;
  int web_port = 0;
  std::string cookie;
  std::string csrf;
};

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(PagesBulk, LoadReportsRefusedRowsAndCleanupDeletesExactlyItsRows) {
  // An Account made outside the demo, named like the demo's and with a look-alike marker.
  auto made = org->call("POST", "/services/data/v62.0/sobjects/Account",
                        R"({"Name": "Bulk Account 000002", "AccountNumber": "pe-bulk:lookalike"})");
  ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
  const int64_t before = accounts();

  const std::string id = start_load(500, 3);
  ASSERT_FALSE(id.empty());
  auto end = until_done(id);
  EXPECT_EQ(end.at("state"), "complete") << end;
  EXPECT_EQ(end.at("sf_state"), "JobComplete");
  EXPECT_EQ(num(end, "processed"), 500);  // Salesforce counts the failed rows as processed
  EXPECT_EQ(num(end, "succeeded"), 497);
  EXPECT_EQ(num(end, "failed"), 3);
  EXPECT_EQ(accounts(), before + 497);
  EXPECT_EQ(accounts("AccountNumber = 'pe-bulk:" + id + "'"), 497);

  auto page = get("/bulk/loads/" + id);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(occurrences(page.body, "<tr class=\"refused-row\">"), 3u) << page.body;
  EXPECT_EQ(occurrences(page.body,
                        "<td>REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --"
                        "</td>"),
            3u);
  EXPECT_EQ(occurrences(page.body, "<script"), 1u);  // only the asset: no inline script
  EXPECT_NE(page.header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page.body.find("data-poll"), std::string::npos);  // ended: nothing to poll
  EXPECT_NE(page.body.find("/bulk/loads/" + id + "/cleanup"), std::string::npos);
  EXPECT_EQ(page.body.find("/bulk/loads/" + id + "/abort"), std::string::npos);
  auto index = get("/bulk");
  EXPECT_NE(index.body.find("href=\"/bulk/loads/" + id + "\""), std::string::npos);

  auto cleanup = post("/bulk/loads/" + id + "/cleanup", "csrf=" + csrf);
  ASSERT_EQ(cleanup.status, 303) << cleanup.body;
  auto cleaned = until_done(id);
  EXPECT_EQ(cleaned.at("state"), "cleaned") << cleaned;
  EXPECT_EQ(num(cleaned, "deleted"), 497);
  EXPECT_EQ(accounts(), before);
  EXPECT_EQ(accounts("AccountNumber = 'pe-bulk:lookalike'"), 1);
  EXPECT_EQ(accounts("Name = 'Bulk Account 000002'"), 1);
  // A second cleanup has nothing left to do and is refused.
  EXPECT_EQ(post("/bulk/loads/" + id + "/cleanup", "csrf=" + csrf).status, 409);
  EXPECT_EQ(web->output().find(cookie.substr(11)), std::string::npos);  // no session in the logs
}

TEST_F(PagesBulk, RefusesPostsWithoutTheirCsrfTokenAndBadValuesChangingNothing) {
  const int64_t before = accounts();
  auto no_token = post("/bulk/loads", "org=devorg&rows=10&refused=0");
  EXPECT_EQ(no_token.status, 403) << no_token.body;
  auto wrong_token =
      post("/bulk/loads", "csrf=0123456789abcdef0123456789abcdef&org=devorg&rows=10");
  EXPECT_EQ(wrong_token.status, 403);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"org=devorg&rows=0", "from 1 to 100,000"},
      {"org=devorg&rows=100001", "from 1 to 100,000"},
      {"org=devorg&rows=12abc", "from 1 to 100,000"},
      {"org=devorg&rows=-5", "from 1 to 100,000"},
      {"org=devorg&rows=10&refused=101", "from 0 to 100"},
      {"org=devorg&rows=10&refused=11", "no more than the Accounts"},
      {"org=elsewhere&rows=10", "connected orgs"},
      {"rows=10", "connected orgs"},
  };
  for (const auto& [form, message] : bad) {
    auto r = post("/bulk/loads", "csrf=" + csrf + "&" + form);
    EXPECT_EQ(r.status, 400) << form << "\n" << r.body;
    EXPECT_NE(r.body.find(message), std::string::npos) << form << "\n" << r.body;
  }
  EXPECT_EQ(recorded_loads(), 0);
  EXPECT_EQ(accounts(), before);

  EXPECT_EQ(get("/bulk/loads/0123456789abcdef").status, 404);
  EXPECT_EQ(get("/bulk/loads/not-a-load").status, 404);
  EXPECT_EQ(get("/bulk/loads/0123456789abcdef/progress", true).status, 404);
  // Without a session: the script's JSON request gets 401, a browser is sent to sign in.
  auto anonymous = test::http_request(web_port, "GET", "/bulk/loads/0123456789abcdef/progress",
                                      std::vector<std::string>{"Accept: application/json"}, "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto browser = test::http_request(web_port, "GET", "/bulk", std::vector<std::string>{}, "");
  ASSERT_TRUE(browser);
  EXPECT_EQ(browser->status, 303);
}

TEST_F(PagesBulk, LoadCarriesOnToItsEndAfterWebIsKilledAndRestarted) {
  const int64_t before = accounts();
  const std::string id = start_load(40'000, 2);
  ASSERT_FALSE(id.empty());
  auto running = until_state(id, "running");
  ASSERT_EQ(running.at("state"), "running");
  web->signal(SIGKILL);
  web->wait(5s);
  EXPECT_EQ(load_field(id, "state"), "running");  // the end is still to be read from Salesforce
  start_web();
  // The new web has no task for the load: its page's polling reads the job from Salesforce.
  auto page = get("/bulk/loads/" + id);
  EXPECT_EQ(page.status, 200);
  auto end = until_done(id);
  EXPECT_EQ(end.at("state"), "complete") << end;
  EXPECT_EQ(num(end, "processed"), 40'000);
  EXPECT_EQ(num(end, "failed"), 2);
  EXPECT_EQ(accounts(), before + 39'998);
  auto final_page = get("/bulk/loads/" + id);
  EXPECT_EQ(occurrences(final_page.body, "<tr class=\"refused-row\">"), 2u);
}

TEST_F(PagesBulk, AbortsARunningLoadAndCleansUpBackToTheCountBefore) {
  const int64_t before = accounts();
  const std::string id = start_load(100'000, 0);
  ASSERT_FALSE(id.empty());
  until_state(id, "running");
  auto page = get("/bulk/loads/" + id);
  EXPECT_NE(page.body.find("data-poll=\"/bulk/loads/" + id + "/progress\""), std::string::npos);
  auto abort = post("/bulk/loads/" + id + "/abort", "csrf=" + csrf);
  ASSERT_EQ(abort.status, 303) << abort.body;
  auto end = until_done(id);
  EXPECT_EQ(end.at("state"), "aborted") << end;
  EXPECT_EQ(end.at("sf_state"), "Aborted");
  const int64_t loaded = num(end, "succeeded");
  EXPECT_LT(loaded, 100'000);
  EXPECT_EQ(accounts(), before + loaded);
  // Aborting again: it is not running any more.
  EXPECT_EQ(post("/bulk/loads/" + id + "/abort", "csrf=" + csrf).status, 409);

  if (loaded > 0) {
    ASSERT_EQ(post("/bulk/loads/" + id + "/cleanup", "csrf=" + csrf).status, 303);
    auto cleaned = until_done(id);
    EXPECT_EQ(cleaned.at("state"), "cleaned") << cleaned;
    EXPECT_EQ(num(cleaned, "deleted"), loaded);
  }
  EXPECT_EQ(accounts(), before);
}

TEST_F(PagesBulk, AtMostThreeLoadsRunAtOnce) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(start_load(100'000, 0));
  auto fourth = post("/bulk/loads", "csrf=" + csrf + "&org=devorg&rows=10");
  EXPECT_EQ(fourth.status, 429) << fourth.body;
  EXPECT_NE(fourth.body.find("running already"), std::string::npos);
  for (const auto& id : ids) {
    auto r = post("/bulk/loads/" + id + "/abort", "csrf=" + csrf);
    // 303, or 409 when the load had already ended.
    EXPECT_TRUE(r.status == 303 || r.status == 409) << r.status << " " << r.body;
  }
  for (const auto& id : ids) until_done(id);
  EXPECT_EQ(post("/bulk/loads", "csrf=" + csrf + "&org=devorg&rows=10").status, 303);
}

}  // namespace
}  // namespace pe
