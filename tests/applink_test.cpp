// AppLink, the Integration endpoint and the Eventing publisher against the real local org.
#include "applink/applink.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <fstream>
#include <thread>

namespace pe::applink {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

class AppLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir("applink_test");
    org_.emplace(test::Process::start(
        {PE_BINARY, "devorg", "--port", "0", "--env-file", (dir_ / "org.env").string()},
        {{"LOG_LEVEL", "warn"}}));
    for (int i = 0; i < 200 && !std::filesystem::exists(dir_ / "org.env"); ++i) {
      std::this_thread::sleep_for(25ms);
    }
    ASSERT_TRUE(std::filesystem::exists(dir_ / "org.env"));
    std::ifstream in(dir_ / "org.env");
    for (std::string line; std::getline(in, line);) {
      auto eq = line.find('=');
      env_.set(line.substr(0, eq), line.substr(eq + 1));
    }
  }
  template <class T>
  T run(asio::awaitable<T> task) {
    auto future = asio::co_spawn(io_, std::move(task), asio::use_future);
    io_.restart();
    io_.run_for(30s);
    return future.get();
  }

  asio::io_context io_;
  net::HttpClient client_ = net::HttpClient::create(io_).value();
  std::filesystem::path dir_;
  std::optional<test::Process> org_;
  Env env_;
};

TEST_F(AppLinkTest, GetsCachesAndRefreshesCredentialsThatTheOrgAccepts) {
  auto link = AppLink::from_env(env_).value();
  auto creds = run(link.credentials(client_, "devorg"));
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->api_version, "62.0");
  auto cached = run(link.credentials(client_, "devorg"));
  EXPECT_EQ(cached->access_token, creds->access_token);
  salesforce::DataApi api(client_, *creds);
  auto page = run(api.query("SELECT Id FROM User"));
  ASSERT_TRUE(page) << page.error().describe();
  EXPECT_EQ(page->total_size, 2);  // the integration user and the sales user
  auto refreshed = run(link.refresh(client_, "devorg"));
  ASSERT_TRUE(refreshed);
  auto unknown = run(link.credentials(client_, "no-such-org"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::not_found);
  EXPECT_EQ(unknown.error().message,
            "Unable to get connection no-such-org: Not Found - Authorization not found");
}

TEST_F(AppLinkTest, FallsBackToTheIntegrationEndpoint) {
  Env integration(
      {{"HEROKU_INTEGRATION_API_URL", std::string(*env_.get("HEROKU_INTEGRATION_API_URL"))},
       {"HEROKU_INTEGRATION_TOKEN", std::string(*env_.get("HEROKU_INTEGRATION_TOKEN"))}});
  auto link = AppLink::from_env(integration).value();
  auto creds = run(link.credentials(client_, "devorg"));
  ASSERT_TRUE(creds) << creds.error().message;
  salesforce::DataApi api(client_, *creds);
  EXPECT_TRUE(run(api.query("SELECT Id FROM Organization")));
}

TEST_F(AppLinkTest, PublishesThroughEventingAndTheFlowNotifies) {
  auto publisher = EventPublisher::from_env(env_).value();
  auto done =
      run(publisher.publish(client_, "QuoteGenerationComplete", SalesforceId::make("005", 1),
                            json::object{{"Status__c", "Quotes Generated: 12"}}));
  ASSERT_TRUE(done) << done.error().message;
  std::string base(*env_.get("HEROKU_INTEGRATION_API_URL"));
  base.resize(base.size() - std::string("/integration").size());
  auto notes = run(client_.request({.url = base + "/devorg/notifications"}));
  ASSERT_TRUE(notes);
  auto list = json::parse(notes->body).at("notifications").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("body"), "Quotes Generated: 12");
  EXPECT_EQ(EventPublisher::from_env(Env()).error().message, "HEROKUEVENTS_PUBLISH_URL is not set");
}

}  // namespace
}  // namespace pe::applink
