// invocation_headers.hpp: what the three headers of an AppLink invocation say, read with no I/O
// (invocation.hpp verifies them; docs/invocations.md has the contract). Apart from the verifier
// so that the fuzz target (invocation_headers_fuzz.cpp) and anything else that only reads headers
// need no network code.
//
//   auto invocation = read_invocation({req_id, request_context, client_context}, config);
//   if (!invocation) return json_error(req, invocation.error());   // 400 or 401
#pragma once

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/sfid.hpp"
#include "salesforce/org_credentials.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pe::applink {

// x-client-context: base64 JSON {accessToken, apiVersion, requestId, namespace, orgId,
// orgDomainUrl, userContext {userId, username}}.
struct ClientContext {
  salesforce::OrgCredentials org;  // instance URL (orgDomainUrl with https://), version, token
  std::string request_id;
  std::string namespace_prefix;
  SalesforceId org_id;
  SalesforceId user_id;
  std::string username;
};

// The `x-client-context` header's value. Errc::unauthenticated when missing, invalid_argument
// when malformed; messages never include the header.
Result<ClientContext> parse_client_context(std::string_view header);

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
  // http(s) origins accepted as orgDomainUrl besides https URLs: the local org's orgs
  // (PRICING_DEVORG_URL, and PRICING_DEVORG_URL_<NAME> for each org of `devorg --orgs`). Empty:
  // https only.
  std::vector<std::string> local_org_urls;
  std::chrono::milliseconds auth_timeout{5'000};
};

// PRICING_INVOCATION_AUTH (applink | mesh | dev | off; default applink when AppLink is
// configured, else off), PRICING_DEVORG_URL and PRICING_DEVORG_URL_<NAME>,
// PRICING_INVOCATION_AUTH_TIMEOUT (seconds).
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

}  // namespace pe::applink
