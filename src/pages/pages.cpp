#include "pages/pages.hpp"

#include "pages/accounts_page.hpp"
#include "pages/bulk_demo_page.hpp"
#include "pages/html.hpp"
#include "pages/ops_page.hpp"
#include "salesforce/soql.hpp"

namespace pe::pages {
namespace {

namespace asio = boost::asio;
namespace http = net::http;

constexpr size_t kFormBodyLimit = 16 * 1024;
const std::vector<std::string> kFormTypes = {"application/x-www-form-urlencoded"};

bool wants_json(const net::Request& req) {
  std::string_view accept = req.header(http::field::accept);
  return accept.find("application/json") != std::string_view::npos &&
         accept.find("text/html") == std::string_view::npos;
}

net::Response asset(std::string_view text, std::string_view type) {
  net::Response res{http::status::ok, 11};
  res.set(http::field::content_type, type);
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::cache_control, "public, max-age=3600");
  res.body() = std::string(text);
  return res;
}

std::string login_body(std::string_view next, std::string_view problem) {
  Html h;
  h.raw("<h1>Sign in</h1>");
  if (!problem.empty()) h.raw("<p class=\"problem\" role=\"alert\">").text(problem).raw("</p>");
  h.raw(
       "<form class=\"stack\" method=\"post\" action=\"/login\">"
       "<input type=\"hidden\" name=\"next\" value=\"")
      .attr(next)
      .raw(
          "\"><label for=\"password\">Password</label>"
          "<input id=\"password\" name=\"password\" type=\"password\" "
          "autocomplete=\"current-password\" required autofocus>"
          "<button type=\"submit\">Sign in</button></form>"
          "<p class=\"meta\">The password is the app's <code>PRICING_UI_PASSWORD</code>.</p>");
  return std::move(h).str();
}

net::Response pages_off(const net::Request& req) {
  constexpr std::string_view kHow =
      "The pages are off: they show data of every connected org, so they need a password. Set "
      "PRICING_UI_PASSWORD (12 characters or more) in the app's config, e.g. heroku config:set "
      "PRICING_UI_PASSWORD=\"$(openssl rand -base64 18)\", and restart web.";
  if (wants_json(req)) return net::json_error(req, Errc::unavailable, kHow);
  Html h;
  h.raw("<h1>The pages are off</h1><p>").text(kHow).raw("</p>");
  return html_response(http::status::service_unavailable, {.title = "Pages off"},
                       std::move(h).str());
}

}  // namespace

PagesConfig pages_config_from(EnvReader& read, const jobs::QueueOptions& queue) {
  PagesConfig config;
  config.auth = ui_auth_config_from(read, queue.prefix);
  config.connections = applink::connection_names_from(read);
  config.queue = queue;
  return config;
}

std::string safe_next(std::string_view next) {
  if (next.empty() || next.front() != '/' || next.size() > 512) return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (char c : next) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\') return "/";
  }
  return std::string(next);
}

net::Response page_error(const net::Request& req, Errc code, std::string_view message) {
  if (wants_json(req)) return net::json_error(req, code, message);
  Html h;
  std::string_view heading = code == Errc::not_found ? "Not found" : "Refused";
  h.raw("<h1>")
      .text(heading)
      .raw("</h1><p class=\"problem\" role=\"alert\">")
      .text(message)
      .raw("</p><p><a href=\"/\">Back to the Accounts</a></p>");
  auto status = static_cast<http::status>(http_status(code));
  return html_response(status, {.title = "Refused"}, std::move(h).str());
}

PageRoutes::PageRoutes(const PagesConfig& config, SharedPageState shared,
                       std::shared_ptr<net::RedisConnection> redis, net::HttpClient& client)
    : services_{.config = config,
                .shared = std::move(shared),
                .redis = redis,
                .client = client,
                .auth = UiAuth(redis, config.auth)} {}

void PageRoutes::add_page(net::Router& router, http::verb method, std::string_view pattern,
                          PageHandler handler) {
  net::RouteOptions options;
  if (method == http::verb::post) {
    options.body_limit = kFormBodyLimit;
    options.content_types = kFormTypes;
  }
  router.add(
      method, pattern,
      [this, handler = std::move(handler)](net::Request& req) { return guarded(req, handler); },
      options);
}

asio::awaitable<net::Response> PageRoutes::guarded(net::Request& req, const PageHandler& handler) {
  if (!services_.auth.enabled()) co_return pages_off(req);
  auto session = co_await services_.auth.session_of(req);
  if (!session) {
    co_return page_error(req, Errc::unavailable, "the session store (Redis) is not answering");
  }
  const bool is_get =
      req.message.method() == http::verb::get || req.message.method() == http::verb::head;
  if (!*session) {
    if (is_get && !wants_json(req)) {
      std::string target(req.message.target());
      co_return redirect("/login?next=" + salesforce::url_encode(safe_next(target)));
    }
    co_return net::json_error(req, Errc::unauthenticated, "sign in first: /login");
  }
  PageCall call{.session = std::move(**session), .form = {}};
  auto form = parse_form(is_get ? req.query : std::string_view(req.body()));
  if (!form) co_return page_error(req, Errc::invalid_argument, form.error().message);
  call.form = std::move(*form);
  if (!is_get) {
    std::string_view given = call.form.get("csrf");
    if (given.empty()) given = req.header("X-CSRF-Token");
    if (!services_.auth.csrf_matches(call.session, given)) {
      co_return page_error(req, Errc::permission_denied,
                           "the form's CSRF token is missing or wrong: reload the page and try "
                           "again");
    }
  }
  auto res = co_await handler(req, call);
  set_page_headers(res);
  co_return res;
}

asio::awaitable<net::Response> PageRoutes::login_form(net::Request& req) {
  if (!services_.auth.enabled()) co_return pages_off(req);
  auto query = parse_form(req.query);
  std::string next = safe_next(query ? query->get("next") : std::string_view("/"));
  co_return html_response(http::status::ok, {.title = "Sign in", .section = Section::login},
                          login_body(next, ""));
}

asio::awaitable<net::Response> PageRoutes::login(net::Request& req) {
  if (!services_.auth.enabled()) co_return pages_off(req);
  auto form = parse_form(req.body());
  if (!form) co_return page_error(req, Errc::invalid_argument, form.error().message);
  std::string next = safe_next(form->get("next"));
  std::string client = client_key(req);
  auto outcome = co_await services_.auth.login(form->get("password"), client);
  Frame frame{.title = "Sign in", .section = Section::login};
  switch (outcome.outcome) {
    case LoginOutcome::signed_in: {
      req.log().info("ui_signed_in", {{"client", client}});
      auto res = redirect(next);
      res.set(http::field::set_cookie,
              services_.auth.cookie(*outcome.session, wants_secure_cookie(req)));
      co_return res;
    }
    case LoginOutcome::wrong_password:
      req.log().warn("ui_sign_in_refused", {{"client", client}});
      co_return html_response(http::status::unauthorized, frame,
                              login_body(next, "That password is not the right one."));
    case LoginOutcome::throttled: {
      req.log().warn("ui_sign_in_throttled", {{"client", client}});
      auto minutes = (outcome.retry_after.count() + 59) / 60;
      auto res = html_response(
          http::status::too_many_requests, frame,
          login_body(next, "Too many wrong passwords: try again in " + std::to_string(minutes) +
                               (minutes == 1 ? " minute." : " minutes.")));
      res.set(http::field::retry_after, std::to_string(outcome.retry_after.count()));
      co_return res;
    }
    case LoginOutcome::unavailable:
      break;
  }
  co_return html_response(http::status::service_unavailable, frame,
                          login_body(next, "The session store (Redis) is not answering."));
}

asio::awaitable<net::Response> PageRoutes::logout(net::Request& req, PageCall& call) {
  co_await services_.auth.logout(call.session);
  auto res = redirect("/login");
  res.set(http::field::set_cookie, services_.auth.clearing_cookie(wants_secure_cookie(req)));
  co_return res;
}

void PageRoutes::add_routes(net::Router& router) {
  router.add(http::verb::get, "/assets/pages.css",
             [](net::Request&) -> asio::awaitable<net::Response> {
               co_return asset(stylesheet(), "text/css; charset=utf-8");
             });
  router.add(http::verb::get, "/assets/pages.js",
             [](net::Request&) -> asio::awaitable<net::Response> {
               co_return asset(script(), "text/javascript; charset=utf-8");
             });
  // Browsers ask for it on their own; the pages have no icon.
  router.add(http::verb::get, "/favicon.ico", [](net::Request&) -> asio::awaitable<net::Response> {
    auto res = net::empty_response(http::status::no_content);
    res.set(http::field::cache_control, "public, max-age=86400");
    co_return res;
  });
  router.add(http::verb::get, "/login", [this](net::Request& req) { return login_form(req); });
  router.add(http::verb::post, "/login", [this](net::Request& req) { return login(req); },
             {.body_limit = kFormBodyLimit, .content_types = kFormTypes});
  add_page(router, http::verb::post, "/logout",
           [this](net::Request& req, PageCall& call) { return logout(req, call); });
  add_accounts_page(*this, router);
  add_bulk_demo_page(*this, router);
  add_ops_page(*this, router);
}

}  // namespace pe::pages
