// The real `pricing-engine devorg` playing Salesforce's side of an AppLink invocation against a
// tiny app of this test's own (a net::HttpServer on a port chosen at run time): the three
// headers, the session that acts as the invoking user, field-level security with and without
// the session permission set, the AppLink invocation-authentication endpoint and its refusals,
// the callback URL of the async route and the callbacks endpoint (docs/invocations.md).
//
// The app's handler calls back into the org while the org waits for its answer (a query with
// x-client-context's token, a create, the authentication endpoint with x-request-context's
// auth), which the org's single server thread must serve meanwhile.
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

#include <array>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>

namespace pe {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

// Standard base64 with padding and nothing else, or nullopt.
std::optional<std::string> strict_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    char c = text[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return std::nullopt;
  }
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

json::object decoded(std::string_view header) {
  auto text = strict_base64(header);
  EXPECT_TRUE(text) << "not strict base64: " << header;
  auto value = text ? parse_json_exact(*text) : Result<json::value>(Error{});
  EXPECT_TRUE(value && value->is_object()) << "not a JSON object: " << text.value_or("");
  return value && value->is_object() ? value->as_object() : json::object();
}

constexpr std::array<const char*, 4> kRecordedHeaders = {"x-request-id", "x-request-context",
                                                         "x-client-context", "content-type"};

// What the app saw of one invocation and what its calls into the org answered.
struct Seen {
  std::map<std::string, std::string> headers;  // x-request-id, x-request-context, ...
  json::value body;
  int direct_query = 0;  // SELECT ... DiscountOverride__c FROM OpportunityLineItem
  std::string direct_query_body;
  int child_query = 0;  // the field in a child subquery
  std::string child_query_body;
  std::string account_id;  // created with the session
  int authentication = 0;
  std::string authentication_body;
};

// The app: every route records what it got, then calls into the org as an app would.
class TestApp {
 public:
  TestApp() {
    net::ServerConfig config;
    config.address = "127.0.0.1";
    config.port = 0;
    config.threads = 1;
    config.handle_signals = false;
    config.access_log = false;
    server_ = std::make_unique<net::HttpServer>(config, [this](net::ThreadContext& thread) {
      client_ = std::make_unique<net::HttpClient>(net::HttpClient::create(thread.io).value());
      auto router = std::make_shared<net::Router>();
      for (const char* path : {"/api/generatequote", "/api/generatequote/async"}) {
        router->add(http::verb::post, path,
                    [this](net::Request& req) -> asio::awaitable<net::Response> {
                      co_return co_await handle(req);
                    });
      }
      return router;
    });
    EXPECT_TRUE(server_->listen());
    thread_ = std::thread([this] { server_->run(); });
  }
  ~TestApp() {
    server_->stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  void configure(std::string applink_url, std::string applink_token) {
    std::lock_guard lock(mutex_);
    applink_url_ = std::move(applink_url);
    applink_token_ = std::move(applink_token);
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  asio::awaitable<net::Response> handle(net::Request& req) {
    Seen s;
    for (const char* name : kRecordedHeaders) {
      s.headers[name] = std::string(req.header(name));
    }
    s.body = json::parse(req.body());
    json::object client = decoded(s.headers["x-client-context"]);
    json::object context = decoded(s.headers["x-request-context"]);
    std::string org(client["orgDomainUrl"].as_string());
    net::HttpHeaders bearer{
        {"Authorization", "Bearer " + std::string(client["accessToken"].as_string())}};
    auto query = [&](std::string soql) {
      return client_->request(
          {.method = http::verb::get,
           .url = org + "/services/data/v62.0/query?q=" + salesforce::url_encode(soql),
           .headers = bearer});
    };
    auto direct = co_await query("SELECT Id, DiscountOverride__c FROM OpportunityLineItem LIMIT 1");
    if (direct) {
      s.direct_query = direct->status;
      s.direct_query_body = direct->body;
    }
    auto child = co_await query(
        "SELECT Id, (SELECT Id, DiscountOverride__c FROM OpportunityLineItems) FROM Opportunity "
        "LIMIT 1");
    if (child) {
      s.child_query = child->status;
      s.child_query_body = child->body;
    }
    net::HttpHeaders create_headers = bearer;
    create_headers.push_back({"Content-Type", "application/json"});
    net::HttpRequest create{.method = http::verb::post,
                            .url = org + "/services/data/v62.0/sobjects/Account",
                            .headers = create_headers,
                            .body = R"({"Name":"Made in an invocation"})"};
    auto created = co_await client_->request(std::move(create));
    if (created && created->status == 201) {
      s.account_id = std::string(json::parse(created->body).at("id").as_string());
    }
    std::string applink_url, applink_token;
    {
      std::lock_guard lock(mutex_);
      applink_url = applink_url_;
      applink_token = applink_token_;
    }
    json::object check{{"org_domain_url", context["orgDomainUrl"]},
                       {"core_jwt_token", context["auth"]},
                       {"org_id", context["orgId"]},
                       {"app_uuid", context["appUuid"]}};
    // Built before the co_await: GCC 12 cannot keep a braced list's array across one.
    net::HttpRequest authenticate{.method = http::verb::post,
                                  .url = applink_url + "/invocations/authentication",
                                  .headers = {{"Authorization", "Bearer " + applink_token},
                                              {"X-Request-Id", s.headers["x-request-id"]},
                                              {"Content-Type", "application/json"}},
                                  .body = json::serialize(check)};
    auto auth = co_await client_->request(std::move(authenticate));
    if (auth) {
      s.authentication = auth->status;
      s.authentication_body = auth->body;
    }
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(s);
    }
    co_return net::json_response(http::status::ok,
                                 std::string(R"({"quoteId":"0Q0000000000001AAA"})"));
  }

  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<net::HttpClient> client_;  // used on the server's thread only
  std::thread thread_;
  std::mutex mutex_;
  std::string applink_url_;
  std::string applink_token_;
  std::vector<Seen> seen_;
};

class DevorgInvocationTest : public ::testing::Test {
 protected:
  // A local org calling app_url; its env in env_, its base URL in base_.
  void start(const std::string& app_url) {
    dir_ = test::temp_dir("devorg_invocation_test");
    org_.emplace(
        test::Process::start({PE_BINARY, "devorg", "--port", "0", "--seed", "3", "--env-file",
                              (dir_ / "org.env").string(), "--app-url", app_url},
                             {{"LOG_LEVEL", "info"}}));
    for (int i = 0; i < 200 && !std::filesystem::exists(dir_ / "org.env"); ++i) {
      std::this_thread::sleep_for(25ms);
    }
    ASSERT_TRUE(std::filesystem::exists(dir_ / "org.env")) << org_->output();
    env_ = test::read_env_file(dir_ / "org.env");
    std::string integration = env_["HEROKU_INTEGRATION_API_URL"];
    base_ = integration.substr(0, integration.size() - std::string("/integration").size());
    app_.configure(env_["HEROKU_APPLINK_API_URL"], env_["HEROKU_APPLINK_TOKEN"]);
    auto auth = call(http::verb::post, integration + "/invocations/authorization",
                     R"({"org_name":"devorg"})",
                     {{"Authorization", "Bearer " + env_["HEROKU_INTEGRATION_TOKEN"]},
                      {"Content-Type", "application/json"}});
    ASSERT_EQ(auth.status, 200) << auth.body;
    integration_token_ = std::string(json::parse(auth.body).at("access_token").as_string());
  }

  net::HttpResponse call(http::verb method, const std::string& url, std::string body = "",
                         net::HttpHeaders headers = {}) {
    net::HttpRequest req{
        .method = method, .url = url, .headers = std::move(headers), .body = std::move(body)};
    auto future = asio::co_spawn(io_, client_.request(std::move(req)), asio::use_future);
    io_.restart();
    io_.run_for(20s);
    auto result = future.get();
    EXPECT_TRUE(result) << result.error().message;
    return result ? *result : net::HttpResponse{};
  }

  net::HttpResponse post_json(const std::string& path, const std::string& body,
                              net::HttpHeaders headers = {}) {
    headers.push_back({"Content-Type", "application/json"});
    return call(http::verb::post, base_ + path, body, std::move(headers));
  }

  json::object invoke(const std::string& body, int expected_status = 200) {
    auto res = post_json("/devorg/invocations", body);
    EXPECT_EQ(res.status, expected_status) << res.body;
    auto parsed = parse_json_exact(res.body);
    return parsed && parsed->is_object() ? parsed->as_object() : json::object();
  }

  // A query as `token`: its status and body.
  net::HttpResponse query(const std::string& token, const std::string& soql) {
    return call(http::verb::get,
                base_ + "/services/data/v62.0/query?q=" + salesforce::url_encode(soql), "",
                {{"Authorization", "Bearer " + token}});
  }

  std::string user_id(const std::string& username) {
    auto res = query(integration_token_, "SELECT Id FROM User WHERE Username = '" + username + "'");
    return std::string(json::parse(res.body).at("records").at(0).at("Id").as_string());
  }

  std::string opportunity() {
    auto res = query(integration_token_, "SELECT Id FROM Opportunity LIMIT 1");
    return std::string(json::parse(res.body).at("records").at(0).at("Id").as_string());
  }

  TestApp app_;
  asio::io_context io_;
  net::HttpClient client_ = net::HttpClient::create(io_).value();
  std::filesystem::path dir_;
  std::optional<test::Process> org_;
  std::map<std::string, std::string> env_;
  std::string base_;
  std::string integration_token_;
};

const std::string kNoSuchColumn =
    "No such column 'DiscountOverride__c' on entity 'OpportunityLineItem'. If you are attempting "
    "to use a custom field, be sure to append the '__c' after the custom field name. Please "
    "reference your WSDL or the describe call for the appropriate names.";

TEST_F(DevorgInvocationTest, SendsTheThreeHeadersAndTheSessionActsAsTheUser) {
  start(app_.url());
  std::string opp = opportunity();
  auto answer = invoke(R"({"url":"/api/generatequote","body":{"opportunityId":")" + opp +
                       R"("},"user":"sales@devorg.local"})");
  EXPECT_EQ(answer["status"], 200);
  EXPECT_EQ(answer["body"].at("quoteId"), "0Q0000000000001AAA");
  EXPECT_TRUE(answer["callbackUrl"].is_null());
  auto seen = app_.seen();
  ASSERT_EQ(seen.size(), 1u);
  const Seen s = seen[0];
  EXPECT_EQ(s.body.at("opportunityId"), opp.c_str());
  EXPECT_EQ(s.headers.at("content-type"), "application/json");

  json::object context = decoded(s.headers.at("x-request-context"));
  json::object client = decoded(s.headers.at("x-client-context"));
  for (const char* key :
       {"id", "auth", "loginUrl", "orgDomainUrl", "orgId", "resource", "type", "appUuid"}) {
    ASSERT_TRUE(context.contains(key) && context[key].is_string()) << key;
    EXPECT_FALSE(context[key].as_string().empty()) << key;
  }
  EXPECT_EQ(context.size(), 8u);
  std::string id(context["id"].as_string());
  EXPECT_EQ(id.size(), 24u);
  std::string org_id(context["orgId"].as_string());
  EXPECT_EQ(org_id.size(), 18u);
  EXPECT_EQ(s.headers.at("x-request-id"), org_id.substr(0, 15) + "-" + id);
  EXPECT_EQ(answer["requestId"], s.headers.at("x-request-id").c_str());
  EXPECT_EQ(context["loginUrl"], base_.c_str());
  EXPECT_EQ(context["orgDomainUrl"], base_.c_str());
  EXPECT_EQ(context["resource"], "/api/generatequote");
  EXPECT_EQ(context["type"], "ApexCallout");
  EXPECT_EQ(context["appUuid"], env_["HEROKU_APP_ID"].c_str());

  EXPECT_EQ(client["apiVersion"], "62.0");
  EXPECT_EQ(client["namespace"], "");
  EXPECT_EQ(client["orgId"], org_id.c_str());
  EXPECT_EQ(client["orgDomainUrl"], base_.c_str());
  EXPECT_EQ(client["requestId"], s.headers.at("x-request-id").c_str());
  std::string sales = user_id("sales@devorg.local");
  EXPECT_EQ(client["userContext"].at("username"), "sales@devorg.local");
  EXPECT_EQ(client["userContext"].at("userId"), sales.c_str());
  std::string token(client["accessToken"].as_string());
  EXPECT_EQ(token.substr(0, 16), org_id.substr(0, 15) + "!");
  EXPECT_NE(token, integration_token_);

  // The session acted as the sales user, who does not see the discount override.
  EXPECT_EQ(s.direct_query, 400);
  auto error = json::parse(s.direct_query_body).at(0);
  EXPECT_EQ(error.at("errorCode"), "INVALID_FIELD");
  std::string message(error.at("message").as_string());
  EXPECT_TRUE(message.ends_with(kNoSuchColumn)) << message;
  EXPECT_NE(message.find("ERROR at Row:1:Column:12"), std::string::npos) << message;
  EXPECT_EQ(s.child_query, 400);
  EXPECT_NE(s.child_query_body.find("No such column 'DiscountOverride__c'"), std::string::npos);
  ASSERT_FALSE(s.account_id.empty());
  auto account =
      call(http::verb::get, base_ + "/services/data/v62.0/sobjects/Account/" + s.account_id, "",
           {{"Authorization", "Bearer " + integration_token_}});
  EXPECT_EQ(json::parse(account.body).at("CreatedById"), sales.c_str());
  EXPECT_EQ(json::parse(account.body).at("OwnerId"), sales.c_str());
  // The add-on authenticated the invocation for the app.
  EXPECT_EQ(s.authentication, 200) << s.authentication_body;
  auto authenticated = json::parse(s.authentication_body);
  EXPECT_EQ(authenticated.at("status"), "authenticated");
  EXPECT_EQ(authenticated.at("org_id"), org_id.c_str());
  EXPECT_EQ(authenticated.at("request_id"), id.c_str());

  // A retry keeps its request id.
  invoke(R"({"url":"/api/generatequote","requestId":")" + s.headers.at("x-request-id") + R"("})");
  seen = app_.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].headers.at("x-request-id"), s.headers.at("x-request-id"));
  // The integration user (the default) sees every field.
  EXPECT_EQ(seen[1].direct_query, 200) << seen[1].direct_query_body;

  // No secret reached the org's log (read once it has exited: info lines are flushed in
  // batches).
  org_->signal(SIGTERM);
  EXPECT_TRUE(org_->wait(10s));
  std::string log = org_->output();
  EXPECT_NE(log.find("msg=invocation request_id=" + s.headers.at("x-request-id") +
                     " method=POST path=/api/generatequote user=sales@devorg.local status=200"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find(token), std::string::npos);
  EXPECT_EQ(log.find(std::string(context["auth"].as_string())), std::string::npos);
  EXPECT_EQ(log.find(s.headers.at("x-client-context")), std::string::npos);
}

TEST_F(DevorgInvocationTest, TheSessionPermissionSetShowsTheFieldOnlyDuringTheCall) {
  start(app_.url());
  auto answer = invoke(R"({"url":"/api/generatequote","user":"sales@devorg.local",)"
                       R"("permissionSets":["GenerateQuotePermissions"]})");
  EXPECT_EQ(answer["status"], 200);
  auto seen = app_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].direct_query, 200) << seen[0].direct_query_body;
  EXPECT_NE(seen[0].direct_query_body.find("\"DiscountOverride__c\""), std::string::npos);
  EXPECT_EQ(seen[0].child_query, 200) << seen[0].child_query_body;
  // Once the app has answered, the same session no longer has it.
  std::string token(decoded(seen[0].headers.at("x-client-context"))["accessToken"].as_string());
  auto after = query(token, "SELECT Id, DiscountOverride__c FROM OpportunityLineItem LIMIT 1");
  EXPECT_EQ(after.status, 400);
  EXPECT_NE(after.body.find("No such column 'DiscountOverride__c'"), std::string::npos);
  EXPECT_EQ(query(token, "SELECT Id, Discount FROM OpportunityLineItem LIMIT 1").status, 200);
  // Nor does describe show it, or a write accept it.
  auto describe =
      call(http::verb::get, base_ + "/services/data/v62.0/sobjects/OpportunityLineItem/describe",
           "", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(describe.status, 200);
  EXPECT_EQ(describe.body.find("DiscountOverride__c"), std::string::npos);

  // Only assigned session permission sets, only known users.
  auto unknown =
      post_json("/devorg/invocations", R"({"url":"/api/generatequote","user":"sales@devorg.local",)"
                                       R"("permissionSets":["ModifyAllData"]})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("ModifyAllData is not assigned to sales@devorg.local"),
            std::string::npos);
  auto nobody = post_json("/devorg/invocations", R"({"url":"/x","user":"nobody@example.com"})");
  EXPECT_EQ(nobody.status, 400);
  EXPECT_EQ(post_json("/devorg/invocations", R"({"url":"http://evil.example.com/"})").status, 400);
  EXPECT_EQ(post_json("/devorg/invocations", R"({"url":)").status, 400);
  EXPECT_EQ(call(http::verb::post, base_ + "/devorg/invocations", "url=/x",
                 {{"Content-Type", "text/plain"}})
                .status,
            415);
  EXPECT_EQ(app_.seen().size(), 1u);  // none of those reached the app
}

TEST_F(DevorgInvocationTest, TheAuthenticationEndpointRefusesWhatTheOrgDidNotIssue) {
  start(app_.url());
  auto headers = [&](const std::string& extra = "") {
    auto answer = invoke(R"({"url":"/api/generatequote","send":false)" + extra + "}");
    return decoded(std::string(answer["headers"].at("x-request-context").as_string()));
  };
  json::object context = headers();
  EXPECT_TRUE(app_.seen().empty());  // send: false calls nothing
  auto check = [&](json::object body, std::string bearer = "") {
    if (bearer.empty()) bearer = env_["HEROKU_APPLINK_TOKEN"];
    return call(http::verb::post, env_["HEROKU_APPLINK_API_URL"] + "/invocations/authentication",
                json::serialize(body),
                {{"Authorization", "Bearer " + bearer}, {"Content-Type", "application/json"}});
  };
  auto body_of = [](const json::object& c) {
    return json::object{{"org_domain_url", c.at("orgDomainUrl")},
                        {"core_jwt_token", c.at("auth")},
                        {"org_id", c.at("orgId")},
                        {"app_uuid", c.at("appUuid")}};
  };
  EXPECT_EQ(check(body_of(context)).status, 200);

  auto forbidden = [&](json::object body, const std::string& detail) {
    auto res = check(std::move(body));
    EXPECT_EQ(res.status, 403) << res.body;
    EXPECT_EQ(json::parse(res.body).at("detail"), detail.c_str()) << res.body;
  };
  // Forged: the signature changed.
  json::object forged = body_of(context);
  std::string auth(context["auth"].as_string());
  auth.back() = auth.back() == 'A' ? 'B' : 'A';
  forged["core_jwt_token"] = auth;
  forbidden(forged, "the token was not issued by this org");
  // Presented for another org or app.
  json::object other_org = body_of(context);
  other_org["org_id"] = "00D000000000099AAA";
  forbidden(other_org, "the token was issued for another org");
  json::object other_app = body_of(context);
  other_app["app_uuid"] = "00000000-0000-0000-0000-000000000000";
  forbidden(other_app, "the token was issued for another app");
  // Expired: minted with a lifetime of 0 seconds.
  EXPECT_EQ(post_json("/devorg/faults", R"({"invocation_ttl_seconds":0})").status, 200);
  forbidden(body_of(headers()), "the token has expired");
  EXPECT_EQ(post_json("/devorg/faults", R"({"invocation_ttl_seconds":300})").status, 200);
  // Without the add-on's token, or with a malformed body.
  auto none = call(http::verb::post, env_["HEROKU_APPLINK_API_URL"] + "/invocations/authentication",
                   json::serialize(body_of(context)), {{"Content-Type", "application/json"}});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(json::parse(none.body).at("title"), "Unauthorized");
  EXPECT_EQ(check(body_of(context), "wrong-token").status, 401);
  json::object missing = body_of(context);
  missing.erase("core_jwt_token");
  auto bad = check(missing);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body).at("detail"), "core_jwt_token is required");

  // Another org (its own secret) did issue a token: this org refuses it.
  test::Process other =
      test::Process::start({PE_BINARY, "devorg", "--port", "0", "--env-file",
                            (dir_ / "other.env").string(), "--app-url", "http://127.0.0.1:1"});
  for (int i = 0; i < 200 && !std::filesystem::exists(dir_ / "other.env"); ++i) {
    std::this_thread::sleep_for(25ms);
  }
  auto other_env = test::read_env_file(dir_ / "other.env");
  std::string other_base = other_env["HEROKU_INTEGRATION_API_URL"];
  other_base.resize(other_base.size() - std::string("/integration").size());
  auto other_answer =
      call(http::verb::post, other_base + "/devorg/invocations",
           R"({"url":"/api/generatequote","send":false})", {{"Content-Type", "application/json"}});
  ASSERT_EQ(other_answer.status, 200) << other_answer.body;
  json::object other_context = decoded(std::string(
      json::parse(other_answer.body).at("headers").at("x-request-context").as_string()));
  json::object theirs = body_of(context);
  theirs["core_jwt_token"] = other_context["auth"];
  forbidden(theirs, "the token was not issued by this org");
  // That org cannot reach its app: the invocation says so.
  auto unreachable =
      call(http::verb::post, other_base + "/devorg/invocations", R"({"url":"/api/generatequote"})",
           {{"Content-Type", "application/json"}});
  EXPECT_EQ(unreachable.status, 502);
  EXPECT_EQ(json::parse(unreachable.body).at("errorCode"), "APP_UNAVAILABLE");
}

TEST_F(DevorgInvocationTest, TheAsyncRouteGetsACallbackUrlAndCallbacksAreRecorded) {
  start(app_.url());
  auto answer = invoke(R"({"url":"/api/generatequote/async","user":"sales@devorg.local",)"
                       R"("body":{"opportunityId":"006000000000001AAA","callbackUrl":"x"}})");
  auto seen = app_.seen();
  ASSERT_EQ(seen.size(), 1u);
  json::object context = decoded(seen[0].headers.at("x-request-context"));
  std::string callback = base_ + "/devorg/callbacks/" + std::string(context["id"].as_string());
  EXPECT_EQ(seen[0].body.at("callbackUrl"), callback.c_str());  // the caller's was replaced
  EXPECT_EQ(answer["callbackUrl"], callback.c_str());
  std::string token(decoded(seen[0].headers.at("x-client-context"))["accessToken"].as_string());

  auto post = [&](const std::string& url, const std::string& body, const std::string& bearer) {
    return call(http::verb::post, url, body,
                {{"Authorization", "Bearer " + bearer}, {"Content-Type", "application/json"}});
  };
  EXPECT_EQ(post(callback, R"({"jobId":"j1","status":"done"})", token).status, 204);
  auto refused = post(callback, R"({"jobId":"j1"})", "00D000000000001!forged-session-token");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.body,
            R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
  EXPECT_EQ(post(callback, R"({"jobId":)", token).status, 400);
  EXPECT_EQ(post(callback, R"([1])", token).status, 400);
  EXPECT_EQ(post(base_ + "/devorg/callbacks/NoSuchInvocation0000000", "{}", token).status, 404);
  EXPECT_EQ(post(callback, "{\"a\":\"" + std::string(9 << 20, 'x') + "\"}", token).status, 413);

  auto listed = json::parse(call(http::verb::get, base_ + "/devorg/callbacks").body);
  ASSERT_EQ(listed.at("callbacks").as_array().size(), 1u);
  const auto& c = listed.at("callbacks").at(0);
  EXPECT_EQ(c.at("invocationId"), context["id"]);
  EXPECT_EQ(c.at("username"), "sales@devorg.local");
  EXPECT_EQ(c.at("userId"), user_id("sales@devorg.local").c_str());
  EXPECT_EQ(c.at("body").at("status"), "done");
  EXPECT_FALSE(c.at("receivedAt").as_string().empty());
  EXPECT_EQ(listed.at("refused"), 4);  // bad token, two bad bodies, unknown invocation
  EXPECT_EQ(org_->output().find(token), std::string::npos);
}

}  // namespace
}  // namespace pe
