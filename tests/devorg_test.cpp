// The real `pricing-engine devorg` over loopback with our HTTP client: the env file, auth, hostile
// input, Composite Graph and Collections with their limits, Bulk API 2.0 jobs, platform events and
// the notifications the Flow makes, fault injection and request counts, token expiry, and change
// events delivered to a webhook.
#include "common/json_exact.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "salesforce/soql.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/evp.h>

#include <fstream>
#include <map>
#include <mutex>
#include <thread>

namespace pe {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

// A local org process and a client to talk to it.
class DevorgTest : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    dir_ = test::temp_dir("devorg_test");
    std::vector<std::string> argv{PE_BINARY, "devorg", "--port",     "0",
                                  "--seed",  "20",     "--env-file", (dir_ / "org.env").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    org_.emplace(test::Process::start(argv, {{"LOG_LEVEL", "warn"}}));
    for (int i = 0; i < 200 && !std::filesystem::exists(dir_ / "org.env"); ++i) {
      std::this_thread::sleep_for(25ms);
    }
    ASSERT_TRUE(std::filesystem::exists(dir_ / "org.env")) << org_->output();
    env_ = test::read_env_file(dir_ / "org.env");
    base_ = env_["HEROKU_INTEGRATION_API_URL"].substr(
        0, env_["HEROKU_INTEGRATION_API_URL"].size() - std::string("/integration").size());
    auto auth = call(http::verb::get, env_["HEROKU_APPLINK_API_URL"] + "/authorizations/devorg", "",
                     {{"Authorization", "Bearer " + env_["HEROKU_APPLINK_TOKEN"]},
                      {"X-App-UUID", env_["HEROKU_APP_ID"]}});
    ASSERT_EQ(auth.status, 200) << auth.body;
    token_ = std::string(
        json::parse(auth.body).at("org").at("user_auth").at("access_token").as_string());
  }

  net::HttpResponse call(http::verb method, const std::string& url, std::string body = "",
                         net::HttpHeaders headers = {}) {
    net::HttpRequest req{
        .method = method, .url = url, .headers = std::move(headers), .body = std::move(body)};
    auto future = asio::co_spawn(io_, client_.request(std::move(req)), asio::use_future);
    io_.restart();
    io_.run_for(30s);
    auto result = future.get();
    EXPECT_TRUE(result) << result.error().message;
    return result ? *result : net::HttpResponse{};
  }

  // An authenticated REST call under /services/data/v62.0.
  net::HttpResponse api(http::verb method, const std::string& path, const std::string& body = "",
                        const std::string& content_type = "application/json") {
    net::HttpHeaders headers{{"Authorization", "Bearer " + token_}};
    if (!body.empty()) headers.push_back({"Content-Type", content_type});
    return call(method, base_ + "/services/data/v62.0" + path, body, std::move(headers));
  }

  json::value api_json(http::verb method, const std::string& path, const std::string& body = "") {
    auto res = api(method, path, body);
    auto parsed = parse_json_exact(res.body);
    EXPECT_TRUE(parsed) << res.status << " " << res.body;
    return parsed ? *parsed : json::value();
  }

  std::string first_id(const std::string& soql) {
    auto page = api_json(http::verb::get, "/query?q=" + salesforce::url_encode(soql));
    return std::string(page.at("records").at(0).at("Id").as_string());
  }

  asio::io_context io_;
  net::HttpClient client_ = net::HttpClient::create(io_).value();
  std::filesystem::path dir_;
  std::optional<test::Process> org_;
  std::map<std::string, std::string> env_;
  std::string base_;
  std::string token_;
};

TEST_F(DevorgTest, WritesTheEnvironmentAnAppNeeds) {
  start();
  for (const char* key :
       {"HEROKU_APPLINK_API_URL", "HEROKU_APPLINK_TOKEN", "HEROKU_APP_ID", "CONNECTION_NAMES",
        "HEROKU_INTEGRATION_API_URL", "HEROKU_INTEGRATION_TOKEN", "HEROKUEVENTS_PUBLISH_URL"}) {
    EXPECT_FALSE(env_[key].empty()) << key;
  }
  EXPECT_EQ(env_["CONNECTION_NAMES"], "devorg");
  auto served = json::parse(call(http::verb::get, base_ + "/devorg/env").body);
  EXPECT_EQ(served.at("HEROKU_APP_ID").as_string(), env_["HEROKU_APP_ID"]);
  // Secrets never reach the log.
  EXPECT_EQ(org_->output().find(token_), std::string::npos);
}

TEST_F(DevorgTest, RefusesCallsWithoutAValidTokenAndUnknownVersions) {
  start();
  auto none = call(http::verb::get, base_ + "/services/data/v62.0/sobjects");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body,
            R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
  auto wrong = call(http::verb::get, base_ + "/services/data/v62.0/sobjects", "",
                    {{"Authorization", "Bearer 00D000000000001!forged-token-value"}});
  EXPECT_EQ(wrong.status, 401);
  auto old = api(http::verb::get, "/sobjects");
  EXPECT_EQ(old.status, 200);
  auto ancient = call(http::verb::get, base_ + "/services/data/v49.0/sobjects", "",
                      {{"Authorization", "Bearer " + token_}});
  EXPECT_EQ(ancient.status, 404);
  auto versions = json::parse(call(http::verb::get, base_ + "/services/data").body);
  EXPECT_EQ(versions.as_array().front().at("version"), "50.0");
}

TEST_F(DevorgTest, HostileInputGetsClearErrorsAndChangesNothing) {
  start();
  auto count_before = api_json(http::verb::get,
                               "/query?q=" + salesforce::url_encode("SELECT COUNT() FROM Account"));
  auto malformed = api(http::verb::post, "/sobjects/Account", "{\"Name\": ");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("JSON_PARSER_ERROR"), std::string::npos);
  auto wrong_type = api(http::verb::post, "/sobjects/Account", "Name=x", "text/plain");
  EXPECT_EQ(wrong_type.status, 415);
  auto huge = api(http::verb::post, "/sobjects/Account",
                  "{\"Name\":\"" + std::string(17 * 1024 * 1024, 'x') + "\"}");
  EXPECT_EQ(huge.status, 413);
  auto bad_id = api(http::verb::patch, "/sobjects/Account/001xx", R"({"Name":"x"})");
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_NE(bad_id.body.find("MALFORMED_ID"), std::string::npos);
  // SOQL injection through a literal stays a literal.
  auto injected = api_json(
      http::verb::get,
      "/query?q=" +
          salesforce::url_encode("SELECT Id FROM Account WHERE Name = 'x\\' OR Name != \\'y'"));
  EXPECT_EQ(injected.at("totalSize"), 0);
  auto count_after = api_json(http::verb::get,
                              "/query?q=" + salesforce::url_encode("SELECT COUNT() FROM Account"));
  EXPECT_EQ(count_before.at("totalSize"), count_after.at("totalSize"));
}

TEST_F(DevorgTest, GraphsAreAllOrNoneEachAndReferencesResolve) {
  start();
  std::string opp = first_id("SELECT Id FROM Opportunity");
  std::string entry = first_id("SELECT Id FROM PricebookEntry");
  auto graph = [&](const std::string& id, const std::string& key, const std::string& quantity) {
    return R"({"graphId":")" + id +
           R"(","compositeRequest":[)"
           R"({"method":"PATCH","url":"/services/data/v62.0/sobjects/Quote/GenerationKey__c/)" +
           key + R"(","referenceId":"quote","body":{"Name":"Q )" + key + R"(","OpportunityId":")" +
           opp +
           R"("}},{"method":"POST","url":"/services/data/v62.0/sobjects/QuoteLineItem",)"
           R"("referenceId":"line","body":{"QuoteId":"@{quote.id}","PricebookEntryId":")" +
           entry + R"(","Quantity":)" + quantity + R"(,"UnitPrice":10}}]})";
  };
  auto answer = api_json(
      http::verb::post, "/composite/graph",
      R"({"graphs":[)" + graph("g1", "k1", "2") + "," + graph("g2", "k2", "\"lots\"") + "]}");
  const auto& graphs = answer.at("graphs").as_array();
  ASSERT_EQ(graphs.size(), 2u);
  EXPECT_EQ(graphs[0].at("isSuccessful"), true);
  EXPECT_EQ(graphs[1].at("isSuccessful"), false);
  const auto& failed = graphs[1].at("graphResponse").at("compositeResponse").as_array();
  EXPECT_EQ(failed[0].at("httpStatusCode"), 400);
  EXPECT_EQ(failed[0].at("body").at(0).at("errorCode"), "PROCESSING_HALTED");
  EXPECT_EQ(failed[1].at("body").at(0).at("errorCode"), "JSON_PARSER_ERROR");
  auto quotes = api_json(
      http::verb::get,
      "/query?q=" + salesforce::url_encode("SELECT GenerationKey__c, LineItemCount FROM Quote"));
  ASSERT_EQ(quotes.at("totalSize"), 1);  // g2 rolled back whole
  EXPECT_EQ(quotes.at("records").at(0).at("GenerationKey__c"), "k1");
  EXPECT_EQ(quotes.at("records").at(0).at("LineItemCount"), 1);

  std::string too_many = R"({"graphs":[)";
  for (int i = 0; i < 76; ++i)
    too_many += (i ? "," : "") + graph("g" + std::to_string(i), "x" + std::to_string(i), "1");
  too_many += "]}";
  auto refused = api(http::verb::post, "/composite/graph", too_many);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("75"), std::string::npos);
}

TEST_F(DevorgTest, CollectionsKeepOrderAndHonourAllOrNone) {
  start();
  auto created = api_json(http::verb::post, "/composite/sobjects",
                          R"({"allOrNone":false,"records":[)"
                          R"({"attributes":{"type":"Account"},"Name":"C1"},)"
                          R"({"attributes":{"type":"Account"}},)"
                          R"({"attributes":{"type":"Account"},"Name":"C3"}]})");
  const auto& results = created.as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("success"), true);
  EXPECT_EQ(results[1].at("success"), false);
  EXPECT_EQ(results[1].at("errors").at(0).at("statusCode"), "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(results[2].at("success"), true);
  auto all_or_none = api_json(http::verb::post, "/composite/sobjects",
                              R"({"allOrNone":true,"records":[)"
                              R"({"attributes":{"type":"Account"},"Name":"D1"},)"
                              R"({"attributes":{"type":"Account"}}]})");
  EXPECT_EQ(all_or_none.at(0).at("errors").at(0).at("statusCode"),
            "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  auto d1 = api_json(
      http::verb::get,
      "/query?q=" + salesforce::url_encode("SELECT COUNT() FROM Account WHERE Name = 'D1'"));
  EXPECT_EQ(d1.at("totalSize"), 0);
  std::string many = R"({"records":[)";
  for (int i = 0; i < 201; ++i)
    many += std::string(i ? "," : "") + R"({"attributes":{"type":"Account"},"Name":"x"})";
  auto over = api(http::verb::post, "/composite/sobjects", many + "]}");
  EXPECT_EQ(over.status, 400);
  EXPECT_NE(over.body.find("EXCEEDED_ID_LIMIT"), std::string::npos);
}

TEST_F(DevorgTest, BulkIngestWritesRowsAndReportsFailuresThenQueryPagesWithALocator) {
  start();
  auto job = api_json(http::verb::post, "/jobs/ingest",
                      R"({"object":"Account","operation":"insert","contentType":"CSV"})");
  EXPECT_EQ(job.at("state"), "Open");
  std::string id(job.at("id").as_string());
  std::string csv = "Name,NumberOfEmployees\n";
  for (int i = 0; i < 3000; ++i)
    csv += "Bulk " + std::to_string(i) + "," + (i % 1000 == 7 ? "many" : "5") + "\n";
  EXPECT_EQ(api(http::verb::put, "/jobs/ingest/" + id + "/batches", csv, "text/csv").status, 201);
  EXPECT_EQ(api_json(http::verb::patch, "/jobs/ingest/" + id, R"({"state":"UploadComplete"})")
                .at("state"),
            "UploadComplete");
  json::value info;
  for (int i = 0; i < 200; ++i) {
    info = api_json(http::verb::get, "/jobs/ingest/" + id);
    if (info.at("state") == "JobComplete") break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(info.at("state"), "JobComplete");
  EXPECT_EQ(info.at("numberRecordsProcessed"), 3000);
  EXPECT_EQ(info.at("numberRecordsFailed"), 3);
  auto failed = api(http::verb::get, "/jobs/ingest/" + id + "/failedResults");
  EXPECT_EQ(failed.body.substr(0, failed.body.find('\n')),
            "sf__Id,sf__Error,Name,NumberOfEmployees");
  EXPECT_NE(failed.body.find("JSON_PARSER_ERROR:"), std::string::npos);
  auto ok = api(http::verb::get, "/jobs/ingest/" + id + "/successfulResults");
  EXPECT_EQ(std::count(ok.body.begin(), ok.body.end(), '\n'), 2998);

  auto query = api_json(
      http::verb::post, "/jobs/query",
      R"({"operation":"query","query":"SELECT Id, Name FROM Account WHERE Name LIKE 'Bulk %'"})");
  std::string qid(query.at("id").as_string());
  auto page = api(http::verb::get, "/jobs/query/" + qid + "/results?maxRecords=2000");
  EXPECT_EQ(page.header("Sforce-NumberOfRecords").value_or(""), "2000");
  std::string locator(page.header("Sforce-Locator").value_or(""));
  EXPECT_NE(locator, "null");
  auto last =
      api(http::verb::get, "/jobs/query/" + qid + "/results?maxRecords=2000&locator=" + locator);
  EXPECT_EQ(last.header("Sforce-NumberOfRecords").value_or(""), "997");
  EXPECT_EQ(last.header("Sforce-Locator").value_or(""), "null");
}

TEST_F(DevorgTest, PlatformEventsBecomeNotificationsThroughRestAndEventing) {
  start();
  auto published = api(http::verb::post, "/sobjects/QuoteGenerationComplete__e",
                       R"({"Status__c":"Quotes Generated: 50"})");
  EXPECT_EQ(published.status, 201);
  EXPECT_NE(published.body.find("\"success\":true"), std::string::npos);
  // The Eventing publish URL carries its credentials; the client sends them as Basic auth.
  net::HttpRequest eventing{
      .method = http::verb::post,
      .url = env_["HEROKUEVENTS_PUBLISH_URL"] + "/QuoteGenerationComplete",
      .headers = {{"Content-Type", "application/json"}},
      .body = R"({"CreatedDate":1736877277000,"Status__c":{"string":"Quotes Generated: 3"}})",
      .basic_auth_from_url = true};
  auto future = asio::co_spawn(io_, client_.request(std::move(eventing)), asio::use_future);
  io_.restart();
  io_.run_for(10s);
  auto res = future.get();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  auto wrong =
      call(http::verb::post, base_ + "/events/publish/QuoteGenerationComplete", "{}",
           {{"Content-Type", "application/json"}, {"Authorization", "Basic ZGV2b3JnOm5vcGU="}});
  EXPECT_EQ(wrong.status, 401);
  auto notes = json::parse(call(http::verb::get, base_ + "/devorg/notifications").body);
  const auto& list = notes.at("notifications").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("body"), "Quotes Generated: 50");
  EXPECT_EQ(list[1].at("body"), "Quotes Generated: 3");
  EXPECT_EQ(json::parse(call(http::verb::get, base_ + "/devorg/events").body)
                .at("events")
                .as_array()
                .size(),
            2u);
}

TEST_F(DevorgTest, InjectedFaultsAndStatsAndExpiringTokens) {
  start({"--token-ttl", "1"});
  auto faults = call(http::verb::post, base_ + "/devorg/faults", R"({"error_rate":1,"seed":3})",
                     {{"Content-Type", "application/json"}});
  EXPECT_EQ(faults.status, 200);
  auto failed = api(http::verb::get, "/sobjects");
  EXPECT_TRUE(failed.status == 500 || failed.status == 503) << failed.status;
  call(http::verb::post, base_ + "/devorg/faults", R"({"error_rate":0})",
       {{"Content-Type", "application/json"}});
  EXPECT_EQ(api(http::verb::get, "/sobjects").status, 200);
  api(http::verb::get, "/query?q=" + salesforce::url_encode("SELECT Id FROM Account"));
  auto stats = json::parse(call(http::verb::get, base_ + "/devorg/stats").body);
  EXPECT_EQ(stats.at("by_kind").at("query"), 1);
  EXPECT_EQ(stats.at("faults"), 1);
  auto bad = call(http::verb::post, base_ + "/devorg/faults", R"({"error_rate":7})",
                  {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad.status, 400);
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(api(http::verb::get, "/sobjects").status, 401);  // the token expired
}

TEST_F(DevorgTest, FaultFlagsApplyFromTheStartAndBadOnesAreRefused) {
  start({"--fault-error-rate", "1"});
  auto failed = api(http::verb::get, "/sobjects");
  EXPECT_TRUE(failed.status == 500 || failed.status == 503) << failed.status;
  auto bad = test::Process::start({PE_BINARY, "devorg", "--port", "0", "--fault-error-rate", "2"});
  EXPECT_EQ(bad.wait(10s), 2);
  EXPECT_NE(bad.output().find("error_rate must be between 0 and 1"), std::string::npos);
}

TEST_F(DevorgTest, AFileDatabaseKeepsItsRecordsAcrossRestarts) {
  auto db = test::temp_dir("devorg_db") / "org.sqlite";
  start({"--db", db.string()});
  auto created = api(http::verb::post, "/sobjects/Account", R"({"Name":"Survivor"})");
  ASSERT_EQ(created.status, 201);
  org_->signal(SIGTERM);
  ASSERT_EQ(org_->wait(10s), 0);
  std::filesystem::remove(dir_ / "org.env");
  start({"--db", db.string()});
  auto found = api_json(
      http::verb::get,
      "/query?q=" + salesforce::url_encode("SELECT Name FROM Account WHERE Name = 'Survivor'"));
  EXPECT_EQ(found.at("totalSize"), 1);
  // The sample data was seeded once, not again on the restart.
  auto opps = api_json(http::verb::get,
                       "/query?q=" + salesforce::url_encode("SELECT COUNT() FROM Opportunity"));
  EXPECT_EQ(opps.at("totalSize"), 20);
}

TEST_F(DevorgTest, DeliversOpportunityChangesToTheWebhookPerTransaction) {
  std::mutex mutex;
  std::vector<json::object> received;
  net::ServerConfig config;
  config.address = "127.0.0.1";
  config.port = 0;
  config.threads = 1;
  config.handle_signals = false;
  config.access_log = false;
  net::HttpServer hook(config, [&](net::ThreadContext&) {
    auto router = std::make_shared<net::Router>();
    router->add(http::verb::post, "/hook",
                [&](net::Request& req) -> asio::awaitable<net::Response> {
                  std::lock_guard lock(mutex);
                  if (req.header(http::field::authorization) == "Bearer hook-token") {
                    received.push_back(json::parse(req.body()).as_object());
                  }
                  co_return net::empty_response(http::status::no_content);
                });
    return router;
  });
  ASSERT_TRUE(hook.listen());
  std::thread hook_thread([&] { hook.run(); });
  start({"--webhook", "http://127.0.0.1:" + std::to_string(hook.port()) + "/hook",
         "--webhook-token", "hook-token"});
  // One request, 3 updates of the same field: one event with three record ids.
  auto page = api_json(http::verb::get,
                       "/query?q=" + salesforce::url_encode("SELECT Id FROM Opportunity LIMIT 3"));
  std::string records;
  for (const auto& r : page.at("records").as_array()) {
    records += std::string(records.empty() ? "" : ",") +
               R"({"attributes":{"type":"Opportunity"},"id":")" +
               std::string(r.at("Id").as_string()) + R"(","StageName":"Negotiation/Review"})";
  }
  auto updated = api(http::verb::patch, "/composite/sobjects", R"({"records":[)" + records + "]}");
  EXPECT_EQ(updated.status, 200) << updated.body;
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mutex);
      if (!received.empty()) break;
    }
    std::this_thread::sleep_for(20ms);
  }
  hook.stop();
  hook_thread.join();
  std::lock_guard lock(mutex);
  ASSERT_EQ(received.size(), 1u);
  const auto& header = received[0].at("data").at("ChangeEventHeader");
  EXPECT_EQ(header.at("changeType"), "UPDATE");
  EXPECT_EQ(header.at("recordIds").as_array().size(), 3u);
  EXPECT_EQ(received[0].at("subject"), "/data/OpportunityChangeEvent");
}

}  // namespace
}  // namespace pe
