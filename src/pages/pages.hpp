// pages.hpp: the pages `web` serves for people (pattern 1 and operations): `/` the Accounts of
// every connected org (accounts_page.hpp), `/bulk` the Bulk API demo (bulk_demo_page.hpp),
// `/ops` the operations dashboard (ops_page.hpp), `/login` and `/logout`, and their assets.
//
// Every page but /login needs a session (ui_auth.hpp): without one a GET is sent to
// /login?next=..., anything else gets 401. Every POST carries the session's CSRF token (the
// form's `csrf` field, or the X-CSRF-Token header of the script's requests) or gets 403, before
// the handler runs. Without PRICING_UI_PASSWORD every page answers 503 saying how to turn the
// pages on. Forms are application/x-www-form-urlencoded, 16 KiB at most (form.hpp).
//
//   // in web's router factory, once per server thread:
//   auto pages = std::make_shared<pages::PageRoutes>(config.pages, shared, redis, client);
//   pages->add_routes(router);
#pragma once

#include "common/config.hpp"
#include "jobs/job_queue.hpp"
#include "net/http_client.hpp"
#include "net/redis_connection.hpp"
#include "net/router.hpp"
#include "pages/form.hpp"
#include "pages/org_directory.hpp"
#include "pages/page.hpp"
#include "pages/ui_auth.hpp"
#include "pricing/pricing_engine.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pe::pages {

struct PagesConfig {
  UiAuthConfig auth;
  std::vector<std::string> connections;  // CONNECTION_NAMES, in order
  jobs::QueueOptions queue;              // the queues the dashboard reads (PRICING_REDIS_PREFIX)
};

PagesConfig pages_config_from(EnvReader& read, const jobs::QueueOptions& queue);

// What the pages of every server thread share; lives as long as the server.
struct SharedPageState {
  std::shared_ptr<OrgDirectory> orgs;
  std::shared_ptr<const pricing::PricingEngine> engine;  // the region column
};

// What a page handler gets beyond the request: the session, and the form of a POST (or the
// query of a GET) already parsed and checked.
struct PageCall {
  UiSession session;
  Form form;  // POST: the body; GET: the query string
};

// The per-thread services the pages use.
struct PageServices {
  const PagesConfig& config;
  SharedPageState shared;
  std::shared_ptr<net::RedisConnection> redis;
  net::HttpClient& client;
  UiAuth auth;
};

using PageHandler = std::function<boost::asio::awaitable<net::Response>(net::Request&, PageCall&)>;

class PageRoutes {
 public:
  PageRoutes(const PagesConfig& config, SharedPageState shared,
             std::shared_ptr<net::RedisConnection> redis, net::HttpClient& client);

  void add_routes(net::Router& router);
  PageServices& services() { return services_; }

  // Adds a route that runs `handler` only for a signed-in session (and, for POST, a matching
  // CSRF token and a well-formed form).
  void add_page(net::Router& router, net::http::verb method, std::string_view pattern,
                PageHandler handler);

 private:
  boost::asio::awaitable<net::Response> guarded(net::Request& req, const PageHandler& handler);
  boost::asio::awaitable<net::Response> login_form(net::Request& req);
  boost::asio::awaitable<net::Response> login(net::Request& req);
  boost::asio::awaitable<net::Response> logout(net::Request& req, PageCall& call);

  PageServices services_;
};

// An error for a page request: an HTML page for a browser's navigation, the JSON error shape for
// the script's requests (Accept: application/json).
net::Response page_error(const net::Request& req, Errc code, std::string_view message);

// The path a login may send back to: one of ours ("/..." but not "//..."), else "/".
std::string safe_next(std::string_view next);

}  // namespace pe::pages
