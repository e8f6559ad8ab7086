#include "salesforce/salesforce_error.hpp"

#include <gtest/gtest.h>

namespace pe::salesforce {
namespace {

TEST(SalesforceError, ParsesTheRestArray) {
  auto e = parse_error(
      400,
      R"([{"message":"Required fields are missing: [Name]","errorCode":"REQUIRED_FIELD_MISSING","fields":["Name"]}])");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.error_code, "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(e.message, "Required fields are missing: [Name]");
  EXPECT_EQ(e.fields, std::vector<std::string>{"Name"});
  EXPECT_EQ(e.describe(),
            "REQUIRED_FIELD_MISSING: Required fields are missing: [Name] [Name] (HTTP 400)");
  EXPECT_FALSE(e.is_transient());
  EXPECT_EQ(e.to_error().code, Errc::invalid_argument);
}

TEST(SalesforceError, ParsesSaveResultsOAuthAndAppLinkShapes) {
  auto save = parse_error(
      200,
      R"({"success":false,"errors":[{"statusCode":"DUPLICATE_VALUE","message":"dup","fields":["GenerationKey__c"]}]})");
  EXPECT_EQ(save.error_code, "DUPLICATE_VALUE");
  EXPECT_EQ(save.fields, std::vector<std::string>{"GenerationKey__c"});
  auto oauth = parse_error(
      400, R"({"error":"invalid_grant","error_description":"expired access/refresh token"})");
  EXPECT_EQ(oauth.error_code, "invalid_grant");
  EXPECT_EQ(oauth.message, "expired access/refresh token");
  auto applink = parse_error(404, R"({"title":"Not Found","detail":"Authorization not found"})");
  EXPECT_EQ(applink.error_code, "APPLINK_ERROR");
  EXPECT_EQ(applink.message, "Not Found - Authorization not found");
  EXPECT_EQ(applink.to_error().code, Errc::not_found);
}

TEST(SalesforceError, KeepsNonJsonBodiesShortAndRedacted) {
  auto html = parse_error(
      503, "<html>Service Unavailable\nAuthorization: Bearer 00Dxx0000001gPL!AR8AQJXg5oj8</html>");
  EXPECT_EQ(html.error_code, "UNKNOWN_ERROR");
  EXPECT_EQ(html.message.find("AR8AQJXg5oj8"), std::string::npos);
  EXPECT_TRUE(html.is_transient());
  EXPECT_EQ(parse_error(500, "").message, "HTTP 500 with an empty body");
  auto huge = parse_error(502, std::string(10000, 'x'));
  EXPECT_LT(huge.message.size(), 300u);
}

TEST(SalesforceError, KnowsWhatIsWorthRetrying) {
  EXPECT_TRUE(
      parse_error(
          403,
          R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])")
          .is_transient());
  EXPECT_TRUE(parse_error(429, "[]").is_transient());
  EXPECT_TRUE(transport_error(Error{Errc::deadline_exceeded, "slow"}).is_transient());
  EXPECT_FALSE(transport_error(Error{Errc::cancelled, "stop"}).is_transient());
  auto session = parse_error(
      401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
  EXPECT_TRUE(session.is_invalid_session());
  EXPECT_EQ(session.to_error().code, Errc::unauthenticated);
}

}  // namespace
}  // namespace pe::salesforce
