// Pattern 2 end to end over loopback, every part a real process: redis-server, the local org
// playing Salesforce's side of AppLink invocations (POST /devorg/invocations), `web` verifying
// them with the AppLink add-on and answering as the invoking user, and `worker` doing the async
// ones and posting their callbacks. Also: forged, missing, expired and cross-org headers, a
// callback URL on another host, SOQL injection, permission elevation, an opportunity without
// lines, faults during the write, and the document and the router agreeing.
#include "common/base64.hpp"
#include "support/activity_reader.hpp"
#include "support/local_org.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>
#include <thread>

namespace pe {
namespace {

using test::wait_until;

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kSealKey = "4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8";

std::string str(const json::value& v) { return std::string(v.as_string()); }

class OrgActions : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(std::map<std::string, std::string> extra) {
    web_port = test::free_port();
    org.emplace(test::LocalOrgOptions{.seed = 20, .app_port = web_port});
    env = org->env();
    env["REDIS_URL"] = redis.url();
    env["PORT"] = std::to_string(web_port);
    env["PRICING_DEVORG_URL"] = org->url();
    env["PRICING_SEAL_KEY"] = kSealKey;
    env["PRICING_RETRY_SECONDS"] = "0.2";
    env["PRICING_VISIBILITY_SECONDS"] = "2";
    env["LOG_LEVEL"] = "info";
    for (auto& [k, v] : extra) env[k] = v;
    web.emplace(test::Process::start({PE_BINARY, "web"}, env));
    ASSERT_TRUE(test::wait_for_port(web_port, 30s)) << web->output();
  }

  json::value invoke(const std::string& url, const json::value& body, json::object more = {}) {
    more["url"] = url;
    more["body"] = body;
    return org->invoke(json::serialize(more));
  }

  // The headers the local org would send, without sending them.
  json::object headers_for(const std::string& url, const json::value& body) {
    auto answer = invoke(url, body, {{"send", false}});
    return answer.at("headers").as_object();
  }

  std::optional<test::RawResponse> post_to_web(const std::string& path, const json::object& headers,
                                               const std::string& body) {
    std::vector<std::string> lines{"Content-Type: application/json"};
    for (const auto& [name, value] : headers) {
      lines.push_back(std::string(name) + ": " + str(value));
    }
    return test::http_request(web_port, "POST", path, lines, body);
  }

  // Every field of every job on the Redis stream, one per line (redis-cli's raw output).
  std::string stream_entries() {
    auto cli = test::Process::start(
        {"redis-cli", "-p", std::to_string(redis.port()), "--raw", "XRANGE", "pe:jobs", "-", "+"});
    cli.wait(5s);
    return cli.output();
  }

  // The callbacks the org accepted (a valid session of its own); none may have been refused.
  json::array callbacks() {
    auto r = test::http_request(org->port(), "GET", "/devorg/callbacks");
    if (!r || r->status != 200) return {};
    auto list = json::parse(r->body);
    EXPECT_EQ(list.at("refused"), 0) << list;
    return list.at("callbacks").as_array();
  }

  test::RedisServer redis;
  int web_port = 0;
  std::optional<test::LocalOrg> org;
  std::map<std::string, std::string> env;
  std::optional<test::Process> web;
};

json::object one(const std::string& id) { return {{"opportunityId", id}}; }

TEST_F(OrgActions, GenerateQuoteWritesOneQuoteWithItsLinesAsTheInvokingUser) {
  auto opp = test::seeded_opportunity(3);
  auto answer = invoke("/api/generatequote", one(opp));
  ASSERT_EQ(answer.at("status"), 200) << answer << web->output();
  const auto& quote = answer.at("body").as_object();
  std::string quote_id = str(quote.at("quoteId"));
  EXPECT_EQ(quote_id.substr(0, 3), "0Q0");
  EXPECT_EQ(str(quote.at("opportunityId")).substr(0, 15), opp);
  ASSERT_FALSE(quote.at("lines").as_array().empty());
  // The org holds exactly what the answer says: the quote, its lines, its total.
  auto written =
      org->query("SELECT Id, TotalPrice, LineItemCount FROM Quote WHERE Id = '" + quote_id + "'");
  ASSERT_EQ(written.at("totalSize"), 1);
  const auto& record = written.at("records").at(0).as_object();
  EXPECT_EQ(record.at("LineItemCount").to_number<int64_t>(),
            static_cast<int64_t>(quote.at("lines").as_array().size()));
  EXPECT_DOUBLE_EQ(record.at("TotalPrice").to_number<double>(),
                   quote.at("totalPrice").to_number<double>());
  // The operations dashboard's view (recorded in the background, after the answer).
  test::ActivitySeen seen;
  ASSERT_TRUE(test::wait_until(
      [&] { return (seen = test::read_activity(redis.url())).recent.size() == 1; }, 5s));
  EXPECT_EQ(seen.recent[0].kind, jobs::ActivityKind::org_action);
  EXPECT_EQ(seen.recent[0].status, jobs::ActivityStatus::succeeded);
  EXPECT_EQ(seen.recent[0].quotes, 1);
  EXPECT_EQ(seen.recent[0].detail, "generateQuote");
  EXPECT_EQ(seen.quotes_total, 1);
  // The access token never reaches the log.
  EXPECT_EQ(web->output().find("!"), std::string::npos) << web->output();
}

TEST_F(OrgActions, ARetriedInvocationRewritesItsQuoteANewOneMakesAnother) {
  auto opp = test::seeded_opportunity(4);
  auto first = invoke("/api/generatequote", one(opp));
  ASSERT_EQ(first.at("status"), 200) << first;
  std::string request_id = str(first.at("requestId"));
  auto retried = invoke("/api/generatequote", one(opp), {{"requestId", request_id}});
  ASSERT_EQ(retried.at("status"), 200) << retried;
  EXPECT_EQ(retried.at("body").at("quoteId"), first.at("body").at("quoteId"));
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote WHERE OpportunityId = '" + opp + "'"), 1);
  auto fresh = invoke("/api/generatequote", one(opp));
  ASSERT_EQ(fresh.at("status"), 200) << fresh;
  EXPECT_NE(fresh.at("body").at("quoteId"), first.at("body").at("quoteId"));
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote WHERE OpportunityId = '" + opp + "'"), 2);
}

TEST_F(OrgActions, BatchAnswersEachOpportunityOnItsOwn) {
  std::string missing = "006" + std::string(11, '0') + "Z";
  json::object body{{"opportunityIds", json::array{test::seeded_opportunity(5),
                                                   test::seeded_opportunity(6), missing}}};
  auto answer = invoke("/api/generatequote/batch", body);
  ASSERT_EQ(answer.at("status"), 200) << answer;
  const auto& results = answer.at("body").at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("success"), true);
  EXPECT_EQ(results[1].at("success"), true);
  EXPECT_EQ(results[2].at("success"), false);
  EXPECT_EQ(results[2].at("error").at("code"), "not_found");
  EXPECT_EQ(answer.at("body").at("summary"),
            json::parse(R"({"total":3,"succeeded":2,"failed":1})"));
}

TEST_F(OrgActions, BadInputIsA400AndChangesNothing) {
  auto before = org->count("SELECT COUNT() FROM Quote");
  for (std::string id :
       {"006' OR Name != '", "0065g00000B9tMP'--", "", "00Q000000000001", "006000000000001AAAA"}) {
    auto answer = invoke("/api/generatequote", one(id));
    EXPECT_EQ(answer.at("status"), 400) << id << " " << answer;
    EXPECT_TRUE(answer.at("body").at("error").at("message").is_string());
  }
  auto no_field = invoke("/api/generatequote", json::object{{"opportunity", "x"}});
  EXPECT_EQ(no_field.at("status"), 400);
  EXPECT_EQ(no_field.at("body").at("error").at("message"), "opportunityId: is required");
  auto too_many = json::array();
  for (int i = 1; i <= 201; ++i) too_many.push_back(json::value(test::seeded_opportunity(i)));
  auto big = invoke("/api/generatequote/batch", json::object{{"opportunityIds", too_many}});
  EXPECT_EQ(big.at("status"), 400);
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote"), before);
}

TEST_F(OrgActions, AnOpportunityWithoutLinesIsA404WithTheReason) {
  auto account = org->query("SELECT Id FROM Account LIMIT 1").at("records").at(0).at("Id");
  auto made = org->call("POST", "/services/data/v62.0/sobjects/Opportunity",
                        R"({"Name":"No lines","StageName":"Prospecting","CloseDate":"2027-01-31",)"
                        R"("AccountId":")" +
                            str(account) + R"("})");
  ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "");
  std::string id = str(json::parse(made->body).at("id"));
  auto answer = invoke("/api/generatequote", one(id));
  EXPECT_EQ(answer.at("status"), 404) << answer;
  EXPECT_NE(str(answer.at("body").at("error").at("message")).find("cannot be quoted"),
            std::string::npos)
      << answer;
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote WHERE OpportunityId = '" + id + "'"), 0);
}

TEST_F(OrgActions, HeadersThatAreMissingForgedExpiredOrFromAnotherOrgAreRefused) {
  auto opp = test::seeded_opportunity(7);
  std::string body = json::serialize(one(opp));
  auto headers = headers_for("/api/generatequote", one(opp));
  // The genuine headers work once sent as they are.
  auto genuine = post_to_web("/api/generatequote", headers, body);
  ASSERT_TRUE(genuine);
  EXPECT_EQ(genuine->status, 200) << genuine->body;

  auto none = post_to_web("/api/generatequote", json::object{}, body);
  EXPECT_EQ(none->status, 401) << none->body;
  auto only_client = headers;
  only_client.erase("x-request-context");
  EXPECT_EQ(post_to_web("/api/generatequote", only_client, body)->status, 400);

  // A forged request context: same shape, an auth token the org never issued.
  auto forged = headers;
  auto context = json::parse(*pe::base64_decode(str(headers.at("x-request-context"))));
  context.as_object()["auth"] = "forged.token";
  forged["x-request-context"] = pe::base64_encode(json::serialize(context));
  auto refused = post_to_web("/api/generatequote", forged, body);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_EQ(refused->body.find("forged"), std::string::npos);

  // The client context of another org beside this org's request context.
  auto cross = headers;
  auto client = json::parse(*pe::base64_decode(str(headers.at("x-client-context"))));
  client.as_object()["orgId"] = "00D000000000002AAA";
  cross["x-client-context"] = pe::base64_encode(json::serialize(client));
  auto crossed = post_to_web("/api/generatequote", cross, body);
  EXPECT_EQ(crossed->status, 400) << crossed->body;

  // An expired one.
  org->faults(R"({"invocation_ttl_seconds": 1})");
  auto short_lived = headers_for("/api/generatequote", one(opp));
  std::this_thread::sleep_for(2100ms);
  auto expired = post_to_web("/api/generatequote", short_lived, body);
  EXPECT_EQ(expired->status, 403) << expired->body;
  // No header value is ever echoed.
  for (const auto* r : {&*none, &*refused, &*crossed, &*expired}) {
    EXPECT_EQ(r->body.find(str(headers.at("x-client-context")).substr(0, 24)), std::string::npos);
  }
}

TEST_F(OrgActions, ACallbackUrlOnAnotherHostIsRefused) {
  json::object body{{"opportunityIds", json::array{test::seeded_opportunity(8)}},
                    {"callbackUrl", "https://collector.example.com/steal"}};
  auto headers = headers_for("/api/generatequote/async", body);
  auto r = post_to_web("/api/generatequote/async", headers, json::serialize(body));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("callbackUrl"), std::string::npos);
}

TEST_F(OrgActions, AsyncQuotesArriveInOneCallbackAfterAWorkerIsKilled) {
  json::array ids;
  for (int i = 9; i <= 18; ++i) ids.push_back(json::value(test::seeded_opportunity(i)));
  org->faults(R"({"latency_ms": 300})");  // the worker is mid-job when it is killed
  auto worker = test::Process::start({PE_BINARY, "worker"}, env);
  auto answer = invoke("/api/generatequote/async", json::object{{"opportunityIds", ids}});
  ASSERT_EQ(answer.at("status"), 201) << answer << web->output();
  std::string job = str(answer.at("body").at("jobId"));
  // On the stream the token rests sealed ("st": "v1...."), never as the session it is (a local
  // org session, like Salesforce's, is the org's Id, '!', then the secret).
  std::string entry = stream_entries();
  EXPECT_NE(entry.find("\nst\nv1."), std::string::npos) << entry;
  EXPECT_EQ(entry.find('!'), std::string::npos) << entry;
  // Killed once it has started: its read of the opportunities has reached the org.
  auto api_requests = [&] {
    auto r = test::http_request(org->port(), "GET", "/devorg/stats");
    return r ? json::parse(r->body).at("total").to_number<int64_t>() : 0;
  };
  int64_t before = api_requests();
  ASSERT_TRUE(wait_until([&] { return api_requests() > before; }, 20s)) << worker.output();
  worker.signal(SIGKILL);
  worker.wait(5s);
  org->faults(R"({"latency_ms": 0})");
  auto replacement = test::Process::start({PE_BINARY, "worker"}, env);
  ASSERT_TRUE(wait_until([&] { return !callbacks().empty(); }, 60s)) << replacement.output();
  EXPECT_NE(replacement.output().find("msg=jobs_reclaimed"), std::string::npos)
      << replacement.output();
  std::this_thread::sleep_for(1s);  // a second delivery would arrive now
  auto received = callbacks();
  ASSERT_EQ(received.size(), 1u) << received;
  const auto& callback = received[0].as_object();
  EXPECT_EQ(callback.at("username"), "integration@devorg.local");  // the invoker's session
  const auto& result = callback.at("body").as_object();
  EXPECT_EQ(str(result.at("jobId")), job);
  EXPECT_EQ(result.at("status"), "succeeded") << result;
  EXPECT_EQ(result.at("summary"), json::parse(R"({"total":10,"succeeded":10,"failed":0})"));
  EXPECT_EQ(result.at("quotes").as_array().size(), 10u);
  // The operations dashboard's view: the job once, succeeded with its 10 quotes (counted once,
  // though it ran twice: only the delivery's entry carries them).
  auto seen = test::read_activity(redis.url());
  ASSERT_TRUE(seen.error.empty());
  const auto* row = seen.find(jobs::ActivityKind::org_action_async, job);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->status, jobs::ActivityStatus::succeeded);
  EXPECT_EQ(row->quotes, 10);
  EXPECT_EQ(seen.quotes_total, 10);
  // One quote per opportunity, however often the job ran.
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote"), 10);
  // Done, the job is gone from the stream, its sealed token with it.
  auto left = stream_entries();
  EXPECT_EQ(left.find("\nst\n"), std::string::npos) << left;
  EXPECT_EQ(left.find("\naj\n"), std::string::npos) << left;
}

TEST_F(OrgActions, FaultsDuringTheWorkLeaveNoQuoteWithoutItsLines) {
  org->faults(R"({"error_rate": 0.4, "seed": 3})");
  int ok = 0;
  for (int i = 1; i <= 8; ++i) {
    auto answer = invoke("/api/generatequote", one(test::seeded_opportunity(i)));
    int status = static_cast<int>(answer.at("status").to_number<int64_t>());
    EXPECT_TRUE(status == 200 || status == 503) << answer;
    ok += status == 200;
  }
  org->faults(R"({"error_rate": 0})");
  EXPECT_GT(ok, 0);  // the retries carry most through
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote"), ok);
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote WHERE LineItemCount = 0"), 0);
}

// `pricing-engine invoke` from a developer's machine: credentials as `sf org display --json`
// prints them, the app in dev mode (nobody but Salesforce can sign a request context).
class DevMode : public OrgActions {
 protected:
  void SetUp() override { start({{"PRICING_INVOCATION_AUTH", "dev"}}); }
};

TEST_F(DevMode, InvokeCallsTheAppWithASessionFromSfOrgDisplay) {
  auto dir = test::temp_dir("invoke");
  std::string token = org->access_token();
  json::object sf{{"status", 0},
                  {"result", json::object{{"accessToken", token},
                                          {"instanceUrl", org->url()},
                                          {"username", "integration@devorg.local"},
                                          {"apiVersion", "62.0"}}}};
  std::ofstream(dir / "org.json") << json::serialize(sf);
  auto opp = test::seeded_opportunity(11);
  auto invoke = test::Process::start(
      {PE_BINARY, "invoke", "/api/generatequote", json::serialize(one(opp)), "--sf-json",
       (dir / "org.json").string(), "--app-url", "http://127.0.0.1:" + std::to_string(web_port)});
  EXPECT_EQ(invoke.wait(30s), 0) << invoke.output();
  auto out = invoke.output();
  EXPECT_EQ(out.rfind("HTTP 200\n", 0), 0u) << out;
  EXPECT_NE(out.find("\"quoteId\":\"0Q0"), std::string::npos) << out;
  EXPECT_EQ(out.find(token), std::string::npos);  // the session is never printed
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote WHERE OpportunityId = '" + opp + "'"), 1);
  // A bad body and a missing file are usage errors (2) that name the problem.
  auto bad = test::Process::start(
      {PE_BINARY, "invoke", "/api/generatequote", "{", "--sf-json", (dir / "org.json").string()});
  EXPECT_EQ(bad.wait(10s), 2);
  EXPECT_NE(bad.output().find("not valid JSON"), std::string::npos) << bad.output();
}

TEST_F(DevMode, WebRefusesDevModeOffLoopback) {
  auto e = env;
  e["PORT"] = std::to_string(test::free_port());
  e["WEB_HOST"] = "0.0.0.0";
  auto refused = test::Process::start({PE_BINARY, "web"}, e);
  EXPECT_EQ(refused.wait(10s), 2);
  EXPECT_NE(refused.output().find("must listen on a loopback address"), std::string::npos)
      << refused.output();
}

class Elevation : public OrgActions {
 protected:
  void SetUp() override { start({{"PRICING_DISCOUNT_OVERRIDES", "true"}}); }
};

TEST_F(Elevation, WithoutTheSessionPermissionSetTheOverrideFieldIsA403NamingIt) {
  auto opp = test::seeded_opportunity(2);
  auto denied = invoke("/api/generatequote", one(opp), {{"user", "sales@devorg.local"}});
  ASSERT_EQ(denied.at("status"), 403) << denied;
  EXPECT_NE(str(denied.at("body").at("error").at("message")).find("GenerateQuotePermissions"),
            std::string::npos);
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote WHERE OpportunityId = '" + opp + "'"), 0);
  auto elevated = invoke("/api/generatequote", one(opp),
                         {{"user", "sales@devorg.local"},
                          {"permissionSets", json::array{"GenerateQuotePermissions"}}});
  ASSERT_EQ(elevated.at("status"), 200) << elevated;
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote WHERE OpportunityId = '" + opp + "'"), 1);
}

TEST_F(Elevation, TheOverrideAppliesWhenTheFieldCanBeRead) {
  auto opp = test::seeded_opportunity(1);
  auto line = org->query("SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '" + opp +
                         "' ORDER BY Id LIMIT 1")
                  .at("records")
                  .at(0)
                  .at("Id");
  auto set = org->call("PATCH", "/services/data/v62.0/sobjects/OpportunityLineItem/" + str(line),
                       R"({"DiscountOverride__c": 17})");
  ASSERT_TRUE(set && set->status == 204) << (set ? set->body : "");
  auto answer = invoke("/api/generatequote", one(opp),
                       {{"user", "sales@devorg.local"},
                        {"permissionSets", json::array{"GenerateQuotePermissions"}}});
  ASSERT_EQ(answer.at("status"), 200) << answer;
  const auto& first = answer.at("body").at("lines").at(0);
  EXPECT_EQ(first.at("opportunityLineItemId"), line);
  EXPECT_DOUBLE_EQ(first.at("discountPercent").to_number<double>(), 17.0) << first;
}

}  // namespace
}  // namespace pe
