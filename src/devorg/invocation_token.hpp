// invocation_token.hpp: the `auth` token of an invocation's x-request-context, as the local org
// mints it and its AppLink endpoint checks it (docs/invocations.md).
//
// Salesforce puts a token it signed into every invocation; the AppLink add-on verifies it when
// the app (or the mesh) asks POST /addons/{uuid}/invocations/authentication. Ours is
// `<base64url(payload)>.<base64url(HMAC-SHA256(org secret, payload))>`, payload the JSON
// {"org_id", "org_domain_url", "app_uuid", "request_id", "exp"} (exp: epoch seconds). The secret
// is made per org at start and never leaves the process, so only this org can mint one.
//
//   InvocationSigner signer = InvocationSigner::with_random_secret();
//   std::string auth = signer.mint({.org_id = org, .org_domain_url = url, .app_uuid = app,
//                                   .request_id = id, .exp = now + 300});
//   auto claims = signer.verify(auth, {.org_id = org, .org_domain_url = url, .app_uuid = app},
//                               now);
//   // claims->request_id == id; a forged, expired or other org's token: permission_denied
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pe::devorg {

struct InvocationClaims {
  std::string org_id;          // 18 characters
  std::string org_domain_url;  // http://127.0.0.1:PORT
  std::string app_uuid;
  std::string request_id;  // the request context's id
  int64_t exp = 0;         // epoch seconds
};

class InvocationSigner {
 public:
  static constexpr size_t kMaxTokenLength = 4096;

  explicit InvocationSigner(std::string secret) : secret_(std::move(secret)) {}
  static InvocationSigner with_random_secret();

  std::string mint(const InvocationClaims& claims) const;
  // The claims of `token` when this signer minted it, it has not expired at `now` (epoch
  // seconds) and it names the org Id, org URL and app uuid of `expected`. Otherwise
  // permission_denied: "not issued by this org" (malformed, bad signature), "expired", "issued
  // for another org" (or org URL, or app).
  Result<InvocationClaims> verify(std::string_view token, const InvocationClaims& expected,
                                  int64_t now) const;

 private:
  std::string sign(std::string_view payload) const;

  std::string secret_;
};

}  // namespace pe::devorg
