// devorg_app.cpp: the local org's own endpoints (/devorg/*), its tokens, and run_devorg().
#include "devorg/devorg_app.hpp"

#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "devorg/org_state.hpp"
#include "devorg/route_helpers.hpp"
#include "net/http_server.hpp"
#include "net/http_url.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>

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

std::vector<std::pair<std::string, std::string>> OrgState::app_env() const {
  std::string events_url = base_url;
  events_url.insert(events_url.find("://") + 3,
                    tokens->events_user() + ":" + tokens->events_password() + "@");
  return {{"HEROKU_APPLINK_API_URL", base_url + "/addons/" + tokens->app_id()},
          {"HEROKU_APPLINK_TOKEN", tokens->applink_token()},
          {"HEROKU_APP_ID", tokens->app_id()},
          {"CONNECTION_NAMES", options.connection_name},
          {"HEROKU_INTEGRATION_API_URL", base_url + "/integration"},
          {"HEROKU_INTEGRATION_TOKEN", tokens->integration_token()},
          {"HEROKUEVENTS_PUBLISH_URL", events_url + "/events/publish"},
          // The org's URL is http, not https: the app accepts it as an orgDomainUrl only when told.
          {"PRICING_DEVORG_URL", base_url}};
}

void OrgState::publish_changes(std::string_view client) {
  if (pending_changes.empty()) return;
  if (feed) {
    feed->publish(pending_changes, {.api = client == "bulkapi" ? "bulkapi" : "rest",
                                    .api_version = "62.0",
                                    .client = std::string(client),
                                    .user = store->actor().user});
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
  r.add(http::verb::get, "/devorg/faults", [&org](Request&) -> asio::awaitable<Response> {
    co_return json_answer(200, org.faults.to_json());
  });
  r.add(http::verb::post, "/devorg/faults",
        [&org](Request& req) -> asio::awaitable<Response> {
          auto body = parse_json_exact(req.body());
          if (!body || !body->is_object()) {
            co_return json_answer(
                400, to_json(ApiError("JSON_PARSER_ERROR", "the body must be a JSON object")));
          }
          auto done = org.faults.configure(body->as_object());
          if (!done) co_return json_answer(400, to_json(done.error()));
          co_return json_answer(200, org.faults.to_json());
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

}  // namespace

int run_devorg(const DevorgOptions& options, const Env&) {
  auto store = Store::open({.path = options.db_path});
  if (!store) {
    std::cerr << "pricing-engine devorg: " << store.error().message << "\n";
    return 1;
  }
  OrgState org;
  org.options = options;
  org.store = std::move(*store);
  // A file database keeps what it had: sample data goes only into an empty org.
  auto existing = org.store->query("SELECT COUNT() FROM Account", {});
  bool empty = existing && existing->total_size == 0;
  if (options.seed_opportunities > 0 && !empty) {
    log::Logger().info("devorg_seed_skipped", {{"reason", "the database already holds records"}});
  }
  if (options.seed_opportunities > 0 && empty) {
    auto seeded =
        org.store->seed({.opportunities = options.seed_opportunities, .seed = options.seed_value});
    if (!seeded) {
      std::cerr << "pricing-engine devorg: " << seeded.error().message << "\n";
      return 1;
    }
  }
  auto faults = org.faults.configure(json::object{{"token_ttl_seconds", options.token_ttl_seconds},
                                                  {"error_rate", options.fault_error_rate},
                                                  {"limit_rate", options.fault_limit_rate},
                                                  {"latency_ms", options.fault_latency_ms}});
  if (!faults) {
    std::cerr << "pricing-engine devorg: " << faults.error().message << "\n";
    return 2;
  }
  if (auto app = net::parse_http_url(options.app_url); !app) {
    std::cerr << "pricing-engine devorg: --app-url: " << app.error().message << "\n";
    return 2;
  }
  if (auto users = ensure_users(*org.store, org.access); !users) {
    std::cerr << "pricing-engine devorg: " << users.error().message << "\n";
    return 1;
  }
  org.tokens = std::make_unique<Tokens>();
  org.sessions = std::make_unique<Sessions>(org.store->org_id());
  org.signer = std::make_unique<InvocationSigner>(InvocationSigner::with_random_secret());
  org.bulk = std::make_unique<BulkJobs>(*org.store, org.store->user_id());
  org.store->on_change([&org](const Change& c) { org.pending_changes.push_back(c); });

  net::ServerConfig config;
  config.address = options.host;
  config.port = options.port;
  config.threads = 1;  // the store is one SQLite connection
  net::HttpServer server(config, [&org](net::ThreadContext& thread) {
    org.io = &thread.io;
    org.client = std::make_unique<net::HttpClient>(net::HttpClient::create(thread.io).value());
    if (!org.options.webhook_url.empty()) {
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
  });
  if (auto ok = server.listen(); !ok) {
    std::cerr << "pricing-engine devorg: " << ok.error().message << "\n";
    return 1;
  }
  std::string host = options.host == "0.0.0.0" ? "127.0.0.1" : options.host;
  org.base_url = "http://" + host + ":" + std::to_string(server.port());
  auto env = org.app_env();
  for (const auto& [key, value] : env) std::cout << key << "=" << value << "\n";
  std::cout.flush();
  if (!options.env_file.empty()) {
    if (auto written = write_env_file(options.env_file, env); !written) {
      std::cerr << "pricing-engine devorg: " << written.error().message << "\n";
      return 1;
    }
  }
  log::Logger().info("devorg_ready", {{"url", org.base_url},
                                      {"opportunities", options.seed_opportunities},
                                      {"db", options.db_path.empty() ? "memory" : options.db_path},
                                      {"webhook", options.webhook_url},
                                      {"app_url", options.app_url}});
  try {
    server.run();
  } catch (const std::exception& e) {
    log::Logger().error("devorg_failed", {{"error", e.what()}});
    return 1;
  }
  if (org.feed) org.feed->stop();
  return 0;
}

}  // namespace pe::devorg
