#include "applink/applink.hpp"

#include <openssl/evp.h>

#include <gtest/gtest.h>

namespace pe::applink {
namespace {

std::string base64(std::string_view text) {
  std::string out(4 * ((text.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

const std::string kOrg(SalesforceId::make("00D", 1).str());
const std::string kUser(SalesforceId::make("005", 1).str());

std::string context(std::string_view extra = "") {
  return R"({"accessToken":"00D000000000001!secret-token","apiVersion":"v62.0","requestId":"r-1",)"
         R"("namespace":"null","orgId":")" +
         kOrg + R"(","orgDomainUrl":"acme.my.salesforce.com","userContext":{"userId":")" + kUser +
         R"(","username":"admin@acme.com"})" + std::string(extra) + "}";
}

TEST(ClientContext, ParsesTheHeaderTheServiceMeshSets) {
  auto ctx = parse_client_context(base64(context()));
  ASSERT_TRUE(ctx) << ctx.error().message;
  EXPECT_EQ(ctx->org.instance_url, "https://acme.my.salesforce.com");
  EXPECT_EQ(ctx->org.api_version, "62.0");
  EXPECT_EQ(ctx->org.access_token, "00D000000000001!secret-token");
  EXPECT_EQ(ctx->request_id, "r-1");
  EXPECT_EQ(ctx->namespace_prefix, "");
  EXPECT_EQ(ctx->org_id.str(), kOrg);
  EXPECT_EQ(ctx->user_id.str(), kUser);
  EXPECT_EQ(ctx->username, "admin@acme.com");
}

TEST(ClientContext, RefusesMissingAndMalformedHeadersWithoutEchoingThem) {
  EXPECT_EQ(parse_client_context("").error().code, Errc::unauthenticated);
  auto not_base64 = parse_client_context("%%%not base64%%%");
  EXPECT_EQ(not_base64.error().message, "malformed x-client-context: not base64");
  EXPECT_EQ(parse_client_context(base64("[1,2]")).error().message,
            "malformed x-client-context: not a JSON object");
  auto no_token = parse_client_context(base64(R"({"apiVersion":"62.0"})"));
  EXPECT_EQ(no_token.error().message, "malformed x-client-context: accessToken is missing");
  std::string bad_org = context();
  bad_org.replace(bad_org.find(kOrg), kOrg.size(), "001000000000001AAA");
  auto wrong = parse_client_context(base64(bad_org));
  EXPECT_EQ(wrong.error().message, "malformed x-client-context: orgId is not an organization Id");
  EXPECT_EQ(wrong.error().message.find("secret-token"), std::string::npos);
  EXPECT_EQ(parse_client_context(std::string(20000, 'A')).error().code, Errc::invalid_argument);
}

TEST(AppLinkConfig, ResolvesTheAddonAttachmentsAndTheIntegrationFallback) {
  Env env({{"HEROKU_APPLINK_API_URL", "https://applink/addons/1/"},
           {"HEROKU_APPLINK_TOKEN", "t"},
           {"HEROKU_APPLINK_PURPLE_API_URL", "https://applink/addons/2"},
           {"HEROKU_APPLINK_PURPLE_TOKEN", "p"},
           {"HEROKU_APP_ID", "app"}});
  auto link = AppLink::from_env(env);
  ASSERT_TRUE(link);
  EXPECT_EQ(link->api_url(), "https://applink/addons/1");
  EXPECT_FALSE(link->uses_integration_endpoint());
  EXPECT_EQ(AppLink::from_env(env, "purple")->api_url(), "https://applink/addons/2");

  Env integration(
      {{"HEROKU_INTEGRATION_API_URL", "https://integration"}, {"HEROKU_INTEGRATION_TOKEN", "i"}});
  EXPECT_TRUE(AppLink::from_env(integration)->uses_integration_endpoint());

  Env no_app_id({{"HEROKU_APPLINK_API_URL", "https://x"}, {"HEROKU_APPLINK_TOKEN", "t"}});
  EXPECT_EQ(AppLink::from_env(no_app_id).error().message,
            "HEROKU_APP_ID is required with Heroku AppLink");
  auto none = AppLink::from_env(Env());
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("HEROKU_APPLINK_API_URL"), std::string::npos);
}

}  // namespace
}  // namespace pe::applink
