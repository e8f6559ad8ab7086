// invoke_command.hpp: `pricing-engine invoke ROUTE BODY` — call the app as Salesforce would
// through AppLink, from a developer's machine against a real org (or the local org): the
// reference apps' bin/invoke.sh, done right.
//
// Credentials come from `sf org display --json [--target-org ALIAS]` (or a file of its output,
// or flags). The user's Id is looked up by username over the REST API (invoke.sh sends a fake
// one). It sends the three invocation headers (base64 on one line: invoke.sh's wrapped base64
// broke the header on Linux), a fresh x-request-id, and prints the app's status and JSON body.
// The request context's `auth` cannot be minted outside Salesforce: run the app with
// PRICING_INVOCATION_AUTH=dev (loopback only) to take such calls.
//
//   pricing-engine invoke /api/generatequote '{"opportunityId":"006..."}' --target-org my-org
//   pricing-engine invoke /api/generatequote @body.json --sf-json org.json --app-url
//   http://127.0.0.1:8080
//
// Exit codes: 0 the app answered 2xx, 1 it answered otherwise or could not be reached, 2 bad
// usage or credentials. Tokens are never printed.
#pragma once

#include "common/config.hpp"

#include <iosfwd>
#include <string>

namespace pe::applink {

struct InvokeOptions {
  std::string route;                              // "/api/generatequote"
  std::string body;                               // JSON, or @FILE
  std::string method = "POST";                    // POST or GET
  std::string app_url = "http://127.0.0.1:8080";  // --app-url
  std::string target_org;                         // --target-org: for sf org display
  std::string sf_json;                            // --sf-json FILE: sf org display --json output
  // Or give them directly (--instance-url, --access-token from $SF_ACCESS_TOKEN, --username).
  std::string instance_url;
  std::string username;
};

int run_invoke(const InvokeOptions& options, const Env& env, std::ostream& out, std::ostream& err);

}  // namespace pe::applink
