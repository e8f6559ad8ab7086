#include "net/router.hpp"

#include <gtest/gtest.h>

namespace pe::net {
namespace {

namespace asio = boost::asio;

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
  return r;
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  auto r = sample();
  auto m = r.match(http::verb::get, "/api/jobs");
  ASSERT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.route->pattern, "/api/jobs");

  m = r.match(http::verb::get, "/orgs/acme/accounts/001xx");
  ASSERT_EQ(m.kind, Router::Match::Kind::found);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0].name, "org");
  EXPECT_EQ(m.params[0].value, "acme");
  EXPECT_EQ(m.params[1].name, "account");
  EXPECT_EQ(m.params[1].value, "001xx");
}

TEST(Router, DecodesPercentEscapesInParameters) {
  auto r = sample();
  auto m = r.match(http::verb::get, "/api/jobs/a%20b%2Fc");
  ASSERT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.params[0].value, "a b/c");
  // A bad escape, or an encoded NUL, names nothing.
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/%zz").kind, Router::Match::Kind::not_found);
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/%00").kind, Router::Match::Kind::not_found);
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/%4").kind, Router::Match::Kind::not_found);
}

TEST(Router, WrongMethodGivesAllowList) {
  auto r = sample();
  auto m = r.match(http::verb::put, "/api/jobs/7");
  EXPECT_EQ(m.kind, Router::Match::Kind::method_not_allowed);
  EXPECT_EQ(m.allow, "GET, DELETE, HEAD, OPTIONS");
  EXPECT_EQ(r.match(http::verb::patch, "/api/jobs").allow, "GET, POST, HEAD, OPTIONS");
}

TEST(Router, HeadFallsBackToGet) {
  auto r = sample();
  auto m = r.match(http::verb::head, "/api/jobs/7");
  ASSERT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.route->method, http::verb::get);
}

TEST(Router, UnknownAndHostilePathsAreNotFound) {
  auto r = sample();
  std::vector<std::string> paths = {"",
                                    "api/jobs",
                                    "/api/jobs/",
                                    "/api//jobs",
                                    "/api/jobs/7/x",
                                    "/api/jobs/../jobs",
                                    "/API/JOBS",
                                    "/api/jobs//",
                                    "/orgs//accounts/1",
                                    std::string(100000, '/'),
                                    "/api/jobs/" + std::string(100000, 'a') + "/x"};
  for (const auto& path : paths) {
    EXPECT_EQ(r.match(http::verb::get, path).kind, Router::Match::Kind::not_found)
        << path.substr(0, 40);
  }
  // Empty parameter segments do not match.
  EXPECT_EQ(r.match(http::verb::get, "/api/jobs/").kind, Router::Match::Kind::not_found);
}

TEST(Router, RejectsMalformedOrDuplicatePatterns) {
  Router r;
  EXPECT_THROW(r.add(http::verb::get, "no-slash", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/{b", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/x{b}", noop()), std::invalid_argument);
  r.add(http::verb::get, "/a/{b}", noop());
  EXPECT_THROW(r.add(http::verb::get, "/a/{b}", noop()), std::invalid_argument);
}

TEST(MediaType, ComparesTypeCaseInsensitivelyIgnoringParameters) {
  std::vector<std::string> json = {"application/json", "application/cloudevents+json"};
  EXPECT_TRUE(media_type_matches("application/json", json));
  EXPECT_TRUE(media_type_matches("Application/JSON; charset=utf-8", json));
  EXPECT_TRUE(media_type_matches(" application/cloudevents+json ;charset=UTF-8", json));
  EXPECT_FALSE(media_type_matches("text/plain", json));
  EXPECT_FALSE(media_type_matches("", json));
  EXPECT_FALSE(media_type_matches("application/json2", json));
  EXPECT_FALSE(media_type_matches("application/jsonx; a=application/json", json));
}

}  // namespace
}  // namespace pe::net
