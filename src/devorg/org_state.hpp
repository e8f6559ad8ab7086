// org_state.hpp (internal to devorg): everything one running local org holds, shared by its
// routes. All of it lives on the one server thread.
#pragma once

#include "devorg/bulk_jobs.hpp"
#include "devorg/change_events.hpp"
#include "devorg/composite.hpp"
#include "devorg/devorg_app.hpp"
#include "devorg/event_bus.hpp"
#include "devorg/faults.hpp"
#include "devorg/store.hpp"
#include "net/http_client.hpp"
#include "net/router.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pe::devorg {

// The secrets the org hands out and checks. Access tokens look like Salesforce session ids
// ("00D...!..."), so the log redaction recognises them wherever they appear.
class Tokens {
 public:
  Tokens(const SalesforceId& org, const DevorgOptions& options);

  const std::string& applink_token() const { return applink_token_; }
  const std::string& integration_token() const { return integration_token_; }
  const std::string& app_id() const { return app_id_; }
  const std::string& events_user() const { return events_user_; }
  const std::string& events_password() const { return events_password_; }

  // A valid access token: the current one, or a new one when it expired (or ttl changed).
  std::string access_token(std::chrono::seconds ttl);
  bool valid(std::string_view token) const;

 private:
  SalesforceId org_;
  std::string applink_token_;
  std::string integration_token_;
  std::string app_id_;
  std::string events_user_;
  std::string events_password_;
  std::string current_;
  std::chrono::seconds current_ttl_{0};  // the lifetime current_ was issued with
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> issued_;
};

struct OrgState {
  DevorgOptions options;
  std::string base_url;  // http://127.0.0.1:PORT
  std::unique_ptr<Store> store;
  EventBus events;
  FaultInjector faults;
  ApiStats stats;
  std::unique_ptr<Tokens> tokens;
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
};

void add_rest_routes(net::Router& router, OrgState& org);
void add_applink_routes(net::Router& router, OrgState& org);
void add_devorg_routes(net::Router& router, OrgState& org);

// A random string of [A-Za-z0-9] of the given length (OpenSSL's generator).
std::string random_token(size_t length);

}  // namespace pe::devorg
