#include "common/error.hpp"

#include <gtest/gtest.h>

namespace pe {
namespace {

Result<int> half(int n) {
  if (n % 2 != 0) return Error{Errc::invalid_argument, "odd"};
  return n / 2;
}

TEST(Error, ResultCarriesValueOrError) {
  EXPECT_EQ(*half(4), 2);
  auto r = half(3);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(r.error().message, "odd");
}

TEST(Error, ValueOnErrorThrowsErrorException) {
  try {
    (void)half(3).value();
    FAIL() << "expected an exception";
  } catch (const ErrorException& e) {
    EXPECT_EQ(e.error().code, Errc::invalid_argument);
    EXPECT_STREQ(e.what(), "invalid_argument: odd");
  }
}

TEST(Error, KindsMapToHttpStatuses) {
  EXPECT_EQ(http_status(Errc::invalid_argument), 400);
  EXPECT_EQ(http_status(Errc::unauthenticated), 401);
  EXPECT_EQ(http_status(Errc::not_found), 404);
  EXPECT_EQ(http_status(Errc::method_not_allowed), 405);
  EXPECT_EQ(http_status(Errc::payload_too_large), 413);
  EXPECT_EQ(http_status(Errc::unsupported_media_type), 415);
  EXPECT_EQ(http_status(Errc::resource_exhausted), 429);
  EXPECT_EQ(http_status(Errc::unavailable), 503);
  EXPECT_EQ(http_status(Errc::deadline_exceeded), 504);
  EXPECT_EQ(to_string(Errc::payload_too_large), "payload_too_large");
  EXPECT_TRUE(is_transient(Errc::unavailable));
  EXPECT_FALSE(is_transient(Errc::invalid_argument));
}

}  // namespace
}  // namespace pe
