// invocation.hpp: an AppLink invocation — Apex, Flow or Agentforce calling the app through
// Heroku AppLink — read from its headers and verified before any work (docs/invocations.md).
//
// Salesforce sends `x-request-context` (who signed the call: its `auth` token, org, app),
// `x-client-context` (the invoking user's session: token, org URL, user) and `x-request-id`.
// read_invocation() checks what the headers alone can show: both contexts present (neither: 401;
// one: 400), base64 JSON with every field, `x-request-id` containing the request context's id,
// one org Id in both, `orgDomainUrl` an https URL (or the configured local org). Then, by mode:
//   applink  the app asks the AppLink add-on, as the service mesh does: POST
//            {HEROKU_APPLINK_API_URL}/invocations/authentication. 401/403 → 403 for the caller;
//            unreachable or any other answer → 503. Nothing is cached across invocations.
//   mesh     the mesh has checked `auth` and removed `x-request-context`: only the client context
//            and the request id are checked here (the app must listen on loopback only).
//   dev      the headers are taken as given (loopback only; local work).
// Errors never echo a header: they carry tokens.
//
//   auto config = invocation_config_from(read, applink_configured);
//   InvocationVerifier verifier(*config, applink);          // applink: from AppLink::from_env
//   auto invocation = co_await verifier.verify(client, headers_of(req));
//   if (!invocation) co_return net::json_error(req, invocation.error());
//   DataApi api(client, invocation->client.org);             // acts as the invoking user
#pragma once

#include "applink/applink.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/sfid.hpp"
#include "net/http_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pe::applink {

// x-request-context: every field is required and non-empty (the mesh's rule).
struct RequestContext {
  std::string id;
  std::string auth;  // the Salesforce-issued token the add-on verifies; a secret
  std::string login_url;
  std::string org_domain_url;
  SalesforceId org_id;
  std::string resource;
  std::string type;
  std::string app_uuid;
};

// invalid_argument naming the field for a malformed header; never includes the header.
Result<RequestContext> parse_request_context(std::string_view header);

// off: no way to verify was configured; the org actions answer 503 saying how to turn them on.
enum class InvocationAuth { off, applink, mesh, dev };
std::string_view to_string(InvocationAuth mode);

struct InvocationConfig {
  InvocationAuth mode = InvocationAuth::off;
  // An http(s) origin accepted as orgDomainUrl besides https URLs: the local org
  // (PRICING_DEVORG_URL). Empty: https only.
  std::string local_org_url;
  std::chrono::milliseconds auth_timeout{5'000};
};

// PRICING_INVOCATION_AUTH (applink | mesh | dev | off; default applink when AppLink is
// configured, else off), PRICING_DEVORG_URL, PRICING_INVOCATION_AUTH_TIMEOUT (seconds).
InvocationConfig invocation_config_from(EnvReader& read, bool applink_configured);

// The three headers, as received (empty when absent).
struct InvocationHeaders {
  std::string_view request_id;
  std::string_view request_context;
  std::string_view client_context;
};

struct Invocation {
  ClientContext client;
  std::optional<RequestContext> request;  // absent behind the mesh
  // The invocation's id: x-request-id. Salesforce keeps it when it retries a call, so what an
  // invocation writes is keyed by it (a retry rewrites, a new invocation writes anew).
  std::string request_id;
};

// The checks that need no network (see the file comment). `mode` decides whether the request
// context is required.
Result<Invocation> read_invocation(const InvocationHeaders& headers,
                                   const InvocationConfig& config);

// True when `url` is on the org's domain: same scheme, host and port as orgDomainUrl. A callback
// URL must be, so that the caller's token is only ever sent to its own org.
bool same_origin(std::string_view url, std::string_view org_domain_url);

class InvocationVerifier {
 public:
  // applink: required in applink mode (its API URL and token), ignored otherwise.
  InvocationVerifier(InvocationConfig config, std::optional<AppLink> applink)
      : config_(std::move(config)), applink_(std::move(applink)) {}

  boost::asio::awaitable<Result<Invocation>> verify(net::HttpClient& client,
                                                    const InvocationHeaders& headers) const;
  const InvocationConfig& config() const { return config_; }

 private:
  InvocationConfig config_;
  std::optional<AppLink> applink_;
};

}  // namespace pe::applink
