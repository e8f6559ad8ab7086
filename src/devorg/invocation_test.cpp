#include "devorg/invocation.hpp"
#include "applink/api_document.hpp"

#include "common/base64.hpp"

#include <openssl/evp.h>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace pe::devorg {
namespace {

namespace json = boost::json;

constexpr std::string_view kOrg15 = "00D000000000001";

std::string base64_decode(const std::string& text) { return pe::base64_decode(text).value_or(""); }

std::string refusal(std::string_view body) {
  auto r = parse_invocation_request(json::parse(body), kOrg15);
  EXPECT_FALSE(r) << body;
  if (r) return "";
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_EQ(r.error().error_code, "INVALID_INPUT");
  return r.error().message;
}

TEST(InvocationRequest, ReadsTheContractsMembersWithTheirDefaults) {
  auto minimal = parse_invocation_request(json::parse(R"({"url":"/api/generatequote"})"), kOrg15);
  ASSERT_TRUE(minimal) << minimal.error().message;
  EXPECT_EQ(minimal->method, "POST");
  EXPECT_EQ(minimal->body, json::object());
  EXPECT_TRUE(minimal->user.empty());
  EXPECT_TRUE(minimal->permission_sets.empty());
  EXPECT_TRUE(minimal->context_id.empty());
  EXPECT_TRUE(minimal->send);

  auto full = parse_invocation_request(
      json::parse(R"({"method":"POST","url":"/api/generatequote?x=1",)"
                  R"("body":{"opportunityId":"006000000000001AAA"},"user":"sales@devorg.local",)"
                  R"("permissionSets":["GenerateQuotePermissions"],)"
                  R"("requestId":"00D000000000001-AbCdEfGhIjKlMnOpQrStUvWx","send":false})"),
      kOrg15);
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->path(), "/api/generatequote");
  EXPECT_EQ(full->body.at("opportunityId"), "006000000000001AAA");
  EXPECT_EQ(full->user, "sales@devorg.local");
  EXPECT_EQ(full->permission_sets, std::vector<std::string>{"GenerateQuotePermissions"});
  EXPECT_EQ(full->context_id, "AbCdEfGhIjKlMnOpQrStUvWx");
  EXPECT_FALSE(full->send);
}

TEST(InvocationRequest, RefusesMalformedMembersNamingThem) {
  EXPECT_EQ(refusal("[]"), "the body must be a JSON object");
  EXPECT_EQ(refusal("{}"), "url is required");
  EXPECT_EQ(refusal(R"({"url":"/x","extra":1})"), "unknown member: extra");
  EXPECT_EQ(refusal(R"({"url":"/x","method":"DELETE"})"), "method must be \"POST\" or \"GET\"");
  for (const char* url : {R"("http://evil.example.com/x")", R"("//evil.example.com/x")", R"("x")",
                          R"("")", R"("/a b")", R"("/a\r\nHost: x")", "5"}) {
    EXPECT_EQ(refusal(std::string(R"({"url":)") + url + "}"),
              "url must be a path on the app, such as \"/api/generatequote\"")
        << url;
  }
  EXPECT_EQ(refusal(R"({"url":"/)" + std::string(3000, 'a') + R"("})"),
            "url must be a path on the app, such as \"/api/generatequote\"");
  EXPECT_EQ(refusal(R"({"url":"/x","user":7})"), "user must be a username");
  EXPECT_EQ(refusal(R"({"url":"/x","permissionSets":"GenerateQuotePermissions"})"),
            "permissionSets must be an array of permission set names");
  EXPECT_EQ(refusal(R"({"url":"/x","permissionSets":[1]})"),
            "permissionSets must be an array of permission set names");
  EXPECT_EQ(refusal(R"({"url":"/x","permissionSets":["a","a","a","a","a","a","a","a","a","a",)"
                    R"("a"]})"),
            "permissionSets may name at most 10 sets");
  const std::string bad_id = "requestId must be the requestId of an earlier invocation of this org";
  EXPECT_EQ(refusal(R"({"url":"/x","requestId":"00D000000000002-AbCdEfGhIjKlMnOpQrStUvWx"})"),
            bad_id);
  EXPECT_EQ(refusal(R"({"url":"/x","requestId":"00D000000000001-short"})"), bad_id);
  EXPECT_EQ(refusal(R"({"url":"/x","requestId":"00D000000000001-AbCdEfGhIjKlMnOpQrStUv'x"})"),
            bad_id);
  EXPECT_EQ(refusal(R"({"url":"/x","send":"yes"})"), "send must be true or false");
  EXPECT_EQ(refusal(R"({"url":"/x","method":"GET","body":{"a":1}})"),
            "body must be left out for GET");
}

TEST(InvocationHeaders, AreBase64JsonAsTheContractSays) {
  InvocationContext c{.context_id = "AbCdEfGhIjKlMnOpQrStUvWx",
                      .auth = "payload.signature",
                      .org_id = "00D000000000001AAA",
                      .org_url = "http://127.0.0.1:8111",
                      .resource = "/api/generatequote",
                      .app_uuid = "6f1c3b8e-1d2a-4c55-9a0b-0123456789ab",
                      .access_token = "00D000000000001!secret",
                      .user_id = "005000000000002AAA",
                      .username = "sales@devorg.local"};
  InvocationHeaders h = invocation_headers(c);
  EXPECT_EQ(h.request_id, "00D000000000001-AbCdEfGhIjKlMnOpQrStUvWx");
  for (const std::string* header : {&h.request_context, &h.client_context}) {
    EXPECT_EQ(header->size() % 4, 0u);
    EXPECT_EQ(header->find_first_of("\r\n -_"), std::string::npos);
  }
  auto request = json::parse(base64_decode(h.request_context)).as_object();
  EXPECT_EQ(json::serialize(request),
            R"({"id":"AbCdEfGhIjKlMnOpQrStUvWx","auth":"payload.signature",)"
            R"("loginUrl":"http://127.0.0.1:8111","orgDomainUrl":"http://127.0.0.1:8111",)"
            R"("orgId":"00D000000000001AAA","resource":"/api/generatequote","type":"ApexCallout",)"
            R"("appUuid":"6f1c3b8e-1d2a-4c55-9a0b-0123456789ab"})");
  auto client = json::parse(base64_decode(h.client_context)).as_object();
  EXPECT_EQ(json::serialize(client),
            R"({"accessToken":"00D000000000001!secret","apiVersion":"62.0",)"
            R"("requestId":"00D000000000001-AbCdEfGhIjKlMnOpQrStUvWx","namespace":"",)"
            R"("orgId":"00D000000000001AAA","orgDomainUrl":"http://127.0.0.1:8111",)"
            R"("userContext":{"userId":"005000000000002AAA","username":"sales@devorg.local"}})");
}

TEST(OperationHasCallbacks, StandInKnowsTheAsyncQuoteRoute) {
  EXPECT_TRUE(applink::operation_has_callbacks("POST", "/api/generatequote/async"));
  EXPECT_FALSE(applink::operation_has_callbacks("POST", "/api/generatequote"));
  EXPECT_FALSE(applink::operation_has_callbacks("POST", "/api/executebatch"));
}

}  // namespace
}  // namespace pe::devorg
