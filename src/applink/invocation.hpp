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
#include "applink/invocation_headers.hpp"
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
