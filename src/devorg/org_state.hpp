// org_state.hpp (internal to devorg): everything one running local org holds, shared by its
// routes. All of it lives on the one server thread.
#pragma once

#include "devorg/bulk_jobs.hpp"
#include "devorg/change_events.hpp"
#include "devorg/composite.hpp"
#include "devorg/devorg_app.hpp"
#include "devorg/event_bus.hpp"
#include "devorg/faults.hpp"
#include "devorg/invocation_token.hpp"
#include "devorg/org_access.hpp"
#include "devorg/sessions.hpp"
#include "devorg/store.hpp"
#include "net/http_client.hpp"
#include "net/router.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pe::devorg {

// The secrets the org hands out and checks (access tokens are sessions: sessions.hpp). Compared
// in constant time, never echoed or logged.
class Tokens {
 public:
  Tokens();

  const std::string& applink_token() const { return applink_token_; }
  const std::string& integration_token() const { return integration_token_; }
  const std::string& app_id() const { return app_id_; }
  const std::string& events_user() const { return events_user_; }
  const std::string& events_password() const { return events_password_; }

 private:
  std::string applink_token_;
  std::string integration_token_;
  std::string app_id_;
  std::string events_user_;
  std::string events_password_;
};

// Callbacks of asynchronous invocations (POST /devorg/callbacks/{id}), as GET /devorg/callbacks
// lists them.
struct CallbackRecord {
  std::string invocation_id;
  std::string received_at;  // Salesforce datetime
  SalesforceId user;        // the bearer token's
  std::string username;
  boost::json::value body;
};

struct CallbackLog {
  static constexpr size_t kMaxKept = 1000;  // received callbacks kept (the oldest go first)
  static constexpr size_t kMaxExpected = 10'000;
  std::deque<CallbackRecord> received;
  std::deque<std::string> expected;  // invocation ids given a callbackUrl, oldest first
  uint64_t refused = 0;

  void expect(const std::string& invocation_id);
  bool expects(std::string_view invocation_id) const;
  void record(CallbackRecord record);
};

struct OrgState {
  DevorgOptions options;
  std::string base_url;  // http://127.0.0.1:PORT
  std::unique_ptr<Store> store;
  EventBus events;
  FaultInjector faults;
  ApiStats stats;
  std::unique_ptr<Tokens> tokens;
  std::unique_ptr<Sessions> sessions;
  OrgAccess access;
  std::unique_ptr<InvocationSigner> signer;
  CallbackLog callbacks;
  std::unique_ptr<BulkJobs> bulk;
  boost::asio::io_context* io = nullptr;
  std::unique_ptr<net::HttpClient> client;
  std::unique_ptr<ChangeEventFeed> feed;
  std::vector<Change> pending_changes;  // of the request being served
  bool bulk_running = false;

  // KEY=VALUE pairs an app needs (printed, written to --env-file, GET /devorg/env).
  std::vector<std::pair<std::string, std::string>> app_env() const;
  // Hands the changes of the request just served to the change-event feed, as one transaction.
  void publish_changes(std::string_view client);
  // What a request made with this session acts as: its user and the fields its profile and the
  // permission sets in force hide.
  Actor actor_for(const Session& session) const;
};

void add_rest_routes(net::Router& router, OrgState& org);
void add_applink_routes(net::Router& router, OrgState& org);
void add_devorg_routes(net::Router& router, OrgState& org);
// POST /devorg/invocations, the AppLink invocation-authentication endpoint, callbacks.
void add_invocation_routes(net::Router& router, OrgState& org);

}  // namespace pe::devorg
