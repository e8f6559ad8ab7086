#include "pages/ui_auth.hpp"

#include "common/base64.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace pe::pages {
namespace {

namespace asio = boost::asio;
using std::chrono::seconds;

std::array<unsigned char, SHA256_DIGEST_LENGTH> sha256(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return digest;
}

std::string hex(const unsigned char* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

std::string csrf_of(std::string_view token) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  static constexpr std::string_view kPurpose = "csrf";
  HMAC(EVP_sha256(), token.data(), static_cast<int>(token.size()),
       reinterpret_cast<const unsigned char*>(kPurpose.data()), kPurpose.size(), mac, &length);
  return hex(mac, 16);
}

std::string new_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), bytes.size()) != 1) {
    throw std::runtime_error("no randomness from OpenSSL");
  }
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), 32));
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  auto da = sha256(a);
  auto db = sha256(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

UiAuthConfig ui_auth_config_from(EnvReader& read, std::string prefix) {
  UiAuthConfig config;
  config.prefix = std::move(prefix);
  config.password = read.optional_string("PRICING_UI_PASSWORD");
  if (config.password && config.password->size() < 12) {
    read.add_error("PRICING_UI_PASSWORD", "must be at least 12 characters");
  }
  config.session_ttl = seconds(3600 * read.integer("PRICING_UI_SESSION_HOURS", 8, 1, 168));
  return config;
}

UiAuth::UiAuth(std::shared_ptr<net::RedisConnection> redis, UiAuthConfig config)
    : redis_(std::move(redis)), config_(std::move(config)) {}

std::string UiAuth::session_key(std::string_view token) const {
  auto digest = sha256(token);
  return config_.prefix + "ui:session:" + hex(digest.data(), digest.size());
}

asio::awaitable<LoginResult> UiAuth::login(std::string_view password, std::string_view client) {
  LoginResult result;
  if (!config_.password) co_return result;
  const auto window = static_cast<int64_t>(config_.failure_window.count());
  auto client_digest = sha256(client);
  const std::string client_failures =
      config_.prefix + "ui:failures:" + hex(client_digest.data(), 8);
  const std::string all_failures = config_.prefix + "ui:failures:all";
  // Counts first: a throttled client learns nothing about the password it sent.
  net::RedisCommand get_counts("MGET", client_failures, all_failures);
  auto counts = co_await redis_->exec(std::move(get_counts));
  if (!counts || !counts->is_array() || counts->elements.size() != 2) co_return result;
  auto count_of = [](const net::RedisReply& r) -> int64_t {
    return r.type == net::RedisReply::Type::string ? std::atoll(r.text.c_str()) : 0;
  };
  const bool throttled = count_of(counts->elements[0]) >= config_.max_failures_per_client ||
                         count_of(counts->elements[1]) >= config_.max_failures_total;
  if (throttled) {
    net::RedisCommand ttl("TTL", client_failures);
    auto left = co_await redis_->exec(std::move(ttl));
    result.outcome = LoginOutcome::throttled;
    result.retry_after = seconds(left && left->integer > 0 ? left->integer : window);
    co_return result;
  }
  if (!equal_in_constant_time(password, *config_.password)) {
    // INCR, and EXPIRE NX: the window starts at the first failure and is not pushed back.
    std::vector<net::RedisCommand> count;
    count.emplace_back("INCR", client_failures);
    count.emplace_back("EXPIRE", client_failures, window, "NX");
    count.emplace_back("INCR", all_failures);
    count.emplace_back("EXPIRE", all_failures, window, "NX");
    auto counted = co_await redis_->exec_batch(std::move(count));
    result.outcome = counted ? LoginOutcome::wrong_password : LoginOutcome::unavailable;
    co_return result;
  }
  UiSession session;
  session.token = new_token();
  session.csrf = csrf_of(session.token);
  net::RedisCommand store("SET", session_key(session.token), "1", "EX",
                          static_cast<int64_t>(config_.session_ttl.count()));
  auto stored = co_await redis_->exec(std::move(store));
  if (!stored || stored->is_error()) co_return result;
  result.outcome = LoginOutcome::signed_in;
  result.session = std::move(session);
  co_return result;
}

asio::awaitable<Result<std::optional<UiSession>>> UiAuth::session_of(const net::Request& req) {
  std::optional<UiSession> none;
  if (!config_.password) co_return none;
  std::string_view token = cookie_value(req, kCookie);
  // A session token is 43 characters of base64url; anything else is not looked up.
  if (token.size() != 43) co_return none;
  for (char c : token) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) co_return none;
  }
  net::RedisCommand exists("EXISTS", session_key(token));
  auto found = co_await redis_->exec(std::move(exists));
  if (!found) co_return found.error();
  if (found->integer != 1) co_return none;
  UiSession session{.token = std::string(token), .csrf = csrf_of(token)};
  co_return std::optional<UiSession>(std::move(session));
}

asio::awaitable<void> UiAuth::logout(const UiSession& session) {
  net::RedisCommand del("DEL", session_key(session.token));
  co_await redis_->exec(std::move(del));
}

bool UiAuth::csrf_matches(const UiSession& session, std::string_view given) const {
  return given.size() == session.csrf.size() &&
         CRYPTO_memcmp(given.data(), session.csrf.data(), given.size()) == 0;
}

std::string UiAuth::cookie(const UiSession& session, bool secure) const {
  std::string c =
      std::string(kCookie) + "=" + session.token +
      "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(config_.session_ttl.count());
  if (secure) c += "; Secure";
  return c;
}

std::string UiAuth::clearing_cookie(bool secure) const {
  std::string c = std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (secure) c += "; Secure";
  return c;
}

std::string client_key(const net::Request& req) {
  std::string_view forwarded = req.header("X-Forwarded-For");
  if (!forwarded.empty()) {
    size_t comma = forwarded.rfind(',');
    std::string_view last =
        trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1));
    if (!last.empty() && last.size() <= 64) return std::string(last);
  }
  return req.peer_address.empty() ? "unknown" : req.peer_address;
}

bool wants_secure_cookie(const net::Request& req) {
  if (req.header("X-Forwarded-Proto") == "https") return true;
  return !req.from_loopback;
}

std::string_view cookie_value(const net::Request& req, std::string_view name) {
  for (const auto& field : req.message) {
    if (field.name() != net::http::field::cookie) continue;
    std::string_view all = field.value();
    while (!all.empty()) {
      size_t semi = all.find(';');
      std::string_view pair = trim(all.substr(0, semi));
      all = semi == std::string_view::npos ? std::string_view{} : all.substr(semi + 1);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    }
  }
  return {};
}

}  // namespace pe::pages
