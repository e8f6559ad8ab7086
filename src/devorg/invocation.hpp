// invocation.hpp: Salesforce's side of an AppLink invocation, as pure logic — what
// POST /devorg/invocations accepts, and the three headers it sends the app (docs/invocations.md,
// "The headers of an invocation"). invocation_routes.cpp performs it over HTTP.
//
//   auto request = parse_invocation_request(body);        // 400-style ApiError when malformed
//   InvocationHeaders h = invocation_headers({.context_id = id, .org_id = org, ...});
//   // h.request_id == "<org15>-<id>"; h.request_context, h.client_context: base64 JSON
#pragma once

#include "devorg/api_error.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::devorg {

inline constexpr size_t kContextIdLength = 24;
inline constexpr size_t kMaxInvocationPath = 2048;
inline constexpr size_t kMaxSessionSets = 10;

// The body of POST /devorg/invocations.
struct InvocationRequest {
  std::string method = "POST";               // or GET
  std::string url;                           // a path (and query) on the app: "/api/generatequote"
  boost::json::value body;                   // sent as JSON (POST); default {}
  std::string user;                          // empty: the integration user
  std::vector<std::string> permission_sets;  // session permission sets to activate
  std::string context_id;  // from "requestId" (<org15>-<24 [A-Za-z0-9]>), or empty: a new one
  bool send = true;

  std::string path() const { return url.substr(0, url.find('?')); }
};

// INVALID_INPUT (400) naming the member at fault: unknown members, wrong types, a url that is not
// a plain path ("/..." of printable ASCII, not "//"), a requestId of another org or form, more
// than kMaxSessionSets permission sets.
ApiResult<InvocationRequest> parse_invocation_request(const boost::json::value& body,
                                                      std::string_view org_id15);

struct InvocationContext {
  std::string context_id;  // x-request-context.id: 24 [A-Za-z0-9]
  std::string auth;        // the signed token (invocation_token.hpp)
  std::string org_id;      // 18 characters
  std::string org_url;     // loginUrl and orgDomainUrl
  std::string resource;    // the route's path
  std::string app_uuid;
  std::string access_token;  // a session of the invoking user
  std::string user_id;
  std::string username;
};

struct InvocationHeaders {
  std::string request_id;       // x-request-id: "<org15>-<context id>"
  std::string request_context;  // x-request-context: base64 JSON
  std::string client_context;   // x-client-context: base64 JSON
};

InvocationHeaders invocation_headers(const InvocationContext& context);

}  // namespace pe::devorg
