// The OpenAPI document and the router agree: every documented operation is routed, with the
// method, path and media type the document gives, and every org-action and batch-job route is
// documented.
#include "web/org_actions.hpp"
#include "web/batch_jobs.hpp"

#include "applink/api_document.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <set>

namespace pe::web {
namespace {

namespace http = net::http;

struct Routed {
  boost::asio::io_context io;
  net::HttpClient client = net::HttpClient::create(io).value();
  std::shared_ptr<net::RedisConnection> redis =
      net::RedisConnection::create(io, net::RedisConfig{}).value();  // never started
  OrgActionsConfig config;
  OrgActions actions{config, std::nullopt, nullptr, client,
                     std::make_shared<jobs::JobQueue>(redis)};
  BatchRoutesConfig batch_config;
  BatchRoutes batch{batch_config, std::nullopt, client,
                    std::make_shared<jobs::BatchJobs>(redis, "pe:batch:jobs", jobs::BatchOptions{}),
                    std::make_shared<DescribeCache>()};
  net::Router router;
  Routed() {
    actions.add_routes(router);
    batch.add_routes(router);
  }
};

TEST(OrgActionsRoutes, EveryDocumentedOperationIsRouted) {
  Routed r;
  ASSERT_FALSE(applink::api_operations().empty());
  for (const auto& op : applink::api_operations()) {
    auto method = http::string_to_verb(std::string(op.method == "post" ? "POST" : "GET"));
    auto match = r.router.match(method, op.path);
    EXPECT_EQ(match.kind, net::Router::Match::Kind::found) << op.method << " " << op.path;
    if (match.route && op.request_schema) {
      const auto& types = match.route->options.content_types;
      EXPECT_NE(std::find(types.begin(), types.end(), "application/json"), types.end()) << op.path;
    }
  }
}

TEST(OrgActionsRoutes, EveryRouteIsDocumentedWithItsOperationId) {
  Routed r;
  std::set<std::string> ids;
  for (const auto& route : r.router.routes()) {
    const auto* op =
        applink::find_operation(std::string(http::to_string(route.method)), route.pattern);
    ASSERT_NE(op, nullptr) << route.pattern << " is routed but not in api-docs.yaml";
    ids.insert(op->operation_id);
  }
  EXPECT_EQ(ids, (std::set<std::string>{"generateQuote", "generateQuotes", "generateQuotesAsync",
                                        "executeBatch", "datacreate", "datadelete", "getJob"}));
}

TEST(OrgActionsRoutes, TheDocumentedErrorStatusesIncludeWhatTheRoutesAnswer) {
  // Every operation answers 400 (a bad body), 401 (no invocation headers), 403 (refused by
  // AppLink, or a field the user may not read), 503 (AppLink or Salesforce unavailable) and 500.
  for (const auto& op : applink::api_operations()) {
    const auto& responses = op.operation->at("responses").as_object();
    for (const char* status : {"400", "401", "403", "500", "503"}) {
      EXPECT_TRUE(responses.contains(status)) << op.operation_id << " does not document " << status;
    }
    // Jobs are accepted (202), async org actions created (201), the rest answered (200).
    const bool job = op.path == "/api/executebatch" || op.path.starts_with("/api/data/");
    EXPECT_TRUE(responses.contains(op.has_callbacks ? "201"
                                   : job            ? "202"
                                                    : "200"))
        << op.operation_id;
  }
  EXPECT_TRUE(applink::find_operation("post", "/api/generatequote")
                  ->operation->at("responses")
                  .as_object()
                  .contains("404"));
  EXPECT_TRUE(applink::operation_has_callbacks("POST", "/api/generatequote/async"));
  EXPECT_FALSE(applink::operation_has_callbacks("POST", "/api/generatequote"));
}

}  // namespace
}  // namespace pe::web
