// devorg_app.cpp: the local org's own endpoints (/devorg/*), its tokens, and run_devorg().
#include "devorg/devorg_app.hpp"

#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "devorg/org_state.hpp"
#include "devorg/pubsub_server.hpp"
#include "devorg/route_helpers.hpp"
#include "net/http_server.hpp"
#include "net/http_url.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <latch>
#include <thread>

namespace pe::devorg {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = net::http;
using net::Request;
using net::Response;

json::object event_json(const PlatformEvent& e) {
  return {{"replayId", e.replay_id},
          {"id", e.id.is_null() ? json::value(nullptr) : json::value(e.id.str())},
          {"type", e.type},
          {"via", e.via},
          {"CreatedById", e.created_by.str()},
          {"CreatedDate", e.created_date},
          {"fields", e.fields}};
}

// The org `?org=NAME` names (this one when absent), or nullptr when no org has that name.
OrgState* faults_target(OrgState& org, const Request& req) {
  std::string name = query_value(req.query, "org");
  if (name.empty() || name == org.name) return &org;
  return org.directory ? org.directory->find(name) : nullptr;
}

Response unknown_org(const Request& req) {
  return json_answer(
      404, to_json(ApiError("NOT_FOUND",
                            "No org named '" + printable(query_value(req.query, "org"), 40) + "'",
                            404)));
}

int64_t number_param(std::string_view query, std::string_view name, int64_t fallback) {
  size_t at = query.find(std::string(name) + "=");
  if (at == std::string_view::npos) return fallback;
  std::string_view digits = query.substr(at + name.size() + 1);
  int64_t value = fallback;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

}  // namespace

Tokens::Tokens()
    : applink_token_(random_token(40)),
      integration_token_(random_token(40)),
      app_id_(random_uuid()),
      events_user_("devorg"),
      events_password_(random_token(24)) {}

void CallbackLog::expect(const std::string& invocation_id) {
  if (expects(invocation_id)) return;
  if (expected.size() == kMaxExpected) expected.pop_front();
  expected.push_back(invocation_id);
}

bool CallbackLog::expects(std::string_view invocation_id) const {
  return std::find(expected.begin(), expected.end(), invocation_id) != expected.end();
}

void CallbackLog::record(CallbackRecord record) {
  if (received.size() == kMaxKept) received.pop_front();
  received.push_back(std::move(record));
}

Actor OrgState::actor_for(const Session& session) const {
  Actor actor{.user = session.user, .hidden = {}};
  if (const OrgUser* user = access.user(session.user)) {
    auto active = sessions->active_sets(session);
    actor.hidden = access.hidden_fields(*user, active);
  }
  return actor;
}

void OrgState::publish_changes(std::string_view client) {
  if (pending_changes.empty()) return;
  if (feed || pubsub) {
    ChangeOrigin origin{.api = client == "bulkapi" ? "bulkapi" : "rest",
                        .api_version = "62.0",
                        .client = std::string(client),
                        .user = store->actor().user};
    auto now = std::chrono::system_clock::now();
    CommitInfo commit{
        .transaction_key = random_uuid(),
        .commit_number = ++commit_number,
        .commit_timestamp_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()};
    auto events = build_change_events(pending_changes, origin, commit, random_uuid);
    publish_to_pubsub(*this, events);
    if (feed) feed->publish_built(std::move(events));
  }
  pending_changes.clear();
}

void add_devorg_routes(net::Router& r, OrgState& org) {
  r.add(http::verb::get, "/devorg/env", [&org](Request&) -> asio::awaitable<Response> {
    json::object env;
    for (const auto& [key, value] : org.app_env()) env[key] = value;
    co_return json_answer(200, env);
  });
  r.add(http::verb::get, "/devorg/stats", [&org](Request&) -> asio::awaitable<Response> {
    json::object stats = org.stats.to_json();
    if (org.feed) {
      auto f = org.feed->stats();
      stats["change_events"] =
          json::object{{"transactions", f.transactions}, {"events", f.events},
                       {"delivered", f.delivered},       {"failed_attempts", f.failed_attempts},
                       {"pending", f.pending},           {"dropped", f.dropped}};
    }
    stats["platform_events"] = org.events.published();
    co_return json_answer(200, stats);
  });
  r.add(http::verb::delete_, "/devorg/stats", [&org](Request&) -> asio::awaitable<Response> {
    org.stats.reset();
    co_return net::empty_response(http::status::no_content);
  });
  // ?org=NAME: another org's faults, asked of that org's own thread (any org's port serves it;
  // the first org's is the one a test or page knows).
  r.add(http::verb::get, "/devorg/faults", [&org](Request& req) -> asio::awaitable<Response> {
    OrgState* target = faults_target(org, req);
    if (target == nullptr) co_return unknown_org(req);
    auto read = [target] { return json_answer(200, target->faults.to_json()); };
    co_return co_await on_org_thread(*target, std::move(read));
  });
  r.add(http::verb::post, "/devorg/faults",
        [&org](Request& req) -> asio::awaitable<Response> {
          OrgState* target = faults_target(org, req);
          if (target == nullptr) co_return unknown_org(req);
          auto body = parse_json_exact(req.body());
          if (!body || !body->is_object()) {
            co_return json_answer(
                400, to_json(ApiError("JSON_PARSER_ERROR", "the body must be a JSON object")));
          }
          json::object changes = std::move(body->as_object());
          auto configure = [target, changes = std::move(changes)] {
            auto done = target->faults.configure(changes);
            if (!done) return json_answer(400, to_json(done.error()));
            return json_answer(200, target->faults.to_json());
          };
          co_return co_await on_org_thread(*target, std::move(configure));
        },
        {.body_limit = 16 * 1024, .content_types = {"application/json"}});
  r.add(http::verb::get, "/devorg/events", [&org](Request& req) -> asio::awaitable<Response> {
    json::array events;
    int64_t after = number_param(req.query, "after", 0);
    int64_t limit = std::clamp<int64_t>(number_param(req.query, "limit", 1000), 1, 10000);
    for (const auto& e : org.events.events(after, static_cast<size_t>(limit))) {
      events.push_back(event_json(e));
    }
    co_return json_answer(200, json::object{{"events", std::move(events)}});
  });
  r.add(http::verb::get, "/devorg/notifications", [&org](Request&) -> asio::awaitable<Response> {
    json::array list;
    for (const auto& n : org.events.notifications()) {
      list.push_back(json::object{{"replayId", n.replay_id},
                                  {"type", n.type},
                                  {"title", n.title},
                                  {"body", n.body},
                                  {"recipientId", n.recipient.str()},
                                  {"createdDate", n.created_date}});
    }
    co_return json_answer(200, json::object{{"notifications", std::move(list)}});
  });
  r.add(http::verb::get, "/devorg/changes", [&org](Request& req) -> asio::awaitable<Response> {
    json::array list;
    if (org.feed) {
      int64_t limit = std::clamp<int64_t>(number_param(req.query, "limit", 100), 1, 1000);
      for (auto& e : org.feed->recent(static_cast<size_t>(limit))) list.push_back(std::move(e));
    }
    co_return json_answer(200, json::object{{"changes", std::move(list)}});
  });
}

namespace {

// Writes the env file next to its final name, then renames: readers never see half of it.
Result<void> write_env_file(const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& env) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return Error{Errc::unavailable, "cannot write " + temp};
    for (const auto& [key, value] : env) out << key << "=" << value << "\n";
    if (!out) return Error{Errc::unavailable, "cannot write " + temp};
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return Error{Errc::unavailable, "cannot rename " + temp + ": " + ec.message()};
  return {};
}

// How one org of the process is made (OrgSpec plus what follows from its place in --orgs).
struct OrgPlan {
  OrgSpec spec;
  std::string db_path;      // "" in memory
  std::string instance;     // StoreOptions::instance
  uint64_t seed_value = 1;  // which sample data
  bool faulted = true;      // the --fault-* flags apply to it
};

Result<std::vector<OrgPlan>> plan_orgs(const DevorgOptions& options) {
  std::vector<OrgPlan> plans;
  if (options.orgs.empty()) {
    plans.push_back({.spec = {options.connection_name, options.seed_opportunities},
                     .db_path = options.db_path,
                     .instance = "00",
                     .seed_value = options.seed_value});
  } else {
    auto specs = parse_org_specs(options.orgs);
    if (!specs) return specs.error();
    std::vector<std::string> taken;
    for (size_t i = 0; i < specs->size(); ++i) {
      OrgSpec& spec = (*specs)[i];
      taken.push_back(org_instance(spec.name, taken));
      std::string db = options.db_path.empty() ? "" : options.db_path + "." + spec.name;
      plans.push_back({.spec = std::move(spec),
                       .db_path = std::move(db),
                       .instance = taken.back(),
                       .seed_value = options.seed_value + i});
    }
  }
  if (options.fault_orgs.empty()) return plans;
  for (auto& plan : plans) plan.faulted = false;
  std::string_view names = options.fault_orgs;
  while (!names.empty()) {
    std::string_view name = names.substr(0, names.find(','));
    auto it = std::find_if(plans.begin(), plans.end(),
                           [&](const OrgPlan& p) { return p.spec.name == name; });
    if (it == plans.end()) {
      return Error{Errc::invalid_argument,
                   "--fault-orgs: no org is named '" + printable(name, 40) + "'"};
    }
    it->faulted = true;
    names.remove_prefix(std::min(names.size(), name.size() + 1));
  }
  return plans;
}

// The --fault-* flags as POST /devorg/faults takes them.
json::object flag_faults(const DevorgOptions& options) {
  return {{"error_rate", options.fault_error_rate},
          {"limit_rate", options.fault_limit_rate},
          {"latency_ms", options.fault_latency_ms},
          {"bulk_rows_per_second", options.fault_bulk_rows_per_second}};
}

// Opens the org's store (seeding an empty one), its users and its sessions.
Result<std::unique_ptr<OrgState>> open_org(const DevorgOptions& options, const OrgPlan& plan) {
  auto store = Store::open({.path = plan.db_path, .instance = plan.instance});
  if (!store) return Error{Errc::unavailable, store.error().message};
  auto org = std::make_unique<OrgState>();
  org->options = options;
  org->name = plan.spec.name;
  org->store = std::move(*store);
  // A file keeps the instance it was made with: the org Id says which.
  org->instance = std::string(org->store->org_id().str().substr(3, 2));
  // A file database keeps what it had: sample data goes only into an empty org.
  auto existing = org->store->query("SELECT COUNT() FROM Account", {});
  bool empty = existing && existing->total_size == 0;
  if (plan.spec.opportunities > 0 && !empty) {
    log::Logger().info("devorg_seed_skipped",
                       {{"org", org->name}, {"reason", "the database already holds records"}});
  }
  if (plan.spec.opportunities > 0 && empty) {
    auto seeded =
        org->store->seed({.opportunities = plan.spec.opportunities, .seed = plan.seed_value});
    if (!seeded) return Error{Errc::unavailable, seeded.error().message};
  }
  if (plan.faulted) {
    auto faults = org->faults.configure(flag_faults(options));
    if (!faults) return Error{Errc::invalid_argument, faults.error().message};
  }
  auto ttl = org->faults.configure(json::object{{"token_ttl_seconds", options.token_ttl_seconds}});
  if (!ttl) return Error{Errc::invalid_argument, ttl.error().message};
  if (auto users = ensure_users(*org->store, org->access); !users) {
    return Error{Errc::unavailable, users.error().message};
  }
  org->sessions = std::make_unique<Sessions>(org->store->org_id());
  if (options.pubsub_port >= 0 || options.pubsub_tls_port >= 0) {
    enable_pubsub(*org, {.retention = std::chrono::milliseconds(options.pubsub_retention_ms)});
  }
  org->bulk = std::make_unique<BulkJobs>(*org->store, org->store->user_id());
  OrgState* self = org.get();
  org->store->on_change([self](const Change& c) { self->pending_changes.push_back(c); });
  return org;
}

// The router of one org, built on its server thread. Every org's thread first records its
// io_context, then waits at `ready` for all the others: no org serves a request before every
// org's io is known, so on_org_thread() can always reach the org it needs.
std::shared_ptr<net::Router> org_router(OrgState& org, net::ThreadContext& thread,
                                        std::latch& ready) {
  org.io = &thread.io;
  ready.arrive_and_wait();
  org.pubsub_io = &thread.io;
  org.client = std::make_unique<net::HttpClient>(net::HttpClient::create(thread.io).value());
  // The webhook gets the first org's change events only: the app's webhook prices the changes
  // of one connection (PRICING_CONNECTION, else the first of CONNECTION_NAMES).
  bool first = org.directory == nullptr || &org.directory->first() == &org;
  if (!org.options.webhook_url.empty() && first) {
    org.feed = std::make_unique<ChangeEventFeed>(
        thread.io.get_executor(), *org.client,
        FeedOptions{.webhook_url = org.options.webhook_url, .token = org.options.webhook_token});
    org.feed->start();
  }
  auto router = std::make_shared<net::Router>();
  add_rest_routes(*router, org);
  add_applink_routes(*router, org);
  add_devorg_routes(*router, org);
  add_invocation_routes(*router, org);
  return router;
}

// Binds every org's port: the first on --port, the next on --port+1, ... (all any with 0).
Result<std::vector<std::unique_ptr<net::HttpServer>>> listen_all(
    const DevorgOptions& options, std::vector<std::unique_ptr<OrgState>>& orgs, std::latch& ready) {
  std::vector<std::unique_ptr<net::HttpServer>> servers;
  std::string host = options.host == "0.0.0.0" ? "127.0.0.1" : options.host;
  for (size_t i = 0; i < orgs.size(); ++i) {
    net::ServerConfig config;
    config.address = options.host;
    config.port = 0;
    if (options.port != 0) {
      if (options.port + i > 65535) {
        return Error{Errc::invalid_argument, "--port " + std::to_string(options.port) +
                                                 " leaves no port for org " + orgs[i]->name};
      }
      config.port = static_cast<uint16_t>(options.port + i);
    }
    config.threads = 1;             // the store is one SQLite connection
    config.handle_signals = false;  // serve_all() stops every org at once
    OrgState& org = *orgs[i];
    servers.push_back(std::make_unique<net::HttpServer>(
        config, [&org, &ready](net::ThreadContext& t) { return org_router(org, t, ready); }));
    if (auto ok = servers.back()->listen(); !ok) return ok.error();
    org.base_url = "http://" + host + ":" + std::to_string(servers.back()->port());
  }
  return servers;
}

// The first SIGTERM/SIGINT starts every org's graceful shutdown, a second ends them at once: the
// servers' own signal handling is off, since one server's stop must not look to another like a
// second signal.
// The Pub/Sub server stops first, while the orgs' threads still run to finish its streams.
void stop_on_signals(asio::signal_set& signals,
                     std::vector<std::unique_ptr<net::HttpServer>>& servers, PubSubServer* pubsub) {
  signals.async_wait([&signals, &servers, pubsub](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    bool second = servers.front()->stopping();
    log::Logger().info(second ? "devorg_shutdown_forced" : "devorg_shutdown_signal",
                       {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    if (pubsub && !second) pubsub->shutdown();
    for (auto& server : servers) second ? server->stop_now() : server->stop();
    if (!second) stop_on_signals(signals, servers, pubsub);
  });
}

// Serves every org, each on its own thread, until all have stopped; one that stops for any
// reason (a signal, a start-up failure) stops the others.
bool serve_all(std::vector<std::unique_ptr<net::HttpServer>>& servers, PubSubServer* pubsub) {
  asio::io_context control{1};
  asio::signal_set signals(control, SIGINT, SIGTERM);
  stop_on_signals(signals, servers, pubsub);
  std::thread control_thread([&control] { control.run(); });
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (auto& server : servers) {
    threads.emplace_back([&servers, &failed, &server] {
      try {
        server->run();
      } catch (const std::exception& e) {
        log::Logger().error("devorg_failed", {{"error", e.what()}});
        failed = true;
      }
      for (auto& other : servers) other->stop();
    });
  }
  for (auto& t : threads) t.join();
  control.stop();
  control_thread.join();
  return !failed;
}

}  // namespace

int run_devorg(const DevorgOptions& options, const Env&) {
  auto fail = [](std::string_view message, int code) {
    std::cerr << "pricing-engine devorg: " << message << "\n";
    return code;
  };
  auto plans = plan_orgs(options);
  if (!plans) return fail(plans.error().message, 2);
  if (auto app = net::parse_http_url(options.app_url); !app) {
    return fail("--app-url: " + app.error().message, 2);
  }
  FaultInjector probe;  // bad flags are refused before any org is opened or seeded
  auto flags = probe.configure(flag_faults(options));
  if (flags)
    flags = probe.configure(json::object{{"token_ttl_seconds", options.token_ttl_seconds}});
  if (!flags) return fail(flags.error().message, 2);
  auto tokens = std::make_shared<const Tokens>();
  auto signer = std::make_shared<const InvocationSigner>(InvocationSigner::with_random_secret());
  OrgDirectory directory{.orgs = {}, .named = !options.orgs.empty()};
  std::vector<std::unique_ptr<OrgState>> orgs;
  for (const auto& plan : *plans) {
    auto org = open_org(options, plan);
    if (!org) return fail(org.error().message, org.error().code == Errc::invalid_argument ? 2 : 1);
    (*org)->tokens = tokens;
    (*org)->signer = signer;
    (*org)->directory = &directory;
    directory.orgs.push_back(org->get());
    orgs.push_back(std::move(*org));
  }
  std::latch ready(static_cast<std::ptrdiff_t>(orgs.size()));
  auto servers = listen_all(options, orgs, ready);
  if (!servers) return fail(servers.error().message, 1);
  std::unique_ptr<PubSubServer> pubsub;  // destroyed before the orgs it serves
  if (options.pubsub_port >= 0 || options.pubsub_tls_port >= 0) {
    auto started = PubSubServer::start(
        {.host = options.host,
         .port = options.pubsub_port,
         .tls_port = options.pubsub_tls_port,
         .keepalive = std::chrono::milliseconds(options.pubsub_keepalive_ms),
         .idle_timeout = std::chrono::milliseconds(options.pubsub_idle_timeout_ms),
         .cert_file = options.pubsub_cert_file},
        directory);
    if (!started) return fail(started.error().message, 1);
    pubsub = std::move(*started);
    std::string host = options.host == "0.0.0.0" ? "127.0.0.1" : options.host;
    if (pubsub->port() != 0)
      directory.pubsub_endpoint = host + ":" + std::to_string(pubsub->port());
    if (pubsub->tls_port() != 0) {
      directory.pubsub_tls_endpoint = host + ":" + std::to_string(pubsub->tls_port());
    }
  }
  auto env = orgs.front()->app_env();
  for (const auto& [key, value] : env) std::cout << key << "=" << value << "\n";
  std::cout.flush();
  if (!options.env_file.empty()) {
    if (auto written = write_env_file(options.env_file, env); !written) {
      return fail(written.error().message, 1);
    }
  }
  for (size_t i = 0; i < orgs.size(); ++i) {
    const OrgState& org = *orgs[i];
    log::Logger().info("devorg_ready",
                       {{"org", org.name},
                        {"org_id", org.store->org_id().str()},
                        {"url", org.base_url},
                        {"opportunities", (*plans)[i].spec.opportunities},
                        {"db", org.options.db_path.empty() ? "memory" : (*plans)[i].db_path},
                        {"webhook", i == 0 ? options.webhook_url : ""},
                        {"pubsub", directory.pubsub_endpoint},
                        {"pubsub_tls", directory.pubsub_tls_endpoint},
                        {"app_url", options.app_url}});
  }
  bool ok = serve_all(*servers, pubsub.get());
  if (pubsub) pubsub->shutdown();
  for (auto& org : orgs) {
    if (org->feed) org->feed->stop();
  }
  return ok ? 0 : 1;
}

}  // namespace pe::devorg
