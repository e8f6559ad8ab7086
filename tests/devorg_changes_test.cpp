// The local org's change-event feed against a real webhook on 127.0.0.1 (our HttpServer): events
// arrive in order as structured CloudEvents with the bearer token, and a webhook that fails is
// retried with backoff until it accepts, without losing or reordering anything.
#include "devorg/change_events.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>

#include <mutex>
#include <thread>

namespace pe::devorg {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

struct Delivery {
  std::string content_type;
  std::string authorization;
  json::object event;
};

// A webhook answering 503 to its first `failures` calls, then 204; it keeps what it accepted.
class Webhook {
 public:
  explicit Webhook(int failures) : failures_(failures) {
    net::ServerConfig config;
    config.address = "127.0.0.1";
    config.port = 0;
    config.threads = 1;
    config.handle_signals = false;
    config.access_log = false;
    config.shutdown_grace = 500ms;
    server_ = std::make_unique<net::HttpServer>(config, [this](net::ThreadContext&) {
      auto router = std::make_shared<net::Router>();
      router->add(http::verb::post, "/hook",
                  [this](net::Request& req) -> asio::awaitable<net::Response> {
                    std::lock_guard lock(mutex_);
                    ++calls_;
                    if (failures_ > 0) {
                      --failures_;
                      co_return net::json_error(req, Errc::unavailable, "try again");
                    }
                    accepted_.push_back({std::string(req.message[http::field::content_type]),
                                         std::string(req.message[http::field::authorization]),
                                         json::parse(req.message.body()).as_object()});
                    co_return net::empty_response(http::status::no_content);
                  },
                  {.content_types = {"application/cloudevents+json"}});
      return router;
    });
    EXPECT_TRUE(server_->listen());
    thread_ = std::thread([this] { server_->run(); });
  }
  ~Webhook() {
    server_->stop();
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook";
  }
  std::vector<Delivery> accepted() {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  int failures_;
  int calls_ = 0;
  std::vector<Delivery> accepted_;
  std::unique_ptr<net::HttpServer> server_;
  std::thread thread_;
};

// Runs the io_context until `done` or 10 s.
void run_until(asio::io_context& io, const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(20ms);
  }
}

Change stage_change(int serial) {
  return {.kind = Change::Kind::update,
          .object = "Opportunity",
          .id = SalesforceId::make("006", serial),
          .changed_fields = {"StageName"}};
}

TEST(ChangeEventFeed, DeliversTransactionsInOrderWithTheToken) {
  Webhook hook(0);
  asio::io_context io;
  auto client = net::HttpClient::create(io).value();
  ChangeEventFeed feed(io.get_executor(), client,
                       {.webhook_url = hook.url(), .token = "hook-secret"});
  feed.start();
  std::vector<Change> first{stage_change(1), stage_change(2)};
  std::vector<Change> second{
      {.kind = Change::Kind::create, .object = "Opportunity", .id = SalesforceId::make("006", 3)}};
  feed.publish(first, {.user = SalesforceId::make("005", 1)});
  feed.publish(second, {.user = SalesforceId::make("005", 1)});
  run_until(io, [&] { return feed.stats().delivered == 2; });

  auto got = hook.accepted();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].content_type, "application/cloudevents+json");
  EXPECT_EQ(got[0].authorization, "Bearer hook-secret");
  const auto& h0 = got[0].event.at("data").as_object().at("ChangeEventHeader").as_object();
  const auto& h1 = got[1].event.at("data").as_object().at("ChangeEventHeader").as_object();
  EXPECT_EQ(h0.at("changeType"), "UPDATE");
  EXPECT_EQ(h0.at("recordIds").as_array().size(), 2u);
  EXPECT_EQ(h1.at("changeType"), "CREATE");
  EXPECT_NE(h0.at("transactionKey"), h1.at("transactionKey"));
  EXPECT_LT(h0.at("commitNumber").as_int64(), h1.at("commitNumber").as_int64());
  auto stats = feed.stats();
  EXPECT_EQ(stats.transactions, 2u);
  EXPECT_EQ(stats.events, 2u);
  EXPECT_EQ(stats.pending, 0u);
  EXPECT_EQ(feed.recent(10).size(), 2u);
}

TEST(ChangeEventFeed, RetriesAFailingWebhookUntilItAcceptsWithoutReordering) {
  Webhook hook(3);
  asio::io_context io;
  auto client = net::HttpClient::create(io).value();
  ChangeEventFeed feed(io.get_executor(), client,
                       {.webhook_url = hook.url(), .first_retry = 20ms, .max_retry = 100ms});
  feed.start();
  for (int i = 1; i <= 5; ++i) {
    std::vector<Change> tx{stage_change(i)};
    feed.publish(tx, {});
  }
  run_until(io, [&] { return feed.stats().delivered == 5; });

  auto got = hook.accepted();
  ASSERT_EQ(got.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    const auto& h = got[i].event.at("data").as_object().at("ChangeEventHeader").as_object();
    EXPECT_EQ(h.at("recordIds").as_array()[0].as_string(), SalesforceId::make("006", i + 1).str());
  }
  EXPECT_EQ(got[0].authorization, "");  // no token, no header
  EXPECT_EQ(feed.stats().failed_attempts, 3u);
  EXPECT_EQ(hook.calls(), 8);
}

TEST(ChangeEventFeed, AnUnreachableWebhookKeepsEventsPendingAndBoundsTheQueue) {
  asio::io_context io;
  auto client = net::HttpClient::create(io).value();
  int port = test::free_port();  // nothing listens there
  ChangeEventFeed feed(io.get_executor(), client,
                       {.webhook_url = "http://127.0.0.1:" + std::to_string(port) + "/hook",
                        .max_pending = 3,
                        .first_retry = 10ms,
                        .max_retry = 20ms});
  feed.start();
  for (int i = 1; i <= 5; ++i) {
    std::vector<Change> tx{stage_change(i)};
    feed.publish(tx, {});
  }
  run_until(io, [&] { return feed.stats().failed_attempts >= 3; });
  auto stats = feed.stats();
  EXPECT_EQ(stats.delivered, 0u);
  EXPECT_EQ(stats.pending, 3u);
  EXPECT_EQ(stats.dropped, 2u);
  EXPECT_GE(stats.failed_attempts, 3u);
}

}  // namespace
}  // namespace pe::devorg
