// ui_auth.hpp: who may see the pages. One shared password (PRICING_UI_PASSWORD), sessions in
// Redis, a CSRF token per session, and failed attempts counted and limited.
//
// - The password is compared in constant time (SHA-256 of both sides, then CRYPTO_memcmp), so
//   neither its length nor its prefix leaks through timing.
// - A session is 32 random bytes (base64url) in the cookie `pe_session`; Redis holds only its
//   SHA-256 (`<prefix>ui:session:<hex>`, with the session's TTL), so a Redis dump opens nothing.
//   The cookie is HttpOnly, SameSite=Strict, Max-Age of the session, and Secure unless the
//   request came over loopback without a proxy saying https.
// - The CSRF token is HMAC-SHA256(session token, "csrf"), first 32 hex digits: nothing stored,
//   checked in constant time on every POST.
// - Failures are counted per client (the last X-Forwarded-For hop, which Heroku's router writes,
//   else the peer address) and in total, each in a 15-minute window: 5 per client, 100 in all,
//   then 429 with Retry-After until the window ends. A success does not reset the count.
// - An AppLink invocation's headers are never a login: only the cookie is read.
//
//   UiAuth auth(redis, config);
//   auto outcome = co_await auth.login(form.get("password"), client_key(req));
//   if (outcome.session) res.set(http::field::set_cookie, auth.cookie(*outcome.session, secure));
//   auto session = co_await auth.session_of(req);   // Result<optional<UiSession>>
#pragma once

#include "common/config.hpp"
#include "common/error.hpp"
#include "net/http_message.hpp"
#include "net/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pe::pages {

struct UiAuthConfig {
  std::optional<std::string> password;         // PRICING_UI_PASSWORD; unset: the pages are off
  std::chrono::seconds session_ttl{8 * 3600};  // PRICING_UI_SESSION_HOURS (1..168, default 8)
  std::chrono::seconds failure_window{15 * 60};
  int max_failures_per_client = 5;
  int max_failures_total = 100;
  std::string prefix = "pe:";  // PRICING_REDIS_PREFIX
};

// Reads PRICING_UI_PASSWORD (at least 12 characters when set) and PRICING_UI_SESSION_HOURS.
UiAuthConfig ui_auth_config_from(EnvReader& read, std::string prefix);

struct UiSession {
  std::string token;  // the cookie's value: a secret, never logged
  std::string csrf;   // what forms carry back
};

enum class LoginOutcome { signed_in, wrong_password, throttled, unavailable };

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::unavailable;
  std::optional<UiSession> session;
  std::chrono::seconds retry_after{0};  // for throttled
};

class UiAuth {
 public:
  static constexpr std::string_view kCookie = "pe_session";

  UiAuth(std::shared_ptr<net::RedisConnection> redis, UiAuthConfig config);

  bool enabled() const { return config_.password.has_value(); }
  const UiAuthConfig& config() const { return config_; }

  boost::asio::awaitable<LoginResult> login(std::string_view password, std::string_view client);
  // The session the request's cookie names, nullopt when none or expired; unavailable when Redis
  // does not answer.
  boost::asio::awaitable<Result<std::optional<UiSession>>> session_of(const net::Request& req);
  boost::asio::awaitable<void> logout(const UiSession& session);

  bool csrf_matches(const UiSession& session, std::string_view given) const;
  std::string cookie(const UiSession& session, bool secure) const;
  std::string clearing_cookie(bool secure) const;

 private:
  std::string session_key(std::string_view token) const;

  std::shared_ptr<net::RedisConnection> redis_;
  UiAuthConfig config_;
};

// The client a login attempt is counted against (see above).
std::string client_key(const net::Request& req);
// False only for a loopback peer with no X-Forwarded-Proto: https (a laptop's http://127.0.0.1).
bool wants_secure_cookie(const net::Request& req);
// The value of one cookie in the request's Cookie headers, "" when absent.
std::string_view cookie_value(const net::Request& req, std::string_view name);

}  // namespace pe::pages
