#include "devorg/api_error.hpp"

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

namespace pe::devorg {
namespace {

TEST(ApiError, RendersSalesforcesErrorArray) {
  ApiError error{"MALFORMED_QUERY", "unexpected token: SELEKT"};
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(boost::json::serialize(to_json(error)),
            R"([{"message":"unexpected token: SELEKT","errorCode":"MALFORMED_QUERY"}])");
  ApiError missing{"REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", 400, {"Name"}};
  EXPECT_EQ(boost::json::serialize(to_json(missing)),
            R"([{"message":"Required fields are missing: [Name]","errorCode":)"
            R"("REQUIRED_FIELD_MISSING","fields":["Name"]}])");
  Error converted = to_error(error);
  EXPECT_EQ(converted.code, Errc::invalid_argument);
  EXPECT_EQ(converted.message, "MALFORMED_QUERY: unexpected token: SELEKT");
  EXPECT_EQ(to_error(ApiError{"NOT_FOUND", "The requested resource does not exist", 404}).code,
            Errc::not_found);
  EXPECT_EQ(to_error(ApiError{"INVALID_SESSION_ID", "Session expired or invalid", 401}).code,
            Errc::unauthenticated);
}

TEST(ApiResult, ValueThrowsTheErrorAsAnException) {
  ApiResult<int> result = ApiError{"INVALID_FIELD", "nope"};
  try {
    (void)result.value();
    FAIL() << "value() did not throw";
  } catch (const ErrorException& e) {
    EXPECT_EQ(e.error().message, "INVALID_FIELD: nope");
  }
}

TEST(ApiError, KeepsTheSoqlParsersCodeAndMessage) {
  soql::SoqlError refused{"MALFORMED_QUERY", "\nSELECT\n^\nERROR at Row:1:Column:7\nunexpected", 6,
                          "unexpected"};
  EXPECT_EQ(to_api_error(refused),
            (ApiError{"MALFORMED_QUERY", "\nSELECT\n^\nERROR at Row:1:Column:7\nunexpected"}));
}

}  // namespace
}  // namespace pe::devorg
