// applink.hpp: Heroku AppLink for a C++ app — the org credentials behind a connection name, the
// caller's org from an `x-client-context` header, and the Eventing publisher.
//
// Authorization: `AppLink::from_env(env)` resolves the add-on's API URL and token the way the
// AppLink Node.js SDK does (salesforce-facts.md, section 7): HEROKU_APPLINK_API_URL and
// HEROKU_APPLINK_TOKEN, or a named attachment / colour (`HEROKU_APPLINK_PURPLE_API_URL`),
// `X-App-UUID` from HEROKU_APP_ID. Without AppLink, the older Integration endpoint
// (HEROKU_INTEGRATION_API_URL, HEROKU_INTEGRATION_TOKEN, `{"org_name": ...}`) is used.
// Credentials are cached per connection until refresh() is called (on INVALID_SESSION_ID).
//
// x-client-context: base64 JSON {accessToken, apiVersion, requestId, namespace, orgId,
// orgDomainUrl, userContext {userId, username}}; missing or malformed headers are refused with
// a clear error and never echoed (the token is in it).
//
// Eventing: publish(event) posts to HEROKUEVENTS_PUBLISH_URL/<publication> with the URL's
// credentials as Basic auth and the Eventing sample's body: {"CreatedById", "CreatedDate",
// "Status__c": {"string": ...}} (Avro-JSON union fields).
//
//   auto applink = AppLink::from_env(env).value();
//   auto creds = co_await applink.credentials(client, "my-org");  // Result<OrgCredentials>
//   DataApi api(client, *creds, {.refresh = [&] { return applink.refresh(client, "my-org"); }});
#pragma once

#include "applink/invocation_headers.hpp"
#include "common/config.hpp"
#include "common/sfid.hpp"
#include "net/http_client.hpp"
#include "salesforce/data_api.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pe::applink {

class AppLink {
 public:
  // invalid_argument naming the variables when neither AppLink nor Integration is configured.
  // `attachment`: an attachment name or colour ("PURPLE"); empty: the default.
  static Result<AppLink> from_env(const Env& env, std::string_view attachment = "");

  // Cached credentials of a connection, fetched on first use.
  boost::asio::awaitable<Result<salesforce::OrgCredentials>> credentials(net::HttpClient& client,
                                                                         const std::string& name);
  // Fresh credentials (the cached ones are dropped): the DataApi's refresh callback.
  boost::asio::awaitable<Result<salesforce::OrgCredentials>> refresh(net::HttpClient& client,
                                                                     const std::string& name);

  // Asks the add-on whether an invocation's request context is genuine, as the AppLink service
  // mesh does: POST {API_URL}/invocations/authentication with {org_domain_url, core_jwt_token,
  // org_id, app_uuid}. 401/403 from the add-on: permission_denied; unreachable, a timeout or any
  // other answer: unavailable. Never cached, never retried (a refusal is final, and the caller is
  // waiting). Called by InvocationVerifier (invocation.hpp).
  boost::asio::awaitable<Result<void>> authenticate_invocation(
      net::HttpClient& client, const RequestContext& context, std::string_view request_id,
      std::chrono::milliseconds timeout) const;

  bool uses_integration_endpoint() const { return integration_; }
  const std::string& api_url() const { return api_url_; }

 private:
  boost::asio::awaitable<Result<salesforce::OrgCredentials>> fetch(net::HttpClient& client,
                                                                   const std::string& name);
  net::HttpRequest authorization_request(const std::string& name) const;

  bool integration_ = false;
  std::string api_url_;
  std::string token_;
  std::string app_id_;
  std::map<std::string, salesforce::OrgCredentials> cache_;
};

// CONNECTION_NAMES: comma-separated authorization names, trimmed, empty entries dropped, each
// 1..80 of [A-Za-z0-9_-] and unique (problems go to `read`).
std::vector<std::string> connection_names_from(EnvReader& read);
// The connection whose change events are priced (the webhook's and the subscriber's):
// PRICING_CONNECTION, else the first of CONNECTION_NAMES; one of them is required.
std::string eventing_connection_from(EnvReader& read);

// Heroku Eventing's publish URL (HEROKUEVENTS_PUBLISH_URL, credentials inside).
class EventPublisher {
 public:
  static Result<EventPublisher> from_env(const Env& env);
  explicit EventPublisher(std::string publish_url) : url_(std::move(publish_url)) {}

  // POST <url>/<publication> with `fields` as Avro-JSON unions ({"string": v} for strings).
  boost::asio::awaitable<Result<void>> publish(net::HttpClient& client,
                                               std::string_view publication,
                                               const SalesforceId& created_by,
                                               const boost::json::object& fields);

 private:
  std::string url_;
};

}  // namespace pe::applink
