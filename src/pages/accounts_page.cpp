#include "pages/accounts_page.hpp"

#include "common/base64.hpp"
#include "common/sfid.hpp"
#include "pages/html.hpp"
#include "pages/pages.hpp"
#include "pricing/rules_engine.hpp"
#include "salesforce/soql.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

namespace pe::pages {
namespace {

namespace asio = boost::asio;
namespace http = net::http;
using Clock = std::chrono::steady_clock;

constexpr int kRowsPerPage = 50;
constexpr size_t kMaxSearch = 80;
// A panel not read by then shows that it did not answer; the others are not held back longer.
constexpr std::chrono::seconds kPanelDeadline{10};

struct AccountRow {
  std::string id;
  std::string name;
  std::string country;
  std::string created;  // the date part of CreatedDate
};

struct Panel {
  std::string org;
  bool finished = false;
  std::string problem;  // shown in the panel; empty: the rows are good
  int64_t total = 0;
  std::vector<AccountRow> rows;
  bool has_next = false;
  bool has_previous = false;
  double millis = 0;
};

// What a reader learns from the two queries; anything else becomes a short, safe reason.
std::string reason_for(const salesforce::SalesforceError& e) {
  if (e.status == 0) {
    return e.transport == Errc::deadline_exceeded ? "The org did not answer in time."
                                                  : "The org could not be reached.";
  }
  if (e.is_invalid_session() || e.status == 401) return "The org refused the connection's session.";
  if (e.error_code == "REQUEST_LIMIT_EXCEEDED" || e.status == 429) {
    return "The org's API request limit is reached.";
  }
  if (e.status >= 500) return "The org answered with a server error.";
  return "The org refused the query (" + e.error_code + ").";
}

std::string reason_for(const Error& e) {
  switch (e.code) {
    case Errc::not_found:
      return "No AppLink authorization has this name.";
    case Errc::unauthenticated:
    case Errc::permission_denied:
      return "AppLink refused to give this connection's credentials.";
    case Errc::failed_precondition:
      return "AppLink is not configured for this app.";
    default:
      return "AppLink did not give this connection's credentials.";
  }
}

std::string text_of(const boost::json::object& record, std::string_view field) {
  auto it = record.find(field);
  if (it == record.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

asio::awaitable<void> read_panel(PageServices& services, std::shared_ptr<Panel> panel,
                                 std::string search, std::string direction,
                                 std::optional<AccountCursor> cursor, net::Request* request) {
  const auto started = Clock::now();
  const std::string request_id = request->request_id;
  auto log = log::Logger().with("request_id", request_id).with("org", panel->org);
  salesforce::DataApiOptions options;
  options.backoff.max_attempts = 2;
  auto api = co_await services.shared.orgs->api(services.client, panel->org, options);
  if (!api) {
    log.warn("accounts_credentials_failed", {{"error", api.error().message}});
    panel->problem = reason_for(api.error());
  } else {
    // The page and its count in one Composite request: one round trip, one API call.
    std::vector<std::string> soqls;
    soqls.push_back(
        accounts_query(search, direction, cursor ? &*cursor : nullptr, kRowsPerPage + 1));
    soqls.push_back(accounts_count_query(search));
    auto pages = co_await api->query_pages(soqls);
    if (!pages) {
      log.warn("accounts_query_failed", {{"error", pages.error().describe()}});
      panel->problem = reason_for(pages.error());
    } else {
      const auto& page = (*pages)[0];
      const auto& count = (*pages)[1];
      panel->total = count.total_size;
      for (const auto& value : page.records) {
        if (!value.is_object()) continue;
        const auto& record = value.as_object();
        std::string created = text_of(record, "CreatedDate");
        panel->rows.push_back({.id = text_of(record, "Id"),
                               .name = text_of(record, "Name"),
                               .country = text_of(record, "BillingCountry"),
                               .created = created.substr(0, 10)});
      }
      const bool more = panel->rows.size() > static_cast<size_t>(kRowsPerPage);
      if (more) panel->rows.resize(kRowsPerPage);
      if (direction == "before") {
        std::reverse(panel->rows.begin(), panel->rows.end());
        panel->has_previous = more;
        panel->has_next = true;
      } else {
        panel->has_next = more;
        panel->has_previous = direction == "after";
      }
    }
  }
  panel->millis = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  panel->finished = true;
}

// Runs the readers at once on this thread and waits for all of them, or the deadline.
asio::awaitable<void> read_all(std::vector<asio::awaitable<void>> readers) {
  auto executor = co_await asio::this_coro::executor;
  auto left = std::make_shared<size_t>(readers.size());
  auto done = std::make_shared<asio::steady_timer>(executor, kPanelDeadline);
  for (auto& reader : readers) {
    asio::co_spawn(executor, std::move(reader), [left, done](std::exception_ptr) {
      if (--*left == 0) done->cancel();
    });
  }
  if (*left == 0) co_return;
  boost::system::error_code ignored;
  co_await done->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

std::string region_of(const pricing::PricingEngine& engine, std::string_view country) {
  const auto* rules = dynamic_cast<const pricing::RulesEngine*>(&engine);
  if (!rules) return {};
  return rules->rules().regions.at(rules->region_of(country)).name;
}

// The query string of a link: the current one with this org's cursor replaced.
std::string link_for(const Form& current, std::string_view org, std::string_view direction,
                     const std::string& cursor) {
  std::string out = "/?";
  bool first = true;
  auto add = [&](std::string_view name, std::string_view value) {
    if (!first) out += '&';
    first = false;
    out += salesforce::url_encode(name);
    out += '=';
    out += salesforce::url_encode(value);
  };
  const std::string after = "after_" + std::string(org);
  const std::string before = "before_" + std::string(org);
  for (const auto& [name, value] : current.fields()) {
    if (name != after && name != before) add(name, value);
  }
  add(std::string(direction) + "_" + std::string(org), cursor);
  return out;
}

void render_panel(Html& h, const Panel& panel, const Form& current,
                  const pricing::PricingEngine& engine, std::string_view search) {
  h.raw("<section class=\"panel\" aria-labelledby=\"org-")
      .attr(panel.org)
      .raw("\" data-org=\"")
      .attr(panel.org)
      .raw("\"><h2 id=\"org-")
      .attr(panel.org)
      .raw("\">")
      .text(panel.org)
      .raw("</h2>");
  if (!panel.finished) {
    h.raw("<p class=\"problem\" role=\"alert\">The org did not answer within ")
        .number(kPanelDeadline.count())
        .raw(" seconds.</p></section>");
    return;
  }
  if (!panel.problem.empty()) {
    h.raw("<p class=\"problem\" role=\"alert\">").text(panel.problem).raw("</p></section>");
    return;
  }
  h.raw("<p class=\"meta\"><span data-total>")
      .number(panel.total)
      .raw("</span> ")
      .raw(panel.total == 1 ? "account" : "accounts");
  if (!search.empty()) h.raw(" matching “").text(search).raw("”");
  h.raw("</p>");
  if (panel.rows.empty()) {
    h.raw("<p>No accounts.</p></section>");
    return;
  }
  h.raw(
      "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Name</th>"
      "<th scope=\"col\">Id</th><th scope=\"col\">Billing country</th>"
      "<th scope=\"col\">Region</th><th scope=\"col\">Created</th></tr></thead><tbody>");
  for (const auto& row : panel.rows) {
    h.raw("<tr><td>")
        .text(row.name)
        .raw("</td><td class=\"id\">")
        .text(row.id)
        .raw("</td><td>")
        .text(row.country)
        .raw("</td><td>")
        .text(region_of(engine, row.country))
        .raw("</td><td>")
        .text(row.created)
        .raw("</td></tr>");
  }
  h.raw("</tbody></table></div><nav class=\"pager\" aria-label=\"Pages of ")
      .attr(panel.org)
      .raw("\">");
  if (panel.has_previous) {
    const auto& top = panel.rows.front();
    h.raw("<a rel=\"prev\" href=\"")
        .attr(link_for(current, panel.org, "before", encode_cursor({top.name, top.id})))
        .raw("\">Previous 50</a>");
  }
  if (panel.has_next) {
    const auto& bottom = panel.rows.back();
    h.raw("<a rel=\"next\" href=\"")
        .attr(link_for(current, panel.org, "after", encode_cursor({bottom.name, bottom.id})))
        .raw("\">Next 50</a>");
  }
  h.raw("</nav></section>");
}

asio::awaitable<net::Response> accounts(PageServices& services, net::Request& req, PageCall& call) {
  std::string search(call.form.get("q"));
  if (search.size() > kMaxSearch) {
    co_return page_error(req, Errc::invalid_argument,
                         "the search is longer than " + std::to_string(kMaxSearch) + " characters");
  }
  const auto& names = services.shared.orgs->names();
  std::vector<std::shared_ptr<Panel>> panels;
  std::vector<asio::awaitable<void>> readers;
  for (const auto& org : names) {
    auto panel = std::make_shared<Panel>();
    panel->org = org;
    std::string direction;
    std::optional<AccountCursor> cursor;
    static constexpr std::array<std::string_view, 2> kDirections = {"after", "before"};
    for (std::string_view d : kDirections) {
      std::string_view given = call.form.get(std::string(d) + "_" + org);
      if (given.empty()) continue;
      cursor = decode_cursor(given);
      if (!cursor) {
        co_return page_error(req, Errc::invalid_argument,
                             "the page link for " + org + " is not one this page made");
      }
      direction = std::string(d);
    }
    readers.push_back(read_panel(services, panel, search, direction, cursor, &req));
    panels.push_back(std::move(panel));
  }
  const auto started = Clock::now();
  co_await read_all(std::move(readers));
  const double total_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();

  Html h;
  h.raw(
       "<h1>Accounts by connected org</h1>"
       "<form class=\"search\" method=\"get\" action=\"/\" role=\"search\">"
       "<label for=\"q\" class=\"visually-hidden\">Search names</label>"
       "<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"80\" placeholder=\"Account name\" "
       "value=\"")
      .attr(search)
      .raw("\"><button type=\"submit\">Search</button>");
  if (!search.empty()) h.raw("<a href=\"/\">Clear</a>");
  h.raw("</form>");
  if (names.empty()) {
    h.raw(
        "<p class=\"problem\">No connections are configured: set CONNECTION_NAMES to the "
        "AppLink authorizations to show (heroku salesforce:authorizations:add NAME, then "
        "heroku config:set CONNECTION_NAMES=NAME,...).</p>");
  }
  h.raw("<div class=\"panels\">");
  for (const auto& panel : panels)
    render_panel(h, *panel, call.form, *services.shared.engine, search);
  h.raw("</div>");

  auto res =
      html_response(http::status::ok,
                    {.title = "Accounts", .section = Section::accounts, .csrf = call.session.csrf},
                    std::move(h).str());
  // Each org's own time, then the whole wait: what the page adds is total − the slowest org.
  std::string timing;
  char buffer[64];
  for (size_t i = 0; i < panels.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, "org%zu;dur=%.1f, ", i, panels[i]->millis);
    timing += buffer;
  }
  std::snprintf(buffer, sizeof buffer, "orgs;dur=%.1f", total_ms);
  timing += buffer;
  res.set("Server-Timing", timing);
  co_return res;
}

// Name LIKE '%<search, escaped, its % and _ matching themselves>%'
std::string name_contains(std::string_view search) {
  std::string quoted = salesforce::soql_quote_like(search);
  return "Name LIKE '%" + quoted.substr(1, quoted.size() - 2) + "%'";
}

}  // namespace

std::string encode_cursor(const AccountCursor& cursor) {
  return base64url_encode(cursor.name + '\n' + cursor.id);
}

std::optional<AccountCursor> decode_cursor(std::string_view text) {
  if (text.size() > 400) return std::nullopt;
  auto raw = base64url_decode(text);
  if (!raw) return std::nullopt;
  size_t newline = raw->rfind('\n');
  if (newline == std::string::npos) return std::nullopt;
  auto id = SalesforceId::parse(std::string_view(*raw).substr(newline + 1));
  if (!id) return std::nullopt;
  std::string name = raw->substr(0, newline);
  if (name.size() > 255 || name.find('\0') != std::string::npos) return std::nullopt;
  return AccountCursor{.name = std::move(name), .id = std::string(id->str())};
}

std::string accounts_query(std::string_view search, std::string_view direction,
                           const AccountCursor* cursor, int rows) {
  std::vector<std::string> conditions;
  if (!search.empty()) conditions.push_back(name_contains(search));
  const bool before = direction == "before" && cursor;
  if (cursor && (direction == "after" || before)) {
    const std::string op = before ? "<" : ">";
    const std::string name = salesforce::soql_quote(cursor->name);
    conditions.push_back("(Name " + op + " " + name + " OR (Name = " + name + " AND Id " + op +
                         " '" + cursor->id + "'))");
  }
  std::string soql = "SELECT Id, Name, BillingCountry, CreatedDate FROM Account";
  for (size_t i = 0; i < conditions.size(); ++i) {
    soql += i == 0 ? " WHERE " : " AND ";
    soql += conditions[i];
  }
  soql += before ? " ORDER BY Name DESC, Id DESC" : " ORDER BY Name ASC, Id ASC";
  soql += " LIMIT " + std::to_string(rows);
  return soql;
}

std::string accounts_count_query(std::string_view search) {
  std::string soql = "SELECT COUNT() FROM Account";
  if (!search.empty()) soql += " WHERE " + name_contains(search);
  return soql;
}

void add_accounts_page(PageRoutes& pages, net::Router& router) {
  pages.add_page(router, http::verb::get, "/", [&pages](net::Request& req, PageCall& call) {
    return accounts(pages.services(), req, call);
  });
}

}  // namespace pe::pages
