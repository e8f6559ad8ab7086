#include "devorg/invocation_token.hpp"

#include "common/base64.hpp"

#include "common/json_exact.hpp"
#include "common/json_text.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <boost/json/object.hpp>

#include <array>
#include <stdexcept>

namespace pe::devorg {
namespace {

namespace json = boost::json;

Error not_issued() {
  return Error{Errc::permission_denied, "the token was not issued by this org"};
}

std::optional<std::string> string_claim(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string() || v->as_string().empty()) return std::nullopt;
  return std::string(v->as_string());
}

}  // namespace

InvocationSigner InvocationSigner::with_random_secret() {
  std::string secret(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32) != 1) {
    throw std::runtime_error("no randomness from OpenSSL");
  }
  return InvocationSigner(std::move(secret));
}

std::string InvocationSigner::sign(std::string_view payload) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string InvocationSigner::mint(const InvocationClaims& claims) const {
  std::string payload = json_text(json::object{{"org_id", claims.org_id},
                                               {"org_domain_url", claims.org_domain_url},
                                               {"app_uuid", claims.app_uuid},
                                               {"request_id", claims.request_id},
                                               {"exp", claims.exp}});
  return base64url_encode(payload) + "." + base64url_encode(sign(payload));
}

Result<InvocationClaims> InvocationSigner::verify(std::string_view token,
                                                  const InvocationClaims& expected,
                                                  int64_t now) const {
  if (token.empty() || token.size() > kMaxTokenLength) return not_issued();
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return not_issued();
  auto payload = base64url_decode(token.substr(0, dot));
  auto mac = base64url_decode(token.substr(dot + 1));
  if (!payload || !mac) return not_issued();
  std::string wanted = sign(*payload);
  if (mac->size() != wanted.size() ||
      CRYPTO_memcmp(mac->data(), wanted.data(), wanted.size()) != 0) {
    return not_issued();
  }
  // Signed by us: the payload is ours, but parse it as carefully as any input.
  auto parsed = parse_json_exact(*payload);
  if (!parsed || !parsed->is_object()) return not_issued();
  const json::object& o = parsed->as_object();
  InvocationClaims claims;
  auto org = string_claim(o, "org_id");
  auto url = string_claim(o, "org_domain_url");
  auto app = string_claim(o, "app_uuid");
  auto request = string_claim(o, "request_id");
  const json::value* exp = o.if_contains("exp");
  if (!org || !url || !app || !request || exp == nullptr || !exp->is_int64()) return not_issued();
  claims = {*org, *url, *app, *request, exp->as_int64()};
  if (claims.exp <= now) return Error{Errc::permission_denied, "the token has expired"};
  if (claims.org_id != expected.org_id) {
    return Error{Errc::permission_denied, "the token was issued for another org"};
  }
  if (claims.org_domain_url != expected.org_domain_url) {
    return Error{Errc::permission_denied, "the token was issued for another org URL"};
  }
  if (claims.app_uuid != expected.app_uuid) {
    return Error{Errc::permission_denied, "the token was issued for another app"};
  }
  return claims;
}

}  // namespace pe::devorg
