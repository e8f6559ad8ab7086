#include "pages/ops_page.hpp"

#include "jobs/job_queue.hpp"
#include "pages/html.hpp"
#include "pages/pages.hpp"
#include "salesforce/soql.hpp"

#include <algorithm>
#include <array>
#include <ctime>

namespace pe::pages {
namespace {

namespace asio = boost::asio;
namespace http = net::http;

constexpr size_t kDeadShown = 50;

struct Queues {
  std::shared_ptr<jobs::JobQueue> main;
  std::shared_ptr<jobs::JobQueue> batch;

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

std::string utc_time(int64_t epoch_ms) {
  if (epoch_ms <= 0) return {};
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
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

asio::awaitable<net::Response> dashboard(PageServices& services, const Queues& queues,
                                         net::Request& req, PageCall& call) {
  auto main_stats = co_await queues.main->stats();
  auto batch_stats = co_await queues.batch->stats();
  auto main_dead = co_await queues.main->dead_letters(kDeadShown);
  auto batch_dead = co_await queues.batch->dead_letters(kDeadShown);
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
             .batch = std::make_shared<jobs::JobQueue>(services.redis, batch_options)});
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
