// The Salesforce client against the real local org over loopback: paging 10,000 records with the
// fewest pages, CRUD and upsert, collections chunked to 200, graphs, retries under injected
// faults, and the credentials refresh on INVALID_SESSION_ID.
#include "net/http_client.hpp"
#include "salesforce/bulk_api.hpp"
#include "salesforce/data_api.hpp"
#include "salesforce/unit_of_work.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <fstream>
#include <map>
#include <thread>

namespace pe::salesforce {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

class SalesforceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir("salesforce_test");
    org_.emplace(
        test::Process::start({PE_BINARY, "devorg", "--port", "0", "--seed", "5", "--env-file",
                              (dir_ / "org.env").string(), "--token-ttl", "2"},
                             {{"LOG_LEVEL", "warn"}}));
    for (int i = 0; i < 200 && !std::filesystem::exists(dir_ / "org.env"); ++i) {
      std::this_thread::sleep_for(25ms);
    }
    ASSERT_TRUE(std::filesystem::exists(dir_ / "org.env")) << org_->output();
    std::ifstream in(dir_ / "org.env");
    for (std::string line; std::getline(in, line);) {
      auto eq = line.find('=');
      env_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    auto creds = run(authorize());
    ASSERT_TRUE(creds) << creds.error().message;
    api_.emplace(
        client_, *creds,
        DataApiOptions{.backoff = {.max_attempts = 8, .initial_delay = 5ms, .max_delay = 50ms},
                       .refresh = [this] { return authorize(); }});
  }

  net::HttpRequest authorization_request() {
    return {.url = env_["HEROKU_APPLINK_API_URL"] + "/authorizations/devorg",
            .headers = {{"Authorization", "Bearer " + env_["HEROKU_APPLINK_TOKEN"]},
                        {"X-App-UUID", env_["HEROKU_APP_ID"]}}};
  }

  // AppLink's authorization, as applink/ will do it.
  asio::awaitable<Result<OrgCredentials>> authorize() {
    ++authorizations_;
    net::HttpRequest request = authorization_request();  // built outside: GCC 12 and literals
    auto res = co_await client_.request(std::move(request));
    if (!res) co_return res.error();
    auto org = json::parse(res->body).at("org");
    co_return OrgCredentials{std::string(org.at("instance_url").as_string()),
                             std::string(org.at("api_version").as_string()),
                             std::string(org.at("user_auth").at("access_token").as_string())};
  }

  template <class T>
  T run(asio::awaitable<T> task) {
    auto future = asio::co_spawn(io_, std::move(task), asio::use_future);
    io_.restart();
    io_.run_for(60s);
    return future.get();
  }

  std::string server_stats() {
    auto res = run(client_.request({.url = api_->credentials().instance_url + "/devorg/stats"}));
    return res ? res->body : res.error().message;
  }
  // API requests of one kind the org answered: what a job spends from the daily allowance. (The
  // client's own count also includes attempts lost with a dropped keep-alive connection, which
  // the org never served; sanitizer builds are slow enough to meet those.)
  int64_t served(std::string_view kind) {
    auto stats = json::parse(server_stats());
    const auto* n = stats.at("by_kind").as_object().if_contains(kind);
    return n ? n->as_int64() : 0;
  }
  void reset_stats() {
    auto res = run(client_.request({.method = http::verb::delete_,
                                    .url = api_->credentials().instance_url + "/devorg/stats"}));
    ASSERT_TRUE(res && res->status == 204);
  }

  void set_faults(const std::string& json_body) {
    auto res = run(client_.request({.method = http::verb::post,
                                    .url = api_->credentials().instance_url + "/devorg/faults",
                                    .headers = {{"Content-Type", "application/json"}},
                                    .body = json_body}));
    ASSERT_TRUE(res && res->status == 200);
  }

  asio::io_context io_;
  net::HttpClient client_ = net::HttpClient::create(io_).value();
  std::filesystem::path dir_;
  std::optional<test::Process> org_;
  std::map<std::string, std::string> env_;
  std::optional<DataApi> api_;
  int authorizations_ = 0;
};

TEST_F(SalesforceTest, PagesTenThousandRecordsWithTheFewestRequests) {
  std::vector<json::object> accounts;
  for (int i = 0; i < 10000; ++i) accounts.push_back({{"Name", "Paged " + std::to_string(i)}});
  reset_stats();
  auto created = run(api_->create_many("Account", std::move(accounts), true));
  ASSERT_TRUE(created) << created.error().describe();
  EXPECT_EQ(created->size(), 10000u);
  EXPECT_TRUE(
      std::all_of(created->begin(), created->end(), [](const SaveResult& r) { return r.success; }));
  EXPECT_EQ(served("collections"), 50);  // 200 a request

  reset_stats();
  auto all = run(api_->query("SELECT Id, Name FROM Account WHERE Name LIKE 'Paged %'"));
  ASSERT_TRUE(all) << all.error().describe();
  EXPECT_EQ(all->total_size, 10000);
  EXPECT_EQ(all->records.size(), 10000u);
  EXPECT_EQ(served("query") + served("queryMore"), 5);  // 2,000 a page
}

TEST_F(SalesforceTest, CrudUpsertAndTypedReads) {
  auto id = run(api_->create("Account", {{"Name", "Client Co"}, {"BillingCountry", "Japan"}}));
  ASSERT_TRUE(id) << id.error().describe();
  auto record =
      run(api_->retrieve("Account", *id, std::vector<std::string>{"Name", "BillingCountry"}));
  ASSERT_TRUE(record);
  EXPECT_EQ(text_field(*record, "BillingCountry"), "Japan");
  ASSERT_TRUE(run(api_->update("Account", *id, {{"Name", "Client Co 2"}})));
  auto opp =
      run(api_->query("SELECT Id, Account.BillingCountry, (SELECT Id FROM OpportunityLineItems) "
                      "FROM Opportunity LIMIT 1"));
  ASSERT_TRUE(opp);
  const auto& first = opp->records[0].as_object();
  EXPECT_FALSE(text_field(first, "Account.BillingCountry").empty());
  ASSERT_NE(child_records(first, "OpportunityLineItems"), nullptr);
  auto opp_id = SalesforceId::parse(first.at("Id").as_string()).value();

  auto made = run(api_->upsert("Quote", "GenerationKey__c", "client:1",
                               {{"Name", "Q"}, {"OpportunityId", opp_id.str()}}));
  ASSERT_TRUE(made) << made.error().describe();
  EXPECT_TRUE(made->created);
  auto again = run(api_->upsert("Quote", "GenerationKey__c", "client:1",
                                {{"Name", "Q2"}, {"OpportunityId", opp_id.str()}}));
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, made->id);

  ASSERT_TRUE(run(api_->remove("Account", *id)));
  auto gone = run(api_->retrieve("Account", *id));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().error_code, "ENTITY_IS_DELETED");
  EXPECT_EQ(gone.error().status, 404);

  auto bad = run(api_->query("SELECT Bacon FROM Account"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().error_code, "INVALID_FIELD");
  EXPECT_EQ(bad.error().status, 400);
}

TEST_F(SalesforceTest, CollectionsReportEachRecordInOrder) {
  std::vector<json::object> records;
  for (int i = 0; i < 450; ++i) {
    records.push_back(i == 201 ? json::object{} : json::object{{"Name", "C" + std::to_string(i)}});
  }
  reset_stats();
  auto results = run(api_->create_many("Account", std::move(records), false));
  ASSERT_TRUE(results);
  EXPECT_EQ(served("collections"), 3);
  ASSERT_EQ(results->size(), 450u);
  EXPECT_FALSE((*results)[201].success);
  EXPECT_EQ((*results)[201].errors.at(0).error_code, "REQUIRED_FIELD_MISSING");
  EXPECT_TRUE((*results)[200].success);
  std::vector<SalesforceId> ids;
  for (const auto& r : *results) {
    if (r.success) ids.push_back(r.id);
  }
  auto removed = run(api_->remove_many(ids, true));
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->size(), 449u);
}

TEST_F(SalesforceTest, RetriesInjectedFaultsForRequestsSafeToRepeat) {
  set_faults(R"({"error_rate":0.3,"limit_rate":0.1,"seed":11})");
  for (int i = 0; i < 20; ++i) {
    auto page = run(api_->query("SELECT Id FROM Opportunity"));
    ASSERT_TRUE(page) << page.error().describe();
    EXPECT_EQ(page->total_size, 5);
  }
  auto stats = run(client_.request({.url = api_->credentials().instance_url + "/devorg/stats"}));
  EXPECT_GT(json::parse(stats->body).at("faults").as_int64(), 0);
  // A create is not retried: the fault reaches the caller.
  set_faults(R"({"error_rate":1,"limit_rate":0})");
  auto created = run(api_->create("Account", {{"Name", "Not retried"}}));
  ASSERT_FALSE(created);
  EXPECT_TRUE(created.error().status == 500 || created.error().status == 503);
}

TEST_F(SalesforceTest, RefreshesCredentialsOnceWhenTheSessionExpires) {
  // Tokens issued from now on live one second.
  set_faults(R"({"token_ttl_seconds":1})");
  auto creds = run(authorize());
  ASSERT_TRUE(creds);
  DataApi api(client_, *creds, {.refresh = [this] { return authorize(); }});
  ASSERT_TRUE(run(api.query("SELECT Id FROM Account LIMIT 1")));
  int before = authorizations_;
  std::this_thread::sleep_for(1100ms);
  auto after = run(api.query("SELECT Id FROM Account LIMIT 1"));
  ASSERT_TRUE(after) << after.error().describe();
  EXPECT_EQ(authorizations_, before + 1);
  // Without a refresh callback the expiry reaches the caller as INVALID_SESSION_ID.
  std::this_thread::sleep_for(1100ms);
  DataApi plain(client_, api.credentials());
  auto expired = run(plain.query("SELECT Id FROM Account LIMIT 1"));
  ASSERT_FALSE(expired);
  EXPECT_TRUE(expired.error().is_invalid_session());
  EXPECT_EQ(expired.error().status, 401);
}

TEST_F(SalesforceTest, AUnitOfWorkWritesThousandsOfQuotesAndAFailingGroupFailsAlone) {
  auto opps = run(api_->query(
      "SELECT Id, (SELECT PricebookEntryId FROM OpportunityLineItems) FROM Opportunity"));
  ASSERT_TRUE(opps);
  const auto& first = opps->records[0].as_object();
  std::string opp(first.at("Id").as_string());
  std::string entry(
      child_records(first, "OpportunityLineItems")->at(0).at("PricebookEntryId").as_string());
  auto build = [&] {
    UnitOfWork work;
    for (int q = 0; q < 2000; ++q) {
      std::string group = "g" + std::to_string(q);
      auto quote = work.upsert(group, "Quote", "GenerationKey__c", "uow:" + group,
                               {{"Name", "Quote " + group}, {"OpportunityId", opp}});
      for (int l = 0; l < 3; ++l) {
        // Group 777's second line names no price book entry: that group must fail alone.
        std::string line_entry = q == 777 && l == 1 ? std::string() : entry;
        work.upsert(group, "QuoteLineItem", "GenerationKey__c",
                    "uow:" + group + ":" + std::to_string(l),
                    {{"QuoteId", UnitOfWork::id_of(quote)},
                     {"PricebookEntryId", line_entry},
                     {"Quantity", l + 1},
                     {"UnitPrice", "10.5"}});
      }
    }
    return work;
  };
  auto work = build();
  reset_stats();
  auto result = run(work.commit(*api_));
  ASSERT_TRUE(result) << result.error().describe();
  // 8,000 nodes: 16 full requests, plus one for the groups of the failed graph, sent alone.
  EXPECT_EQ(result->requests, 17u);
  EXPECT_EQ(served("graph"), 17);
  EXPECT_FALSE(result->groups.at("g777").success);
  EXPECT_EQ(result->groups.at("g777").errors.at(0).error_code, "REQUIRED_FIELD_MISSING");
  EXPECT_TRUE(result->groups.at("g776").success);  // shared its first graph with g777
  size_t ok = std::count_if(result->groups.begin(), result->groups.end(),
                            [](const auto& g) { return g.second.success; });
  EXPECT_EQ(ok, 1999u);
  EXPECT_TRUE(result->nodes[0].created);

  // The same work again (a retried job): rewritten, never duplicated.
  auto again = build();
  auto second = run(again.commit(*api_));
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->nodes[0].created);
  auto quotes = run(api_->query("SELECT COUNT() FROM Quote WHERE GenerationKey__c LIKE 'uow:%'"));
  EXPECT_EQ(quotes->total_size, 1999);
  auto lines =
      run(api_->query("SELECT COUNT() FROM QuoteLineItem WHERE GenerationKey__c LIKE 'uow:%'"));
  EXPECT_EQ(lines->total_size, 1999 * 3);

  UnitOfWork huge;
  for (int i = 0; i < 501; ++i) huge.create("too-big", "Account", {{"Name", "x"}});
  auto refused = run(huge.commit(*api_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().error_code, "INVALID_UNIT_OF_WORK");
}

TEST_F(SalesforceTest, BulkIngestsFiftyThousandRowsReportingTheFailedOnesThenQueriesThem) {
  std::vector<json::object> rows;
  for (int i = 0; i < 50000; ++i) {
    json::object row{{"Name", "Bulk, \"row\" " + std::to_string(i)}, {"NumberOfEmployees", i}};
    if (i % 10000 == 123) row["NumberOfEmployees"] = "many";  // 5 rows the org refuses
    rows.push_back(std::move(row));
  }
  BulkApi bulk(*api_, {.first_poll = 20ms, .max_poll = 200ms});
  int progress_calls = 0;
  auto result = run(bulk.ingest({.object = "Account", .operation = "insert"}, rows,
                                [&](const BulkProgress&) { ++progress_calls; }));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(result->state, "JobComplete");
  EXPECT_EQ(result->successful.size(), 49995u);
  ASSERT_EQ(result->failed.size(), 5u);
  EXPECT_EQ(result->failed[0].values[0], "Bulk, \"row\" 123");
  EXPECT_EQ(result->failed[0].error.substr(0, 18), "JSON_PARSER_ERROR:");
  EXPECT_TRUE(result->unprocessed.empty());
  EXPECT_TRUE(result->successful[0].created);
  EXPECT_EQ(result->successful[0].id.substr(0, 3), "001");
  EXPECT_GE(progress_calls, 1);

  auto table = run(bulk.query("SELECT Id, Name FROM Account WHERE Name LIKE 'Bulk, %'", {}, 20000));
  ASSERT_TRUE(table) << table.error().describe();
  EXPECT_EQ(table->header, (std::vector<std::string>{"Id", "Name"}));
  EXPECT_EQ(table->rows.size(), 49995u);

  auto bad = run(bulk.ingest({.object = "Nope", .operation = "insert"}, rows));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().error_code, "INVALIDENTITY");
}

}  // namespace
}  // namespace pe::salesforce
