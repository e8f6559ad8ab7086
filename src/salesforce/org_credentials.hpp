// org_credentials.hpp: what the Salesforce client needs to act in an org as a user — its URL, API
// version and access token. A plain value, apart from the client (data_api.hpp) so that code that
// only reads credentials (the invocation headers) needs no I/O headers.
#pragma once

#include "common/sfid.hpp"

#include <string>

namespace pe::salesforce {

struct OrgCredentials {
  std::string instance_url;  // https://acme.my.salesforce.com (no trailing slash)
  std::string api_version = "62.0";
  std::string access_token;
  SalesforceId user_id;  // the user the token acts as, when the source says (AppLink does)
  SalesforceId org_id;   // the org's Id, when the source says (AppLink's org.id)
};

}  // namespace pe::salesforce
