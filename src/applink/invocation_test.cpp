#include "applink/invocation.hpp"

#include "common/base64.hpp"

#include <gtest/gtest.h>

namespace pe::applink {
namespace {

const std::string kOrg(SalesforceId::make("00D", 1).str());
const std::string kOtherOrg(SalesforceId::make("00D", 2).str());
const std::string kUser(SalesforceId::make("005", 1).str());

std::string client_context(std::string_view org = kOrg,
                           std::string_view domain = "https://acme.my.salesforce.com") {
  return base64_encode(R"({"accessToken":"00D000000000001!secret-token","apiVersion":"62.0",)"
                       R"("requestId":"00D000000000001-ctx42","namespace":"","orgId":")" +
                       std::string(org) + R"(","orgDomainUrl":")" + std::string(domain) +
                       R"(","userContext":{"userId":")" + kUser +
                       R"(","username":"sales@acme.com"}})");
}

std::string request_context(std::string_view org = kOrg,
                            std::string_view domain = "https://acme.my.salesforce.com",
                            std::string_view drop = "") {
  std::string fields[][2] = {{"id", "ctx42"},
                             {"auth", "signed-jwt"},
                             {"loginUrl", "https://login.salesforce.com"},
                             {"orgDomainUrl", std::string(domain)},
                             {"orgId", std::string(org)},
                             {"resource", "/api/generatequote"},
                             {"type", "ApexCallout"},
                             {"appUuid", "5b5b5b5b-0000-4000-8000-000000000000"}};
  std::string json = "{";
  for (auto& [key, value] : fields) {
    if (key == drop) continue;
    if (json.size() > 1) json += ",";
    json += "\"" + key + "\":\"" + value + "\"";
  }
  return base64_encode(json + "}");
}

InvocationConfig config(InvocationAuth mode = InvocationAuth::dev) { return {.mode = mode}; }

TEST(Invocation, ReadsBothContextsAndTheRequestId) {
  std::string rc = request_context();
  std::string cc = client_context();
  auto inv = read_invocation({"00D000000000001-ctx42", rc, cc}, config());
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(inv->request_id, "00D000000000001-ctx42");
  EXPECT_EQ(inv->client.org_id.str(), kOrg);
  EXPECT_EQ(inv->client.org.instance_url, "https://acme.my.salesforce.com");
  ASSERT_TRUE(inv->request);
  EXPECT_EQ(inv->request->auth, "signed-jwt");
  EXPECT_EQ(inv->request->resource, "/api/generatequote");
}

TEST(Invocation, MissingHeadersAre401Or400AsTheMeshAnswers) {
  auto none = read_invocation({"", "", ""}, config());
  EXPECT_EQ(none.error().code, Errc::unauthenticated);
  std::string rc = request_context();
  std::string cc = client_context();
  EXPECT_EQ(read_invocation({"x-ctx42", rc, ""}, config()).error().code, Errc::invalid_argument);
  EXPECT_EQ(read_invocation({"x-ctx42", "", cc}, config()).error().code, Errc::invalid_argument);
  EXPECT_EQ(read_invocation({"", rc, cc}, config()).error().code, Errc::invalid_argument);
}

TEST(Invocation, TheRequestIdMustContainTheContextId) {
  std::string rc = request_context();
  std::string cc = client_context();
  auto other = read_invocation({"00D000000000001-ctx41", rc, cc}, config());
  EXPECT_EQ(other.error().code, Errc::invalid_argument);
  EXPECT_EQ(other.error().message, "x-request-id does not contain the request context's id");
}

TEST(Invocation, BothContextsMustNameOneOrgAndOneDomain) {
  std::string cc = client_context();
  std::string other_org = request_context(kOtherOrg);
  EXPECT_EQ(read_invocation({"x-ctx42", other_org, cc}, config()).error().message,
            "x-request-context and x-client-context name different orgs");
  std::string other_domain = request_context(kOrg, "https://evil.example.com");
  EXPECT_EQ(read_invocation({"x-ctx42", other_domain, cc}, config()).error().message,
            "x-request-context and x-client-context name different org domains");
}

TEST(Invocation, OrgDomainMustBeHttpsUnlessItIsTheLocalOrg) {
  std::string rc = request_context(kOrg, "http://127.0.0.1:8111");
  std::string cc = client_context(kOrg, "http://127.0.0.1:8111");
  EXPECT_EQ(read_invocation({"x-ctx42", rc, cc}, config()).error().code, Errc::invalid_argument);
  auto local = config();
  local.local_org_urls = {"http://127.0.0.1:8111"};
  EXPECT_TRUE(read_invocation({"x-ctx42", rc, cc}, local));
  local.local_org_urls = {"http://127.0.0.1:9999"};
  EXPECT_FALSE(read_invocation({"x-ctx42", rc, cc}, local));
  std::string userinfo = client_context(kOrg, "https://user:pw@acme.my.salesforce.com");
  EXPECT_FALSE(read_invocation({"x-ctx42", request_context(), userinfo}, config()));
}

TEST(Invocation, EveryRequestContextFieldIsRequired) {
  std::string cc = client_context();
  for (std::string field :
       {"id", "auth", "loginUrl", "orgDomainUrl", "orgId", "resource", "type", "appUuid"}) {
    std::string rc = request_context(kOrg, "https://acme.my.salesforce.com", field);
    auto inv = read_invocation({"x-ctx42", rc, cc}, config());
    ASSERT_FALSE(inv) << field;
    EXPECT_EQ(inv.error().code, Errc::invalid_argument) << field;
    EXPECT_NE(inv.error().message.find(field), std::string::npos) << inv.error().message;
  }
}

TEST(Invocation, ErrorsNeverEchoTheHeaders) {
  std::string cc = client_context();
  for (std::string rc : {std::string("%%%"), base64_encode("[1]"), base64_encode("{\"id\":1}"),
                         base64_encode(std::string(20'000, 'a'))}) {
    auto inv = read_invocation({"x", rc, cc}, config());
    ASSERT_FALSE(inv);
    EXPECT_EQ(inv.error().message.find("secret"), std::string::npos);
    EXPECT_EQ(inv.error().message.find("%%%"), std::string::npos);
  }
}

TEST(Invocation, BehindTheMeshOnlyTheClientContextIsNeeded) {
  std::string cc = client_context();
  auto inv = read_invocation({"00D000000000001-ctx42", "", cc}, config(InvocationAuth::mesh));
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_FALSE(inv->request);
  EXPECT_EQ(read_invocation({"", "", ""}, config(InvocationAuth::mesh)).error().code,
            Errc::unauthenticated);
}

TEST(Invocation, SameOriginComparesSchemeHostAndPort) {
  EXPECT_TRUE(
      same_origin("https://acme.my.salesforce.com/services/x", "https://ACME.my.salesforce.com"));
  EXPECT_TRUE(
      same_origin("https://acme.my.salesforce.com:443/a", "https://acme.my.salesforce.com"));
  EXPECT_FALSE(
      same_origin("https://acme.my.salesforce.com.evil.com/", "https://acme.my.salesforce.com"));
  EXPECT_FALSE(same_origin("http://acme.my.salesforce.com/", "https://acme.my.salesforce.com"));
  EXPECT_FALSE(
      same_origin("https://acme.my.salesforce.com:8443/", "https://acme.my.salesforce.com"));
  EXPECT_FALSE(
      same_origin("https://u:p@acme.my.salesforce.com/", "https://acme.my.salesforce.com"));
  EXPECT_FALSE(same_origin("not a url", "https://acme.my.salesforce.com"));
}

TEST(Invocation, ModeComesFromTheEnvironment) {
  Env env;
  EnvReader read(env);
  EXPECT_EQ(invocation_config_from(read, true).mode, InvocationAuth::applink);
  EXPECT_EQ(invocation_config_from(read, false).mode, InvocationAuth::off);
  env.set("PRICING_INVOCATION_AUTH", "mesh");
  EnvReader mesh(env);
  EXPECT_EQ(invocation_config_from(mesh, true).mode, InvocationAuth::mesh);
  env.set("PRICING_INVOCATION_AUTH", "none");
  EnvReader bad(env);
  invocation_config_from(bad, true);
  EXPECT_FALSE(bad.finish());
}

TEST(Invocation, EveryOrgOfTheLocalOrgIsAnAcceptedDomain) {
  Env env;
  env.set("PRICING_DEVORG_URL", "http://127.0.0.1:8111");
  env.set("PRICING_DEVORG_URL_SUPPORT", "http://127.0.0.1:8112");
  env.set("PRICING_DEVORG_URL_EMPTY", "  ");
  EnvReader read(env);
  auto config = invocation_config_from(read, true);
  ASSERT_TRUE(read.finish());
  EXPECT_EQ(config.local_org_urls,
            (std::vector<std::string>{"http://127.0.0.1:8111", "http://127.0.0.1:8112"}));
  std::string rc = request_context(kOrg, "http://127.0.0.1:8112");
  std::string cc = client_context(kOrg, "http://127.0.0.1:8112");
  EXPECT_TRUE(read_invocation({"x-ctx42", rc, cc}, config));

  env.set("PRICING_DEVORG_URL_SALES", "ftp://127.0.0.1:1");
  EnvReader bad(env);
  invocation_config_from(bad, true);
  auto done = bad.finish();
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().message.find("PRICING_DEVORG_URL_SALES"), std::string::npos);
}

}  // namespace
}  // namespace pe::applink
