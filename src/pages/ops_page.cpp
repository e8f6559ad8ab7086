#include "pages/ops_page.hpp"

#include "jobs/activity_log.hpp"
#include "jobs/job_queue.hpp"
#include "pages/html.hpp"
#include "pages/pages.hpp"
#include "pages/throughput_chart.hpp"
#include "salesforce/soql.hpp"

#include <algorithm>
#include <array>

namespace pe::pages {
namespace {

namespace asio = boost::asio;
namespace http = net::http;

constexpr size_t kDeadShown = 50;
constexpr size_t kRecentShown = 50;

struct Queues {
  std::shared_ptr<jobs::JobQueue> main;
  std::shared_ptr<jobs::JobQueue> batch;
  std::shared_ptr<jobs::ActivityLog> activity;

  jobs::JobQueue* named(std::string_view name) const {
    if (name == "main") return main.get();
    if (name == "batch") return batch.get();
    return nullptr;
  }
};

std::string_view kind_of(const jobs::Job& job) {
  if (job.batch) return "batch job";
  if (job.action) return "org action";
  return "eventing";
}

// A dead letter that ran as the invoking user lost that user's token when it died.
bool retryable(const jobs::Job& job) {
  if (job.action) return false;
  if (job.batch) return !job.batch->authorization.empty();
  return true;
}

void render_stats(Html& h, std::string_view label, const Result<jobs::QueueStats>& stats) {
  h.raw("<tr><th scope=\"row\">").text(label).raw("</th>");
  if (!stats) {
    h.raw("<td colspan=\"4\">").text(stats.error().message).raw("</td></tr>");
    return;
  }
  for (int64_t n : {stats->waiting, stats->running, stats->delayed, stats->dead}) {
    h.raw("<td class=\"num\">").number(n).raw("</td>");
  }
  h.raw("</tr>");
}

void render_dead(Html& h, std::string_view queue, const Result<std::vector<jobs::Job>>& dead,
                 const std::string& csrf) {
  if (!dead) {
    h.raw("<p class=\"problem\">").text(dead.error().message).raw("</p>");
    return;
  }
  for (const auto& job : *dead) {
    h.raw("<tr data-dead=\"")
        .attr(job.id)
        .raw("\"><td class=\"id\">")
        .text(job.id)
        .raw("</td><td>")
        .text(queue)
        .raw("</td><td>")
        .text(kind_of(job))
        .raw("</td><td class=\"num\">")
        .number(job.attempt)
        .raw("</td><td>")
        .text(utc_time(job.enqueued_ms))
        .raw("</td><td>")
        .text(job.error)
        .raw("</td><td>");
    const std::string base =
        "/ops/dead/" + std::string(queue) + "/" + salesforce::url_encode(job.id);
    if (retryable(job)) {
      h.raw("<form class=\"inline\" method=\"post\" action=\"")
          .attr(base + "/retry")
          .raw("\"><input type=\"hidden\" name=\"csrf\" value=\"")
          .attr(csrf)
          .raw("\"><button type=\"submit\">Retry</button></form> ");
    } else {
      h.raw("<span class=\"meta\">its user's token is gone: drop it, start it again</span> ");
    }
    h.raw("<form class=\"inline\" method=\"post\" action=\"")
        .attr(base + "/drop")
        .raw("\"><input type=\"hidden\" name=\"csrf\" value=\"")
        .attr(csrf)
        .raw("\"><button class=\"danger\" type=\"submit\">Drop</button></form></td></tr>");
  }
}

std::string_view kind_label(jobs::ActivityKind kind) {
  switch (kind) {
    case jobs::ActivityKind::eventing:
      return "eventing";
    case jobs::ActivityKind::batch:
      return "batch job";
    case jobs::ActivityKind::org_action:
      return "org action";
    case jobs::ActivityKind::org_action_async:
      return "org action (async)";
  }
  return "";
}

void render_recent(Html& h, const Result<std::vector<jobs::ActivityEntry>>& recent) {
  h.raw("<section aria-labelledby=\"recent\"><h2 id=\"recent\">Recent jobs</h2>");
  if (!recent) {
    h.raw("<p class=\"problem\">").text(recent.error().message).raw("</p></section>");
    return;
  }
  if (recent->empty()) {
    h.raw("<p>None yet.</p></section>");
    return;
  }
  h.raw(
      "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Kind</th>"
      "<th scope=\"col\">Job</th><th scope=\"col\">Org or connection</th>"
      "<th scope=\"col\">Status</th><th class=\"num\" scope=\"col\">Quotes</th>"
      "<th class=\"num\" scope=\"col\">Failed</th><th scope=\"col\">Detail</th>"
      "<th scope=\"col\">Last step (UTC)</th></tr></thead><tbody>");
  for (const auto& e : *recent) {
    const std::string_view status = jobs::status_name(e.status);
    h.raw("<tr data-kind=\"")
        .attr(jobs::kind_name(e.kind))
        .raw("\" data-job=\"")
        .attr(e.id)
        .raw("\"><td>")
        .text(kind_label(e.kind))
        .raw("</td><td class=\"id\">")
        .text(e.id)
        .raw("</td><td class=\"id\">")
        .text(e.org.empty() ? e.connection : e.org)
        .raw("</td><td class=\"state-")
        .attr(status)
        .raw("\">")
        .text(status)
        .raw("</td><td class=\"num\">")
        .number(e.quotes)
        .raw("</td><td class=\"num\">")
        .number(e.failed)
        .raw("</td><td>")
        .text(e.detail)
        .raw("</td><td>")
        .text(utc_time(e.at_ms))
        .raw("</td></tr>");
  }
  h.raw("</tbody></table></div></section>");
}

void render_throughput(Html& h, const Result<std::vector<jobs::ThroughputPoint>>& points,
                       const Result<int64_t>& total) {
  h.raw("<section aria-labelledby=\"throughput\"><h2 id=\"throughput\">Throughput</h2>");
  h.raw("<div class=\"figures\">");
  if (total) {
    h.raw("<div>Quotes written in all<b data-figure=\"quotes-total\">")
        .number(*total)
        .raw("</b></div>");
  }
  if (points) {
    int64_t quotes = 0, jobs_ended = 0, failed = 0;
    for (const auto& p : *points) {
      quotes += p.quotes;
      jobs_ended += p.jobs;
      failed += p.failed;
    }
    h.raw("<div>Quotes in the last hour<b data-figure=\"quotes-hour\">")
        .number(quotes)
        .raw("</b></div><div>Jobs ended in the last hour<b data-figure=\"jobs-hour\">")
        .number(jobs_ended)
        .raw("</b></div><div>Of which not succeeded<b data-figure=\"failed-hour\">")
        .number(failed)
        .raw("</b></div>");
  }
  h.raw("</div>");
  if (!total) h.raw("<p class=\"problem\">").text(total.error().message).raw("</p>");
  if (!points) {
    h.raw("<p class=\"problem\">").text(points.error().message).raw("</p>");
  } else {
    h.raw(
         "<p class=\"meta\">Quotes written per minute over the last hour (UTC); a red mark "
         "under a minute: a job that did not succeed ended then.</p>")
        .raw(throughput_chart(*points));
  }
  h.raw("</section>");
}

asio::awaitable<net::Response> dashboard(PageServices& services, const Queues& queues,
                                         net::Request& req, PageCall& call) {
  auto main_stats = co_await queues.main->stats();
  auto batch_stats = co_await queues.batch->stats();
  auto main_dead = co_await queues.main->dead_letters(kDeadShown);
  auto batch_dead = co_await queues.batch->dead_letters(kDeadShown);
  auto recent = co_await queues.activity->recent(kRecentShown);
  auto points = co_await queues.activity->throughput(std::chrono::system_clock::now());
  auto total = co_await queues.activity->quotes_total();
  (void)services;

  Html h;
  h.raw("<h1>Operations</h1>");
  std::string_view done = call.form.get("done");
  if (done == "retried")
    h.raw("<p class=\"notice\" role=\"status\">The dead letter is queued again.</p>");
  if (done == "dropped")
    h.raw("<p class=\"notice\" role=\"status\">The dead letter is dropped.</p>");
  h.raw(
      "<section aria-labelledby=\"queues\"><h2 id=\"queues\">Queues</h2>"
      "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Queue</th>"
      "<th class=\"num\" scope=\"col\">Waiting</th><th class=\"num\" scope=\"col\">Running</th>"
      "<th class=\"num\" scope=\"col\">Delayed</th><th class=\"num\" scope=\"col\">Dead "
      "letters</th>"
      "</tr></thead><tbody>");
  render_stats(h, "main: eventing and async org actions", main_stats);
  render_stats(h, "batch: batch jobs", batch_stats);
  h.raw("</tbody></table></div></section>");

  h.raw("<section aria-labelledby=\"dead\"><h2 id=\"dead\">Dead letters</h2>");
  const bool none = main_dead && batch_dead && main_dead->empty() && batch_dead->empty();
  if (none) {
    h.raw("<p>None.</p>");
  } else {
    h.raw(
        "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Entry</th>"
        "<th scope=\"col\">Queue</th><th scope=\"col\">Kind</th>"
        "<th class=\"num\" scope=\"col\">Attempts</th><th scope=\"col\">Queued (UTC)</th>"
        "<th scope=\"col\">Last error</th><th scope=\"col\">Action</th></tr></thead><tbody>");
    render_dead(h, "main", main_dead, call.session.csrf);
    render_dead(h, "batch", batch_dead, call.session.csrf);
    h.raw("</tbody></table></div>");
  }
  h.raw("</section>");
  render_throughput(h, points, total);
  render_recent(h, recent);
  (void)req;
  co_return html_response(
      http::status::ok, {.title = "Operations", .section = Section::ops, .csrf = call.session.csrf},
      std::move(h).str());
}

asio::awaitable<net::Response> act_on_dead(const Queues& queues, net::Request& req,
                                           std::string_view action) {
  jobs::JobQueue* queue = queues.named(req.param("queue"));
  if (!queue) co_return page_error(req, Errc::not_found, "no such queue: main or batch");
  const std::string id(req.param("id"));
  if (id.empty() || id.size() > 64) co_return page_error(req, Errc::not_found, "no such entry");
  if (action == "retry") {
    // Only what can run again: the check the page makes, made again here.
    auto dead = co_await queue->dead_letters(100'000);
    if (!dead) co_return page_error(req, dead.error().code, dead.error().message);
    auto it =
        std::find_if(dead->begin(), dead->end(), [&](const jobs::Job& j) { return j.id == id; });
    if (it == dead->end()) co_return page_error(req, Errc::not_found, "no such dead letter");
    if (!retryable(*it)) {
      co_return page_error(req, Errc::failed_precondition,
                           "this dead letter ran as its invoking user, whose token is not kept: "
                           "drop it and start the work again");
    }
  }
  Result<bool> done = false;
  if (action == "retry") {
    done = co_await queue->retry_dead(id);
  } else {
    done = co_await queue->drop_dead(id);
  }
  if (!done) co_return page_error(req, done.error().code, done.error().message);
  if (!*done) co_return page_error(req, Errc::not_found, "no such dead letter");
  req.log().info("ui_dead_letter", {{"action", action}, {"queue", req.param("queue")}, {"id", id}});
  co_return redirect(action == "retry" ? "/ops?done=retried" : "/ops?done=dropped");
}

}  // namespace

void add_ops_page(PageRoutes& pages, net::Router& router) {
  auto& services = pages.services();
  jobs::QueueOptions batch_options = services.config.queue;
  batch_options.prefix += "batch:";
  auto queues = std::make_shared<Queues>(
      Queues{.main = std::make_shared<jobs::JobQueue>(services.redis, services.config.queue),
             .batch = std::make_shared<jobs::JobQueue>(services.redis, batch_options),
             .activity = std::make_shared<jobs::ActivityLog>(
                 services.redis, jobs::ActivityOptions{.prefix = services.config.queue.prefix})});
  pages.add_page(router, http::verb::get, "/ops",
                 [&services, queues](net::Request& req, PageCall& call) {
                   return dashboard(services, *queues, req, call);
                 });
  static constexpr std::array<std::string_view, 2> kActions = {"retry", "drop"};
  for (std::string_view action : kActions) {
    pages.add_page(router, http::verb::post, "/ops/dead/{queue}/{id}/" + std::string(action),
                   [queues, action](net::Request& req, PageCall&) {
                     return act_on_dead(*queues, req, action);
                   });
  }
}

}  // namespace pe::pages
