// Router matching, the per-route checks, and dispatch (the server's request-to-response logic)
// run on an io_context without any socket.
#include "net/router.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <stdexcept>

namespace pe::net {
namespace {

namespace asio = boost::asio;
using Kind = Router::Match::Kind;

Handler noop() {
  return [](Request&) -> asio::awaitable<Response> { co_return empty_response(http::status::ok); };
}

Router sample() {
  Router r;
  r.add(http::verb::get, "/api/jobs", noop());
  r.add(http::verb::post, "/api/jobs", noop());
  r.add(http::verb::get, "/api/jobs/{id}", noop());
  r.add(http::verb::delete_, "/api/jobs/{id}", noop());
  r.add(http::verb::get, "/orgs/{org}/accounts/{account}", noop());
  r.add(http::verb::get, "/", noop());
  return r;
}

// Runs router.dispatch(req) to completion on a private io_context.
Response run_dispatch(const Router& router, Request& req, std::size_t limit = kDefaultBodyLimit) {
  asio::io_context io;
  std::optional<Response> out;
  asio::co_spawn(io, router.dispatch(req, limit), [&](std::exception_ptr e, Response res) {
    if (e) std::rethrow_exception(e);
    out = std::move(res);
  });
  io.run();
  return std::move(out.value());
}

Request make_request(http::verb method, std::string target, std::string body = "",
                     std::string content_type = "") {
  Request req;
  req.message.method(method);
  req.message.target(target);
  req.message.body() = std::move(body);
  if (!content_type.empty()) req.message.set(http::field::content_type, content_type);
  req.request_id = "req-1";
  return req;
}

std::string error_code_of(const Response& res) {
  return std::string(boost::json::parse(res.body()).at("error").at("code").as_string());
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  auto r = sample();
  auto m = r.match(http::verb::get, "/api/jobs");
  ASSERT_EQ(m.kind, Kind::found);
  EXPECT_EQ(m.route->pattern, "/api/jobs");
  EXPECT_TRUE(m.params.empty());

  m = r.match(http::verb::get, "/orgs/acme/accounts/001xx");
  ASSERT_EQ(m.kind, Kind::found);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0].name, "org");
  EXPECT_EQ(m.params[0].value, "acme");
  EXPECT_EQ(m.params[1].name, "account");
  EXPECT_EQ(m.params[1].value, "001xx");

  m = r.match(http::verb::get, "/");
  ASSERT_EQ(m.kind, Kind::found);
  EXPECT_EQ(m.route->pattern, "/");
}

TEST(Router, PicksTheRouteOfTheMethod) {
  auto r = sample();
  EXPECT_EQ(r.match(http::verb::post, "/api/jobs").route->method, http::verb::post);
  EXPECT_EQ(r.match(http::verb::delete_, "/api/jobs/9").route->method, http::verb::delete_);
}

TEST(Router, DecodesPercentEscapesInParameters) {
  auto r = sample();
  auto m = r.match(http::verb::get, "/api/jobs/a%20b%2Fc");
  ASSERT_EQ(m.kind, Kind::found);
  EXPECT_EQ(m.params[0].value, "a b/c");
  // A bad escape, or an encoded NUL, names nothing.
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/%zz").kind, Kind::not_found);
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/%00").kind, Kind::not_found);
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/%4").kind, Kind::not_found);
}

TEST(Router, MatchesEscapedSpellingsOfLiteralSegments) {
  auto r = sample();
  EXPECT_EQ(r.match(http::verb::get, "/api/%6Aobs").kind, Kind::found);
  EXPECT_EQ(r.match(http::verb::get, "/%61pi/jobs/7").kind, Kind::found);
  EXPECT_EQ(r.match(http::verb::get, "/api%2Fjobs").kind, Kind::not_found);
}

TEST(Router, WrongMethodGivesAllowListWithHeadAndOptions) {
  auto r = sample();
  auto m = r.match(http::verb::put, "/api/jobs/7");
  EXPECT_EQ(m.kind, Kind::method_not_allowed);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allow, "GET, DELETE, HEAD, OPTIONS");
  EXPECT_EQ(r.match(http::verb::patch, "/api/jobs").allow, "GET, POST, HEAD, OPTIONS");

  Router post_only;
  post_only.add(http::verb::post, "/hook", noop());
  EXPECT_EQ(post_only.match(http::verb::get, "/hook").allow, "POST, OPTIONS");
}

TEST(Router, HeadFallsBackToGetButAnExplicitHeadRouteWins) {
  auto r = sample();
  auto m = r.match(http::verb::head, "/api/jobs/7");
  ASSERT_EQ(m.kind, Kind::found);
  EXPECT_EQ(m.route->method, http::verb::get);
  EXPECT_EQ(m.params[0].value, "7");

  r.add(http::verb::head, "/api/jobs", noop());
  EXPECT_EQ(r.match(http::verb::head, "/api/jobs").route->method, http::verb::head);
  EXPECT_EQ(r.match(http::verb::head, "/nope").kind, Kind::not_found);
}

TEST(Router, TrailingSlashesAndEmptySegmentsAreDifferentPaths) {
  auto r = sample();
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/").kind, Kind::not_found);  // empty {id}
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/7/").kind, Kind::not_found);
  EXPECT_EQ(r.match(http::verb::get, "/api//jobs").kind, Kind::not_found);
  EXPECT_EQ(r.match(http::verb::get, "//api/jobs").kind, Kind::not_found);
  EXPECT_EQ(r.match(http::verb::get, "/orgs//accounts/1").kind, Kind::not_found);
}

TEST(Router, DotSegmentsNameNothing) {
  auto r = sample();
  for (std::string path : {"/api/jobs/..", "/api/jobs/.", "/api/jobs/%2e%2e", "/api/jobs/%2E",
                           "/api/jobs/../jobs", "/api/x/../jobs", "/orgs/../accounts/1"}) {
    EXPECT_EQ(r.match(http::verb::get, path).kind, Kind::not_found) << path;
  }
  // Dots inside a segment are just characters.
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/v1.2").params[0].value, "v1.2");
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/...").params[0].value, "...");
}

TEST(Router, UnknownAndHostilePathsAreNotFound) {
  auto r = sample();
  std::vector<std::string> paths = {"",
                                    "api/jobs",
                                    "*",
                                    "http://example.com/api/jobs",
                                    "/API/JOBS",
                                    "/api/jobs/7/x",
                                    std::string(100000, '/'),
                                    "/api/jobs/" + std::string(100000, 'a') + "/x",
                                    "/" + std::string(1 << 20, 'a'),
                                    std::string("/api/jobs\0x", 11)};
  for (const auto& path : paths) {
    EXPECT_EQ(r.match(http::verb::get, path).kind, Kind::not_found) << path.substr(0, 40);
  }
  // A very long parameter is the handler's business, not the router's.
  auto long_id = std::string(10000, 'a');
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/" + long_id).params[0].value, long_id);
}

TEST(Router, RejectsMalformedOrDuplicatePatterns) {
  Router r;
  EXPECT_THROW(r.add(http::verb::get, "no-slash", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/{b", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/x{b}", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/{b{c}}", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/../b", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a?x=1", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a", Handler()), std::invalid_argument);
  std::string deep;
  for (std::size_t i = 0; i <= Router::kMaxSegments; ++i) deep += "/x";
  EXPECT_THROW(r.add(http::verb::get, deep, noop()), std::invalid_argument);
  r.add(http::verb::get, "/a/{b}", noop());
  EXPECT_THROW(r.add(http::verb::get, "/a/{b}", noop()), std::invalid_argument);
  EXPECT_NO_THROW(r.add(http::verb::post, "/a/{b}", noop()));
}

TEST(MediaType, ComparesTypeCaseInsensitivelyIgnoringParameters) {
  std::vector<std::string> json = {"application/json", "application/cloudevents+json"};
  EXPECT_TRUE(media_type_matches("application/json", json));
  EXPECT_TRUE(media_type_matches("Application/JSON; charset=utf-8", json));
  EXPECT_TRUE(media_type_matches(" application/cloudevents+json ;charset=UTF-8", json));
  EXPECT_TRUE(media_type_matches("application/json\t;", json));
  EXPECT_FALSE(media_type_matches("text/plain", json));
  EXPECT_FALSE(media_type_matches("", json));
  EXPECT_FALSE(media_type_matches("application/json2", json));
  EXPECT_FALSE(media_type_matches("application/jsonx; a=application/json", json));
  EXPECT_FALSE(media_type_matches("application/ json", json));
}

TEST(CheckRequestHead, ContentTypeAndDeclaredLength) {
  RouteOptions json{.body_limit = 100, .content_types = {"application/json"}};
  EXPECT_FALSE(check_request_head(json, 1000, "application/json", true, 100));
  EXPECT_FALSE(check_request_head(json, 1000, "", false, std::nullopt));  // no body, no type

  auto e = check_request_head(json, 1000, "text/plain", true, 10);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, Errc::unsupported_media_type);
  EXPECT_EQ(e->message, "unsupported Content-Type; expected application/json");
  e = check_request_head(json, 1000, "", true, 10);  // a body without a type
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, Errc::unsupported_media_type);

  e = check_request_head(json, 1000, "application/json", true, 101);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, Errc::payload_too_large);
  EXPECT_EQ(e->message, "body of 101 bytes exceeds the limit of 100");

  RouteOptions any;  // no types, default limit
  EXPECT_FALSE(check_request_head(any, 1000, "text/plain", true, 1000));
  e = check_request_head(any, 1000, "", true, 1001);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "body of 1001 bytes exceeds the limit of 1000");
}

TEST(Dispatch, RoutesAndFillsParametersAndPathAndQuery) {
  Router r;
  r.add(http::verb::get, "/things/{id}", [](Request& req) -> asio::awaitable<Response> {
    co_return json_response(
        http::status::ok,
        std::string(req.param("id")) + "|" + std::string(req.path) + "|" + std::string(req.query));
  });
  auto req = make_request(http::verb::get, "/things/a%2Fb?x=1&y=2");
  auto res = run_dispatch(r, req);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "a/b|/things/a%2Fb|x=1&y=2");
}

TEST(Dispatch, AnswersUnroutedRequests) {
  auto r = sample();
  auto req = make_request(http::verb::get, "/nope");
  auto res = run_dispatch(r, req);
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(error_code_of(res), "not_found");

  req = make_request(http::verb::put, "/api/jobs");
  res = run_dispatch(r, req);
  EXPECT_EQ(res.result_int(), 405);
  EXPECT_EQ(res[http::field::allow], "GET, POST, HEAD, OPTIONS");
  EXPECT_EQ(error_code_of(res), "method_not_allowed");

  req = make_request(http::verb::options, "/api/jobs/3");
  res = run_dispatch(r, req);
  EXPECT_EQ(res.result_int(), 204);
  EXPECT_EQ(res[http::field::allow], "GET, DELETE, HEAD, OPTIONS");
  EXPECT_TRUE(res.body().empty());
}

TEST(Dispatch, EnforcesContentTypeAndBodyLimit) {
  Router r;
  r.add(http::verb::post, "/in", noop(), {.body_limit = 4, .content_types = {"application/json"}});
  r.add(http::verb::post, "/any", noop());
  auto req = make_request(http::verb::post, "/in", "{}", "text/plain");
  EXPECT_EQ(run_dispatch(r, req).result_int(), 415);
  req = make_request(http::verb::post, "/in", "[1,2]", "application/json");
  EXPECT_EQ(run_dispatch(r, req).result_int(), 413);
  req = make_request(http::verb::post, "/in", "[1]", "application/json; charset=utf-8");
  EXPECT_EQ(run_dispatch(r, req).result_int(), 200);
  // Routes without their own limit get the default one.
  req = make_request(http::verb::post, "/any", std::string(11, 'x'));
  EXPECT_EQ(run_dispatch(r, req, 10).result_int(), 413);
}

TEST(Dispatch, HandlerExceptionBecomesA500WithTheRequestIdOnly) {
  Router r;
  r.add(http::verb::get, "/boom", [](Request&) -> asio::awaitable<Response> {
    throw std::runtime_error("password=hunter2 in a broken invariant");
    co_return empty_response(http::status::ok);
  });
  r.add(http::verb::get, "/int", [](Request&) -> asio::awaitable<Response> {
    throw 42;
    co_return empty_response(http::status::ok);
  });
  for (std::string path : {"/boom", "/int"}) {
    auto req = make_request(http::verb::get, path);
    auto res = run_dispatch(r, req);
    EXPECT_EQ(res.result_int(), 500);
    EXPECT_EQ(res.body(),
              R"({"error":{"code":"internal","message":"internal error","request_id":"req-1"}})");
  }
}

}  // namespace
}  // namespace pe::net
