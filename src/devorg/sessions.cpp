#include "devorg/sessions.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace pe::devorg {

std::string random_token(size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(length);
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  unsigned char bytes[64];
  while (out.size() < length) {
    if (RAND_bytes(bytes, sizeof bytes) != 1)
      throw std::runtime_error("no randomness from OpenSSL");
    for (unsigned char b : bytes) {
      if (b < 248 && out.size() < length) out.push_back(kAlphabet[b % 62]);
    }
  }
  return out;
}

Sessions::Sessions(const SalesforceId& org, std::function<Clock::time_point()> clock)
    : org_(org), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return Clock::now(); };
}

std::string Sessions::issue(const SalesforceId& user, std::chrono::seconds ttl) {
  make_room();
  // A Salesforce session id: the org's 15-character Id, '!', then the secret.
  std::string token = std::string(org_.str15()) + "!" + random_token(96);
  Session session;
  session.user = user;
  if (ttl.count() > 0) session.expires = clock_() + ttl;
  sessions_.emplace(token, std::move(session));
  order_.push_back(token);
  return token;
}

std::string Sessions::shared(const SalesforceId& user, std::chrono::seconds ttl) {
  const Session* current = find(shared_);
  if (current != nullptr && current->user == user && ttl == shared_ttl_) return shared_;
  shared_ttl_ = ttl;
  shared_ = issue(user, ttl);
  return shared_;
}

const Session* Sessions::find(std::string_view token) const {
  auto it = sessions_.find(token);
  if (it == sessions_.end() || it->second.expires <= clock_()) return nullptr;
  return &it->second;
}

std::vector<std::string> Sessions::active_sets(const Session& session) const {
  if (session.active_until <= clock_()) return {};
  return session.active_sets;
}

void Sessions::activate(std::string_view token, std::vector<std::string> sets,
                        Clock::time_point until) {
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return;
  it->second.active_sets = std::move(sets);
  it->second.active_until = until;
}

void Sessions::deactivate(std::string_view token) {
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return;
  it->second.active_sets.clear();
  it->second.active_until = {};
}

void Sessions::make_room() {
  if (sessions_.size() < kMaxSessions) return;
  auto now = clock_();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires <= now ? sessions_.erase(it) : std::next(it);
  }
  while (sessions_.size() >= kMaxSessions && !order_.empty()) {
    sessions_.erase(order_.front());
    order_.pop_front();
  }
  // Forget the order of tokens already gone, so order_ stays as small as sessions_.
  std::erase_if(order_, [&](const std::string& t) { return !sessions_.contains(t); });
}

}  // namespace pe::devorg
