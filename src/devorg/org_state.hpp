// org_state.hpp (internal to devorg): everything one running local org holds, shared by its
// routes, and the directory of every org one `devorg` process serves (`--orgs`).
//
// Threads: each org has one server thread (its SQLite store is one connection) and everything
// of an OrgState is used on that thread only, except what is fixed before any server thread
// starts and never changes after (name, base_url, the store's org_id() and user_id(), the shared
// Tokens and InvocationSigner, the directory itself), which any thread may read. The AppLink API
// is served by the first org's thread for every org: what it needs of another org's sessions,
// event bus or faults it asks that org's own thread for with on_org_thread(), never a lock.
#pragma once

#include "devorg/bulk_jobs.hpp"
#include "devorg/change_events.hpp"
#include "devorg/composite.hpp"
#include "devorg/devorg_app.hpp"
#include "devorg/event_bus.hpp"
#include "devorg/faults.hpp"
#include "devorg/invocation_token.hpp"
#include "devorg/org_access.hpp"
#include "devorg/pubsub_bus.hpp"
#include "devorg/sessions.hpp"
#include "devorg/store.hpp"
#include "net/http_client.hpp"
#include "net/router.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pe::devorg {

struct OrgState;

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

// Every org of the process, in --orgs order (one, named by --connection, without it). The first
// serves the AppLink API, the Integration endpoint and the Eventing URL for all of them. Filled
// before any server thread starts, read-only after.
struct OrgDirectory {
  std::vector<OrgState*> orgs;
  bool named = false;  // --orgs was given: app_env() adds PRICING_DEVORG_URL_<NAME> lines
  // The Pub/Sub API's endpoints (host:port), empty when not served: app_env() adds
  // PRICING_PUBSUB_ENDPOINT (plaintext) and PRICING_DEVORG_PUBSUB_TLS_ENDPOINT.
  std::string pubsub_endpoint;
  std::string pubsub_tls_endpoint;

  OrgState& first() const { return *orgs.front(); }
  // The org a connection name (AppLink's developer_name) names; nullptr when none.
  OrgState* find(std::string_view name) const;
  // The org that minted `id` (by the instance in positions 4 and 5, StoreOptions::instance);
  // nullptr when none did.
  OrgState* minted(const SalesforceId& id) const;
};

struct OrgState {
  DevorgOptions options;
  std::string name;      // the AppLink connection name it answers for
  std::string instance;  // positions 4 and 5 of its Ids (StoreOptions::instance)
  std::string base_url;  // http://127.0.0.1:PORT, its own port
  const OrgDirectory* directory = nullptr;
  std::unique_ptr<Store> store;
  EventBus events;
  FaultInjector faults;
  ApiStats stats;
  std::shared_ptr<const Tokens> tokens;  // one AppLink add-on: the same for every org
  std::unique_ptr<Sessions> sessions;
  OrgAccess access;
  // One signer for all orgs, as the add-on checks every org's invocations: an `auth` token
  // names its org, and verify() only reads the secret, so any thread may call it.
  std::shared_ptr<const InvocationSigner> signer;
  CallbackLog callbacks;
  std::unique_ptr<BulkJobs> bulk;
  boost::asio::io_context* io = nullptr;
  std::unique_ptr<net::HttpClient> client;
  std::unique_ptr<ChangeEventFeed> feed;
  std::vector<Change> pending_changes;  // of the request being served
  bool bulk_running = false;
  int64_t commit_number = 1736877279422521345;  // the SCN of the last transaction published
  // The Pub/Sub API's topics (pubsub_bus.hpp), with --pubsub-port or --pubsub-tls-port.
  std::unique_ptr<PubSubBus> pubsub;
  // `io` as the Pub/Sub server's threads see it: set once every org's thread is ready.
  std::atomic<boost::asio::io_context*> pubsub_io{nullptr};

  // KEY=VALUE pairs an app needs (printed, written to --env-file, GET /devorg/env): the same for
  // every org of the directory (the AppLink API is the first org's).
  std::vector<std::pair<std::string, std::string>> app_env() const;
  // Hands the changes of the request just served to the change-event feed and the Pub/Sub
  // API's /data topics, as one transaction: the same events (one transactionKey, the same
  // grouping, ids and sequence numbers) on both.
  void publish_changes(std::string_view client);
  // What a request made with this session acts as: its user and the fields its profile and the
  // permission sets in force hide.
  Actor actor_for(const Session& session) const;
};

namespace detail {
// What on_org_thread's two posts share: the answer, and the caller's timer while it waits.
template <class Answer>
struct OrgCall {
  std::optional<Answer> answer;
  std::exception_ptr failure;
  boost::asio::steady_timer* done = nullptr;  // null once the caller has stopped waiting
};
}  // namespace detail

// Runs `work` (a plain function: it must not suspend) on `target`'s server thread and resumes
// the caller on its own thread with the result (rethrowing what `work` threw); called on
// target's thread, it just calls it. This is how the first org answers AppLink for the others:
// each org's sessions, store and faults are only ever touched by its own thread.
//
// Two posts and a timer rather than co_spawn: neither io_context ever holds the other's
// coroutine frame, so whichever org's server is destroyed first at shutdown, nothing is left
// that points into it (a post not yet run only holds a shared OrgCall and an executor).
//   auto body = co_await on_org_thread(other, [&other] { return authorization(other); });
template <class Work>
boost::asio::awaitable<std::invoke_result_t<Work&>> on_org_thread(OrgState& target, Work work) {
  using Answer = std::invoke_result_t<Work&>;
  auto there = target.io->get_executor();
  if (there.running_in_this_thread()) co_return work();
  auto here = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer done(here, boost::asio::steady_timer::time_point::max());
  auto call = std::make_shared<detail::OrgCall<Answer>>();
  call->done = &done;
  boost::asio::post(there, [call, here, work = std::move(work)]() mutable {
    std::optional<Answer> answer;
    std::exception_ptr failure;
    try {
      answer.emplace(work());
    } catch (...) {
      failure = std::current_exception();
    }
    boost::asio::post(here, [call, answer = std::move(answer), failure]() mutable {
      if (call->done == nullptr) return;
      call->answer = std::move(answer);
      call->failure = failure;
      call->done->cancel();
    });
  });
  boost::system::error_code ignored;
  co_await done.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  call->done = nullptr;
  if (call->failure) std::rethrow_exception(call->failure);
  if (!call->answer) throw std::runtime_error("the org did not answer (the wait was cancelled)");
  co_return std::move(*call->answer);
}

// Sets up org.pubsub: /data/OpportunityChangeEvent and /event/QuoteGenerationComplete__e, the
// latter fed by every platform event the org records (pubsub_topics.cpp).
void enable_pubsub(OrgState& org, const BusOptions& options);
// Publishes change events (build_change_events()'s CloudEvents) on their /data topics.
void publish_to_pubsub(OrgState& org, std::span<const boost::json::object> events);

void add_rest_routes(net::Router& router, OrgState& org);
void add_applink_routes(net::Router& router, OrgState& org);
void add_devorg_routes(net::Router& router, OrgState& org);
// POST /devorg/invocations, the AppLink invocation-authentication endpoint, callbacks.
void add_invocation_routes(net::Router& router, OrgState& org);

}  // namespace pe::devorg
