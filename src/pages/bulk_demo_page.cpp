#include "pages/bulk_demo_page.hpp"

#include "common/json_exact.hpp"
#include "common/random.hpp"
#include "pages/bulk_demo_job.hpp"
#include "pages/html.hpp"
#include "pages/pages.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>

#include <algorithm>

namespace pe::pages {
namespace {

namespace asio = boost::asio;
namespace http = net::http;
namespace json = boost::json;

constexpr int kRecentShown = 20;
constexpr int64_t kDefaultRows = 1'000;

// A whole number of at most 6 digits within [low, high].
std::optional<int64_t> count_in(std::string_view text, int64_t low, int64_t high) {
  if (text.empty() || text.size() > 6) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < low || value > high) return std::nullopt;
  return value;
}

bool well_formed_id(std::string_view id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string new_load_id() {
  std::string uuid = random_uuid();
  uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
  return uuid.substr(0, 16);
}

std::string utc_stamp(int64_t ms) { return utc_time(ms, "%Y-%m-%d %H:%M:%S UTC"); }

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0 && digits[i - 1] != '-'; i -= 3)
    digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

std::string state_label(const BulkLoad& l) {
  if (l.state == bulk_state::uploading) {
    return l.abort_requested ? "Stopping the upload" : "Sending the rows to Salesforce";
  }
  if (l.state == bulk_state::running) return "Salesforce is loading the rows";
  if (l.state == bulk_state::complete) return "Loaded";
  if (l.state == bulk_state::failed) return "Failed";
  if (l.state == bulk_state::aborted) return "Aborted";
  if (l.state == bulk_state::cleaning) return "Deleting the rows this load created";
  if (l.state == bulk_state::cleaned) return "Cleaned up";
  if (l.state == bulk_state::cleanup_failed) return "The cleanup failed";
  return l.state;
}

bool can_abort(const BulkLoad& l) {
  return (l.state == bulk_state::uploading && !l.abort_requested) || l.state == bulk_state::running;
}
bool can_clean(const BulkLoad& l) {
  const bool ended = l.state == bulk_state::complete || l.state == bulk_state::aborted ||
                     l.state == bulk_state::failed || l.state == bulk_state::cleanup_failed;
  return ended && !l.job_id.empty() && l.processed - l.failed > 0;
}

json::object progress_json(const BulkLoad& l) {
  const bool cleaning = l.state == bulk_state::cleaning || l.state == bulk_state::cleaned ||
                        l.state == bulk_state::cleanup_failed;
  return {{"id", l.id},
          {"state", l.state},
          {"state_label", state_label(l)},
          {"sf_state", l.sf_state.empty() ? "not created yet" : l.sf_state},
          {"rows", l.rows},
          {"processed", l.processed},
          {"succeeded", l.processed - l.failed},
          {"failed", l.failed},
          {"progress", cleaning ? l.cleanup_processed : l.processed},
          {"total", cleaning ? l.cleanup_total : l.rows},
          {"done", !bulk_state_moving(l.state)},
          {"error", l.error},
          {"deleted", l.deleted},
          {"cleanup_sf_state", l.cleanup_sf_state},
          {"cleanup_total", l.cleanup_total},
          {"cleanup_processed", l.cleanup_processed},
          {"cleanup_failed", l.cleanup_failed}};
}

void csrf_field(Html& h, std::string_view csrf) {
  h.raw("<input type=\"hidden\" name=\"csrf\" value=\"").attr(csrf).raw("\">");
}

void figure(Html& h, std::string_view field, int64_t value, std::string_view label) {
  h.raw("<div><b data-field=\"")
      .raw(field)
      .raw("\">")
      .number(value)
      .raw("</b> ")
      .raw(label)
      .raw("</div>");
}

void render_failed_rows(Html& h, const BulkLoad& l) {
  if (l.failed_rows.empty()) return;
  auto parsed = parse_json_exact(l.failed_rows);
  if (!parsed || !parsed->is_array() || parsed->as_array().empty()) return;
  const auto& rows = parsed->as_array();
  h.raw("<section class=\"panel\" aria-labelledby=\"refused-h\"><h2 id=\"refused-h\">")
      .raw("Rows the org refused</h2><p class=\"meta\">");
  if (static_cast<int64_t>(rows.size()) < l.failed) {
    h.raw("The first ").number(static_cast<long long>(rows.size())).raw(" of ");
  }
  h.number(l.failed).raw(
      " refused, with Salesforce's <code>sf__Error</code>.</p><div class=\"table-wrap\"><table>"
      "<thead><tr><th scope=\"col\">sf__Error</th><th scope=\"col\">Name</th>"
      "<th scope=\"col\">Billing street</th><th scope=\"col\">City</th>"
      "<th scope=\"col\">Country</th></tr></thead><tbody>");
  auto cell = [&](const json::value& row, std::string_view key) {
    const json::value* v = row.is_object() ? row.as_object().if_contains(key) : nullptr;
    h.raw("<td>");
    if (v && v->is_string()) h.text(v->as_string());
    h.raw("</td>");
  };
  for (const auto& row : rows) {
    h.raw("<tr class=\"refused-row\">");
    cell(row, "error");
    cell(row, "name");
    cell(row, "street");
    cell(row, "city");
    cell(row, "country");
    h.raw("</tr>");
  }
  h.raw("</tbody></table></div></section>");
}

}  // namespace

std::string render_bulk_load(const BulkLoad& l, std::string_view csrf) {
  Html h;
  const std::string base = "/bulk/loads/" + l.id;
  h.raw("<h1>Bulk load <code>").text(l.id).raw("</code></h1>");
  h.raw("<p><a href=\"/bulk\">All loads and a new one</a></p>");
  h.raw("<p class=\"meta\">")
      .text(with_commas(l.rows))
      .raw(" Accounts into <b>")
      .text(l.org)
      .raw("</b>, ")
      .number(l.refused)
      .raw(" made to be refused; started ")
      .text(utc_stamp(l.created_ms));
  if (!l.job_id.empty()) h.raw("; Salesforce job <code>").text(l.job_id).raw("</code>");
  h.raw("</p>");
  if (!l.error.empty()) h.raw("<p class=\"problem\" role=\"alert\">").text(l.error).raw("</p>");

  const bool cleanup_phase = l.state == bulk_state::cleaning || l.state == bulk_state::cleaned ||
                             l.state == bulk_state::cleanup_failed;
  const bool load_moving = l.state == bulk_state::uploading || l.state == bulk_state::running;
  // The load's figures; polled while it moves.
  h.raw("<section class=\"panel bulk-load\" aria-labelledby=\"load-h\"");
  if (load_moving) {
    h.raw(" data-poll=\"")
        .attr(base + "/progress")
        .raw("\" data-reload-when-done=\"1\" data-reload-to=\"")
        .attr(base)
        .raw("\"");
  }
  h.raw(" data-state=\"")
      .attr(l.state)
      .raw("\" data-done=\"")
      .raw(load_moving ? "false" : "true")
      .raw("\"><h2 id=\"load-h\">Load</h2><p role=\"status\" aria-live=\"polite\">State: <b ")
      .raw(cleanup_phase ? "" : "data-field=\"state_label\" ")
      .raw("class=\"state-")
      .attr(l.state)
      .raw("\">")
      .text(cleanup_phase ? std::string("Ended ") + (l.sf_state.empty() ? "" : l.sf_state)
                          : state_label(l))
      .raw("</b> <span class=\"meta\">(Salesforce: <span data-field=\"sf_state\">")
      .text(l.sf_state.empty() ? "not created yet" : l.sf_state)
      .raw("</span>)</span></p>");
  h.raw("<label for=\"load-bar\" class=\"visually-hidden\">Rows processed</label>")
      .raw("<progress id=\"load-bar\" max=\"")
      .number(std::max<int64_t>(1, l.rows))
      .raw("\" value=\"")
      .number(std::min(l.processed, l.rows))
      .raw("\">")
      .number(l.processed)
      .raw("</progress><div class=\"figures\">");
  figure(h, "processed", l.processed, "processed");
  figure(h, "succeeded", l.processed - l.failed, "loaded");
  figure(h, "failed", l.failed, "failed");
  figure(h, "rows", l.rows, "rows in all");
  h.raw("</div></section>");

  if (cleanup_phase) {
    h.raw("<section class=\"panel bulk-cleanup\" aria-labelledby=\"cleanup-h\"");
    if (l.state == bulk_state::cleaning) {
      h.raw(" data-poll=\"")
          .attr(base + "/progress")
          .raw("\" data-reload-when-done=\"1\" data-reload-to=\"")
          .attr(base)
          .raw("\"");
    }
    h.raw(" data-state=\"")
        .attr(l.state)
        .raw("\" data-done=\"")
        .raw(l.state == bulk_state::cleaning ? "false" : "true")
        .raw("\"><h2 id=\"cleanup-h\">Cleanup</h2><p role=\"status\" aria-live=\"polite\">")
        .raw("State: <b data-field=\"state_label\">")
        .text(state_label(l))
        .raw("</b> <span class=\"meta\">(delete job: <span data-field=\"cleanup_sf_state\">")
        .text(l.cleanup_sf_state.empty() ? "not created yet" : l.cleanup_sf_state)
        .raw("</span>)</span></p>")
        .raw("<label for=\"cleanup-bar\" class=\"visually-hidden\">Rows deleted</label>")
        .raw("<progress id=\"cleanup-bar\" max=\"")
        .number(std::max<int64_t>(1, l.cleanup_total))
        .raw("\" value=\"")
        .number(l.cleanup_processed)
        .raw("\"></progress><div class=\"figures\">");
    figure(h, "cleanup_processed", l.cleanup_processed, "processed");
    figure(h, "cleanup_failed", l.cleanup_failed, "failed");
    figure(h, "cleanup_total", l.cleanup_total, "to delete");
    h.raw("</div>");
    if (l.state == bulk_state::cleaned) {
      h.raw("<p class=\"cleaned\">Deleted <b data-field=\"deleted\">")
          .number(l.deleted)
          .raw("</b> Accounts: the ones this load created, and only those.</p>");
    }
    h.raw("</section>");
  }

  if (can_abort(l) || can_clean(l)) {
    h.raw("<div class=\"actions\">");
    if (can_abort(l)) {
      h.raw("<form method=\"post\" action=\"").attr(base + "/abort").raw("\">");
      csrf_field(h, csrf);
      h.raw("<button class=\"danger\" type=\"submit\">Abort the load</button></form>");
    }
    if (can_clean(l)) {
      h.raw("<form method=\"post\" action=\"").attr(base + "/cleanup").raw("\">");
      csrf_field(h, csrf);
      h.raw("<button type=\"submit\">Clean up: delete the ")
          .text(with_commas(l.processed - l.failed))
          .raw(" Accounts this load created</button></form>");
    }
    h.raw("</div>");
  }
  render_failed_rows(h, l);
  return std::move(h).str();
}

namespace {

std::string index_body(const PageServices& services, const PageCall& call,
                       const std::vector<BulkLoad>& loads, bool loads_read) {
  const auto& orgs = services.shared.orgs->names();
  Html h;
  h.raw("<h1>Bulk API 2.0 demo</h1>");
  h.raw(
      "<p>Loads generated Accounts into an org with one Bulk API 2.0 ingest job, shows its "
      "progress and the rows the org refused, and can delete exactly the rows it created.</p>");
  if (orgs.empty()) {
    h.raw(
        "<p class=\"problem\">No connections are configured: set CONNECTION_NAMES to the AppLink "
        "authorizations to use.</p>");
  } else {
    h.raw("<form class=\"stack\" method=\"post\" action=\"/bulk/loads\">");
    csrf_field(h, call.session.csrf);
    h.raw("<label for=\"org\">Org</label><select id=\"org\" name=\"org\" required>");
    for (const auto& org : orgs) {
      h.raw("<option value=\"").attr(org).raw("\">").text(org).raw("</option>");
    }
    h.raw("</select><label for=\"rows\">Accounts to load</label>")
        .raw("<input id=\"rows\" name=\"rows\" type=\"number\" inputmode=\"numeric\" min=\"1\" ")
        .raw("max=\"")
        .number(kBulkMaxRows)
        .raw("\" value=\"")
        .number(kDefaultRows)
        .raw("\" required aria-describedby=\"rows-help\"><p id=\"rows-help\" class=\"meta\">1 to ")
        .text(with_commas(kBulkMaxRows))
        .raw(".</p><label for=\"refused\">Rows the org should refuse</label>")
        .raw("<input id=\"refused\" name=\"refused\" type=\"number\" inputmode=\"numeric\" ")
        .raw("min=\"0\" max=\"")
        .number(kBulkMaxRefused)
        .raw(
            "\" value=\"0\" aria-describedby=\"refused-help\"><p id=\"refused-help\" "
            "class=\"meta\">0 to 100. These rows get an empty Name, which Salesforce refuses "
            "(REQUIRED_FIELD_MISSING): the load's page then lists them with Salesforce's "
            "error.</p><button type=\"submit\">Start the load</button></form>");
  }
  h.raw("<h2>Recent loads</h2>");
  if (!loads_read) {
    h.raw("<p class=\"problem\" role=\"alert\">The loads could not be read (Redis).</p>");
  } else if (loads.empty()) {
    h.raw("<p>No loads yet.</p>");
  } else {
    h.raw(
        "<div class=\"table-wrap\"><table class=\"bulk-loads\"><thead><tr>"
        "<th scope=\"col\">Load</th><th scope=\"col\">Org</th><th scope=\"col\" "
        "class=\"num\">Rows</th><th scope=\"col\" class=\"num\">Failed</th>"
        "<th scope=\"col\">State</th><th scope=\"col\">Started</th></tr></thead><tbody>");
    for (const auto& l : loads) {
      h.raw("<tr><td><a href=\"/bulk/loads/")
          .attr(l.id)
          .raw("\"><code>")
          .text(l.id)
          .raw("</code></a></td><td>")
          .text(l.org)
          .raw("</td><td class=\"num\">")
          .text(with_commas(l.rows))
          .raw("</td><td class=\"num\">")
          .text(with_commas(l.failed))
          .raw("</td><td class=\"state-")
          .attr(l.state)
          .raw("\">")
          .text(state_label(l))
          .raw("</td><td>")
          .text(utc_stamp(l.created_ms))
          .raw("</td></tr>");
    }
    h.raw("</tbody></table></div>");
  }
  return std::move(h).str();
}

Frame frame_for(const PageCall& call, std::string title, std::string notice = {}) {
  return {.title = std::move(title),
          .section = Section::bulk,
          .csrf = call.session.csrf,
          .notice = std::move(notice)};
}

std::string notice_for(std::string_view key) {
  if (key == "started") return "The load has started.";
  if (key == "abort") return "The load was told to stop.";
  if (key == "cleanup") return "The cleanup has started.";
  return {};
}

class BulkDemoPage : public std::enable_shared_from_this<BulkDemoPage> {
 public:
  explicit BulkDemoPage(PageServices& services)
      : services_(services),
        demo_(services, BulkLoadStore(services.redis, services.config.queue.prefix)) {}

  asio::awaitable<net::Response> index(net::Request&, PageCall& call) {
    auto loads = co_await demo_.store().recent(kRecentShown);
    std::vector<BulkLoad> shown;
    if (loads) shown = std::move(*loads);
    co_return html_response(http::status::ok, frame_for(call, "Bulk API demo"),
                            index_body(services_, call, shown, loads.has_value()));
  }

  asio::awaitable<net::Response> start(net::Request& req, PageCall& call) {
    std::string org(call.form.get("org"));
    if (!services_.shared.orgs->knows(org)) {
      co_return page_error(req, Errc::invalid_argument,
                           "Choose one of the connected orgs (CONNECTION_NAMES).");
    }
    std::string_view rows_text = call.form.has("rows") ? call.form.get("rows") : "1000";
    auto rows = count_in(rows_text, 1, kBulkMaxRows);
    if (!rows) {
      co_return page_error(req, Errc::invalid_argument,
                           "The number of Accounts must be a whole number from 1 to 100,000.");
    }
    std::string_view refused_text = call.form.get("refused");
    auto refused = refused_text.empty() ? std::optional<int64_t>(0)
                                        : count_in(refused_text, 0, kBulkMaxRefused);
    if (!refused || *refused > *rows) {
      co_return page_error(req, Errc::invalid_argument,
                           "The rows the org should refuse must be a whole number from 0 to 100, "
                           "and no more than the Accounts to load.");
    }
    co_await end_stale_slots();
    BulkLoad load;
    load.id = new_load_id();
    load.org = org;
    load.rows = *rows;
    load.refused = *refused;
    load.state = std::string(bulk_state::uploading);
    load.by = client_key(req);
    load.created_ms = load.updated_ms = now_ms();
    auto created = co_await demo_.store().create(load, kBulkMaxRunning);
    if (!created) {
      co_return page_error(req, Errc::unavailable, "The load could not be stored (Redis).");
    }
    if (!*created) {
      co_return page_error(req, Errc::resource_exhausted,
                           "3 loads or cleanups are running already: wait for one to end, or "
                           "abort one, then try again.");
    }
    req.log().info(
        "bulk_load_started",
        {{"load", load.id}, {"org", load.org}, {"rows", load.rows}, {"refused", load.refused}});
    auto executor = co_await asio::this_coro::executor;
    spawn(executor, load, false);
    co_return redirect("/bulk/loads/" + load.id + "?notice=started");
  }

  asio::awaitable<net::Response> show(net::Request& req, PageCall& call) {
    auto load = co_await find(req);
    if (!load) co_return std::move(load).error();
    auto fresh = co_await demo_.refresh(*load);
    if (fresh) *load = std::move(*fresh);
    co_return html_response(
        http::status::ok,
        frame_for(call, "Bulk load " + load->id, notice_for(call.form.get("notice"))),
        render_bulk_load(*load, call.session.csrf));
  }

  asio::awaitable<net::Response> progress(net::Request& req, PageCall&) {
    auto load = co_await find(req);
    if (!load) co_return std::move(load).error();
    auto fresh = co_await demo_.refresh(*load);
    if (fresh) *load = std::move(*fresh);
    co_return net::json_response(http::status::ok, progress_json(*load));
  }

  asio::awaitable<net::Response> abort(net::Request& req, PageCall&) {
    auto load = co_await find(req);
    if (!load) co_return std::move(load).error();
    auto stopped = co_await demo_.abort(*load);
    if (!stopped) {
      co_return page_error(req, stopped.error().code,
                           "The load could not be aborted: " + stopped.error().message);
    }
    co_return redirect("/bulk/loads/" + load->id + "?notice=abort");
  }

  asio::awaitable<net::Response> cleanup(net::Request& req, PageCall&) {
    auto load = co_await find(req);
    if (!load) co_return std::move(load).error();
    if (!can_clean(*load)) {
      co_return page_error(req, Errc::failed_precondition,
                           "Only a load that ended and created rows can be cleaned up (this one "
                           "is " +
                               state_label(*load) + ").");
    }
    co_await end_stale_slots();
    auto slot = co_await demo_.store().take_slot(load->id, kBulkMaxRunning);
    if (!slot) co_return page_error(req, Errc::unavailable, "Redis did not answer.");
    if (!*slot) {
      co_return page_error(req, Errc::resource_exhausted,
                           "3 loads or cleanups are running already: wait for one to end.");
    }
    static const std::vector<std::string> kEnded{
        std::string(bulk_state::complete), std::string(bulk_state::aborted),
        std::string(bulk_state::failed), std::string(bulk_state::cleanup_failed)};
    BulkFields claim{{"state", std::string(bulk_state::cleaning)},
                     {"error", ""},
                     {"cleanup_job_id", ""},
                     {"cleanup_sf_state", ""},
                     {"cleanup_total", "0"},
                     {"cleanup_processed", "0"},
                     {"cleanup_failed", "0"}};
    auto claimed = co_await demo_.store().update(load->id, std::move(claim), kEnded);
    if (!claimed || !*claimed) {
      co_await demo_.store().release_slot(load->id);
      co_return page_error(req, Errc::failed_precondition, "A cleanup of this load is running.");
    }
    load->state = std::string(bulk_state::cleaning);
    req.log().info("bulk_cleanup_requested", {{"load", load->id}, {"org", load->org}});
    auto executor = co_await asio::this_coro::executor;
    spawn(executor, *load, true);
    co_return redirect("/bulk/loads/" + load->id + "?notice=cleanup");
  }

 private:
  // The load the path names, or the response to give instead (404, 503).
  asio::awaitable<boost::system::result<BulkLoad, net::Response>> find(net::Request& req) {
    std::string id(req.param("id"));
    if (!well_formed_id(id)) co_return page_error(req, Errc::not_found, "No such load.");
    auto load = co_await demo_.store().get(id);
    if (!load) co_return page_error(req, Errc::unavailable, "Redis did not answer.");
    if (!*load) co_return page_error(req, Errc::not_found, "No such load (loads are kept 7 days).");
    if (!services_.shared.orgs->knows((*load)->org)) {
      co_return page_error(req, Errc::not_found,
                           "This load was made in an org that is not connected to this app now.");
    }
    co_return std::move(**load);
  }

  // Loads holding a slot are refreshed (a load nobody watched since a restart ends now) and
  // slots of loads that ended or expired are given back.
  asio::awaitable<void> end_stale_slots() {
    auto ids = co_await demo_.store().running();
    if (!ids) co_return;
    for (const auto& id : *ids) {
      auto load = co_await demo_.store().get(id);
      if (!load) continue;
      if (!*load || !bulk_state_moving((*load)->state)) {
        co_await demo_.store().release_slot(id);
        continue;
      }
      co_await demo_.refresh(std::move(**load));
    }
  }

  void spawn(asio::any_io_executor executor, BulkLoad load, bool cleanup) {
    auto self = shared_from_this();
    std::string id = load.id;
    auto work = [self, load = std::move(load), cleanup]() -> asio::awaitable<void> {
      if (cleanup) {
        co_await self->demo_.run_cleanup(load);
      } else {
        co_await self->demo_.run_load(load);
      }
    };
    asio::co_spawn(executor, std::move(work), [self, id](std::exception_ptr failure) {
      if (!failure) return;
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        log::Logger().with("load", id).error("bulk_demo_crashed", {{"error", e.what()}});
      }
    });
  }

  PageServices& services_;
  BulkDemo demo_;
};

}  // namespace

void add_bulk_demo_page(PageRoutes& pages, net::Router& router) {
  auto page = std::make_shared<BulkDemoPage>(pages.services());
  auto bind = [page](auto method) {
    return
        [page, method](net::Request& req, PageCall& call) { return ((*page).*method)(req, call); };
  };
  pages.add_page(router, http::verb::get, "/bulk", bind(&BulkDemoPage::index));
  pages.add_page(router, http::verb::post, "/bulk/loads", bind(&BulkDemoPage::start));
  pages.add_page(router, http::verb::get, "/bulk/loads/{id}", bind(&BulkDemoPage::show));
  pages.add_page(router, http::verb::get, "/bulk/loads/{id}/progress",
                 bind(&BulkDemoPage::progress));
  pages.add_page(router, http::verb::post, "/bulk/loads/{id}/abort", bind(&BulkDemoPage::abort));
  pages.add_page(router, http::verb::post, "/bulk/loads/{id}/cleanup",
                 bind(&BulkDemoPage::cleanup));
}

}  // namespace pe::pages
