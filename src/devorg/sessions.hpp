// sessions.hpp: the access tokens the local org issues — each one a session of one user, with
// the session permission sets active in it and until when.
//
// A token looks like a Salesforce session id ("00D<org 15>!<96 random characters>"), so the log
// redaction (common/redact.hpp) recognises it wherever it appears. Tokens expire after the TTL
// they were issued with (0: never). The AppLink authorization and the Integration endpoint share
// one token of the integration user (shared()), renewed when it expires or the TTL changes; an
// invocation issues a fresh session of its user (issue()) and activates the session permission
// sets it names for the length of the call (activate(), deactivate()).
//
// At most kMaxSessions are kept; beyond that the oldest go first (expired ones before them).
//
//   Sessions sessions(org_id);
//   std::string token = sessions.issue(user_id, std::chrono::seconds(0));
//   sessions.activate(token, {"GenerateQuotePermissions"}, now + 300s);
//   const Session* s = sessions.find(token);   // nullptr: unknown or expired
//   sessions.active_sets(*s);                  // {"GenerateQuotePermissions"} until then
#pragma once

#include "common/sfid.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pe::devorg {

struct Session {
  using Clock = std::chrono::steady_clock;
  SalesforceId user;
  Clock::time_point expires = Clock::time_point::max();
  std::vector<std::string> active_sets;  // session permission sets activated in it
  Clock::time_point active_until;        // ... which are active until then
};

class Sessions {
 public:
  using Clock = Session::Clock;
  static constexpr size_t kMaxSessions = 100'000;

  explicit Sessions(const SalesforceId& org, std::function<Clock::time_point()> clock = {});

  // A new session of `user`; ttl 0: it never expires.
  std::string issue(const SalesforceId& user, std::chrono::seconds ttl);
  // The shared session of `user` (the integration user): the current one while it is valid and
  // was issued with this ttl, otherwise a new one.
  std::string shared(const SalesforceId& user, std::chrono::seconds ttl);
  // The session of a valid token, or nullptr (unknown, expired, evicted).
  const Session* find(std::string_view token) const;
  // The session permission sets in force in `session` now.
  std::vector<std::string> active_sets(const Session& session) const;
  void activate(std::string_view token, std::vector<std::string> sets, Clock::time_point until);
  void deactivate(std::string_view token);
  size_t size() const { return sessions_.size(); }

 private:
  void make_room();

  SalesforceId org_;
  std::function<Clock::time_point()> clock_;
  std::map<std::string, Session, std::less<>> sessions_;
  std::deque<std::string> order_;  // tokens in issue order, for eviction
  std::string shared_;
  std::chrono::seconds shared_ttl_{0};
};

// A random string of [A-Za-z0-9] of the given length (OpenSSL's generator).
std::string random_token(size_t length);

}  // namespace pe::devorg
